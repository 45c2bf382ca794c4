#pragma once

#include "store/records.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace tidings::relay {

class ChatCore;

/// Who is typing where. Ephemeral: never stored. A "typing" state ends by itself six
/// seconds after its last refresh, when the typist says so, or when their last session
/// goes; each end is announced as {"typing": false}.
class TypingTracker : public QObject
{
    Q_OBJECT

public:
    explicit TypingTracker(ChatCore &core, int expiryMs = 6000);

    /// `user` is (or stopped) typing in `conversation`, whose current members are `members`.
    void update(UserId user, ConversationId conversation, bool typing,
                const QList<UserId> &members);
    /// Ends every typing state of `user`.
    void userGone(UserId user);
    qsizetype activeCount() const { return m_active.size(); }

private:
    struct Active
    {
        qint64 expiresAtMs;
        QList<UserId> members;
    };
    using Key = std::pair<UserId, ConversationId>;

    void announce(UserId user, ConversationId conversation, bool typing,
                  const QList<UserId> &members);
    void expire();

    ChatCore &m_core;
    const int m_expiryMs;
    QHash<Key, Active> m_active;
    QElapsedTimer m_clock;
    QTimer m_timer;
};

} // namespace tidings::relay
