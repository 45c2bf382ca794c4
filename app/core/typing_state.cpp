#include "core/typing_state.h"

#include "core/connection.h"
#include "protocol/messages/events.h"
#include "protocol/messages/message_requests.h"

#include <QDateTime>

namespace tidings::app {

namespace messages = protocol::messages;

TypingState::TypingState(Connection &connection, QObject *parent)
    : QObject(parent), m_connection(connection)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &TypingState::expire);
    m_timer.start();
    m_clock.start();
}

TypingState::~TypingState() = default;

QList<qint64> TypingState::typing(qint64 conversation) const
{
    return m_typing.value(conversation).keys();
}

void TypingState::setOwn(qint64 conversation, bool typing)
{
    const qint64 now = m_clock.elapsed();
    const auto sent = m_ownSentAt.constFind(conversation);
    const bool shownThere = sent != m_ownSentAt.cend() && now - *sent < kShownMs;
    if (typing) {
        if (sent != m_ownSentAt.cend() && now - *sent < kRefreshMs)
            return;
        const messages::Typing started{conversation, true};
        if (m_connection.sendEvent(QString::fromLatin1(started.kType), started.encode()))
            m_ownSentAt.insert(conversation, now);
        return;
    }
    m_ownSentAt.remove(conversation);
    if (shownThere) {
        const messages::Typing stopped{conversation, false};
        m_connection.sendEvent(QString::fromLatin1(stopped.kType), stopped.encode());
    }
}

void TypingState::apply(const messages::TypingEvent &event)
{
    if (event.typing)
        m_typing[event.conversation].insert(event.user,
                                            QDateTime::currentMSecsSinceEpoch() + kShownMs);
    else
        m_typing[event.conversation].remove(event.user);
    Q_EMIT changed(event.conversation);
}

void TypingState::expire()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto conversation = m_typing.begin(); conversation != m_typing.end(); ++conversation) {
        bool expired = false;
        for (auto user = conversation->begin(); user != conversation->end();) {
            if (*user <= now) {
                user = conversation->erase(user);
                expired = true;
            } else {
                ++user;
            }
        }
        if (expired)
            Q_EMIT changed(conversation.key());
    }
}

} // namespace tidings::app
