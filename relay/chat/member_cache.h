#pragma once

#include "store/records.h"

#include <QHash>
#include <QList>

#include <optional>

namespace tidings::relay {

/// Current members of recently active conversations, for the frequent ephemeral frames
/// (typing) that must not cost a store read each. Filled from the store on a miss, dropped
/// on the membership events and block changes the relay itself commits (one node: it sees
/// them all), and bounded: past `capacity` conversations the cache starts over.
class MemberCache
{
public:
    explicit MemberCache(qsizetype capacity = 20000) : m_capacity(capacity) { }

    struct Entry
    {
        QList<UserId> members;
        /// False for a direct conversation where one member blocked the other: nothing
        /// ephemeral (typing) passes between them.
        bool openBothWays = true;
    };

    std::optional<Entry> find(ConversationId conversation) const;
    void put(ConversationId conversation, Entry entry);
    /// A committed log entry: membership changes drop the cached entry. Returns whether
    /// it was one (other nodes must drop theirs).
    bool observe(const Appended &appended);
    void forget(ConversationId conversation) { m_members.remove(conversation); }
    void clear() { m_members.clear(); }

private:
    QHash<ConversationId, Entry> m_members;
    const qsizetype m_capacity;
};

} // namespace tidings::relay
