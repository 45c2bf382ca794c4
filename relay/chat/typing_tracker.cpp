#include "chat/typing_tracker.h"

#include "chat/chat_core.h"
#include "protocol/messages/events.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tidings::relay {

using namespace Qt::StringLiterals;

TypingTracker::TypingTracker(ChatCore &core, int expiryMs) : m_core(core), m_expiryMs(expiryMs)
{
    m_clock.start();
    m_timer.setInterval(std::max(100, expiryMs / 6));
    connect(&m_timer, &QTimer::timeout, this, &TypingTracker::expire);
    m_timer.start();
}

void TypingTracker::update(UserId user, ConversationId conversation, bool typing,
                           const QList<UserId> &members)
{
    const Key key{user, conversation};
    if (typing) {
        m_active.insert(key, Active{m_clock.elapsed() + m_expiryMs, members});
        announce(user, conversation, true, members);
    } else if (m_active.remove(key) > 0) {
        announce(user, conversation, false, members);
    }
}

void TypingTracker::userGone(UserId user)
{
    for (auto it = m_active.begin(); it != m_active.end();) {
        if (it.key().first == user) {
            const Active active = *it;
            const ConversationId conversation = it.key().second;
            it = m_active.erase(it);
            announce(user, conversation, false, active.members);
        } else {
            ++it;
        }
    }
}

void TypingTracker::expire()
{
    const qint64 now = m_clock.elapsed();
    QList<std::pair<Key, Active>> ended;
    for (auto it = m_active.begin(); it != m_active.end();) {
        if (it->expiresAtMs <= now) {
            ended.append({it.key(), *it});
            it = m_active.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto &[key, active] : std::as_const(ended))
        announce(key.first, key.second, false, active.members);
}

void TypingTracker::announce(UserId user, ConversationId conversation, bool typing,
                             const QList<UserId> &members)
{
    QList<UserId> others = members;
    others.removeAll(user);
    const protocol::messages::TypingEvent event{conversation, user, typing};
    m_core.sendToUsers(
        others,
        QJsonDocument(protocol::messages::eventFrame(event)).toJson(QJsonDocument::Compact));
}

} // namespace tidings::relay
