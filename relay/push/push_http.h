#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

struct sockaddr;

namespace tidings::net {
class CurlLoop;
}

namespace tidings::relay {

/// Whether a push request may connect to `address`: public unicast only — not loopback,
/// private, shared, link-local, multicast, documentation or reserved, and an IPv6 address
/// that carries an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by that one.
bool isPublicAddress(const sockaddr *address);

/// One HTTP request to a push provider.
struct PushHttpRequest
{
    QByteArray url;
    QList<QByteArray> headers; ///< "Name: value"
    QByteArray body;
    /// Only HTTP/2 (APNs): with prior knowledge on plain http://. Over TLS every request
    /// offers HTTP/2 (ALPN) anyway.
    bool http2 = false;
    /// Connect only to public addresses: not loopback, private, link-local or the like
    /// (a URL a user gave must not reach into the relay's own network).
    bool publicOnly = false;
    int timeoutMs = 10000;
};

struct PushHttpResponse
{
    int status = 0; ///< 0: no HTTP answer (see error)
    bool timedOut = false;
    QString error; ///< the transport's error, when there was no answer
    QList<std::pair<QByteArray, QByteArray>> headers; ///< names in lower case
    QByteArray body; ///< the first 64 KiB
    qint64 elapsedMs = 0;

    QByteArray header(const QByteArray &lowerCaseName) const;
};

/// Push traffic off the event loop, on a CurlLoop (libcurl's multi interface on a thread of
/// its own), so many requests are in flight at once (HTTP/2 streams share a connection) and a
/// provider that hangs holds up only its own requests. Callbacks run on the thread of their
/// context; none is called once the context or this object is destroyed.
class PushHttp
{
public:
    /// At most `maxInFlight` requests run at once; more wait in a queue of that size again,
    /// beyond which send() fails at once with "queue full".
    explicit PushHttp(int maxInFlight);
    ~PushHttp();

    PushHttp(const PushHttp &) = delete;
    PushHttp &operator=(const PushHttp &) = delete;

    void send(PushHttpRequest request, QObject *context,
              std::function<void(const PushHttpResponse &)> done);

    /// Requests queued or running (any thread).
    int pending() const;

private:
    std::unique_ptr<net::CurlLoop> m_loop;
};

} // namespace tidings::relay
