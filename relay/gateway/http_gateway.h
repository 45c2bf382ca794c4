#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QObject>

#include <functional>
#include <memory>

class QAbstractEventDispatcher;
class QTcpServer;
class QTcpSocket;

namespace tidings::relay {

class HttpConnection;
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
    /// Connections one client address (IPv6: one /64) may hold, of any kind.
    int maxConnectionsPerAddress = 1024;
    /// Of those, connections that have not sent their first request head yet.
    int maxPendingPerAddress = 128;
};

/// The relay's one port: HTTP routes (anyone may add theirs through addHttpRoute()) and the
/// WebSocket endpoint at /ws, plain or TLS. The gateway accepts every connection itself
/// and reads the head of its first request: a WebSocket upgrade of /ws becomes a
/// WebSocketConnection for the handler given to setWebSocketHandler(); anything else
/// becomes an HttpConnection whose every request goes to the route of its path (404
/// without one). Not Qt's HTTP server: that reads whole bodies and heads into memory.
class HttpGateway : public QObject
{
    Q_OBJECT

public:
    explicit HttpGateway(GatewayOptions options, QObject *parent = nullptr);
    ~HttpGateway() override;

    using WebSocketHandler = std::function<void(std::unique_ptr<WebSocketConnection>)>;
    void setWebSocketHandler(WebSocketHandler handler) { m_webSocketHandler = std::move(handler); }

    /// Requests for `path` (and, with `subpaths`, for anything under `path` + '/') go to
    /// `handler`, which answers through the connection (see HttpConnection).
    using HttpHandler = std::function<void(HttpConnection &)>;
    void addHttpRoute(QByteArray path, HttpHandler handler, bool subpaths = false);

    /// Opens the listening socket. Returns the port, or why it could not listen.
    Result<quint16> listen();

    /// Stops accepting new connections and closes every HTTP connection at once (what they
    /// were doing is dropped: their handlers' services may go next).
    void stopListening();

    bool tlsEnabled() const { return !m_options.tlsCertificateFile.isEmpty(); }

private:
    struct Route
    {
        QByteArray path;
        HttpHandler handler;
        bool subpaths = false;
    };
    /// Serves one request of an HTTP connection.
    void serveHttp(HttpConnection &connection);

    GatewayOptions m_options;
    std::unique_ptr<IoThreads> m_ioThreads; ///< stops last (see ~HttpGateway)
    WebSocketHandler m_webSocketHandler;
    QList<Route> m_routes;
    std::unique_ptr<QTcpServer> m_listener;
};

} // namespace tidings::relay
