#pragma once

#include "util/result.h"

#include <QByteArrayView>
#include <QHostAddress>
#include <QHttpServer>
#include <QObject>

#include <functional>
#include <memory>

class QAbstractEventDispatcher;
class QTcpServer;
class QTcpSocket;

namespace tidings::relay {

class IoThreads;
class WebSocketConnection;

struct GatewayOptions
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0;
    int listenBacklog = 4096;
    qint64 maxMessageBytes = qint64(256) * 1024;
    QString tlsCertificateFile; ///< TLS is on when this is set
    QString tlsPrivateKeyFile;
    /// Threads that serve WebSocket connections (0: the gateway's own thread).
    int ioThreads = 0;
    /// Makes each I/O thread's event dispatcher (null: Qt's).
    std::function<QAbstractEventDispatcher *()> ioDispatcher;
};

/// The relay's one port: HTTP routes (anyone may add theirs through http()) and the
/// WebSocket endpoint at /ws, plain or TLS. The gateway accepts every connection itself
/// and reads the head of its first request: a WebSocket upgrade of /ws becomes a
/// WebSocketConnection for the handler given to setWebSocketHandler(); anything else goes
/// on to the HTTP server, which reads the request from the start.
class HttpGateway : public QObject
{
    Q_OBJECT

public:
    explicit HttpGateway(GatewayOptions options, QObject *parent = nullptr);
    ~HttpGateway() override;

    QHttpServer &http() { return m_http; }
    using WebSocketHandler = std::function<void(std::unique_ptr<WebSocketConnection>)>;
    void setWebSocketHandler(WebSocketHandler handler) { m_webSocketHandler = std::move(handler); }

    /// Connections whose first request is for a path `claims` accepts are not given to the
    /// HTTP server but to `take`, which gets the socket (nothing read from it yet) and owns
    /// it from then on. For what the HTTP server cannot do: streaming large bodies.
    struct RawHttpRoute
    {
        std::function<bool(QByteArrayView path)> claims;
        std::function<void(QTcpSocket *socket)> take;
    };
    void setRawHttpRoute(RawHttpRoute route) { m_rawRoute = std::move(route); }

    /// Opens the listening socket. Returns the port, or why it could not listen.
    Result<quint16> listen();

    /// Stops accepting new connections.
    void stopListening();

    bool tlsEnabled() const { return !m_options.tlsCertificateFile.isEmpty(); }

private:
    GatewayOptions m_options;
    std::unique_ptr<IoThreads> m_ioThreads; ///< stops last (see ~HttpGateway)
    QHttpServer m_http;
    WebSocketHandler m_webSocketHandler;
    RawHttpRoute m_rawRoute;
};

} // namespace tidings::relay
