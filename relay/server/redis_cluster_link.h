#pragma once

#include "chat/cluster_link.h"

#include <QObject>

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
/// QDataStream — 'F' users and a frame, 'M' a conversation whose members changed (0: a
/// block), 'E' store sessions that ended with their close code and reason.
class RedisClusterLink final : public QObject, public ClusterLink
{
    Q_OBJECT

public:
    /// Takes `redis` (not yet started); `core` must outlive this object.
    RedisClusterLink(ChatCore &core, std::unique_ptr<RedisClient> redis, QObject *parent = nullptr);
    ~RedisClusterLink() override;

    void start();
    RedisClient &redis() { return *m_redis; }

    void sendToUsers(const QList<UserId> &users, QByteArrayView json) override;
    void membersChanged(ConversationId conversation) override;
    void endSessions(const QList<qint64> &sessionIds, quint16 code, const QString &reason) override;

private:
    void received(const QByteArray &payload);
    QByteArray header(char kind) const;

    ChatCore &m_core;
    std::unique_ptr<RedisClient> m_redis;
    const QByteArray m_nodeId;
    bool m_wasConnected = false;
};

} // namespace tidings::relay
