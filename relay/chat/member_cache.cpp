#include "chat/member_cache.h"

namespace tidings::relay {

using namespace Qt::StringLiterals;

std::optional<MemberCache::Entry> MemberCache::find(ConversationId conversation) const
{
    const auto it = m_members.constFind(conversation);
    if (it == m_members.constEnd())
        return std::nullopt;
    return *it;
}

void MemberCache::put(ConversationId conversation, Entry entry)
{
    if (m_members.size() >= m_capacity && !m_members.contains(conversation))
        m_members.clear();
    m_members.insert(conversation, std::move(entry));
}

bool MemberCache::observe(const Appended &appended)
{
    static const QStringList kMembershipKinds{u"created"_s, u"member_added"_s, u"member_removed"_s,
                                              u"member_left"_s};
    if (appended.duplicate || !kMembershipKinds.contains(appended.event.kind))
        return false;
    // After a removal the recipients include the removed user: drop the entry instead of
    // guessing, the next miss reads the truth.
    // Membership changed: the next use reads it afresh (with any blocks) from the store.
    m_members.remove(appended.event.conversationId);
    return true;
}

} // namespace tidings::relay
