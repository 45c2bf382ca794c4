#include "server/redis_cluster_link.h"

#include "bus/redis_client.h"
#include "chat/chat_core.h"
#include "chat/member_cache.h"
#include "chat/presence.h"

#include <QDataStream>
#include <QDateTime>
#include <QIODevice>
#include <QLoggingCategory>
#include <QPointer>
#include <QUuid>

namespace tidings::relay {

namespace {

Q_LOGGING_CATEGORY(lcCluster, "tidings.relay.cluster")

constexpr quint8 kVersion = 1;
/// Users one frame may name: a group's members are bounded (max-group-members) far below.
constexpr qsizetype kMaxUsers = 100000;

constexpr qint64 kPresenceTtlMs = 30'000;
constexpr int kRenewMs = 10'000;
constexpr int kSweepMs = 5'000;
constexpr int kSweepBatch = 1000;

// Each script runs atomically in Redis: no other node's change comes between its steps.
// KEYS: the user's set, the expiry set. ARGV: now, expires at, node, "<user>:<node>".
const QByteArray kCameOnline
    = QByteArrayLiteral("local before = redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf') "
                        "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3]) "
                        "redis.call('PEXPIRE', KEYS[1], 2 * (ARGV[2] - ARGV[1])) "
                        "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4]) "
                        "return before");
const QByteArray kWentOffline
    = QByteArrayLiteral("redis.call('ZREM', KEYS[1], ARGV[3]) "
                        "redis.call('ZREM', KEYS[2], ARGV[4]) "
                        "return redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf')");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

RedisClusterLink::RedisClusterLink(ChatCore &core, std::unique_ptr<RedisClient> redis,
                                   const QString &storeInstance, QObject *parent)
    : QObject(parent), m_core(core), m_redis(std::move(redis)),
      m_prefix("tidings:" + storeInstance.toLatin1() + ':'), m_channel(m_prefix + "cluster"),
      m_expiryKey(m_prefix + "presence:expiry"), m_nodeId(QUuid::createUuid().toRfc4122()),
      m_nodeName(m_nodeId.toHex())
{
    m_renewTimer.setInterval(kRenewMs);
    connect(&m_renewTimer, &QTimer::timeout, this, &RedisClusterLink::renewPresence);
    m_sweepTimer.setInterval(kSweepMs);
    connect(&m_sweepTimer, &QTimer::timeout, this, &RedisClusterLink::sweepPresence);
    connect(m_redis.get(), &RedisClient::message, this,
            [this](const QByteArray &, const QByteArray &payload) { received(payload); });
    connect(m_redis.get(), &RedisClient::connected, this, [this] {
        qCInfo(lcCluster).noquote()
            << "cluster bus connected:" << m_redis->address().displayString();
        // Frames published while this node was cut off are lost: its sessions catch up
        // from the store. (The first connection has nothing to catch up on.)
        if (m_wasConnected)
            m_core.askEveryoneToResync();
        m_wasConnected = true;
        renewPresence(); // a Redis that restarted lost them
    });
    connect(m_redis.get(), &RedisClient::disconnected, this, [](const QString &reason) {
        qCWarning(lcCluster).noquote() << "cluster bus lost:" << reason;
    });
    m_redis->subscribe({m_channel});
}

RedisClusterLink::~RedisClusterLink() = default;

QByteArray RedisClusterLink::presenceKey(UserId user) const
{
    return m_prefix + "presence:" + QByteArray::number(user);
}

void RedisClusterLink::start()
{
    m_redis->start();
    m_renewTimer.start();
    m_sweepTimer.start();
}

void RedisClusterLink::userCameOnline(UserId user, std::function<void(bool first)> done)
{
    const qint64 now = nowMs();
    const QByteArray member = QByteArray::number(user) + ':' + m_nodeName;
    m_redis->command({"EVAL", kCameOnline, "2", presenceKey(user), m_expiryKey,
                      QByteArray::number(now), QByteArray::number(now + kPresenceTtlMs), m_nodeName,
                      member},
                     [done = std::move(done)](const Result<RedisReply> &reply) {
                         // Without Redis, each node announces for itself (a duplicate
                         // "online" costs nothing; a missing one would).
                         done(!reply || reply->toInteger() == 0);
                     });
}

void RedisClusterLink::userWentOffline(UserId user, std::function<void(bool last)> done)
{
    const QByteArray member = QByteArray::number(user) + ':' + m_nodeName;
    m_redis->command({"EVAL", kWentOffline, "2", presenceKey(user), m_expiryKey,
                      QByteArray::number(nowMs()), "0", m_nodeName, member},
                     [done = std::move(done)](const Result<RedisReply> &reply) {
                         done(!reply || reply->toInteger() == 0);
                     });
}

void RedisClusterLink::onlineElsewhere(const QList<UserId> &users,
                                       std::function<void(const QSet<UserId> &)> done)
{
    struct Gathering
    {
        QSet<UserId> online;
        qsizetype waiting = 0;
        std::function<void(const QSet<UserId> &)> done;
    };
    auto gathering = std::make_shared<Gathering>();
    gathering->waiting = users.size();
    gathering->done = std::move(done);
    const QByteArray now = QByteArray::number(nowMs());
    for (const UserId user : users) {
        m_redis->command({"ZCOUNT", presenceKey(user), now, "+inf"},
                         [gathering, user](const Result<RedisReply> &reply) {
                             if (reply && reply->toInteger() > 0)
                                 gathering->online.insert(user);
                             if (--gathering->waiting == 0)
                                 gathering->done(gathering->online);
                         });
    }
}

void RedisClusterLink::renewPresence()
{
    if (!m_redis->isConnected())
        return;
    const qint64 now = nowMs();
    const QByteArray expires = QByteArray::number(now + kPresenceTtlMs);
    for (const UserId user : m_core.onlineUsers()) {
        m_redis->command({"EVAL", kCameOnline, "2", presenceKey(user), m_expiryKey,
                          QByteArray::number(now), expires, m_nodeName,
                          QByteArray::number(user) + ':' + m_nodeName});
    }
}

void RedisClusterLink::sweepPresence()
{
    if (!m_redis->isConnected())
        return;
    // One sweeper at a time across the cluster; the lock lapses by itself.
    m_redis->command(
        {"SET", m_prefix + "presence:sweeper", m_nodeName, "NX", "PX",
         QByteArray::number(kSweepMs)},
        [this, self = QPointer<RedisClusterLink>(this)](const Result<RedisReply> &locked) {
            if (!self || !locked || locked->isNil())
                return;
            const qint64 now = nowMs();
            m_redis->command(
                {"ZRANGEBYSCORE", m_expiryKey, "-inf", QByteArray::number(now), "LIMIT", "0",
                 QByteArray::number(kSweepBatch)},
                [this, self, now](const Result<RedisReply> &expired) {
                    if (!self || !expired)
                        return;
                    for (const RedisReply &entry : expired->elements()) {
                        const QByteArray member = entry.toByteArray();
                        const qsizetype colon = member.indexOf(':');
                        const UserId user = member.left(colon).toLongLong();
                        if (colon <= 0 || user <= 0)
                            continue;
                        m_redis->command(
                            {"EVAL", kWentOffline, "2", presenceKey(user), m_expiryKey,
                             QByteArray::number(now), "0", member.mid(colon + 1), member},
                            [this, self, user, now](const Result<RedisReply> &left) {
                                if (self && left && left->toInteger() == 0)
                                    m_core.presence().wentOfflineElsewhere(user,
                                                                           now - kPresenceTtlMs);
                            });
                    }
                });
        });
}

QByteArray RedisClusterLink::header(char kind) const
{
    QByteArray payload;
    payload.reserve(64);
    payload.append(char(kVersion));
    payload.append(m_nodeId);
    payload.append(kind);
    return payload;
}

void RedisClusterLink::sendToUsers(const QList<UserId> &users, QByteArrayView json)
{
    if (users.isEmpty())
        return;
    QByteArray payload = header('F');
    QDataStream out(&payload, QIODevice::Append);
    out << users << QByteArray(json.data(), json.size());
    m_redis->publish(m_channel, payload);
}

void RedisClusterLink::sendToSession(qint64 sessionId, QByteArrayView json)
{
    QByteArray payload = header('S');
    QDataStream out(&payload, QIODevice::Append);
    out << sessionId << QByteArray(json.data(), json.size());
    m_redis->publish(m_channel, payload);
}

void RedisClusterLink::membersChanged(ConversationId conversation)
{
    QByteArray payload = header('M');
    QDataStream out(&payload, QIODevice::Append);
    out << conversation;
    m_redis->publish(m_channel, payload);
}

void RedisClusterLink::endSessions(const QList<qint64> &sessionIds, quint16 code,
                                   const QString &reason)
{
    if (sessionIds.isEmpty())
        return;
    QByteArray payload = header('E');
    QDataStream out(&payload, QIODevice::Append);
    out << sessionIds << code << reason;
    m_redis->publish(m_channel, payload);
}

void RedisClusterLink::received(const QByteArray &payload)
{
    constexpr qsizetype kHeader = 1 + 16 + 1;
    if (payload.size() < kHeader || quint8(payload.at(0)) != kVersion)
        return; // another version's message: not ours to read
    if (QByteArrayView(payload).sliced(1, 16) == m_nodeId)
        return; // our own, already delivered here
    const char kind = payload.at(kHeader - 1);
    QDataStream in(payload.sliced(kHeader));
    switch (kind) {
    case 'F': {
        QList<UserId> users;
        QByteArray json;
        in >> users >> json;
        if (in.status() != QDataStream::Ok || users.size() > kMaxUsers)
            break;
        m_core.sendToLocalUsers(users, json);
        return;
    }
    case 'S': {
        qint64 sessionId = 0;
        QByteArray json;
        in >> sessionId >> json;
        if (in.status() != QDataStream::Ok)
            break;
        m_core.sendToLocalSession(sessionId, json);
        return;
    }
    case 'M': {
        ConversationId conversation = 0;
        in >> conversation;
        if (in.status() != QDataStream::Ok)
            break;
        if (conversation == 0)
            m_core.memberCache().clear();
        else
            m_core.memberCache().forget(conversation);
        return;
    }
    case 'E': {
        QList<qint64> sessionIds;
        quint16 code = 0;
        QString reason;
        in >> sessionIds >> code >> reason;
        if (in.status() != QDataStream::Ok)
            break;
        m_core.endLocalSessions(sessionIds, code, reason);
        return;
    }
    default:
        break;
    }
    qCWarning(lcCluster) << "ignored a malformed cluster message of" << payload.size() << "bytes";
}

} // namespace tidings::relay
