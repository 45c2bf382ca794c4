// What the relay sends, stored: users, conversations, log entries and receipts.
#include "core/local_queries.h"

#include "core/e2e_queries.h"
#include "core/local_queries_internal.h"
#include "protocol/messages/events.h"
#include "protocol/messages/replies.h"
#include "sql/sql_helpers.h"

namespace tidings::app::local {

using namespace Qt::StringLiterals;
using sql::now;
using sql::run;
using namespace detail;
namespace proto = protocol::messages;

namespace {

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
/// Whether `entry` shows its conversation is a group: it creates or renames one with a
/// title (a direct chat has none; a group's title is never empty).
bool namesAGroup(const proto::LogEntry &entry)
{
    if (!proto::isMembershipKind(entry.kind))
        return false;
    const auto change = proto::MembershipChange::decode(entry.kind, entry.body);
    return change && !change->title.isEmpty();
}

Result<void> storeMessage(QSqlDatabase &db, const proto::LogEntry &event)
{
    const qint64 conversation = event.conversation;
    const Seq seq = event.seq;
    const qint64 sender = event.sender;
    const QString &clientId = event.clientId;
    const QJsonObject &body = event.body;
    const QString &kind = event.kind;

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
        const auto keptBody = keepBody(db, "body", *id, body);
        if (!keptBody)
            return keptBody.error();
        auto updated = run(
            db,
            u"UPDATE messages SET conversation_id = ?, seq = ?, sender_id = ?, body = ?, "
            "confirmed_body = NULL, text = coalesce(?, ''), created_at = ?, state = 'sent', "
            "error = '' WHERE id = ?"_s,
            {conversation, seq, sender, *keptBody, searchColumn(db, kind, body), event.time, *id});
        if (!updated)
            return updated.error();
        // My changes to it still waiting in the outbox show on top of what the relay says.
        if (kind == u"message") {
            auto waiting = run(db,
                               u"SELECT 1 FROM outbox WHERE conversation_id = ? AND target_seq = ? "
                               "LIMIT 1"_s,
                               {conversation, seq});
            if (!waiting)
                return waiting.error();
            const bool changes = waiting->next();
            waiting->finish();
            if (changes)
                return settle(db, *id, conversation, seq, body);
        }
        return {};
    }
    const auto newId = nextMessageId(db);
    if (!newId)
        return newId.error();
    const auto keptBody = keepBody(db, "body", *newId, body);
    if (!keptBody)
        return keptBody.error();
    auto inserted
        = run(db,
              u"INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, kind, body, "
              u"text, created_at, state) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, coalesce(?, ''), ?, 'sent')"_s,
              {*newId, conversation, seq, clientId.isEmpty() ? QVariant() : QVariant(clientId),
               sender, kind, *keptBody, searchColumn(db, kind, body), event.time});
    if (!inserted)
        return inserted.error();
    return {};
}

Result<void> applyMembership(QSqlDatabase &db, const proto::LogEntry &entry, qint64 me)
{
    const qint64 conversation = entry.conversation;
    const QString &kind = entry.kind;
    const Seq seq = entry.seq;
    const qint64 sender = entry.sender;
    const auto decoded = proto::MembershipChange::decode(kind, entry.body);
    if (!decoded)
        return {}; // a malformed entry changes nothing (its seq still counts)
    const proto::MembershipChange &change = *decoded;
    auto exec = [&](const QString &statement, const QVariantList &values) -> Result<void> {
        if (auto query = run(db, statement, values); !query)
            return query.error();
        return {};
    };
    if (kind == u"created" || kind == u"member_added") {
        const bool group = !change.title.isEmpty();
        for (const qint64 id : change.users) {
            const QString role
                = kind == u"created" && id == sender && group ? u"owner"_s : u"member"_s;
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
        const qint64 user = change.user;
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
        if (change.newOwner > 0) {
            const qint64 heir = change.newOwner;
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
                    {change.title, conversation});
    } else if (kind == u"role_changed") {
        const qint64 user = change.user;
        const QString &role = change.role;
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

Result<void> storeUsers(QSqlDatabase &db, const QList<proto::User> &users)
{
    for (const proto::User &user : users) {
        auto query = run(db,
                         u"INSERT INTO users (id, username, display_name) VALUES (?, coalesce(?, "
                         u"''), coalesce(?, '')) ON CONFLICT (id) DO UPDATE "
                         "SET username = excluded.username, display_name = excluded.display_name"_s,
                         {user.id, user.username, user.displayName});
        if (!query)
            return query.error();
    }
    return {};
}

Result<void> storeConversation(QSqlDatabase &db, const proto::ConversationInfo &conversation)
{
    const qint64 id = conversation.id;
    const proto::Member &me = conversation.me;
    const qint64 activity
        = conversation.lastMessage ? conversation.lastMessage->time : conversation.createdAt;
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
        {id, conversation.kind, conversation.title, conversation.lastSeq, conversation.memberCount,
         me.role, me.joinedSeq, me.leftSeq ? QVariant(*me.leftSeq) : QVariant(), me.deliveredSeq,
         me.readSeq, activity});
    if (!query)
        return query.error();
    if (conversation.e2eSeq && *conversation.e2eSeq > 0) {
        if (auto encrypted = run(db,
                                 u"UPDATE conversations SET e2e_seq = ? WHERE id = ? AND "
                                 "(e2e_seq = 0 OR e2e_seq > ?)"_s,
                                 {*conversation.e2eSeq, id, *conversation.e2eSeq});
            !encrypted)
            return encrypted.error();
    }
    // A conversation one joined late starts where one joined.
    if (auto start = run(
            db,
            u"UPDATE conversations SET synced_seq = max(synced_seq, joined_seq - 1) WHERE id = ?"_s,
            {id});
        !start) {
        return start.error();
    }
    if (conversation.members) {
        if (auto cleared = run(db, u"DELETE FROM members WHERE conversation_id = ?"_s, {id});
            !cleared)
            return cleared.error();
        for (const proto::Member &member : *conversation.members) {
            auto inserted = run(
                db,
                u"INSERT INTO members (conversation_id, user_id, role, delivered_seq, read_seq) "
                "VALUES (?, ?, coalesce(?, 'member'), ?, ?)"_s,
                {id, member.user, member.role, member.deliveredSeq, member.readSeq});
            if (!inserted)
                return inserted.error();
        }
    }
    return {};
}

Result<Applied> applyEvent(QSqlDatabase &db, const proto::LogEntry &event, qint64 me)
{
    const qint64 conversation = event.conversation;
    const Seq seq = event.seq;
    const QString &kind = event.kind;
    if (conversation <= 0 || seq <= 0)
        return Error{ErrorCode::BadRequest, u"an entry without conversation or seq"_s};

    auto cursor = cursorOf(db, conversation);
    if (!cursor)
        return cursor.error();
    if (!cursor->has_value()) {
        // Heard of before listed (a new conversation): a stub until its details come.
        const QString guess = namesAGroup(event) ? u"group"_s : u"direct"_s;
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

    if (kind.startsWith(u"encrypted")) {
        if (auto encrypted = run(db,
                                 u"UPDATE conversations SET e2e_seq = ? WHERE id = ? AND "
                                 "(e2e_seq = 0 OR e2e_seq > ?)"_s,
                                 {seq, conversation, seq});
            !encrypted)
            return encrypted.error();
        // Applied as what it stands for once opened; an edit or reaction that does not open
        // (yet) stays a kind that changes nothing.
        auto opened = e2e::open(db, event, me);
        if (!opened)
            return opened.error();
        if (!opened->kind.startsWith(u"encrypted"))
            return applyEvent(db, *opened, me);
    }

    const qint64 time = event.time;
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

    const bool membership = proto::isMembershipKind(kind);
    if (event.is(proto::kinds::kMessage) || membership) {
        if (auto stored = storeMessage(db, event); !stored)
            return stored.error();
        if (membership) {
            if (auto applied = applyMembership(db, event, me); !applied)
                return applied.error();
        }
    } else if (event.is(proto::kinds::kEdit) || event.is(proto::kinds::kDelete)
               || event.is(proto::kinds::kReaction)) {
        auto target = messageBySeq(db, conversation, event.targetSeq);
        if (!target)
            return target.error();
        if (target->has_value()) {
            // The relay confirmed it: it changes what was confirmed, and my own changes
            // still waiting show on top of that.
            const QJsonObject confirmed
                = changed((*target)->confirmed, changeOf(event), event.sender, time, true);
            if (auto stored = settle(db, (*target)->id, conversation, event.targetSeq, confirmed);
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

Result<void> detail::applyOpened(QSqlDatabase &db, const proto::LogEntry &entry, qint64 me)
{
    Q_UNUSED(me);
    if (entry.is(proto::kinds::kMessage))
        return storeMessage(db, entry);
    if (!entry.is(proto::kinds::kEdit) && !entry.is(proto::kinds::kReaction))
        return {};
    auto target = messageBySeq(db, entry.conversation, entry.targetSeq);
    if (!target)
        return target.error();
    if (!target->has_value())
        return {};
    const QJsonObject confirmed
        = changed((*target)->confirmed, changeOf(entry), entry.sender, entry.time, true);
    return settle(db, (*target)->id, entry.conversation, entry.targetSeq, confirmed);
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
Result<void> storeUsers(QSqlDatabase &db, const QJsonArray &users)
{
    const auto decoded = proto::UserList::decode(QJsonObject{{u"users"_s, users}});
    if (!decoded)
        return decoded.error();
    return storeUsers(db, decoded->users);
}

Result<void> storeConversation(QSqlDatabase &db, const QJsonObject &conversation)
{
    const auto decoded = proto::ConversationInfo::decode(conversation);
    if (!decoded)
        return decoded.error();
    return storeConversation(db, *decoded);
}

Result<Applied> applyEvent(QSqlDatabase &db, const QJsonObject &event, qint64 me)
{
    const auto decoded = proto::LogEntry::decode(event);
    if (!decoded)
        return decoded.error();
    return applyEvent(db, *decoded, me);
}

} // namespace tidings::app::local
