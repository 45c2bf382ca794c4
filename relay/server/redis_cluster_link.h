#pragma once

#include "chat/cluster_link.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace tidings::relay {

class ChatCore;
class RedisClient;

/// The cluster bus on Redis pub/sub: every node publishes what its ChatCore sends to users
/// on one channel and delivers what the others publish to its own sessions (broadcast;
/// routing by the user's node would only pay once measured to). A node ignores its own
/// messages. After Redis comes back, whatever was published meanwhile is lost: every
/// session here is told to `resync` from the store, the source of truth.
///
/// A message: version (1), the sending node's id, a kind, then the kind's fields in a
/// QDataStream — 'F' users and a frame, 'S' a store session and a frame, 'M' a conversation whose
/// members changed (0: a block), 'E' store sessions that ended with their close code and reason.
///
/// Presence: `tidings:presence:<user>` is a sorted set of the nodes where the user has
/// sessions, scored by when the entry expires; `tidings:presence:expiry` scores every
/// "<user>:<node>" the same way. A node renews its entries every 10 s for 30 s; a node that
/// dies stops renewing, and whichever node sweeps next (one at a time, by a lock key) removes
/// the expired entries and announces those users offline if no node has them.
class RedisClusterLink final : public QObject, public ClusterLink
{
    Q_OBJECT

public:
    /// Takes `redis` (not yet started); `core` must outlive this object.
    /// Keys and the channel are named after `storeInstance` (the store's instance id):
    /// clusters on different stores may share one Redis without hearing each other.
    RedisClusterLink(ChatCore &core, std::unique_ptr<RedisClient> redis,
                     const QString &storeInstance, QObject *parent = nullptr);
    ~RedisClusterLink() override;

    void start();
    RedisClient &redis() { return *m_redis; }

    void sendToUsers(const QList<UserId> &users, QByteArrayView json) override;
    void sendToSession(qint64 sessionId, QByteArrayView json) override;
    void membersChanged(ConversationId conversation) override;
    void endSessions(const QList<qint64> &sessionIds, quint16 code, const QString &reason) override;
    void userCameOnline(UserId user, std::function<void(bool first)> done) override;
    void userWentOffline(UserId user, std::function<void(bool last)> done) override;
    void onlineElsewhere(const QList<UserId> &users,
                         std::function<void(const QSet<UserId> &)> done) override;

private:
    /// Renews this node's presence entries (they expire unless renewed: a node that dies
    /// lets its users go offline).
    void renewPresence();
    /// Finds entries of nodes that stopped renewing them and lets their users go offline.
    void sweepPresence();
    void received(const QByteArray &payload);
    QByteArray header(char kind) const;

    QByteArray presenceKey(UserId user) const;

    ChatCore &m_core;
    std::unique_ptr<RedisClient> m_redis;
    const QByteArray m_prefix; ///< "tidings:<store instance>:"
    const QByteArray m_channel;
    const QByteArray m_expiryKey;
    const QByteArray m_nodeId;
    const QByteArray m_nodeName; ///< m_nodeId in hex, as presence entries name it
    bool m_wasConnected = false;
    QTimer m_renewTimer;
    QTimer m_sweepTimer;
};

} // namespace tidings::relay
