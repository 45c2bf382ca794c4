#include "gateway/http_gateway.h"

#include "gateway/gateway_logging.h"
#include "gateway/websocket_upgrade.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QWebSocket>

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
    return configuration;
}

} // namespace

HttpGateway::HttpGateway(GatewayOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    enableWebSocketUpgrade(m_http, u"/ws"_s);
    connect(&m_http, &QHttpServer::newWebSocketConnection, this, &HttpGateway::acceptWebSockets);
}

HttpGateway::~HttpGateway() = default;

Result<quint16> HttpGateway::listen()
{
    std::unique_ptr<QTcpServer> server;
    if (tlsEnabled()) {
        auto tls = loadTls(m_options.tlsCertificateFile, m_options.tlsPrivateKeyFile);
        if (!tls)
            return tls.error();
        auto sslServer = std::make_unique<QSslServer>();
        sslServer->setSslConfiguration(*tls);
        server = std::move(sslServer);
    } else {
        server = std::make_unique<QTcpServer>();
    }
    // The default backlog (50) drops a reconnect storm; set it before listen().
    server->setListenBacklogSize(m_options.listenBacklog);
    if (!server->listen(m_options.address, m_options.port)) {
        return Error{ErrorCode::Unavailable,
                     u"cannot listen on %1 port %2: %3"_s.arg(m_options.address.toString())
                         .arg(m_options.port)
                         .arg(server->errorString())};
    }
    const quint16 port = server->serverPort();
    m_http.bind(server.release()); // the HTTP server takes ownership
    qCInfo(lcGateway).noquote() << u"listening on %1 port %2%3"_s.arg(m_options.address.toString())
                                       .arg(port)
                                       .arg(tlsEnabled() ? u" with TLS"_s : QString());
    return port;
}

void HttpGateway::stopListening()
{
    const auto servers = m_http.servers();
    for (QTcpServer *server : servers)
        server->close();
}

void HttpGateway::acceptWebSockets()
{
    while (auto socket = m_http.nextPendingWebSocketConnection()) {
        // Qt's defaults allow ~2 GiB per frame and message: never rely on them.
        socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(m_options.maxMessageBytes));
        socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(m_options.maxMessageBytes));
        if (m_webSocketHandler)
            m_webSocketHandler(std::move(socket));
        else
            socket->close(QWebSocketProtocol::CloseCodeGoingAway, u"not ready"_s);
    }
}

} // namespace tidings::relay
