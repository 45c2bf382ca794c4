#include "server/relay_server.h"

#include "bus/redis_client.h"
#include "chat/chat_core.h"
#include "chat/session.h"
#include "crypto/message_auth.h"
#include "gateway/http_connection.h"
#include "gateway/http_gateway.h"
#include "gateway/websocket_connection.h"
#include "media/blob_store.h"
#include "media/media_api.h"
#include "media/media_files.h"
#include "media/s3_blob_store.h"
#include "ops/health_endpoints.h"
#include "push/push_service.h"
#include "server/data_directory.h"
#include "server/redis_cluster_link.h"
#include "store/device_inbox_queries.h"
#include "store/device_link_queries.h"
#include "store/media_queries.h"
#include "store/message_queries.h"
#include "store/sql_helpers.h"
#include "store/store.h"
#include "util/metrics.h"

#include <QDateTime>
#include <QFile>
#include <QSaveFile>
#include <QTimer>
#include <QUuid>

#include <optional>

#ifdef Q_OS_LINUX
#include "eventloop/epoll_event_dispatcher.h"
#endif

namespace tidings::relay {

using namespace Qt::StringLiterals;

struct RelayServer::Services
{
    std::optional<DataDirectory> dataDirectory;
    std::unique_ptr<Store> store;
    std::optional<StoreInfo> storeInfo;
    QString nodeId; ///< this node's lasting name, kept in its data directory
    MetricsRegistry metrics;
    std::unique_ptr<ChatCore> chat;
    std::unique_ptr<RedisClusterLink> cluster;
    std::unique_ptr<PushService> push;
    std::unique_ptr<MediaFiles> mediaFiles;
    std::unique_ptr<MediaApi> media;
    std::unique_ptr<HttpGateway> gateway;
    QTimer retention;
    QTimer inboxUpkeep;
    bool expiringInbox = false;
    QTimer mediaSweep;
    bool expiring = false;
    bool stopping = false;
};

namespace {

Result<void> writePortFile(const QString &path, quint16 port)
{
    // Atomic: a reader never sees a half-written file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray::number(port) + '\n') < 0
        || !file.commit()) {
        return Error{ErrorCode::Io,
                     u"cannot write port file %1: %2"_s.arg(path, file.errorString())};
    }
    return {};
}

/// A credential file named by `setting`; errors name the file, never its contents.
Result<QByteArray> readCredential(const char *setting, const QString &path)
{
    if (path.isEmpty())
        return QByteArray();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{
            ErrorCode::Io,
            u"cannot read %1 %2: %3"_s.arg(QLatin1StringView(setting), path, file.errorString())};
    const QByteArray contents = file.read(1024 * 1024);
    if (contents.trimmed().isEmpty())
        return Error{ErrorCode::BadRequest,
                     u"%1 %2 is empty"_s.arg(QLatin1StringView(setting), path)};
    return contents;
}

/// The node's lasting name: made at its first start, kept in `node-id` in its data directory.
Result<QString> readNodeId(const DataDirectory &directory)
{
    const QString path = directory.filePath(u"node-id"_s);
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const QString id = QString::fromLatin1(file.read(64)).trimmed();
        if (!id.isEmpty() && !id.contains(u'/'))
            return id;
    }
    const QString id = QUuid::createUuid().toString(QUuid::Id128).left(12);
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(id.toLatin1() + '\n') < 0 || !out.commit())
        return Error{ErrorCode::Io, u"cannot write %1: %2"_s.arg(path, out.errorString())};
    return id;
}

ChatOptions chatOptions(const RelayConfig &config)
{
    ChatOptions options;
    options.registrationOpen = config.registrationOpen;
    switch (config.passwordCost) {
    case PasswordCost::Interactive:
        options.passwordCost = crypto::PasswordHashCost::interactive();
        break;
    case PasswordCost::Moderate:
        options.passwordCost = crypto::PasswordHashCost::moderate();
        break;
    case PasswordCost::Minimum:
        options.passwordCost = crypto::PasswordHashCost::minimum();
        break;
    }
    options.maxTextBytes = config.maxTextBytes;
    options.maxCiphertextBytes = config.maxCiphertextBytes;
    switch (config.e2e.value_or(E2eSetting::Required)) {
    case E2eSetting::Off:
        options.e2e = ChatOptions::E2e::Off;
        break;
    case E2eSetting::Optional:
        options.e2e = ChatOptions::E2e::Optional;
        break;
    case E2eSetting::Required:
        options.e2e = ChatOptions::E2e::Required;
        break;
    }
    options.maxGroupMembers = config.maxGroupMembers;
    options.heartbeatInterval = std::chrono::seconds(config.heartbeatSeconds);
    options.heartbeatTimeout = 3 * options.heartbeatInterval;
    options.handshakeTimeout
        = std::min<std::chrono::milliseconds>(std::chrono::seconds(30), options.heartbeatTimeout);
    options.signInTimeout = std::chrono::seconds(config.signInSeconds);
    options.sessionIdle = std::chrono::hours(24) * config.sessionIdleDays;
    options.allowedOrigins = config.allowedOrigins;
    options.signInsPerMinute = config.signInsPerMinute;
    options.messagesPerSecond = config.messagesPerSecond;
    options.groupChangesPerMinute = config.groupChangesPerMinute;
    options.framesPerSecond = config.framesPerSecond;
    return options;
}

} // namespace

RelayServer::RelayServer(RelayConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_services(std::make_unique<Services>())
{ }

RelayServer::~RelayServer()
{
    stop();
}

Result<quint16> RelayServer::start()
{
    auto dataDirectory = DataDirectory::open(m_config.dataDirectory);
    if (!dataDirectory)
        return dataDirectory.error();
    m_services->dataDirectory = std::move(dataDirectory).value();

    StoreLocation location;
    location.url = m_config.store;
    location.sqlitePath
        = m_services->dataDirectory->filePath(QLatin1StringView(DataDirectory::kStoreFile));
    location.syncFull = m_config.storeSyncFull;
    auto opened = openStore(location);
    if (!opened)
        return opened.error();
    m_services->store = std::move(opened->first);
    m_services->storeInfo = opened->second;
    // Written only once the store is known good: a refused start changes nothing.
    auto nodeId = readNodeId(*m_services->dataDirectory);
    if (!nodeId)
        return nodeId.error();
    m_services->nodeId = *nodeId;

    GatewayOptions options;
    options.address = m_config.listenAddress;
    options.port = m_config.port;
    options.listenBacklog = m_config.listenBacklog;
    options.maxConnectionsPerAddress = m_config.maxConnectionsPerAddress;
    options.maxPendingPerAddress = m_config.maxPendingPerAddress;
    options.maxMessageBytes = m_config.maxFrameBytes;
    options.tlsCertificateFile = m_config.tlsCertificateFile;
    options.tlsPrivateKeyFile = m_config.tlsPrivateKeyFile;
    options.ioThreads = m_config.ioThreads;
#ifdef Q_OS_LINUX
    if (m_config.eventLoop == EventLoop::Epoll)
        options.ioDispatcher = [] { return new EpollEventDispatcher; };
#endif
    if (!m_config.e2e) // the store's own, decided as it opened
        m_config.e2e = m_services->storeInfo->e2eDefault == u"optional" ? E2eSetting::Optional
                                                                        : E2eSetting::Required;
    m_services->chat = std::make_unique<ChatCore>(*m_services->store, chatOptions(m_config));
    if (!m_config.bus.isEmpty()) {
        auto address = RedisClient::parseRedisUrl(m_config.bus);
        if (!address)
            return Error{ErrorCode::BadRequest, u"invalid bus: "_s + address.error().message};
        m_services->cluster = std::make_unique<RedisClusterLink>(
            *m_services->chat, std::make_unique<RedisClient>(*address),
            m_services->storeInfo->instanceId);
        m_services->chat->setClusterLink(m_services->cluster.get());
        m_services->cluster->start();
    }
    if (auto started = startMedia(); !started)
        return started.error();
    if (auto started = startPush(); !started)
        return started.error();
    m_services->gateway = std::make_unique<HttpGateway>(options);
    m_services->gateway->addHttpRoute(
        MediaApi::path(),
        [media = m_services->media.get()](HttpConnection &connection) {
            media->handle(connection);
        },
        true);
    m_services->gateway->setWebSocketHandler(
        [chat = m_services->chat.get()](std::unique_ptr<WebSocketConnection> socket) {
            chat->adopt(std::move(socket));
        });

    registerHealthEndpoints(*m_services->gateway, [services = m_services.get()] {
        Readiness readiness;
        readiness.ready = !services->stopping && services->storeInfo.has_value();
        if (services->storeInfo) {
            readiness.details.insert(u"store"_s, services->storeInfo->backend);
            readiness.details.insert(u"schema"_s, services->storeInfo->schemaVersion);
            readiness.details.insert(u"instance"_s, services->storeInfo->instanceId);
        }
        readiness.details.insert(u"sessions"_s, services->chat->sessionCount());
        return readiness;
    });
    m_services->metrics.gauge("tidings_sessions", "Signed-in WebSocket sessions.",
                              [chat = m_services->chat.get()] { return chat->sessionCount(); });
    m_services->metrics.gauge("tidings_online_users", "Users with at least one live session.",
                              [chat = m_services->chat.get()] { return chat->onlineUserCount(); });
    m_services->metrics.gauge("tidings_store_backlog", "Store work waiting or running.",
                              [store = m_services->store.get()] { return store->backlog(); });
    registerMetricsEndpoint(*m_services->gateway, m_services->metrics);

    if (m_config.retentionDays > 0) {
        if (m_config.retentionDays < 30)
            qWarning("retention-days is %d: message content older than that is erased for good",
                     m_config.retentionDays);
        m_services->retention.setInterval(std::chrono::minutes(10));
        connect(&m_services->retention, &QTimer::timeout, this, &RelayServer::expireOldContent);
        m_services->retention.start();
        expireOldContent();
    }

    m_services->inboxUpkeep.setInterval(std::chrono::minutes(10));
    connect(&m_services->inboxUpkeep, &QTimer::timeout, this, &RelayServer::expireOldInbox);
    m_services->inboxUpkeep.start();
    expireOldInbox();

    auto port = m_services->gateway->listen();
    if (!port)
        return port.error();
    if (!m_config.portFile.isEmpty()) {
        if (auto written = writePortFile(m_config.portFile, *port); !written)
            return written.error();
    }
    return port;
}

Result<void> RelayServer::startMedia()
{
    std::unique_ptr<BlobStore> blobs;
    if (m_config.media.isEmpty()) {
        auto local = LocalBlobStore::open(m_services->dataDirectory->filePath(u"media"_s));
        if (!local)
            return local.error();
        blobs = std::move(local).value();
    } else {
        // Every node reads and writes the same bucket: an upload begun through one node is
        // resumed through another. Bad keys or a missing bucket stop the start, here.
        auto options = parseS3Location(m_config.media, QProcessEnvironment::systemEnvironment());
        if (!options)
            return Error{ErrorCode::BadRequest, u"invalid media: "_s + options.error().message};
        auto s3 = S3BlobStore::open(*options);
        if (!s3)
            return s3.error();
        if (auto checked = (*s3)->check(); !checked)
            return Error{checked.error().code,
                         u"media storage is not usable: "_s + checked.error().message};
        blobs = std::move(s3).value();
    }
    // Made once per store and kept there, so links stay valid across restarts.
    const QByteArray fresh = crypto::newMessageAuthKey();
    const Result<QByteArray> linkKey = m_services->store
                                           ->write<QByteArray>([fresh](QSqlDatabase &db) {
                                               return sql::mediaLinkKey(db, fresh);
                                           })
                                           .result();
    if (!linkKey)
        return linkKey.error();

    MediaOptions options;
    options.maxFileBytes = m_config.mediaMaxBytes;
    options.quotaBytes = m_config.mediaQuotaBytes;
    options.maxTotalBytes = m_config.mediaMaxTotalBytes;
    options.minFreeBytes = m_config.mediaMinFreeBytes;
    options.maxUnfinished = int(m_config.mediaMaxUnfinished);
    options.maxChunkBytes = m_config.mediaChunkBytes;
    options.allowedTypes = m_config.mediaTypes;
    options.encryptedFiles = m_config.e2e != E2eSetting::Off;
    options.encryptedOnly = m_config.e2e == E2eSetting::Required;
    options.unsentExpiryMs = qint64(m_config.mediaUnsentSeconds) * 1000;
    options.sessionIdleMs = qint64(m_config.sessionIdleDays) * 24 * 3600 * 1000;
    m_services->mediaFiles = std::make_unique<MediaFiles>(std::move(blobs));
    m_services->media = std::make_unique<MediaApi>(*m_services->store, *m_services->mediaFiles,
                                                   options, *linkKey);
    m_services->mediaSweep.setInterval(std::chrono::seconds(m_config.mediaSweepSeconds));
    connect(&m_services->mediaSweep, &QTimer::timeout, m_services->media.get(),
            [media = m_services->media.get()] { media->sweep(); });
    m_services->mediaSweep.start();
    m_services->media->sweep();
    return {};
}

Result<void> RelayServer::startPush()
{
    PushOptions options;
    options.nodeId = m_services->nodeId;
    options.coalesceMs = m_config.pushCoalesceMs;
    options.retryBaseMs = m_config.pushRetryBaseMs;
    options.maxAttempts = m_config.pushMaxAttempts;
    options.timeoutMs = m_config.pushTimeoutMs;
    options.maxInFlight = m_config.pushMaxInFlight;
    options.showSender = m_config.pushShowSender;
    options.unifiedPushPrefixes = m_config.pushUnifiedPushPrefixes;
    options.webhookUrl = m_config.pushWebhookUrl.toUtf8();
    options.fcmUrl = m_config.pushFcmUrl.toUtf8();
    options.apnsKeyId = m_config.pushApnsKeyId;
    options.apnsTeamId = m_config.pushApnsTeamId;
    options.apnsTopic = m_config.pushApnsTopic;
    options.apnsUrl = m_config.pushApnsUrl.toUtf8();
    const std::pair<const char *, std::pair<const QString *, QByteArray *>> files[] = {
        {"push-webhook-secret-file", {&m_config.pushWebhookSecretFile, &options.webhookSecret}},
        {"push-fcm-credentials-file", {&m_config.pushFcmCredentialsFile, &options.fcmCredentials}},
        {"push-apns-key-file", {&m_config.pushApnsKeyFile, &options.apnsKey}}};
    for (const auto &[setting, paths] : files) {
        auto contents = readCredential(setting, *paths.first);
        if (!contents)
            return contents.error();
        *paths.second = *contents;
    }
    options.webhookSecret = options.webhookSecret.trimmed();

    auto push = PushService::create(*m_services->store, std::move(options), m_services->metrics);
    if (!push)
        return push.error();
    m_services->push = std::move(push).value();
    ChatCore *chat = m_services->chat.get();
    m_services->push->setPresence(
        [chat](UserId user) { return !chat->sessionsOf(user).isEmpty(); });
    connect(chat, &ChatCore::userCameOnline, m_services->push.get(), &PushService::userOnline);
    chat->setPush(m_services->push.get());
    m_services->push->start();
    return {};
}

void RelayServer::expireOldContent()
{
    if (m_services->expiring || !m_services->store)
        return;
    m_services->expiring = true;
    const qint64 cutoff
        = QDateTime::currentMSecsSinceEpoch() - qint64(m_config.retentionDays) * 24 * 3600 * 1000;
    constexpr int kBatch = 1000;
    // One batch per transaction so that message acks never wait long behind retention.
    m_services->store
        ->write<int>([cutoff](QSqlDatabase &db) { return sql::expireContent(db, cutoff, kBatch); })
        .then(this, [this](const Result<int> &erased) {
            m_services->expiring = false;
            if (!erased) {
                qWarning().noquote() << "retention:" << erased.error().message;
                return;
            }
            if (*erased == kBatch)
                expireOldContent();
        });
}

void RelayServer::expireOldInbox()
{
    if (m_services->expiringInbox || !m_services->store)
        return;
    m_services->expiringInbox = true;
    const qint64 cutoff = QDateTime::currentMSecsSinceEpoch()
        - qint64(m_config.inboxRetentionDays) * 24 * 3600 * 1000;
    constexpr int kBatch = 1000;
    m_services->store
        ->write<qint64>([cutoff](QSqlDatabase &db) -> Result<qint64> {
            // Link offers that lapsed go too (ten minutes: whatever is left of them).
            if (auto offers = sql::expireLinkOffers(db, sql::now()); !offers)
                return offers.error();
            const qint64 day = 24 * 3600 * 1000;
            return sql::expireInbox(db, cutoff, sql::now() - day, kBatch);
        })
        .then(this, [this](const Result<qint64> &found) {
            m_services->expiringInbox = false;
            if (!found) {
                qWarning().noquote() << "inbox retention:" << found.error().message;
                return;
            }
            if (*found >= kBatch)
                expireOldInbox();
        });
}

void RelayServer::stop()
{
    if (m_services->stopping)
        return;
    m_services->stopping = true;
    m_services->retention.stop();
    m_services->inboxUpkeep.stop();
    m_services->mediaSweep.stop();
    if (m_services->gateway)
        m_services->gateway->stopListening();
    if (m_services->chat)
        m_services->chat->closeAll(close_code::kGoingAway, u"relay shutting down"_s);
    if (m_services->chat)
        m_services->chat->setPush(nullptr);
    m_services->push.reset(); // what it was sending is sent again by the next run
    if (m_services->store)
        m_services->store->close();
    // Sessions first: their sockets are deleted on the gateway's I/O threads, which stop
    // with the gateway once that is done.
    if (m_services->chat)
        m_services->chat->setClusterLink(nullptr);
    m_services->cluster.reset();
    m_services->chat.reset();
    m_services->media.reset(); // (its HTTP connections closed with stopListening())
    m_services->mediaFiles.reset();
    m_services->gateway.reset();
    m_services->store.reset();
    m_services->dataDirectory.reset();
}

} // namespace tidings::relay
