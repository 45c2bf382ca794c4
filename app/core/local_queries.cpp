#include "core/local_queries.h"

#include "protocol/messages/message_requests.h"
#include "protocol/messages/message_rules.h"
#include "sql/sql_helpers.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <limits>

namespace tidings::app::local {

using namespace Qt::StringLiterals;
using sql::now;
using sql::run;

namespace {

QString toText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject fromText(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

/// The fields of an entry without its envelope.
QJsonObject bodyOf(const QJsonObject &event)
{
    QJsonObject body = event;
    for (const QString &key : {u"type"_s, u"conversation"_s, u"seq"_s, u"kind"_s, u"sender"_s,
                               u"time"_s, u"client_id"_s, u"target_seq"_s}) {
        body.remove(key);
    }
    return body;
}

/// What search indexes: the text of a message that still has one.
QString searchableText(const QString &kind, const QJsonObject &body)
{
    if (kind != u"message" || body.value(u"deleted"_s).toBool()
        || body.value(u"expired"_s).toBool())
        return QString();
    return body.value(u"text"_s).toString();
}

const QString kMessageColumns
    = u"id, conversation_id, seq, client_id, sender_id, kind, body, created_at, state, error"_s;

Message readMessage(const QSqlQuery &query)
{
    Message message;
    message.id = query.value(0).toLongLong();
    message.conversationId = query.value(1).toLongLong();
    if (!query.value(2).isNull())
        message.seq = query.value(2).toLongLong();
    message.clientId = query.value(3).toString();
    message.senderId = query.value(4).toLongLong();
    message.kind = query.value(5).toString();
    message.body = fromText(query.value(6).toString());
    message.createdAt = query.value(7).toLongLong();
    message.state = query.value(8).toString();
    message.error = query.value(9).toString();
    return message;
}

struct Cursor
{
    Seq synced = 0;
    Seq last = 0;
};

Result<std::optional<Cursor>> cursorOf(QSqlDatabase &db, qint64 conversation)
{
    auto query
        = run(db, u"SELECT synced_seq, last_seq FROM conversations WHERE id = ?"_s, {conversation});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<Cursor>();
    return std::optional<Cursor>(
        Cursor{query->value(0).toLongLong(), query->value(1).toLongLong()});
}

/// Stores a message entry: updates the row it already has (by seq, or my queued one by
/// client id), else inserts it.
Result<void> storeMessage(QSqlDatabase &db, const QJsonObject &event)
{
    const qint64 conversation = event.value(u"conversation"_s).toInteger();
    const Seq seq = event.value(u"seq"_s).toInteger();
    const qint64 sender = event.value(u"sender"_s).toInteger();
    const QString clientId = event.value(u"client_id"_s).toString();
    const QJsonObject body = bodyOf(event);
    const QString kind = event.value(u"kind"_s).toString();

    // The row may be there already: by seq, by the sender's client id, or — my own queued
    // row — by its client id (a UUID) alone, as it may have been written before the app
    // knew its user id. Three indexed lookups: one query with ORs read every message.
    auto lookup = [&db](const QString &statement,
                        const QVariantList &values) -> Result<std::optional<qint64>> {
        auto query = run(db, statement, values);
        if (!query)
            return query.error();
        const std::optional<qint64> found
            = query->next() ? std::optional(query->value(0).toLongLong()) : std::nullopt;
        query->finish();
        return found;
    };
    auto existing = lookup(u"SELECT id FROM messages WHERE conversation_id = ? AND seq = ?"_s,
                           {conversation, seq});
    if (existing && !*existing && !clientId.isEmpty()) {
        existing = lookup(u"SELECT id FROM messages WHERE sender_id = ? AND client_id = ?"_s,
                          {sender, clientId});
        if (existing && !*existing)
            existing = lookup(u"SELECT id FROM messages WHERE client_id = ? AND seq IS NULL"_s,
                              {clientId});
    }
    if (!existing)
        return existing.error();
    const std::optional<qint64> id = *existing;
    if (id) {
        auto updated = run(
            db,
            u"UPDATE messages SET conversation_id = ?, seq = ?, sender_id = ?, body = ?, "
            "text = coalesce(?, ''), created_at = ?, state = 'sent', error = '' WHERE id = ?"_s,
            {conversation, seq, sender, toText(body), searchableText(kind, body),
             event.value(u"time"_s).toInteger(), *id});
        if (!updated)
            return updated.error();
        return {};
    }
    auto inserted
        = run(db,
              u"INSERT INTO messages (conversation_id, seq, client_id, sender_id, kind, body, "
              u"text, created_at, state) "
              "VALUES (?, ?, ?, ?, ?, ?, coalesce(?, ''), ?, 'sent')"_s,
              {conversation, seq, clientId.isEmpty() ? QVariant() : QVariant(clientId), sender,
               kind, toText(body), searchableText(kind, body), event.value(u"time"_s).toInteger()});
    if (!inserted)
        return inserted.error();
    return {};
}

Result<std::optional<std::pair<qint64, QJsonObject>>> messageBySeq(QSqlDatabase &db,
                                                                   qint64 conversation, Seq seq)
{
    auto query = run(
        db,
        u"SELECT id, body FROM messages WHERE conversation_id = ? AND seq = ? AND kind = 'message'"_s,
        {conversation, seq});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<std::pair<qint64, QJsonObject>>();
    return std::optional(
        std::pair(query->value(0).toLongLong(), fromText(query->value(1).toString())));
}

Result<void> storeBody(QSqlDatabase &db, qint64 id, const QJsonObject &body)
{
    auto query = run(db, u"UPDATE messages SET body = ?, text = coalesce(?, '') WHERE id = ?"_s,
                     {toText(body), searchableText(u"message"_s, body), id});
    if (!query)
        return query.error();
    return {};
}

/// Applies a change (edit, delete, reaction) to the body of the message it names, by the
/// protocol's rules (common/protocol/messages/message_rules.h). A change that does not
/// apply (a reaction that is so already: the optimistic copy of the relay's event) leaves
/// the body as it is. `fromRelay`: the relay accepted it, so no limit holds it back (this
/// copy may count reactions of its own the relay refused).
QJsonObject changed(const QString &kind, QJsonObject body, const QJsonObject &change, qint64 sender,
                    qint64 time, bool fromRelay)
{
    namespace messages = protocol::messages;
    if (messages::isGone(body))
        return body; // nothing brings a deleted or expired message back
    if (kind == u"edit") {
        if (messages::isGone(change) || !change.value(u"text"_s).isString())
            return body; // an edit whose text went with a later delete
        return messages::withEdit(std::move(body), change.value(u"text"_s).toString(), time);
    }
    if (kind == u"delete")
        return messages::deletedBody(time);
    if (kind == u"reaction") {
        auto reacted = messages::withReaction(
            body, change.value(u"emoji"_s).toString(), sender, change.value(u"on"_s).toBool(true),
            fromRelay ? std::numeric_limits<int>::max() : messages::kMaxReactionsPerMessage);
        return reacted ? std::move(reacted).value() : body;
    }
    return body;
}

/// What a system entry changes about the conversation and its members.
Result<void> applyMembership(QSqlDatabase &db, qint64 conversation, const QString &kind,
                             const QJsonObject &body, Seq seq, qint64 sender, qint64 me)
{
    auto exec = [&](const QString &statement, const QVariantList &values) -> Result<void> {
        if (auto query = run(db, statement, values); !query)
            return query.error();
        return {};
    };
    if (kind == u"created" || kind == u"member_added") {
        const QJsonArray users
            = body.value(kind == u"created" ? u"members"_s : u"users"_s).toArray();
        for (const QJsonValue &user : users) {
            const qint64 id = user.toInteger();
            const QString role = kind == u"created" && id == sender && body.contains(u"title"_s)
                ? u"owner"_s
                : u"member"_s;
            if (auto added = exec(
                    u"INSERT INTO members (conversation_id, user_id, role) VALUES (?, ?, ?) "
                    "ON CONFLICT (conversation_id, user_id) DO UPDATE SET role = excluded.role"_s,
                    {conversation, id, role});
                !added) {
                return added;
            }
            if (id == me) {
                if (auto mine
                    = exec(u"UPDATE conversations SET left_seq = NULL, my_role = ? WHERE id = ?"_s,
                           {role, conversation});
                    !mine) {
                    return mine;
                }
            }
        }
    } else if (kind == u"member_removed" || kind == u"member_left") {
        const qint64 user = body.value(u"user"_s).toInteger();
        if (auto gone = exec(u"DELETE FROM members WHERE conversation_id = ? AND user_id = ?"_s,
                             {conversation, user});
            !gone)
            return gone;
        if (user == me) {
            if (auto left = exec(u"UPDATE conversations SET left_seq = ? WHERE id = ?"_s,
                                 {seq, conversation});
                !left)
                return left;
        }
        if (body.contains(u"new_owner"_s)) {
            const qint64 heir = body.value(u"new_owner"_s).toInteger();
            if (auto owner = exec(
                    u"UPDATE members SET role = 'owner' WHERE conversation_id = ? AND user_id = ?"_s,
                    {conversation, heir});
                !owner) {
                return owner;
            }
            if (heir == me) {
                if (auto mine = exec(u"UPDATE conversations SET my_role = 'owner' WHERE id = ?"_s,
                                     {conversation});
                    !mine)
                    return mine;
            }
        }
    } else if (kind == u"renamed") {
        return exec(u"UPDATE conversations SET title = ? WHERE id = ?"_s,
                    {body.value(u"title"_s).toString(), conversation});
    } else if (kind == u"role_changed") {
        const qint64 user = body.value(u"user"_s).toInteger();
        const QString role = body.value(u"role"_s).toString();
        if (auto set
            = exec(u"UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?"_s,
                   {role, conversation, user});
            !set) {
            return set;
        }
        if (role == u"owner") {
            if (auto demoted = exec(
                    u"UPDATE members SET role = 'admin' WHERE conversation_id = ? AND user_id = ?"_s,
                    {conversation, sender});
                !demoted) {
                return demoted;
            }
        }
        if (user == me || (role == u"owner" && sender == me)) {
            const QString mine = user == me ? role : u"admin"_s;
            if (auto updated = exec(u"UPDATE conversations SET my_role = ? WHERE id = ?"_s,
                                    {mine, conversation});
                !updated)
                return updated;
        }
    }
    if (kind == u"created" || kind == u"member_added" || kind == u"member_removed"
        || kind == u"member_left") {
        return exec(u"UPDATE conversations SET member_count = "
                    "(SELECT count(*) FROM members WHERE conversation_id = ?) WHERE id = ?"_s,
                    {conversation, conversation});
    }
    return {};
}

bool isSystemKind(const QString &kind)
{
    static const QStringList kinds{u"created"_s,     u"member_added"_s, u"member_removed"_s,
                                   u"member_left"_s, u"renamed"_s,      u"role_changed"_s};
    return kinds.contains(kind);
}

} // namespace

Result<void> setAccountValue(QSqlDatabase &db, const QString &key, const QString &value)
{
    auto query = run(
        db,
        u"INSERT INTO account (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s,
        {key, value});
    if (!query)
        return query.error();
    return {};
}

Result<QHash<QString, QString>> accountValues(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT key, value FROM account"_s);
    if (!query)
        return query.error();
    QHash<QString, QString> values;
    while (query->next())
        values.insert(query->value(0).toString(), query->value(1).toString());
    return values;
}

Result<void> storeUsers(QSqlDatabase &db, const QJsonArray &users)
{
    for (const QJsonValue &value : users) {
        const QJsonObject user = value.toObject();
        auto query = run(db,
                         u"INSERT INTO users (id, username, display_name) VALUES (?, coalesce(?, "
                         u"''), coalesce(?, '')) ON CONFLICT (id) DO UPDATE "
                         "SET username = excluded.username, display_name = excluded.display_name"_s,
                         {user.value(u"id"_s).toInteger(), user.value(u"username"_s).toString(),
                          user.value(u"display_name"_s).toString()});
        if (!query)
            return query.error();
    }
    return {};
}

Result<void> storeConversation(QSqlDatabase &db, const QJsonObject &conversation)
{
    const qint64 id = conversation.value(u"id"_s).toInteger();
    const QJsonObject me = conversation.value(u"me"_s).toObject();
    const QJsonObject last = conversation.value(u"last_message"_s).toObject();
    const qint64 activity = last.isEmpty() ? conversation.value(u"created_at"_s).toInteger()
                                           : last.value(u"time"_s).toInteger();
    auto query = run(
        db,
        u"INSERT INTO conversations (id, kind, title, last_seq, member_count, my_role, joined_seq, "
        u"left_seq, "
        "delivered_seq, read_seq, last_activity) VALUES (?, ?, coalesce(?, ''), ?, ?, ?, ?, ?, ?, "
        "?, ?) "
        "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, "
        "last_seq = max(last_seq, excluded.last_seq), member_count = excluded.member_count, "
        "my_role = excluded.my_role, joined_seq = excluded.joined_seq, left_seq = "
        "excluded.left_seq, "
        "delivered_seq = max(delivered_seq, excluded.delivered_seq), "
        "read_seq = max(read_seq, excluded.read_seq), "
        "last_activity = max(last_activity, excluded.last_activity)"_s,
        {id, conversation.value(u"kind"_s).toString(), conversation.value(u"title"_s).toString(),
         conversation.value(u"last_seq"_s).toInteger(),
         conversation.value(u"member_count"_s).toInt(), me.value(u"role"_s).toString(u"member"_s),
         me.value(u"joined_seq"_s).toInteger(1),
         me.contains(u"left_seq"_s) ? QVariant(me.value(u"left_seq"_s).toInteger()) : QVariant(),
         me.value(u"delivered_seq"_s).toInteger(), me.value(u"read_seq"_s).toInteger(), activity});
    if (!query)
        return query.error();
    // A conversation one joined late starts where one joined.
    if (auto start = run(
            db,
            u"UPDATE conversations SET synced_seq = max(synced_seq, joined_seq - 1) WHERE id = ?"_s,
            {id});
        !start) {
        return start.error();
    }
    if (conversation.contains(u"members"_s)) {
        if (auto cleared = run(db, u"DELETE FROM members WHERE conversation_id = ?"_s, {id});
            !cleared)
            return cleared.error();
        const QJsonArray members = conversation.value(u"members"_s).toArray();
        for (const QJsonValue &value : members) {
            const QJsonObject member = value.toObject();
            auto inserted = run(
                db,
                u"INSERT INTO members (conversation_id, user_id, role, delivered_seq, read_seq) "
                "VALUES (?, ?, coalesce(?, 'member'), ?, ?)"_s,
                {id, member.value(u"user"_s).toInteger(), member.value(u"role"_s).toString(),
                 member.value(u"delivered_seq"_s).toInteger(),
                 member.value(u"read_seq"_s).toInteger()});
            if (!inserted)
                return inserted.error();
        }
    }
    return {};
}

Result<Applied> applyEvent(QSqlDatabase &db, const QJsonObject &event, qint64 me)
{
    const qint64 conversation = event.value(u"conversation"_s).toInteger();
    const Seq seq = event.value(u"seq"_s).toInteger();
    const QString kind = event.value(u"kind"_s).toString();
    if (conversation <= 0 || seq <= 0)
        return Error{ErrorCode::BadRequest, u"an entry without conversation or seq"_s};

    auto cursor = cursorOf(db, conversation);
    if (!cursor)
        return cursor.error();
    if (!cursor->has_value()) {
        // Heard of before listed (a new conversation): a stub until its details come.
        const QString guess = bodyOf(event).contains(u"title"_s) ? u"group"_s : u"direct"_s;
        if (auto stub = run(db, u"INSERT INTO conversations (id, kind) VALUES (?, ?)"_s,
                            {conversation, guess});
            !stub)
            return stub.error();
        *cursor = Cursor{};
    }
    Applied result;
    result.syncedSeq = (*cursor)->synced;
    if (seq <= (*cursor)->synced)
        return result; // seen already

    const qint64 time = event.value(u"time"_s).toInteger();
    // A message counts as activity as soon as it is shown, even ahead of a gap.
    if (auto last
        = run(db,
              u"UPDATE conversations SET last_seq = max(last_seq, ?), last_activity = "
              "CASE WHEN ? THEN max(last_activity, ?) ELSE last_activity END WHERE id = ?"_s,
              {seq, kind == u"message", time, conversation});
        !last)
        return last.error();

    if (seq > (*cursor)->synced + 1) {
        // Ahead of a gap: show a message already, the rest waits for the gap to fill.
        result.gap = true;
        if (kind == u"message") {
            if (auto stored = storeMessage(db, event); !stored)
                return stored.error();
            result.applied = true;
        }
        return result;
    }

    const qint64 sender = event.value(u"sender"_s).toInteger();
    if (kind == u"message" || isSystemKind(kind)) {
        if (auto stored = storeMessage(db, event); !stored)
            return stored.error();
        if (isSystemKind(kind)) {
            if (auto membership
                = applyMembership(db, conversation, kind, bodyOf(event), seq, sender, me);
                !membership)
                return membership.error();
        }
    } else if (kind == u"edit" || kind == u"delete" || kind == u"reaction") {
        auto target = messageBySeq(db, conversation, event.value(u"target_seq"_s).toInteger());
        if (!target)
            return target.error();
        if (target->has_value()) {
            if (auto stored
                = storeBody(db, (*target)->first,
                            changed(kind, (*target)->second, bodyOf(event), sender, time, true));
                !stored)
                return stored.error();
        }
    }
    // Kinds this version does not know still count: their seq is not a gap.
    result.applied = true;
    Seq synced = seq;
    // Messages stored ahead of a gap that this entry closed.
    while (true) {
        auto next = run(db, u"SELECT 1 FROM messages WHERE conversation_id = ? AND seq = ?"_s,
                        {conversation, synced + 1});
        if (!next)
            return next.error();
        if (!next->next())
            break;
        ++synced;
    }
    auto moved = run(db,
                     u"UPDATE conversations SET synced_seq = ?, last_activity = "
                     "CASE WHEN ? THEN max(last_activity, ?) ELSE last_activity END WHERE id = ?"_s,
                     {synced, kind == u"message" || kind == u"created", time, conversation});
    if (!moved)
        return moved.error();
    result.syncedSeq = synced;
    return result;
}

Result<void> applyReceipt(QSqlDatabase &db, qint64 conversation, qint64 user, Seq delivered,
                          Seq read, qint64 me)
{
    auto query = run(
        db,
        u"UPDATE members SET delivered_seq = max(delivered_seq, ?), read_seq = max(read_seq, ?) "
        "WHERE conversation_id = ? AND user_id = ?"_s,
        {delivered, read, conversation, user});
    if (!query)
        return query.error();
    if (user == me) {
        auto mine = run(
            db,
            u"UPDATE conversations SET delivered_seq = max(delivered_seq, ?), read_seq = max(read_seq, ?) WHERE id = ?"_s,
            {delivered, read, conversation});
        if (!mine)
            return mine.error();
    }
    return {};
}

Result<bool> hasConversation(QSqlDatabase &db, qint64 conversation)
{
    auto query = run(db, u"SELECT 1 FROM conversations WHERE id = ?"_s, {conversation});
    if (!query)
        return query.error();
    return query->next();
}

Result<QHash<qint64, Seq>> syncCursors(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT id, synced_seq FROM conversations"_s);
    if (!query)
        return query.error();
    QHash<qint64, Seq> cursors;
    while (query->next())
        cursors.insert(query->value(0).toLongLong(), query->value(1).toLongLong());
    return cursors;
}

Result<Message> queueMessage(QSqlDatabase &db, qint64 conversation, qint64 me,
                             const QString &clientId, const QString &caption, Seq replyTo,
                             const QJsonArray &attachments)
{
    const QString text = caption.isNull() ? u""_s : caption; // a null QString binds as NULL
    QJsonObject body{{u"text"_s, text}};
    if (!attachments.isEmpty())
        body.insert(u"attachments"_s, attachments);
    if (replyTo > 0)
        body.insert(u"reply_to"_s, replyTo);
    const QJsonObject payload
        = protocol::messages::SendMessage{conversation, clientId, text, replyTo, attachments}
              .encode();
    const qint64 at = now();
    auto inserted = run(db,
                        u"INSERT INTO messages (conversation_id, client_id, sender_id, kind, body, "
                        u"text, created_at, state) "
                        "VALUES (?, ?, ?, 'message', ?, ?, ?, 'queued') RETURNING "_s
                            + kMessageColumns,
                        {conversation, clientId, me, toText(body), text, at});
    if (!inserted)
        return inserted.error();
    inserted->next();
    const Message message = readMessage(*inserted);
    inserted->finish();
    auto queued = run(
        db,
        u"INSERT INTO outbox (key, type, payload, conversation_id, created_at) VALUES (?, 'message.send', ?, ?, ?)"_s,
        {clientId, toText(payload), conversation, at});
    if (!queued)
        return queued.error();
    if (auto activity
        = run(db, u"UPDATE conversations SET last_activity = max(last_activity, ?) WHERE id = ?"_s,
              {at, conversation});
        !activity) {
        return activity.error();
    }
    return message;
}

namespace {

/// Puts `media` into the attachment of `attachments` whose upload is `uploadId`; false if
/// none is.
bool fillAttachment(QJsonArray &attachments, const QString &uploadId, const QJsonObject &media)
{
    bool found = false;
    for (qsizetype i = 0; i < attachments.size(); ++i) {
        QJsonObject attachment = attachments.at(i).toObject();
        if (attachment.value(u"upload"_s).toString() != uploadId)
            continue;
        attachment.insert(u"media"_s, media.value(u"id"_s));
        for (const QString &field : {u"size"_s, u"type"_s, u"sha256"_s}) {
            if (media.contains(field))
                attachment.insert(field, media.value(field));
        }
        attachments.replace(i, attachment);
        found = true;
    }
    return found;
}

} // namespace

bool waitsForUpload(const QJsonObject &payload)
{
    const QJsonArray attachments = payload.value(u"attachments"_s).toArray();
    return std::any_of(attachments.begin(), attachments.end(), [](const QJsonValue &attachment) {
        return !attachment.toObject().contains(u"media"_s);
    });
}

QJsonObject wirePayload(const QJsonObject &payload)
{
    if (!payload.contains(u"attachments"_s))
        return payload;
    QJsonArray attachments = payload.value(u"attachments"_s).toArray();
    for (qsizetype i = 0; i < attachments.size(); ++i) {
        QJsonObject attachment = attachments.at(i).toObject();
        attachment.remove(u"upload"_s);
        attachment.remove(u"local_path"_s);
        attachments.replace(i, attachment);
    }
    QJsonObject wire = payload;
    wire.insert(u"attachments"_s, attachments);
    return wire;
}

namespace {

struct Waiting
{
    QString key;
    QJsonObject payload;
    qint64 conversation = 0;
};

/// The outbox item whose attachments include the upload `uploadId`, if one waits for it.
Result<std::optional<Waiting>> waitingFor(QSqlDatabase &db, const QString &uploadId)
{
    const QString pattern = u"%\"upload\":\""_s + uploadId + u"\"%"_s;
    auto query = run(db, u"SELECT key, payload, conversation_id FROM outbox WHERE payload LIKE ?"_s,
                     {pattern});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<Waiting>();
    return std::optional<Waiting>(
        Waiting{query->value(0).toString(),
                QJsonDocument::fromJson(query->value(1).toString().toUtf8()).object(),
                query->value(2).toLongLong()});
}

} // namespace

Result<qint64> attachmentUploaded(QSqlDatabase &db, const QString &uploadId,
                                  const QJsonObject &media)
{
    auto waiting = waitingFor(db, uploadId);
    if (!waiting)
        return waiting.error();
    if (!waiting->has_value())
        return 0;
    const QString key = (*waiting)->key;
    QJsonObject payload = (*waiting)->payload;
    const qint64 conversation = (*waiting)->conversation;
    QJsonArray attachments = payload.value(u"attachments"_s).toArray();
    if (!fillAttachment(attachments, uploadId, media))
        return 0;
    payload.insert(u"attachments"_s, attachments);
    if (auto stored
        = run(db, u"UPDATE outbox SET payload = ? WHERE key = ?"_s, {toText(payload), key});
        !stored) {
        return stored.error();
    }
    auto message
        = run(db, u"SELECT body FROM messages WHERE client_id = ? AND seq IS NULL"_s, {key});
    if (!message)
        return message.error();
    if (message->next()) {
        QJsonObject body = QJsonDocument::fromJson(message->value(0).toString().toUtf8()).object();
        message->finish();
        QJsonArray shown = body.value(u"attachments"_s).toArray();
        fillAttachment(shown, uploadId, media);
        body.insert(u"attachments"_s, shown);
        if (auto stored
            = run(db, u"UPDATE messages SET body = ? WHERE client_id = ? AND seq IS NULL"_s,
                  {toText(body), key});
            !stored) {
            return stored.error();
        }
    }
    return conversation;
}

Result<qint64> attachmentFailed(QSqlDatabase &db, const QString &uploadId, const QString &reason)
{
    auto waiting = waitingFor(db, uploadId);
    if (!waiting)
        return waiting.error();
    if (!waiting->has_value())
        return 0;
    if (auto failed = outboxFailed(db, (*waiting)->key, reason); !failed)
        return failed.error();
    return (*waiting)->conversation;
}

Result<OutboxItem> queueChange(QSqlDatabase &db, const QString &type, const QJsonObject &payload,
                               qint64 me)
{
    const qint64 conversation = payload.value(u"conversation"_s).toInteger();
    const QString key = payload.value(u"client_id"_s).toString();
    // Shown at once; the relay's answer (or a later sync) confirms it.
    const QString kind = type == u"message.edit" ? u"edit"_s
        : type == u"message.delete"              ? u"delete"_s
                                                 : u"reaction"_s;
    auto target = messageBySeq(db, conversation, payload.value(u"seq"_s).toInteger());
    if (!target)
        return target.error();
    if (target->has_value()) {
        if (auto stored = storeBody(db, (*target)->first,
                                    changed(kind, (*target)->second, payload, me, now(), false));
            !stored)
            return stored.error();
    }
    auto queued = run(db,
                      u"INSERT INTO outbox (key, type, payload, conversation_id, created_at) "
                      u"VALUES (?, ?, ?, ?, ?) "
                      "RETURNING id, attempts"_s,
                      {key, type, toText(payload), conversation, now()});
    if (!queued)
        return queued.error();
    queued->next();
    return OutboxItem{
        queued->value(0).toLongLong(), key, type, payload, conversation, u"pending"_s, 0, {}};
}

Result<bool> queueReceipt(QSqlDatabase &db, qint64 conversation, std::optional<Seq> delivered,
                          std::optional<Seq> read, bool shareRead)
{
    auto query
        = run(db, u"SELECT delivered_seq, read_seq, synced_seq FROM conversations WHERE id = ?"_s,
              {conversation});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::NotFound, u"no such conversation"_s};
    const Seq oldDelivered = query->value(0).toLongLong();
    const Seq oldRead = query->value(1).toLongLong();
    query->finish();
    const Seq newRead = std::max(oldRead, read.value_or(0));
    const Seq newDelivered = std::max({oldDelivered, delivered.value_or(0), newRead});
    if (newRead == oldRead && newDelivered == oldDelivered)
        return false;
    if (auto moved
        = run(db, u"UPDATE conversations SET delivered_seq = ?, read_seq = ? WHERE id = ?"_s,
              {newDelivered, newRead, conversation});
        !moved) {
        return moved.error();
    }
    // One receipt waits per conversation: the newest cursors replace the older ones.
    QJsonObject payload{{u"conversation"_s, conversation}, {u"delivered_seq"_s, newDelivered}};
    if (shareRead)
        payload.insert(u"read_seq"_s, newRead);
    auto queued
        = run(db,
              u"INSERT INTO outbox (key, type, payload, conversation_id, created_at) VALUES (?, "
              u"'receipt', ?, ?, ?) "
              "ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, state = 'pending'"_s,
              {u"receipt:%1"_s.arg(conversation), toText(payload), conversation, now()});
    if (!queued)
        return queued.error();
    return true;
}

Result<void> setDraft(QSqlDatabase &db, qint64 conversation, const QString &draft)
{
    auto query
        = run(db, u"UPDATE conversations SET draft = ? WHERE id = ?"_s, {draft, conversation});
    if (!query)
        return query.error();
    return {};
}

Result<QList<OutboxItem>> pendingOutbox(QSqlDatabase &db, int limit)
{
    auto query
        = run(db,
              u"SELECT id, key, type, payload, conversation_id, state, attempts, error FROM outbox "
              "WHERE state = 'pending' ORDER BY id LIMIT ?"_s,
              {limit});
    if (!query)
        return query.error();
    QList<OutboxItem> items;
    while (query->next()) {
        items.append({query->value(0).toLongLong(), query->value(1).toString(),
                      query->value(2).toString(), fromText(query->value(3).toString()),
                      query->value(4).toLongLong(), query->value(5).toString(),
                      query->value(6).toInt(), query->value(7).toString()});
    }
    return items;
}

Result<Applied> outboxDone(QSqlDatabase &db, const QString &key, const QJsonObject &sentPayload,
                           const QJsonObject &event, qint64 me)
{
    auto removed = run(db, u"DELETE FROM outbox WHERE key = ? AND payload = ?"_s,
                       {key, toText(sentPayload)});
    if (!removed)
        return removed.error();
    if (event.isEmpty() || !event.contains(u"seq"_s))
        return Applied{};
    return applyEvent(db, event, me);
}

Result<void> outboxFailed(QSqlDatabase &db, const QString &key, const QString &error)
{
    auto failed
        = run(db, u"UPDATE outbox SET state = 'failed', error = ? WHERE key = ?"_s, {error, key});
    if (!failed)
        return failed.error();
    auto message = run(
        db,
        u"UPDATE messages SET state = 'failed', error = ? WHERE client_id = ? AND seq IS NULL"_s,
        {error, key});
    if (!message)
        return message.error();
    return {};
}

Result<void> outboxAttempted(QSqlDatabase &db, const QString &key)
{
    auto query = run(db, u"UPDATE outbox SET attempts = attempts + 1 WHERE key = ?"_s, {key});
    if (!query)
        return query.error();
    return {};
}

namespace {

Result<qint64> outboxConversation(QSqlDatabase &db, const QString &key)
{
    auto query = run(db, u"SELECT conversation_id FROM outbox WHERE key = ?"_s, {key});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toLongLong() : qint64(0);
}

} // namespace

Result<qint64> outboxCancel(QSqlDatabase &db, const QString &key)
{
    const auto conversation = outboxConversation(db, key);
    if (!conversation)
        return conversation.error();
    auto message = run(db, u"DELETE FROM messages WHERE client_id = ? AND seq IS NULL"_s, {key});
    if (!message)
        return message.error();
    auto removed = run(db, u"DELETE FROM outbox WHERE key = ?"_s, {key});
    if (!removed)
        return removed.error();
    return *conversation;
}

Result<qint64> outboxRetry(QSqlDatabase &db, const QString &key)
{
    const auto conversation = outboxConversation(db, key);
    if (!conversation)
        return conversation.error();
    auto retried
        = run(db, u"UPDATE outbox SET state = 'pending', attempts = 0, error = '' WHERE key = ?"_s,
              {key});
    if (!retried)
        return retried.error();
    auto message = run(
        db,
        u"UPDATE messages SET state = 'queued', error = '' WHERE client_id = ? AND seq IS NULL"_s,
        {key});
    if (!message)
        return message.error();
    return *conversation;
}

namespace {

Result<Conversation> withDetails(QSqlDatabase &db, Conversation conversation, qint64 me)
{
    auto unread = run(db,
                      u"SELECT count(*) FROM (SELECT 1 FROM messages WHERE conversation_id = ? AND "
                      u"kind = 'message' "
                      "AND sender_id <> ? AND seq > ? LIMIT 999)"_s,
                      {conversation.id, me, conversation.readSeq});
    if (!unread)
        return unread.error();
    unread->next();
    conversation.unread = unread->value(0).toInt();
    unread->finish();

    auto last = run(db,
                    u"SELECT "_s + kMessageColumns
                        + u" FROM messages WHERE conversation_id = ? AND kind = 'message' "
                          "ORDER BY seq IS NULL DESC, seq DESC, id DESC LIMIT 1"_s,
                    {conversation.id});
    if (!last)
        return last.error();
    if (last->next())
        conversation.lastMessage = readMessage(*last);
    last->finish();

    auto members = run(
        db,
        u"SELECT user_id, role, delivered_seq, read_seq FROM members WHERE conversation_id = ? ORDER BY user_id"_s,
        {conversation.id});
    if (!members)
        return members.error();
    while (members->next()) {
        conversation.members.append({members->value(0).toLongLong(), members->value(1).toString(),
                                     members->value(2).toLongLong(),
                                     members->value(3).toLongLong()});
    }
    return conversation;
}

const QString kConversationColumns
    = u"id, kind, title, last_seq, synced_seq, member_count, my_role, joined_seq, left_seq, "
      "delivered_seq, read_seq, last_activity, draft"_s;

Conversation readConversation(const QSqlQuery &query)
{
    Conversation conversation;
    conversation.id = query.value(0).toLongLong();
    conversation.kind = query.value(1).toString();
    conversation.title = query.value(2).toString();
    conversation.lastSeq = query.value(3).toLongLong();
    conversation.syncedSeq = query.value(4).toLongLong();
    conversation.memberCount = query.value(5).toInt();
    conversation.myRole = query.value(6).toString();
    conversation.joinedSeq = query.value(7).toLongLong();
    if (!query.value(8).isNull())
        conversation.leftSeq = query.value(8).toLongLong();
    conversation.deliveredSeq = query.value(9).toLongLong();
    conversation.readSeq = query.value(10).toLongLong();
    conversation.lastActivity = query.value(11).toLongLong();
    conversation.draft = query.value(12).toString();
    return conversation;
}

} // namespace

Result<QList<Conversation>> conversations(QSqlDatabase &db, qint64 me)
{
    auto query = run(db,
                     u"SELECT "_s + kConversationColumns
                         + u" FROM conversations ORDER BY last_activity DESC, id DESC"_s);
    if (!query)
        return query.error();
    QList<Conversation> list;
    while (query->next())
        list.append(readConversation(*query));
    query->finish();
    for (Conversation &conversation : list) {
        auto detailed = withDetails(db, conversation, me);
        if (!detailed)
            return detailed.error();
        conversation = *detailed;
    }
    return list;
}

Result<Conversation> conversation(QSqlDatabase &db, qint64 id, qint64 me)
{
    auto query = run(
        db, u"SELECT "_s + kConversationColumns + u" FROM conversations WHERE id = ?"_s, {id});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::NotFound, u"no such conversation"_s};
    const Conversation found = readConversation(*query);
    query->finish();
    return withDetails(db, found, me);
}

Result<QList<Message>> messages(QSqlDatabase &db, qint64 conversation, Seq beforeSeq, int limit)
{
    auto query = beforeSeq > 0
        ? run(
            db,
            u"SELECT "_s + kMessageColumns
                + u" FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?"_s,
            {conversation, beforeSeq, limit})
        : run(db,
              u"SELECT "_s + kMessageColumns
                  + u" FROM messages WHERE conversation_id = ? "
                    "ORDER BY seq IS NULL DESC, seq DESC, id DESC LIMIT ?"_s,
              {conversation, limit});
    if (!query)
        return query.error();
    QList<Message> list;
    while (query->next())
        list.prepend(readMessage(*query));
    return list;
}

Result<QList<Message>> messagesFrom(QSqlDatabase &db, qint64 conversation, Seq fromSeq, int limit)
{
    auto query
        = run(db,
              u"SELECT "_s + kMessageColumns
                  + u" FROM messages WHERE conversation_id = ? AND (seq >= ? OR seq IS NULL) "
                    "ORDER BY seq IS NULL, seq, id LIMIT ?"_s,
              {conversation, fromSeq, limit});
    if (!query)
        return query.error();
    QList<Message> list;
    while (query->next())
        list.append(readMessage(*query));
    return list;
}

Result<QList<User>> users(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT id, username, display_name FROM users ORDER BY id"_s);
    if (!query)
        return query.error();
    QList<User> list;
    while (query->next())
        list.append(
            {query->value(0).toLongLong(), query->value(1).toString(), query->value(2).toString()});
    return list;
}

Result<QList<Message>> search(QSqlDatabase &db, const QString &text, int limit)
{
    // Words become quoted prefix terms: whatever the user types is never FTS syntax.
    QStringList terms;
    static const QRegularExpression separators(u"\\s+"_s);
    const QStringList words = text.split(separators, Qt::SkipEmptyParts);
    for (QString word : words) {
        word.replace(u'"', u"\"\""_s);
        terms.append(u"\"%1\"*"_s.arg(word));
    }
    if (terms.isEmpty())
        return QList<Message>();
    auto query = run(db,
                     u"SELECT m.id, m.conversation_id, m.seq, m.client_id, m.sender_id, m.kind, "
                     u"m.body, m.created_at, "
                     "m.state, m.error FROM messages_search s JOIN messages m ON m.id = s.rowid "
                     "WHERE messages_search MATCH ? ORDER BY m.created_at DESC LIMIT ?"_s,
                     {terms.join(u' '), limit});
    if (!query)
        return query.error();
    QList<Message> list;
    while (query->next())
        list.append(readMessage(*query));
    return list;
}

} // namespace tidings::app::local
