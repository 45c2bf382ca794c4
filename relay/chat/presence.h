#pragma once

#include "store/records.h"

#include <QHash>
#include <QObject>

class QTimer;

namespace tidings::relay {

class ChatCore;

/// Online while a user has at least one signed-in session; last seen stored when the last
/// one goes. Changes are sent to the user's contacts — those who share a conversation with
/// them and have not blocked them nor been blocked — and to nobody else. A user who hides
/// their last seen is still shown online or not, without the time.
///
/// Store work is coalesced: last-seen times waiting to be written go in one job, and the
/// audiences of the changes waiting to be announced are read in one job, while the
/// previous one runs. A reconnect storm of 15,000 users so costs a few store jobs, not
/// 45,000 (docs/benchmarks.md), and a user who flaps is announced in their latest state.
class Presence : public QObject
{
    Q_OBJECT

public:
    explicit Presence(ChatCore &core);

    /// Whether `user` has a session on this node (see ClusterLink for the others).
    bool isOnline(UserId user) const;
    /// A node died with `user`'s sessions on it and no other node has them: they went
    /// offline at `at` (told by the cluster link).
    void wentOfflineElsewhere(UserId user, qint64 at);
    /// When `user` was last seen: `stored` (read from the store), or the newer time their
    /// last session went if that is recent — not yet written, or written after `stored`
    /// may have been read.
    qint64 lastSeen(UserId user, qint64 stored) const;

private:
    void cameOnline(UserId user);
    void wentOffline(UserId user);
    /// The user is offline on every node: their last seen is written, then announced.
    void wentOfflineEverywhere(UserId user, qint64 at);
    void announce(UserId user, bool online, qint64 lastSeen);
    void writeLastSeen();
    void readAudiences();
    void forgetOldLastSeen();

    struct Change
    {
        bool online = false;
        qint64 lastSeen = 0;
    };

    ChatCore &m_core;
    QHash<UserId, qint64> m_unwrittenLastSeen; ///< bounded by the users who had sessions
    struct RecentLastSeen
    {
        qint64 at = 0;
        qint64 writtenAt = 0; ///< ms since the epoch, 0 until written
    };
    /// Users whose last session went lately; dropped a while after the time is written.
    QHash<UserId, RecentLastSeen> m_recentLastSeen;
    QTimer *m_forgetTimer = nullptr;
    bool m_writing = false;
    QHash<UserId, Change> m_unannounced;
    bool m_reading = false;
};

} // namespace tidings::relay
