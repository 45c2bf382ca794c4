#include "store/conversation_queries.h"
#include "store/media_queries.h"
#include "store/message_queries.h"
#include "store/message_queries_p.h"
#include "store/sql_helpers.h"

// Reading a conversation's log back (history pages and sync), and erasing the content of
// what aged past retention.
namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

/// About what an event read by `query` (kEventColumns) takes in a reply: its body as stored
/// plus the fields around it.
qsizetype replyBytes(const QSqlQuery &query)
{
    return query.value(6).toString().size() + 160;
}

} // namespace

Result<EventPage> eventsAfter(QSqlDatabase &db, UserId user, ConversationId conversation, Seq after,
                              int limit)
{
    auto member = membership(db, conversation, user);
    if (!member)
        return member.error();
    const Seq from = std::max(after, member->joinedSeq - 1);
    const Seq upTo = member->leftSeq.value_or(std::numeric_limits<Seq>::max());
    auto query = runCached(
        db,
        u"SELECT "_s + kEventColumns
            + u" FROM events WHERE conversation_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?"_s,
        {conversation, from, upTo, limit + 1});
    if (!query)
        return query.error();
    EventPage page;
    qsizetype bytes = 0;
    while (query->next()) {
        bytes += replyBytes(*query);
        if (page.events.size() == limit || (!page.events.isEmpty() && bytes > kMaxPageBytes)) {
            page.more = true;
            break;
        }
        page.events.append(readEvent(*query));
    }
    return page;
}

Result<EventPage> eventsBefore(QSqlDatabase &db, UserId user, ConversationId conversation,
                               Seq before, int limit)
{
    auto member = membership(db, conversation, user);
    if (!member)
        return member.error();
    const Seq upTo
        = std::min(before - 1, member->leftSeq.value_or(std::numeric_limits<Seq>::max()));
    auto query = runCached(
        db,
        u"SELECT "_s + kEventColumns
            + u" FROM events WHERE conversation_id = ? AND seq >= ? AND seq <= ? ORDER BY seq DESC LIMIT ?"_s,
        {conversation, member->joinedSeq, upTo, limit + 1});
    if (!query)
        return query.error();
    EventPage page;
    qsizetype bytes = 0;
    while (query->next()) {
        bytes += replyBytes(*query);
        if (page.events.size() == limit || (!page.events.isEmpty() && bytes > kMaxPageBytes)) {
            page.more = true;
            break;
        }
        page.events.prepend(readEvent(*query));
    }
    return page;
}

Result<int> expireContent(QSqlDatabase &db, qint64 cutoffMs, int batch)
{
    // Everything before the watermark is done: each run reads only what aged since.
    auto mark = run(db, u"SELECT value FROM relay_meta WHERE key = 'retention_watermark'"_s);
    if (!mark)
        return mark.error();
    const qint64 from = mark->next() ? mark->value(0).toLongLong() : 0;
    mark->finish();
    auto rows = run(
        db,
        u"SELECT conversation_id, seq, created_at FROM events WHERE created_at >= ? AND created_at "
        u"< ? "
        "AND kind IN ('message', 'edit', 'encrypted', 'encrypted_edit') AND body <> '{\"expired\":true}' ORDER BY created_at LIMIT ?"_s,
        {from, cutoffMs, batch});
    if (!rows)
        return rows.error();
    QList<std::pair<ConversationId, Seq>> keys;
    qint64 reached = from;
    while (rows->next()) {
        keys.append({rows->value(0).toLongLong(), rows->value(1).toLongLong()});
        reached = rows->value(2).toLongLong();
    }
    rows->finish();
    for (const auto &[conversation, seq] : std::as_const(keys)) {
        if (auto released = releaseMedia(db, conversation, seq); !released)
            return released.error();
        if (auto erased = run(
                db,
                u"UPDATE events SET body = '{\"expired\":true}' WHERE conversation_id = ? AND seq = ?"_s,
                {conversation, seq});
            !erased) {
            return erased.error();
        }
    }
    // A full batch may stop inside one millisecond: resume at it next time (what was erased
    // is skipped). A short batch means everything before the cutoff is done.
    const qint64 watermark = keys.size() == batch ? reached : cutoffMs;
    if (auto stored = run(db,
                          u"INSERT INTO relay_meta (key, value) VALUES ('retention_watermark', ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s,
                          {QString::number(watermark)});
        !stored) {
        return stored.error();
    }
    return static_cast<int>(keys.size());
}

Result<SyncPage> syncEvents(QSqlDatabase &db, UserId user,
                            const QHash<ConversationId, Seq> &cursors, int limit)
{
    // Conversations with anything the user has not seen, in id order so paging is stable.
    // Cached, as the page's statement below: a storm of reconnects runs both per client.
    auto query = runCached(
        db,
        u"SELECT m.conversation_id, m.joined_seq, m.left_seq, "_s + lastSeqOf(db, u"c"_s)
            + u" FROM members m "
              "JOIN conversations c ON c.id = m.conversation_id WHERE m.user_id = ? ORDER BY m.conversation_id"_s,
        {user});
    if (!query)
        return query.error();
    struct Pending
    {
        ConversationId conversation;
        Seq after;
        Seq upTo;
    };
    QList<Pending> pending;
    while (query->next()) {
        const ConversationId conversation = query->value(0).toLongLong();
        const Seq joined = query->value(1).toLongLong();
        const Seq last = query->value(3).toLongLong();
        const Seq upTo
            = query->value(2).isNull() ? last : std::min(last, query->value(2).toLongLong());
        const Seq after = std::max(cursors.value(conversation, 0), joined - 1);
        if (upTo > after)
            pending.append({conversation, after, upTo});
    }
    query->finish();

    SyncPage page;
    int budget = limit;
    qsizetype bytes = 0;
    bool full = false;
    for (const Pending &item : std::as_const(pending)) {
        if (budget == 0 || full) {
            page.more = true;
            break;
        }
        auto events = runCached(
            db,
            u"SELECT "_s + kEventColumns
                + u" FROM events WHERE conversation_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?"_s,
            {item.conversation, item.after, item.upTo, budget});
        if (!events)
            return events.error();
        Seq reached = item.after;
        while (events->next()) {
            bytes += replyBytes(*events);
            if (!page.events.isEmpty() && bytes > kMaxPageBytes) {
                full = true;
                break;
            }
            page.events.append(readEvent(*events));
            reached = page.events.constLast().seq;
            --budget;
        }
        page.cursors.insert(item.conversation, reached);
        if (reached < item.upTo)
            page.more = true;
    }
    return page;
}

} // namespace tidings::relay::sql