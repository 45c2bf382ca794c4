#include "server/redis_cluster_link.h"

#include "bus/redis_client.h"
#include "chat/chat_core.h"
#include "chat/member_cache.h"

#include <QDataStream>
#include <QIODevice>
#include <QLoggingCategory>
#include <QUuid>

namespace tidings::relay {

namespace {

Q_LOGGING_CATEGORY(lcCluster, "tidings.relay.cluster")

const QByteArray kChannel = QByteArrayLiteral("tidings:cluster");
constexpr quint8 kVersion = 1;
/// Users one frame may name: a group's members are bounded (max-group-members) far below.
constexpr qsizetype kMaxUsers = 100000;

} // namespace

RedisClusterLink::RedisClusterLink(ChatCore &core, std::unique_ptr<RedisClient> redis,
                                   QObject *parent)
    : QObject(parent), m_core(core), m_redis(std::move(redis)),
      m_nodeId(QUuid::createUuid().toRfc4122())
{
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
    });
    connect(m_redis.get(), &RedisClient::disconnected, this, [](const QString &reason) {
        qCWarning(lcCluster).noquote() << "cluster bus lost:" << reason;
    });
    m_redis->subscribe({kChannel});
}

RedisClusterLink::~RedisClusterLink() = default;

void RedisClusterLink::start()
{
    m_redis->start();
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
    m_redis->publish(kChannel, payload);
}

void RedisClusterLink::membersChanged(ConversationId conversation)
{
    QByteArray payload = header('M');
    QDataStream out(&payload, QIODevice::Append);
    out << conversation;
    m_redis->publish(kChannel, payload);
}

void RedisClusterLink::endSessions(const QList<qint64> &sessionIds, quint16 code,
                                   const QString &reason)
{
    if (sessionIds.isEmpty())
        return;
    QByteArray payload = header('E');
    QDataStream out(&payload, QIODevice::Append);
    out << sessionIds << code << reason;
    m_redis->publish(kChannel, payload);
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
