#include "store/conversation_cache.h"

#include "store/conversation_queries.h"
#include "store/sql_helpers.h"

#include <QSqlQuery>

#include <algorithm>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

thread_local ConversationCache *t_cache = nullptr;
thread_local QString t_connection;

} // namespace

const ConversationCache::Member *ConversationCache::Entry::member(UserId user) const
{
    for (const Member &member : members) {
        if (member.user == user)
            return &member;
    }
    return nullptr;
}

bool ConversationCache::Entry::mayPush(UserId sender) const
{
    return std::any_of(members.cbegin(), members.cend(), [sender](const Member &member) {
        return member.pushTarget && member.user != sender;
    });
}

QList<UserId> ConversationCache::Entry::memberIds() const
{
    QList<UserId> ids;
    ids.reserve(members.size());
    for (const Member &member : members)
        ids.append(member.user);
    return ids;
}

void ConversationCache::installFor(const QSqlDatabase &database)
{
    Q_ASSERT(!t_cache);
    t_cache = this;
    t_connection = database.connectionName();
    m_installed = true;
}

ConversationCache::~ConversationCache()
{
    if (m_installed && t_cache == this) {
        t_cache = nullptr;
        t_connection.clear();
    }
}

std::unique_ptr<ConnectionState> ConversationCache::installedFor(const QSqlDatabase &database)
{
    auto cache = std::make_unique<ConversationCache>();
    cache->installFor(database);
    return cache;
}

ConversationCache *ConversationCache::of(const QSqlDatabase &database)
{
    return t_cache && t_connection == database.connectionName() ? t_cache : nullptr;
}

Result<ConversationCache::Entry *> ConversationCache::get(QSqlDatabase &db,
                                                          ConversationId conversation)
{
    if (auto it = m_entries.find(conversation); it != m_entries.end())
        return &*it;

    auto record = runCached(db,
                            u"SELECT c.kind, "_s + lastSeqOf(db, u"c"_s)
                                + u", c.e2e_seq FROM conversations c WHERE c.id = ?"_s,
                            {conversation});
    if (!record)
        return record.error();
    if (!record->next())
        return Error{ErrorCode::NotFound, u"no such conversation"_s};
    Known known;
    known.isGroup = record->value(0).toString() == u"group";
    known.lastSeq = record->value(1).toLongLong();
    known.e2eSeq = record->value(2).toLongLong();
    record->finish();
    return get(db, conversation, known);
}

Result<ConversationCache::Entry *>
ConversationCache::get(QSqlDatabase &db, ConversationId conversation, const Known &known)
{
    if (auto it = m_entries.find(conversation); it != m_entries.end()) {
        if (known.reserved == 0 || it->lastSeq + 1 == known.reserved) {
            if (known.blocked)
                it->blocked = *known.blocked;
            if (known.e2eSeq > 0)
                it->e2eSeq = known.e2eSeq;
            return &*it;
        }
        m_entries.erase(it);
    }
    Entry entry;
    entry.isGroup = known.isGroup;
    entry.lastSeq = known.lastSeq;
    entry.e2eSeq = known.e2eSeq;

    auto members = runCached(db,
                             u"SELECT m.user_id, m.joined_seq, "
                             "EXISTS (SELECT 1 FROM push_targets t WHERE t.user_id = m.user_id) "
                             "FROM members m WHERE m.conversation_id = ? AND m.left_seq IS NULL"_s,
                             {conversation});
    if (!members)
        return members.error();
    while (members->next())
        entry.members.append({members->value(0).toLongLong(), members->value(1).toLongLong(),
                              members->value(2).toBool()});
    members->finish();

    if (known.blocked) {
        entry.blocked = *known.blocked;
    } else if (!entry.isGroup && entry.members.size() == 2) {
        auto blocked = blockedEitherWay(db, entry.members.at(0).user, entry.members.at(1).user);
        if (!blocked)
            return blocked.error();
        entry.blocked = *blocked;
    }

    if (m_entries.size() >= m_capacity)
        m_entries.clear();
    return &*m_entries.insert(conversation, std::move(entry));
}

void conversationChanged(const QSqlDatabase &db, ConversationId conversation)
{
    if (ConversationCache *cache = ConversationCache::of(db))
        cache->forget(conversation);
}

void blocksChanged(const QSqlDatabase &db)
{
    if (ConversationCache *cache = ConversationCache::of(db))
        cache->clear();
}

void pushTargetsChanged(const QSqlDatabase &db)
{
    blocksChanged(db); // the same: every conversation is read again
}

} // namespace tidings::relay::sql
