#pragma once

#include <QHash>
#include <QList>
#include <QObject>

namespace tidings::protocol::messages {
struct PresenceEvent;
struct User;
} // namespace tidings::protocol::messages

namespace tidings::app {

class Connection;

/// Who of the user's contacts is online, and when the others were last seen: asked of the
/// relay (presence.query) for the users a page of conversations mentions, then kept
/// current by its `presence` events. Offline, nobody is known to be online.
class PresenceState : public QObject
{
    Q_OBJECT

public:
    explicit PresenceState(Connection &connection, QObject *parent = nullptr);
    ~PresenceState() override;

    bool isOnline(qint64 user) const { return m_online.value(user, false); }
    /// Last seen (ms since the epoch) when known, else 0.
    qint64 lastSeen(qint64 user) const { return m_lastSeen.value(user, 0); }
    /// Asks the relay about `users` (the user's own id and unknown ids are skipped), in
    /// queries of at most PresenceQuery::kMaxUsers.
    void query(const QList<protocol::messages::User> &users);
    /// A `presence` event from the relay: newer than any answer to a query asked before it.
    void apply(const protocol::messages::PresenceEvent &event);

Q_SIGNALS:
    void changed(qint64 user);

private:
    void note(const protocol::messages::PresenceEvent &presence);

    Connection &m_connection;
    QHash<qint64, bool> m_online;
    QHash<qint64, qint64> m_lastSeen;
    /// Presence pushes counted, and the count at each user's latest: a presence.query
    /// reply is older than any push that came after it was asked.
    quint64 m_pushes = 0;
    QHash<qint64, quint64> m_pushedAt;
};

} // namespace tidings::app
