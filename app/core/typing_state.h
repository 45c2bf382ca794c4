#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

namespace tidings::protocol::messages {
struct TypingEvent;
}

namespace tidings::app {

class Connection;

/// Who is typing where (ephemeral, never stored): the others' typing as the relay tells it,
/// each shown until it stops or 6 s pass; and the user's own, told to the relay throttled.
class TypingState : public QObject
{
    Q_OBJECT

public:
    explicit TypingState(Connection &connection, QObject *parent = nullptr);
    ~TypingState() override;

    /// conversation → users typing there now.
    QList<qint64> typing(qint64 conversation) const;
    /// The user is typing in `conversation` (call on every edit with true) or stopped
    /// (sent the message, cleared the text: false). Tells the relay at most once per
    /// kRefreshMs while typing goes on (it shows it for 6 s), and one stop.
    void setOwn(qint64 conversation, bool typing);
    static constexpr qint64 kRefreshMs = 4000;
    static constexpr qint64 kShownMs = 6000;
    /// A `typing` event from the relay.
    void apply(const protocol::messages::TypingEvent &event);
    /// A new session: the relay shows nothing of the old one's typing.
    void restart() { m_ownSentAt.clear(); }

Q_SIGNALS:
    void changed(qint64 conversation);

private:
    void expire();

    Connection &m_connection;
    QHash<qint64, QHash<qint64, qint64>> m_typing; ///< conversation → user → expires at (ms)
    QTimer m_timer;
    QElapsedTimer m_clock;
    QHash<qint64, qint64> m_ownSentAt; ///< conversation → when we last said "typing"
};

} // namespace tidings::app
