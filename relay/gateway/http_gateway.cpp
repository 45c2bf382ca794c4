#include "gateway/http_gateway.h"

#include "gateway/address_limits.h"
#include "gateway/gateway_logging.h"
#include "gateway/http_connection.h"
#include "gateway/io_threads.h"
#include "gateway/request_head.h"
#include "gateway/transport.h"
#include "gateway/websocket_connection.h"
#include "gateway/websocket_upgrade.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <optional>
#include <utility>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

Result<QSslConfiguration> loadTls(const QString &certificateFile, const QString &keyFile)
{
    QFile certificate(certificateFile);
    if (!certificate.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io,
                     u"cannot read TLS certificate %1: %2"_s.arg(certificateFile,
                                                                 certificate.errorString())};
    const QList<QSslCertificate> chain = QSslCertificate::fromDevice(&certificate, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull())
        return Error{ErrorCode::BadRequest, u"%1 holds no PEM certificate"_s.arg(certificateFile)};

    QFile key(keyFile);
    if (!key.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io,
                     u"cannot read TLS key %1: %2"_s.arg(keyFile, key.errorString())};
    const QByteArray keyBytes = key.readAll();
    QSslKey privateKey(keyBytes, QSsl::Rsa, QSsl::Pem);
    if (privateKey.isNull())
        privateKey = QSslKey(keyBytes, QSsl::Ec, QSsl::Pem);
    if (privateKey.isNull())
        return Error{ErrorCode::BadRequest,
                     u"%1 holds no PEM RSA or EC private key"_s.arg(keyFile)};

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(privateKey);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    // TLS 1.2 and 1.3 only; under 1.2 only forward-secret (ECDHE/DHE) AEAD suites, as
    // Mozilla's "intermediate" profile: a stolen key must not decrypt recorded traffic.
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    QList<QSslCipher> ciphers;
    const QList<QSslCipher> supported = QSslConfiguration::supportedCiphers();
    for (const QSslCipher &cipher : supported) {
        const QString exchange = cipher.keyExchangeMethod();
        const QString encryption = cipher.encryptionMethod();
        const bool forwardSecret = exchange == u"ECDH" || exchange == u"DH";
        const bool aead = encryption.contains(u"GCM") || encryption.contains(u"CHACHA20");
        if (cipher.protocol() == QSsl::TlsV1_3 || (forwardSecret && aead))
            ciphers.append(cipher);
    }
    configuration.setCiphers(ciphers);
    return configuration;
}

/// Accepts connections and reads the head of each one's first request, which decides
/// what the connection becomes: a WebSocketConnection or an HttpConnection. Not a
/// QSslServer: the TLS handshake runs here, under the head's time limit.
class Listener : public QTcpServer
{
public:
    Listener(const GatewayOptions &options, std::optional<QSslConfiguration> tls,
             HttpGateway::WebSocketHandler &handler, HttpConnection::Handler httpHandler,
             IoThreads &ioThreads)
        : m_options(options), m_tls(std::move(tls)), m_handler(handler),
          m_httpHandler(std::move(httpHandler)), m_ioThreads(ioThreads),
          m_perAddress(options.maxConnectionsPerAddress), m_maxConnections(connectionRoom())
    {
        // One timer for every head awaited, not one each: a storm starts thousands.
        m_clock.start();
        m_sweep.setInterval(1000);
        connect(&m_sweep, &QTimer::timeout, this, &Listener::dropLateHeads);
        // Out of descriptors (or memory), QTcpServer stops accepting for good; left to
        // itself the relay would take no one again. It tries again a little later: the
        // waiting connections stay in the kernel's backlog meanwhile, and nothing spins.
        m_resume.setSingleShot(true);
        m_resume.setInterval(kAcceptPauseMs);
        connect(&m_resume, &QTimer::timeout, this, [this] {
            if (m_perAddress.total() < m_maxConnections) {
                m_resting = false;
                resumeAccepting();
            } else {
                m_resume.start();
            }
        });
        connect(this, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError error) {
            qCWarning(lcGateway) << "cannot accept connections now:" << error << errorString();
            pauseAccepting();
            m_resume.start();
        });
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        QTcpSocket *socket = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
        socket->setSocketDescriptor(descriptor);
        if (socket->state() != QAbstractSocket::ConnectedState
            || m_heads.size() >= kMaxPendingHeads) {
            socket->abort();
            socket->deleteLater();
            return;
        }
        // Counted before any work is done for it (a TLS handshake, say).
        const QHostAddress peer = socket->peerAddress();
        QByteArray key = AddressLimits::keyOf(peer);
        std::shared_ptr<void> slot;
        if (m_pendingByAddress.value(key) >= m_options.maxPendingPerAddress
            || !(slot = m_perAddress.take(peer))) {
            qCDebug(lcGateway) << "refused: too many connections from" << peer;
            socket->abort();
            socket->deleteLater();
            return;
        }
        // Frames and answers are small and go out whole: no waiting for the client's
        // delayed ACK (Nagle's algorithm held a second small write back ~40 ms). Set here,
        // on the socket itself, so the WebSocket's duplicated descriptor has it too.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        // Qt retries an accept() that fails for want of descriptors at once, for ever (a
        // busy loop): the listener rests instead while the connections fill what the
        // process may open, keeping a reserve for the store, media files and pushes.
        if (m_perAddress.total() >= m_maxConnections) {
            if (!std::exchange(m_resting, true)) { // said once while it lasts
                qCWarning(lcGateway) << "holding" << m_maxConnections
                                     << "connections, what the open-files limit allows: new "
                                        "ones wait in the backlog";
            }
            pauseAccepting();
            m_resume.start();
        }
        if (m_tls) {
            auto *ssl = static_cast<QSslSocket *>(socket);
            ssl->setSslConfiguration(*m_tls);
            ssl->startServerEncryption();
        }
        ++m_pendingByAddress[key];
        m_heads.insert(socket, {m_clock.elapsed(), std::move(slot)});
        if (!m_sweep.isActive())
            m_sweep.start();
        // Lives while the head is awaited; deleting it undoes the connections below.
        auto *waiting = new QObject(socket);
        connect(waiting, &QObject::destroyed, this, [this, socket, key = std::move(key)] {
            m_heads.remove(socket);
            if (auto it = m_pendingByAddress.find(key);
                it != m_pendingByAddress.end() && --it.value() <= 0) {
                m_pendingByAddress.erase(it);
            }
        });
        connect(socket, &QTcpSocket::readyRead, waiting,
                [this, socket, waiting] { readHead(socket, waiting); });
        connect(socket, &QTcpSocket::disconnected, waiting, [socket] { socket->deleteLater(); });
    }

public:
    /// Deletes every HTTP connection now.
    void closeHttp()
    {
        const QSet<HttpConnection *> open = std::exchange(m_http, {});
        for (HttpConnection *connection : open)
            delete connection;
    }

private:
    static constexpr int kMaxPendingHeads = 16384;
    static constexpr int kAcceptPauseMs = 250;
    static constexpr int kReservedDescriptors = 64;

    /// Connections the open-files limit leaves room for.
    static int connectionRoom()
    {
        qint64 limit = 1 << 20;
#ifdef Q_OS_UNIX
        rlimit files{};
        if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
            limit = std::min<qint64>(limit, qint64(files.rlim_cur));
#endif
        return int(std::max<qint64>(16, limit - kReservedDescriptors));
    }
    static constexpr int kHeadTimeoutMs = 10000;

    void dropLateHeads()
    {
        const qint64 before = m_clock.elapsed() - kHeadTimeoutMs;
        QList<QTcpSocket *> late;
        for (auto it = m_heads.cbegin(); it != m_heads.cend(); ++it) {
            if (it->since < before)
                late.append(it.key());
        }
        for (QTcpSocket *socket : late) {
            qCDebug(lcGateway) << "no request head in time from" << socket->peerAddress();
            socket->abort();
            socket->deleteLater();
            m_heads.remove(socket);
        }
        if (m_heads.isEmpty())
            m_sweep.stop();
    }

    void readHead(QTcpSocket *socket, QObject *waiting)
    {
        const QByteArray start = socket->peek(kMaxFirstRequestHeadBytes);
        const HeadScan scan = scanRequestHead(start, kMaxFirstRequestHeadBytes);
        if (scan.state == HeadScan::State::Incomplete)
            return;
        std::shared_ptr<void> slot = m_heads.value(socket).slot; // goes with the connection
        delete waiting;
        if (scan.state == HeadScan::State::TooLarge) {
            adopt(HttpConnection::refuse(socket,
                                         "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                         "Connection: close\r\nContent-Length: 0\r\n\r\n",
                                         this),
                  std::move(slot));
            return;
        }
        UpgradeRequest request
            = inspectRequest(QByteArrayView(start).first(scan.length), QByteArrayView("/ws"));
        switch (request.kind) {
        case UpgradeRequest::Kind::Http:
            // It reads the request from the start (peek took nothing).
            adopt(new HttpConnection(socket, m_httpHandler, this), std::move(slot));
            return;
        case UpgradeRequest::Kind::Refused:
            // Closed as an HTTP connection closes after a refusal: whatever the client sends
            // meanwhile must not reset the connection before it has read why.
            adopt(HttpConnection::refuse(socket, request.response, this), std::move(slot));
            return;
        case UpgradeRequest::Kind::WebSocket:
            break;
        }
        socket->skip(scan.length);
        QByteArray received = socket->readAll(); // frames sent right behind the request
        WebSocketConnection::Upgrade upgrade;
        upgrade.peerAddress = socket->peerAddress();
        upgrade.origin = std::move(request.origin);
        upgrade.response = std::move(request.response);
        upgrade.received = std::move(received);
        upgrade.addressSlot = std::move(slot);
        std::optional<TransportSource> source = takeSource(socket);
        if (!source)
            return;
        upgrade.source = *source;
        auto connection = std::make_unique<WebSocketConnection>(
            std::move(upgrade), m_ioThreads.next(), m_options.maxMessageBytes);
        // Served once the handler has connected to it.
        QMetaObject::invokeMethod(connection.get(), &WebSocketConnection::start,
                                  Qt::QueuedConnection);
        if (m_handler) {
            m_handler(std::move(connection));
        } else {
            connection.release()->closeAndDelete(websocket::close::kGoingAway, u"not ready"_s);
        }
    }

    /// What the connection's transport is made of. Plain TCP on Unix: the descriptor
    /// itself (a duplicate; the socket that read the head closes the original), so no Qt
    /// buffers stay with it. Nothing if the descriptor could not be duplicated (the
    /// connection is dropped).
    std::optional<TransportSource> takeSource(QTcpSocket *socket)
    {
#ifdef Q_OS_UNIX
        if (!m_tls) {
            const int descriptor = ::dup(int(socket->socketDescriptor()));
            socket->abort();
            socket->deleteLater();
            if (descriptor < 0)
                return std::nullopt;
            return TransportSource{.descriptor = descriptor};
        }
#endif
        socket->setParent(nullptr); // to be moved to its I/O thread
        return TransportSource{.socket = socket};
    }

    /// Keeps `connection` among the HTTP connections (see closeHttp()); it holds its place
    /// in the per-address count, `slot`, for as long as it lives.
    void adopt(HttpConnection *connection, std::shared_ptr<void> slot)
    {
        m_http.insert(connection);
        connect(connection, &QObject::destroyed, this,
                [this, connection, slot = std::move(slot)] { m_http.remove(connection); });
    }

    const GatewayOptions &m_options;
    const std::optional<QSslConfiguration> m_tls;
    HttpGateway::WebSocketHandler &m_handler;
    const HttpConnection::Handler m_httpHandler;
    IoThreads &m_ioThreads;
    struct Pending
    {
        qint64 since = 0; ///< m_clock
        std::shared_ptr<void> slot; ///< its place in m_perAddress
    };
    QHash<QTcpSocket *, Pending> m_heads; ///< connections whose head is awaited
    QHash<QByteArray, int> m_pendingByAddress; ///< of m_heads, by AddressLimits::keyOf
    AddressLimits m_perAddress;
    const int m_maxConnections; ///< see connectionRoom()
    bool m_resting = false; ///< paused at m_maxConnections, not yet below it again
    QSet<HttpConnection *> m_http;
    QElapsedTimer m_clock;
    QTimer m_sweep;
    QTimer m_resume;
};

} // namespace

HttpGateway::HttpGateway(GatewayOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)),
      m_ioThreads(std::make_unique<IoThreads>(m_options.ioThreads, m_options.ioDispatcher))
{
    addHttpRoute("/ws", &answerUpgradeRequired);
}

// The I/O threads stop last (members go in reverse order), after finishing what was
// queued for them — the deletion of connections closed before, included.
HttpGateway::~HttpGateway() = default;

Result<quint16> HttpGateway::listen()
{
    std::optional<QSslConfiguration> tls;
    if (tlsEnabled()) {
        auto loaded = loadTls(m_options.tlsCertificateFile, m_options.tlsPrivateKeyFile);
        if (!loaded)
            return loaded.error();
        tls = *loaded;
    }
    auto server = std::make_unique<Listener>(
        m_options, std::move(tls), m_webSocketHandler,
        [this](HttpConnection &connection) { serveHttp(connection); }, *m_ioThreads);
    // The default backlog (50) drops a reconnect storm; set it before listen().
    server->setListenBacklogSize(m_options.listenBacklog);
    if (!server->listen(m_options.address, m_options.port)) {
        return Error{ErrorCode::Unavailable,
                     u"cannot listen on %1 port %2: %3"_s.arg(m_options.address.toString())
                         .arg(m_options.port)
                         .arg(server->errorString())};
    }
    const quint16 port = server->serverPort();
    m_listener = std::move(server);
    qCInfo(lcGateway).noquote() << u"listening on %1 port %2%3"_s.arg(m_options.address.toString())
                                       .arg(port)
                                       .arg(tlsEnabled() ? u" with TLS"_s : QString());
    return port;
}

void HttpGateway::stopListening()
{
    if (!m_listener)
        return;
    m_listener->close();
    static_cast<Listener *>(m_listener.get())->closeHttp();
}

void HttpGateway::addHttpRoute(QByteArray path, HttpHandler handler, bool subpaths)
{
    m_routes.append({std::move(path), std::move(handler), subpaths});
}

void HttpGateway::serveHttp(HttpConnection &connection)
{
    const QByteArray &path = connection.request().path;
    for (const Route &route : std::as_const(m_routes)) {
        if (path == route.path
            || (route.subpaths && path.startsWith(route.path)
                && path.at(route.path.size()) == '/')) {
            return route.handler(connection);
        }
    }
    const QJsonObject body{{u"error"_s, u"not_found"_s}, {u"message"_s, u"no such path"_s}};
    connection.respondJson(404, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

} // namespace tidings::relay
