#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>

namespace tidings::test {

/// A TCP client on the socket API itself, for requests the relay refuses and clients that
/// misbehave on purpose (floods, trickles). QTcpSocket cannot be that client: when one of
/// its writes meets the peer's reset it aborts, throwing away what it had read and not yet
/// handed over (the very answer under test), where the kernel keeps what arrived before a
/// reset readable. Every wait is bounded; nothing here sleeps.
class RawTcpClient
{
public:
    /// How the connection ended, as this client saw it.
    enum class End { Open, Closed, Reset };

    RawTcpClient() = default;
    RawTcpClient(const RawTcpClient &) = delete;
    RawTcpClient &operator=(const RawTcpClient &) = delete;
    ~RawTcpClient();

    /// Connects to 127.0.0.1:`port`, from `source` (an IPv4 loopback address) when given.
    bool connectTo(quint16 port, const QString &source = {});

    End end() const { return m_end; }

    /// Sends all of `bytes` as the relay takes them, reading nothing meanwhile (as a client
    /// busy sending does). False when the connection ended first.
    bool send(QByteArrayView bytes);

    /// Sends `bytes` `times` over as fast as the relay takes them, as a careful client sends
    /// a body: it reads before each write and stops sending as soon as an answer begins
    /// (RFC 9112, "Failures and Timeouts"); then reads until the relay ends the connection.
    /// Returns everything that came.
    QByteArray floodUntilAnswered(const QByteArray &bytes, int times);

    /// Sends `bytes` one byte at a time, one every `intervalMs`, taking in whatever comes
    /// meanwhile, until all are sent, the connection ends, or `timeoutMs` has passed.
    /// Returns how the connection stands then.
    End trickle(QByteArrayView bytes, int intervalMs, int timeoutMs);

    /// Reads until `enough` says so, the connection ends or `timeoutMs` has passed; returns
    /// what came and was not taken before.
    QByteArray readUntil(const std::function<bool(const QByteArray &)> &enough,
                         int timeoutMs = kWaitMs);

    /// Reads one whole response, its body as long as its head says, and leaves what follows.
    QByteArray readResponse();

    /// The length of the HTTP response at the start of `bytes`, head and body (as its
    /// Content-Length says); -1 while the head is incomplete.
    static qsizetype responseLength(const QByteArray &bytes);

private:
    static constexpr qsizetype kSlice = 64 * 1024;
    static constexpr int kWaitMs = 10000;

    /// The events among `events` (and POLLHUP, POLLERR) the socket has now, or after up to
    /// `timeoutMs`.
    short wait(short events, int timeoutMs = 100);
    /// Takes in what has arrived; notes how the connection ended, if it has.
    void receive();

    int m_descriptor = -1;
    QByteArray m_received;
    End m_end = End::Open;
};

} // namespace tidings::test
