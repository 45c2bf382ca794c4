#pragma once

#include "util/result.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>

namespace tidings::relay {

class SessionHub;

struct GatewayOptions
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0;
    int listenBacklog = 4096;
    qint64 maxMessageBytes = qint64(256) * 1024;
    QString tlsCertificateFile; ///< TLS is on when this is set
    QString tlsPrivateKeyFile;
};

/// The relay's one port: HTTP routes (anyone may add theirs through http()) and the
/// WebSocket endpoint at /ws, plain or TLS.
class HttpGateway : public QObject
{
    Q_OBJECT

public:
    explicit HttpGateway(GatewayOptions options, QObject *parent = nullptr);
    ~HttpGateway() override;

    QHttpServer &http() { return m_http; }
    SessionHub &sessions() { return *m_sessions; }

    /// Opens the listening socket. Returns the port, or why it could not listen.
    Result<quint16> listen();

    /// Stops accepting and closes every WebSocket with "going away".
    void shutdown();

    bool tlsEnabled() const { return !m_options.tlsCertificateFile.isEmpty(); }

private:
    void acceptWebSockets();

    GatewayOptions m_options;
    QHttpServer m_http;
    SessionHub *m_sessions = nullptr;
};

} // namespace tidings::relay
