#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>

#include <functional>
#include <memory>

class QTcpServer;
class QTcpSocket;

namespace tidings::test {

/// One request a ProviderServer received.
struct ReceivedRequest
{
    QByteArray method;
    QByteArray path; ///< with the query
    QList<std::pair<QByteArray, QByteArray>> headers; ///< names in lower case
    QByteArray body;
    qint64 atMs = 0; ///< when it was complete
    bool http2 = false;

    QByteArray header(const QByteArray &lowerCaseName) const;
};

/// What the server answers; `hang` never answers (the connection stays open).
struct StandInReply
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool hang = false;
};

/// A real local HTTP server standing in for a push provider (FCM, APNs, ntfy, a webhook
/// receiver) in tests: HTTP/1.1 with keep-alive, or HTTP/2 with prior knowledge (as APNs
/// speaks it, minus TLS). It records every request and answers with what the test's
/// responder says.
class ProviderServer : public QObject
{
    Q_OBJECT

public:
    enum class Protocol { Http1, Http2 };
    explicit ProviderServer(Protocol protocol = Protocol::Http1, QObject *parent = nullptr);
    ~ProviderServer() override;

    /// Whether this build can serve HTTP/2 (it needs libnghttp2).
    static bool http2Available();

    /// Listens on 127.0.0.1 on a free port.
    bool listen();
    quint16 port() const;
    /// "http://127.0.0.1:<port>" + path
    QByteArray url(const QByteArray &path = {}) const;

    /// Answers every request with `responder(request)`; by default 200 with "{}".
    void setResponder(std::function<StandInReply(const ReceivedRequest &)> responder);
    QList<ReceivedRequest> received() const { return m_received; }
    void clearReceived() { m_received.clear(); }
    /// Waits until at least `count` requests have arrived.
    bool waitForRequests(qsizetype count, int timeoutMs = 30000);
    /// Closes every connection (hanging ones too).
    void dropConnections();

Q_SIGNALS:
    void requestReceived();

private:
    class Connection;
    class Http1Connection;
    class Http2Connection;
    void complete(ReceivedRequest request, std::function<void(const StandInReply &)> answer);

    Protocol m_protocol;
    QTcpServer *m_server = nullptr;
    std::function<StandInReply(const ReceivedRequest &)> m_responder;
    QList<ReceivedRequest> m_received;
};

} // namespace tidings::test
