// What the UI reads: conversations, messages, users and search.
#include "core/local_queries.h"

#include "core/local_queries_internal.h"
#include "core/store_cipher.h"
#include "sql/sql_helpers.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace tidings::app::local {

using namespace Qt::StringLiterals;
using sql::now;
using sql::run;
using namespace detail;

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
                    u"SELECT "_s + messageColumns()
                        + u" FROM messages WHERE conversation_id = ? AND kind = 'message' "
                          "ORDER BY seq IS NULL DESC, seq DESC, id DESC LIMIT 1"_s,
                    {conversation.id});
    if (!last)
        return last.error();
    if (last->next()) {
        auto message = readMessage(db, *last);
        if (!message)
            return message.error();
        conversation.lastMessage = std::move(*message);
    }
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
      "delivered_seq, read_seq, last_activity, draft, e2e_seq"_s;

Result<Conversation> readConversation(const QSqlDatabase &db, const QSqlQuery &query)
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
    auto draft
        = openText(db, "conversations", "draft", QString::number(conversation.id), query.value(12));
    if (!draft)
        return draft.error();
    conversation.draft = std::move(*draft);
    conversation.e2eSeq = query.value(13).toLongLong();
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
    while (query->next()) {
        auto read = readConversation(db, *query);
        if (!read)
            return read.error();
        list.append(std::move(*read));
    }
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
    const auto found = readConversation(db, *query);
    if (!found)
        return found.error();
    query->finish();
    return withDetails(db, *found, me);
}

namespace {

/// Notes on `list` (messages of `conversation`) the changes of mine the relay refused.
Result<QList<Message>> withFailedChanges(QSqlDatabase &db, qint64 conversation, QList<Message> list)
{
    auto failed = run(db,
                      u"SELECT key, type, error, target_seq FROM outbox WHERE conversation_id = ? "
                      "AND target_seq IS NOT NULL AND state = 'failed' ORDER BY id"_s,
                      {conversation});
    if (!failed)
        return failed.error();
    while (failed->next()) {
        const Seq seq = failed->value(3).toLongLong();
        for (Message &message : list) {
            if (message.seq == seq) {
                message.failedChange = Message::FailedChange{failed->value(0).toString(),
                                                             failed->value(1).toString(),
                                                             failed->value(2).toString()};
            }
        }
    }
    return list;
}

/// The rows of `query` as messages, in its order.
Result<QList<Message>> readAll(const QSqlDatabase &db, QSqlQuery &query)
{
    QList<Message> list;
    while (query.next()) {
        auto message = readMessage(db, query);
        if (!message)
            return message.error();
        list.append(std::move(*message));
    }
    query.finish();
    return list;
}

/// `list` with the local entries of `conversation` whose afterSeq is in [from, to] (either
/// end open when none), each in its place.
Result<QList<Message>> withLocalEntries(QSqlDatabase &db, qint64 conversation, QList<Message> list,
                                        std::optional<Seq> from, std::optional<Seq> to)
{
    auto query = run(db,
                     u"SELECT "_s + messageColumns()
                         + u" FROM messages WHERE conversation_id = ? AND after_seq IS NOT NULL "
                           "AND (? IS NULL OR after_seq >= ?) AND (? IS NULL OR after_seq <= ?) "
                           "ORDER BY after_seq, id"_s,
                     {conversation, from ? QVariant(*from) : QVariant(),
                      from ? QVariant(*from) : QVariant(), to ? QVariant(*to) : QVariant(),
                      to ? QVariant(*to) : QVariant()});
    if (!query)
        return query.error();
    auto local = readAll(db, *query);
    if (!local)
        return local.error();
    if (local->isEmpty())
        return list;
    list.append(*local);
    std::stable_sort(list.begin(), list.end(), comesBefore);
    return list;
}

} // namespace

bool comesBefore(const Message &a, const Message &b)
{
    // Queued, then the seq it stands at, then whether it is local (after the relay's).
    auto place = [](const Message &message) {
        const bool queued = !message.seq && !message.afterSeq;
        const Seq at = message.seq ? *message.seq : message.afterSeq.value_or(0);
        return std::tuple(queued, at, message.afterSeq.has_value(), message.id);
    };
    return place(a) < place(b);
}

Result<QList<Message>> messages(QSqlDatabase &db, qint64 conversation, Seq beforeSeq, int limit)
{
    // The relay's entries and queued messages by the index; the local ones among them after.
    auto query = beforeSeq > 0
        ? run(db,
              u"SELECT "_s + messageColumns()
                  + u" FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC "
                    "LIMIT ?"_s,
              {conversation, beforeSeq, limit})
        : run(db,
              u"SELECT "_s + messageColumns()
                  + u" FROM messages WHERE conversation_id = ? AND after_seq IS NULL "
                    "ORDER BY seq IS NULL DESC, seq DESC, id DESC LIMIT ?"_s,
              {conversation, limit});
    if (!query)
        return query.error();
    auto list = readAll(db, *query);
    if (!list)
        return list.error();
    std::reverse(list->begin(), list->end());
    const std::optional<Seq> lowest = list->isEmpty() ? std::nullopt : list->first().seq;
    if (list->size() >= limit && !lowest)
        return withFailedChanges(db, conversation, std::move(*list)); // queued ones only
    // All of them when the start is reached; else those from the oldest entry here on.
    const std::optional<Seq> from = list->size() >= limit ? lowest : std::nullopt;
    const std::optional<Seq> to
        = beforeSeq > 0 ? std::optional<Seq>(beforeSeq - 1) : std::optional<Seq>();
    auto withLocal = withLocalEntries(db, conversation, std::move(*list), from, to);
    if (!withLocal)
        return withLocal.error();
    return withFailedChanges(db, conversation, std::move(*withLocal));
}

Result<QList<Message>> messagesFrom(QSqlDatabase &db, qint64 conversation, Seq fromSeq, int limit)
{
    auto query
        = run(db,
              u"SELECT "_s + messageColumns()
                  + u" FROM messages WHERE conversation_id = ? AND (seq >= ? OR seq IS NULL) "
                    "AND after_seq IS NULL ORDER BY seq IS NULL, seq, id LIMIT ?"_s,
              {conversation, fromSeq, limit});
    if (!query)
        return query.error();
    auto list = readAll(db, *query);
    if (!list)
        return list.error();
    // Cut short before the queued ones: the local entries up to the last entry here.
    const std::optional<Seq> to
        = list->size() >= limit && !list->isEmpty() ? list->last().seq : std::nullopt;
    auto withLocal = withLocalEntries(db, conversation, std::move(*list), fromSeq, to);
    if (!withLocal)
        return withLocal.error();
    return withFailedChanges(db, conversation, std::move(*withLocal));
}

Result<QList<Message>> messagesAt(QSqlDatabase &db, qint64 conversation, const QList<Seq> &seqs)
{
    QList<Seq> wanted = seqs;
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    QList<Message> list;
    // In chunks: SQLite takes a bounded number of bound values per statement.
    constexpr qsizetype kChunk = 500;
    for (qsizetype at = 0; at < wanted.size(); at += kChunk) {
        const QList<Seq> chunk = wanted.mid(at, kChunk);
        QVariantList values{conversation};
        for (const Seq seq : chunk)
            values.append(seq);
        const QString marks = sql::placeholders(chunk.size());
        auto query = run(db,
                         u"SELECT "_s + messageColumns()
                             + u" FROM messages WHERE conversation_id = ? AND seq IN ("_s + marks
                             + u") ORDER BY seq"_s,
                         values);
        if (!query)
            return query.error();
        while (query->next()) {
            auto message = readMessage(db, *query);
            if (!message)
                return message.error();
            list.append(std::move(*message));
        }
    }
    return withFailedChanges(db, conversation, std::move(list));
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
    const QString match = searchQuery(db, text);
    if (match.isEmpty())
        return QList<Message>();
    // With a store key the index holds keyed tokens, which only narrow (a prefix token
    // stands for every word that starts so): each row found is opened, and its text decides.
    // Without one the index holds the words, and what it finds is the answer.
    const bool confirm = hasColumnCipher(db);
    auto query = run(db,
                     u"SELECT m.id, m.conversation_id, m.seq, m.client_id, m.sender_id, m.kind, "
                     u"m.body, m.created_at, m.state, m.error, m.after_seq "
                     "FROM messages_search s JOIN messages m ON m.id = s.rowid "
                     "WHERE messages_search MATCH ? ORDER BY m.created_at DESC"_s
                         + (confirm ? QString() : u" LIMIT ?"_s),
                     confirm ? QVariantList{match} : QVariantList{match, limit});
    if (!query)
        return query.error();
    QList<Message> list;
    while (list.size() < limit && query->next()) {
        auto message = readMessage(db, *query);
        if (!message)
            return message.error();
        if (searchMatches(db, searchableText(message->kind, message->body), text))
            list.append(std::move(*message));
    }
    return list;
}

} // namespace tidings::app::local
