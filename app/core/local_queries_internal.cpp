#include "core/local_queries_internal.h"

#include "core/store_cipher.h"
#include "protocol/messages/events.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/message_rules.h"
#include "sql/sql_helpers.h"

#include <QJsonDocument>

#include <limits>

namespace tidings::app::local::detail {

using namespace Qt::StringLiterals;
using sql::run;

QString toText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject fromText(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString searchableText(const QString &kind, const QJsonObject &body)
{
    if (kind != protocol::messages::kinds::kMessage)
        return QString();
    const auto state = protocol::messages::MessageState::decode(body);
    return state && !state->isGone() ? state->text : QString();
}

QString searchColumn(const QSqlDatabase &db, const QString &kind, const QJsonObject &body)
{
    return searchText(db, searchableText(kind, body));
}

Result<QVariant> keepBody(const QSqlDatabase &db, QByteArrayView column, qint64 id,
                          const QJsonObject &body)
{
    return sealText(db, "messages", column, QString::number(id), toText(body));
}

Result<QJsonObject> openBody(const QSqlDatabase &db, QByteArrayView column, qint64 id,
                             const QVariant &stored)
{
    auto text = openText(db, "messages", column, QString::number(id), stored);
    if (!text)
        return text.error();
    return fromText(*text);
}

Result<QVariant> keepPayload(const QSqlDatabase &db, const QString &key, const QJsonObject &payload)
{
    return sealText(db, "outbox", "payload", key, toText(payload));
}

Result<QJsonObject> openPayload(const QSqlDatabase &db, const QString &key, const QVariant &stored)
{
    auto text = openText(db, "outbox", "payload", key, stored);
    if (!text)
        return text.error();
    return fromText(*text);
}

Result<qint64> nextMessageId(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT coalesce(max(id), 0) + 1 FROM messages"_s);
    if (!query)
        return query.error();
    query->next();
    return query->value(0).toLongLong();
}

const QString &messageColumns()
{
    static const QString columns = u"id, conversation_id, seq, client_id, sender_id, kind, body, "
                                   "created_at, state, error, after_seq"_s;
    return columns;
}

Result<Message> readMessage(const QSqlDatabase &db, const QSqlQuery &query)
{
    Message message;
    message.id = query.value(0).toLongLong();
    message.conversationId = query.value(1).toLongLong();
    if (!query.value(2).isNull())
        message.seq = query.value(2).toLongLong();
    message.clientId = query.value(3).toString();
    message.senderId = query.value(4).toLongLong();
    message.kind = query.value(5).toString();
    auto body = openBody(db, "body", message.id, query.value(6));
    if (!body)
        return body.error();
    message.body = std::move(*body);
    message.createdAt = query.value(7).toLongLong();
    message.state = query.value(8).toString();
    message.error = query.value(9).toString();
    if (!query.value(10).isNull())
        message.afterSeq = query.value(10).toLongLong();
    return message;
}

Result<std::optional<StoredMessage>> messageBySeq(QSqlDatabase &db, qint64 conversation, Seq seq)
{
    auto query = run(db,
                     u"SELECT id, body, confirmed_body FROM messages WHERE conversation_id = ? AND "
                     "seq = ? AND kind = 'message'"_s,
                     {conversation, seq});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<StoredMessage>();
    const qint64 id = query->value(0).toLongLong();
    auto body = openBody(db, "body", id, query->value(1));
    if (!body)
        return body.error();
    StoredMessage message{id, std::move(*body), {}};
    if (query->value(2).isNull()) {
        message.confirmed = message.body;
    } else {
        auto confirmed = openBody(db, "confirmed_body", id, query->value(2));
        if (!confirmed)
            return confirmed.error();
        message.confirmed = std::move(*confirmed);
    }
    return std::optional(std::move(message));
}

namespace {

/// Who I am here (sync stores it): my reactions in a body are under my id.
Result<qint64> myId(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT value FROM account WHERE key = 'user_id'"_s);
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toString().toLongLong() : qint64(0);
}

} // namespace

Result<void> settle(QSqlDatabase &db, qint64 id, qint64 conversation, Seq seq,
                    const QJsonObject &confirmed)
{
    auto waiting = run(db,
                       u"SELECT type, payload, created_at, key FROM outbox WHERE "
                       "conversation_id = ? AND target_seq = ? AND state = 'pending' ORDER BY id"_s,
                       {conversation, seq});
    if (!waiting)
        return waiting.error();
    QJsonObject body = confirmed;
    bool changes = false;
    std::optional<qint64> me;
    while (waiting->next()) {
        if (!me) {
            auto known = myId(db);
            if (!known)
                return known.error();
            me = *known;
        }
        auto payload = openPayload(db, waiting->value(3).toString(), waiting->value(1));
        if (!payload)
            return payload.error();
        body = changed(std::move(body), changeOfRequest(waiting->value(0).toString(), *payload),
                       *me, waiting->value(2).toLongLong(), false);
        changes = true;
    }
    waiting->finish();
    auto keptBody = keepBody(db, "body", id, body);
    if (!keptBody)
        return keptBody.error();
    QVariant keptConfirmed;
    if (changes) {
        auto kept = keepBody(db, "confirmed_body", id, confirmed);
        if (!kept)
            return kept.error();
        keptConfirmed = std::move(*kept);
    }
    auto stored = run(db,
                      u"UPDATE messages SET body = ?, confirmed_body = ?, text = coalesce(?, '') "
                      "WHERE id = ?"_s,
                      {*keptBody, keptConfirmed, searchColumn(db, u"message"_s, body), id});
    if (!stored)
        return stored.error();
    return {};
}

Result<QList<qint64>> noteKeyChange(QSqlDatabase &db, qint64 user, qint64 time)
{
    auto shared = run(db,
                      u"SELECT c.id, c.last_seq FROM conversations c JOIN members m ON "
                      "m.conversation_id = c.id WHERE m.user_id = ? AND c.left_seq IS NULL "
                      "ORDER BY c.id"_s,
                      {user});
    if (!shared)
        return shared.error();
    QList<std::pair<qint64, Seq>> places;
    while (shared->next())
        places.append({shared->value(0).toLongLong(), shared->value(1).toLongLong()});
    shared->finish();
    const QString kind = kinds::kKeyChanged.toString();
    const QJsonObject body{{u"user"_s, user}};
    QList<qint64> conversations;
    for (const auto &[conversation, lastSeq] : std::as_const(places)) {
        const auto id = nextMessageId(db);
        if (!id)
            return id.error();
        const auto keptBody = keepBody(db, "body", *id, body);
        if (!keptBody)
            return keptBody.error();
        // No seq and no client id: neither the relay's nor queued, so sync, the outbox and
        // unread counts pass it by.
        auto inserted = run(db,
                            u"INSERT INTO messages (id, conversation_id, sender_id, kind, body, "
                            "text, created_at, state, after_seq) VALUES (?, ?, ?, ?, ?, "
                            "coalesce(?, ''), ?, 'sent', ?)"_s,
                            {*id, conversation, user, kind, *keptBody, searchColumn(db, kind, body),
                             time, lastSeq});
        if (!inserted)
            return inserted.error();
        conversations.append(conversation);
    }
    return conversations;
}

Change changeOfRequest(const QString &type, const QJsonObject &payload)
{
    namespace proto = protocol::messages;
    if (type == QLatin1StringView(proto::EditMessage::kType)) {
        if (const auto edit = proto::EditMessage::decode(payload))
            return Change{u"edit"_s, edit->text, false, {}, true};
    } else if (type == QLatin1StringView(proto::DeleteMessage::kType)) {
        return Change{u"delete"_s, {}, true, {}, true};
    } else if (type == QLatin1StringView(proto::ReactToMessage::kType)) {
        if (const auto react = proto::ReactToMessage::decode(payload))
            return Change{u"reaction"_s, {}, true, react->emoji, react->on};
    }
    return Change{};
}

Change changeOf(const protocol::messages::LogEntry &entry)
{
    namespace messages = protocol::messages;
    Change change{entry.kind, {}, true, {}, true};
    if (entry.is(messages::kinds::kEdit)) {
        if (const auto edit = messages::EditChange::decode(entry.body); edit && !edit->gone)
            change = Change{entry.kind, edit->text, false, {}, true};
    } else if (entry.is(messages::kinds::kReaction)) {
        if (const auto reaction = messages::ReactionChange::decode(entry.body))
            change = Change{entry.kind, {}, true, reaction->emoji, reaction->on};
        else
            change.kind.clear(); // a reaction naming no emoji changes nothing
    }
    return change;
}

QJsonObject changed(QJsonObject body, const Change &change, qint64 sender, qint64 time,
                    bool fromRelay)
{
    namespace messages = protocol::messages;
    if (messages::isGone(body))
        return body; // nothing brings a deleted or expired message back
    if (change.kind == messages::kinds::kEdit) {
        if (change.textGone)
            return body; // an edit whose text went with a later delete
        return messages::withEdit(std::move(body), change.text, time);
    }
    if (change.kind == messages::kinds::kDelete)
        return messages::deletedBody(time);
    if (change.kind == messages::kinds::kReaction) {
        auto reacted = messages::withReaction(body, change.emoji, sender, change.on,
                                              fromRelay ? std::numeric_limits<int>::max()
                                                        : messages::kMaxReactionsPerMessage);
        return reacted ? std::move(reacted).value() : body;
    }
    return body;
}

} // namespace tidings::app::local::detail
