#include "store/conversation_queries.h"

#include "protocol/json_writer.h"
#include "store/account_queries.h"
#include "store/conversation_cache.h"
#include "store/conversation_queries_p.h"
#include "store/sql_helpers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

Error noSuchConversation()
{
    return Error{ErrorCode::NotFound, u"no such conversation"_s};
}

const QString kMemberColumns = u"user_id, role, joined_seq, left_seq, delivered_seq, read_seq"_s;

MemberRecord readMember(const QSqlQuery &query, int first = 0)
{
    MemberRecord member;
    member.userId = query.value(first).toLongLong();
    member.role = roleFromName(query.value(first + 1).toString()).value_or(Role::Member);
    member.joinedSeq = query.value(first + 2).toLongLong();
    if (!query.value(first + 3).isNull())
        member.leftSeq = query.value(first + 3).toLongLong();
    member.deliveredSeq = query.value(first + 4).toLongLong();
    member.readSeq = query.value(first + 5).toLongLong();
    return member;
}

// `c` is the conversations row; its last seq is the log's (see lastSeqOf()).
QString conversationColumns(const QSqlDatabase &db)
{
    return u"c.id, c.kind, c.title, "_s + lastSeqOf(db, u"c"_s) + u", c.created_at, c.e2e_seq"_s;
}
// A row just inserted has no log yet: RETURNING names its own columns only.
const QString kInsertedColumns = u"id, kind, title, last_seq, created_at, e2e_seq"_s;

ConversationRecord readConversation(const QSqlQuery &query, int first = 0)
{
    ConversationRecord conversation;
    conversation.id = query.value(first).toLongLong();
    conversation.isGroup = query.value(first + 1).toString() == u"group";
    conversation.title = query.value(first + 2).toString();
    conversation.lastSeq = query.value(first + 3).toLongLong();
    conversation.createdAt = query.value(first + 4).toLongLong();
    conversation.e2eSeq = query.value(first + 5).toLongLong();
    return conversation;
}

/// Checks that every id is an active user.
Result<void> requireActiveUsers(QSqlDatabase &db, const QList<UserId> &ids)
{
    auto users = usersByIds(db, ids);
    if (!users)
        return users.error();
    QSet<UserId> active;
    for (const UserRecord &user : *users) {
        if (!user.disabled)
            active.insert(user.id);
    }
    for (const UserId id : ids) {
        if (!active.contains(id))
            return Error{ErrorCode::NotFound, u"no such user: %1"_s.arg(id)};
    }
    return {};
}

Result<int> currentMemberCount(QSqlDatabase &db, ConversationId conversation)
{
    auto query
        = run(db, u"SELECT count(*) FROM members WHERE conversation_id = ? AND left_seq IS NULL"_s,
              {conversation});
    if (!query)
        return query.error();
    query->next();
    return query->value(0).toInt();
}

} // namespace

QJsonArray idArray(const QList<UserId> &ids)
{
    QJsonArray array;
    for (const UserId id : ids)
        array.append(id);
    return array;
}

Result<Appended> appended(QSqlDatabase &db, Result<EventRecord> event, QList<UserId> alsoTo)
{
    if (!event)
        return event.error();
    auto recipients = currentMemberIds(db, event->conversationId);
    if (!recipients)
        return recipients.error();
    for (const UserId id : alsoTo) {
        if (!recipients->contains(id))
            recipients->append(id);
    }
    return Appended{*event, *recipients, false};
}

Result<MemberRecord> membership(QSqlDatabase &db, ConversationId conversation, UserId user)
{
    auto query = runCached(db,
                           u"SELECT "_s + kMemberColumns
                               + u" FROM members WHERE conversation_id = ? AND user_id = ?"_s,
                           {conversation, user});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchConversation();
    return readMember(*query);
}

Result<ConversationRecord> conversationById(QSqlDatabase &db, ConversationId conversation)
{
    auto query = runCached(
        db, u"SELECT "_s + conversationColumns(db) + u" FROM conversations c WHERE id = ?"_s,
        {conversation});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchConversation();
    return readConversation(*query);
}

Result<QList<MemberRecord>> members(QSqlDatabase &db, ConversationId conversation,
                                    bool includeFormer)
{
    auto query = run(db,
                     u"SELECT "_s + kMemberColumns + u" FROM members WHERE conversation_id = ?"_s
                         + (includeFormer ? QString() : u" AND left_seq IS NULL"_s)
                         + u" ORDER BY joined_seq, user_id"_s,
                     {conversation});
    if (!query)
        return query.error();
    QList<MemberRecord> list;
    while (query->next())
        list.append(readMember(*query));
    return list;
}

Result<QList<UserId>> currentMemberIds(QSqlDatabase &db, ConversationId conversation)
{
    auto query = runCached(
        db, u"SELECT user_id FROM members WHERE conversation_id = ? AND left_seq IS NULL"_s,
        {conversation});
    if (!query)
        return query.error();
    QList<UserId> ids;
    while (query->next())
        ids.append(query->value(0).toLongLong());
    return ids;
}

QString lastSeqOf(const QSqlDatabase &db, const QString &alias)
{
    if (isPostgres(db))
        return alias + u".last_seq"_s;
    return u"MAX(%1.last_seq, IFNULL((SELECT MAX(e.seq) FROM events e "
           "WHERE e.conversation_id = %1.id), 0))"_s.arg(alias);
}

Result<EventRecord> appendEvent(QSqlDatabase &db, ConversationId conversation, const QString &kind,
                                UserId sender, const QString &clientId, Seq targetSeq,
                                const QJsonObject &body)
{
    // Only the writer thread appends, inside its transaction: seqs are gap-free by
    // construction (a rolled-back append rolls back its increment too).
    conversationChanged(db, conversation);
    // Messages do not move the column (see lastSeqOf()): catch it up with the log first.
    auto bumped = runCached(db,
                            u"UPDATE conversations AS c SET last_seq = "_s + lastSeqOf(db, u"c"_s)
                                + u" + 1 WHERE id = ? RETURNING last_seq"_s,
                            {conversation});
    if (!bumped)
        return bumped.error();
    if (!bumped->next())
        return noSuchConversation();
    EventRecord event;
    event.conversationId = conversation;
    event.seq = bumped->value(0).toLongLong();
    bumped->finish();
    event.kind = kind;
    event.senderId = sender;
    event.clientId = clientId;
    event.targetSeq = targetSeq;
    event.body = body;
    event.createdAt = now();
    auto inserted
        = runCached(db,
                    u"INSERT INTO events (conversation_id, seq, kind, sender_id, client_id, "
                    u"target_seq, body, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s,
                    {conversation, event.seq, kind, sender,
                     clientId.isEmpty() ? QVariant() : QVariant(clientId),
                     targetSeq > 0 ? QVariant(targetSeq) : QVariant(),
                     QString::fromUtf8(protocol::json::encode(body)), event.createdAt});
    if (!inserted) {
        if (inserted.error().code == ErrorCode::Conflict)
            return Error{ErrorCode::Conflict, u"this client_id was already used"_s};
        return inserted.error();
    }
    return event;
}

Result<OpenedDirect> openDirect(QSqlDatabase &db, UserId me, UserId other)
{
    if (auto active = requireActiveUsers(db, {other}); !active)
        return active.error();
    if (me != other) {
        auto blocked = blockedEitherWay(db, me, other);
        if (!blocked)
            return blocked.error();
        if (*blocked)
            return Error{ErrorCode::Forbidden, u"you cannot message this user"_s};
    }
    const QString key = u"%1:%2"_s.arg(std::min(me, other)).arg(std::max(me, other));
    auto existing = run(db,
                        u"SELECT "_s + conversationColumns(db)
                            + u" FROM conversations c WHERE direct_key = ?"_s,
                        {key});
    if (!existing)
        return existing.error();
    if (existing->next())
        return OpenedDirect{readConversation(*existing), std::nullopt};
    existing->finish();

    auto created = run(
        db,
        u"INSERT INTO conversations (kind, direct_key, created_at) VALUES ('direct', ?, ?) RETURNING "_s
            + kInsertedColumns,
        {key, now()});
    if (!created)
        return created.error();
    created->next();
    const ConversationRecord conversation = readConversation(*created);
    created->finish();
    const QList<UserId> both = me == other ? QList<UserId>{me} : QList<UserId>{me, other};
    for (const UserId id : both) {
        if (auto added = run(
                db,
                u"INSERT INTO members (conversation_id, user_id, role, joined_seq) VALUES (?, ?, 'member', 1)"_s,
                {conversation.id, id});
            !added) {
            return added.error();
        }
    }
    auto event = appended(
        db,
        appendEvent(db, conversation.id, u"created"_s, me, {}, 0, {{u"members"_s, idArray(both)}}));
    if (!event)
        return event.error();
    ConversationRecord withSeq = conversation;
    withSeq.lastSeq = event->event.seq;
    return OpenedDirect{withSeq, *event};
}

Result<bool> blockedEitherWay(QSqlDatabase &db, UserId a, UserId b)
{
    auto query = runCached(
        db,
        u"SELECT 1 FROM blocks WHERE (blocker_id = ? AND blocked_id = ?) OR (blocker_id = ? AND blocked_id = ?)"_s,
        {a, b, b, a});
    if (!query)
        return query.error();
    return query->next();
}

Result<void> block(QSqlDatabase &db, UserId blocker, UserId blocked)
{
    if (blocker == blocked)
        return Error{ErrorCode::BadRequest, u"you cannot block yourself"_s};
    if (auto active = requireActiveUsers(db, {blocked}); !active)
        return active.error();
    auto query = run(
        db,
        u"INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"_s,
        {blocker, blocked, now()});
    if (!query)
        return query.error();
    blocksChanged(db);
    return {};
}

Result<void> unblock(QSqlDatabase &db, UserId blocker, UserId blocked)
{
    auto query = run(db, u"DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?"_s,
                     {blocker, blocked});
    if (!query)
        return query.error();
    blocksChanged(db);
    return {};
}

Result<QList<UserId>> blockedBy(QSqlDatabase &db, UserId blocker)
{
    auto query = run(
        db, u"SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY created_at"_s, {blocker});
    if (!query)
        return query.error();
    QList<UserId> ids;
    while (query->next())
        ids.append(query->value(0).toLongLong());
    return ids;
}

namespace {

Result<std::optional<EventRecord>> lastVisibleMessage(QSqlDatabase &db, ConversationId conversation,
                                                      Seq upTo)
{
    auto query = run(db,
                     u"SELECT seq, sender_id, client_id, body, created_at, kind FROM events "
                     "WHERE conversation_id = ? AND kind IN ('message', 'encrypted') AND seq <= ? "
                     "ORDER BY seq DESC LIMIT 1"_s,
                     {conversation, upTo});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<EventRecord>();
    EventRecord event;
    event.conversationId = conversation;
    event.seq = query->value(0).toLongLong();
    event.kind = query->value(5).toString();
    event.senderId = query->value(1).toLongLong();
    event.clientId = query->value(2).toString();
    event.body = QJsonDocument::fromJson(query->value(3).toString().toUtf8()).object();
    event.createdAt = query->value(4).toLongLong();
    return std::optional<EventRecord>(event);
}

/// What a former member sees of a conversation: its title, members and their cursors as they
/// stood when `me` left (members who left and came back since are not shown).
Result<void> asWhenLeft(QSqlDatabase &db, const MemberRecord &me, ConversationSummary &summary)
{
    const Seq left = *me.leftSeq;
    ConversationRecord &conversation = summary.conversation;
    conversation.lastSeq = std::min(conversation.lastSeq, left);
    if (conversation.isGroup) {
        auto titled = run(db,
                          u"SELECT body FROM events WHERE conversation_id = ? AND seq <= ? AND "
                          "kind IN ('created', 'renamed') ORDER BY seq DESC LIMIT 1"_s,
                          {conversation.id, left});
        if (!titled)
            return titled.error();
        if (titled->next()) {
            conversation.title = QJsonDocument::fromJson(titled->value(0).toString().toUtf8())
                                     .object()
                                     .value(u"title"_s)
                                     .toString(conversation.title);
        }
    }
    auto query = run(db,
                     u"SELECT "_s + kMemberColumns
                         + u" FROM members WHERE conversation_id = ? AND user_id <> ? AND "
                           "joined_seq <= ? AND (left_seq IS NULL OR left_seq > ?) "
                           "ORDER BY joined_seq, user_id"_s,
                     {conversation.id, me.userId, left, left});
    if (!query)
        return query.error();
    summary.members.clear();
    while (query->next()) {
        MemberRecord member = readMember(*query);
        member.leftSeq.reset(); // still there, as far as `me` knows
        member.deliveredSeq = std::min(member.deliveredSeq, left);
        member.readSeq = std::min(member.readSeq, left);
        summary.members.append(member);
    }
    summary.memberCount = int(summary.members.size());
    return {};
}

Result<ConversationSummary> summarize(QSqlDatabase &db, UserId user,
                                      const ConversationRecord &conversation,
                                      const MemberRecord &me, int memberListLimit)
{
    ConversationSummary summary;
    summary.conversation = conversation;
    summary.me = me;
    const Seq upTo = me.visibleUpTo(conversation.lastSeq);

    if (me.leftSeq) {
        if (auto past = asWhenLeft(db, me, summary); !past)
            return past.error();
        if (summary.memberCount > memberListLimit)
            summary.members.clear();
    } else {
        auto count = currentMemberCount(db, conversation.id);
        if (!count)
            return count.error();
        summary.memberCount = *count;
        if (*count <= memberListLimit) {
            auto list = members(db, conversation.id);
            if (!list)
                return list.error();
            summary.members = *list;
        }
    }
    auto last = lastVisibleMessage(db, conversation.id, upTo);
    if (!last)
        return last.error();
    summary.lastMessage = *last;

    auto unread
        = run(db,
              u"SELECT count(*) FROM (SELECT 1 FROM events WHERE conversation_id = ? AND seq > ? "
              u"AND seq <= ? "
              "AND kind IN ('message', 'encrypted') AND sender_id <> ? LIMIT ?) AS unread"_s,
              {conversation.id, std::max(me.readSeq, me.joinedSeq - 1), upTo, user, kUnreadCap});
    if (!unread)
        return unread.error();
    unread->next();
    summary.unread = unread->value(0).toInt();
    return summary;
}

} // namespace

ListPosition positionOf(const ConversationSummary &summary)
{
    return {summary.lastMessage ? summary.lastMessage->createdAt : summary.conversation.createdAt,
            summary.conversation.id};
}

Result<ConversationPage> conversationsOf(QSqlDatabase &db, UserId user, int memberListLimit,
                                         int limit, std::optional<ListPosition> after)
{
    // The order is computed here, in one statement, so that a page costs its own rows
    // (each conversation's newest visible message is one step back from its last seq).
    const QString ordered = u"SELECT * FROM (SELECT c.id, c.kind, c.title, "_s
        + lastSeqOf(db, u"c"_s)
        + u", c.created_at, c.e2e_seq, m.user_id, m.role, m.joined_seq, m.left_seq, "
          u"m.delivered_seq, "
          "m.read_seq, COALESCE((SELECT e.created_at FROM events e WHERE e.conversation_id = "
          "c.id AND e.kind IN ('message', 'encrypted') AND e.seq <= COALESCE(m.left_seq, "
          "9223372036854775807) "
          "ORDER BY e.seq DESC LIMIT 1), c.created_at) AS active_at "
          "FROM members m JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ?) "
          "AS listed "_s
        + (after ? u"WHERE active_at < ? OR (active_at = ? AND id < ?) "_s : QString())
        + u"ORDER BY active_at DESC, id DESC LIMIT ?"_s;
    QVariantList values{user};
    if (after)
        values << after->activeAt << after->activeAt << after->id;
    values << limit + 1;
    auto query = run(db, ordered, values);
    if (!query)
        return query.error();
    QList<std::pair<ConversationRecord, MemberRecord>> rows;
    ConversationPage page;
    while (query->next()) {
        if (rows.size() == limit) {
            page.more = true;
            break;
        }
        rows.append({readConversation(*query), readMember(*query, 6)});
    }
    query->finish();

    page.summaries.reserve(rows.size());
    for (const auto &[conversation, me] : std::as_const(rows)) {
        auto summary = summarize(db, user, conversation, me, memberListLimit);
        if (!summary)
            return summary.error();
        page.summaries.append(*summary);
    }
    return page;
}

Result<ConversationSummary> conversationFor(QSqlDatabase &db, UserId user,
                                            ConversationId conversation)
{
    auto me = membership(db, conversation, user);
    if (!me)
        return me.error();
    auto record = conversationById(db, conversation);
    if (!record)
        return record.error();
    return summarize(db, user, *record, *me, std::numeric_limits<int>::max());
}

Result<QList<UserRecord>> usersByIds(QSqlDatabase &db, const QList<UserId> &ids)
{
    QList<UserRecord> users;
    for (qsizetype start = 0; start < ids.size(); start += 500) {
        const QList<UserId> chunk = ids.mid(start, 500);
        QVariantList values;
        for (const UserId id : chunk)
            values.append(id);
        auto query = run(db,
                         u"SELECT id, username, display_name, disabled, hide_last_seen, "
                         u"last_seen_at, created_at, group_adds "
                         "FROM users WHERE id IN (%1)"_s.arg(placeholders(chunk.size())),
                         values);
        if (!query)
            return query.error();
        while (query->next()) {
            UserRecord user;
            user.id = query->value(0).toLongLong();
            user.username = query->value(1).toString();
            user.displayName = query->value(2).toString();
            user.disabled = query->value(3).toBool();
            user.hideLastSeen = query->value(4).toBool();
            user.lastSeenAt = query->value(5).toLongLong();
            user.createdAt = query->value(6).toLongLong();
            user.groupAdds = query->value(7).toString();
            users.append(user);
        }
    }
    return users;
}

Result<QList<UserId>> contactsOf(QSqlDatabase &db, UserId user)
{
    // Cached: every presence change (each sign-in and sign-out) asks it.
    auto query
        = runCached(db,
                    u"SELECT DISTINCT other.user_id FROM members mine "
                    "JOIN members other ON other.conversation_id = mine.conversation_id AND "
                    "other.left_seq IS NULL "
                    "WHERE mine.user_id = ? AND mine.left_seq IS NULL AND other.user_id <> ? "
                    "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = ? AND "
                    "b.blocked_id = other.user_id) "
                    "OR (b.blocker_id = other.user_id AND b.blocked_id = ?))"_s,
                    {user, user, user, user});
    if (!query)
        return query.error();
    QList<UserId> ids;
    while (query->next())
        ids.append(query->value(0).toLongLong());
    return ids;
}

} // namespace tidings::relay::sql
