#pragma once

#include "gateway/transport.h"
#include "protocol/websocket_codec.h"

#include <QByteArray>
#include <QMutex>
#include <QObject>

#include <atomic>
#include <memory>
#include <vector>

namespace tidings::relay {

/// The I/O side of a WebSocketConnection (internal to the gateway): it lives on the
/// connection's I/O thread and does everything that touches the socket — reading frames
/// into messages, answering pings and the closing handshake, writing what the
/// connection queued.
class WebSocketWire : public QObject
{
    Q_OBJECT

public:
    /// What the connection (on the chat's thread) and the wire share.
    struct Shared
    {
        QMutex mutex;
        QByteArray outbox; ///< frames queued by the connection, not yet taken
        bool flushQueued = false; ///< a flushOutbox() call is on its way
        std::atomic<qint64> unsentInTransport{0};
        /// Bytes of received messages handed to the connection and not yet handled by it.
        /// Above kMaxUnhandledBytes the wire stops reading until the connection catches up.
        std::atomic<qint64> unhandledBytes{0};
        std::atomic<bool> paused{false};
        /// The largest message the connection takes now (see WebSocketConnection).
        std::atomic<qint64> maxMessageBytes{0};
        /// The wire while it lives; read and written on the wire's thread only.
        WebSocketWire *wire = nullptr;
    };
    static constexpr qint64 kMaxUnhandledBytes = 1024 * 1024;
    /// Weight of a message without a payload (a pong, a refused binary message).
    static constexpr qint64 kMessageOverhead = 64;

    WebSocketWire(std::shared_ptr<Shared> shared, qint64 maxMessageBytes);
    ~WebSocketWire() override;

    /// On the wire's thread: makes the transport, sends `response` (the 101), reads
    /// `received` (what came right behind the request) and from then on, the socket.
    void open(TransportSource source, const QByteArray &response, const QByteArray &received);
    /// Writes what the connection queued.
    void flushOutbox();
    /// Starts the closing handshake; the TCP connection ends when the peer answers, or
    /// after a few seconds.
    void close(quint16 code, const QByteArray &reason);
    void abort();
    void flush();
    /// The connection caught up with what was handed to it: read again.
    void resumeReading();

Q_SIGNALS:
    void textReceived(const QByteArray &utf8);
    void binaryReceived();
    void pong();
    /// Once, when the connection is gone.
    void disconnected();

private:
    void onReadable();
    /// Hands out the messages read so far; false once nothing more is to be read.
    bool readMessages();
    void onClosed();
    void sendClose(quint16 code, QByteArrayView reason);
    void write(const QByteArray &bytes);
    /// Counts `bytes` as handed over; false (and reading paused) when that is too much.
    bool handOver(qint64 bytes);

    const std::shared_ptr<Shared> m_shared;
    std::unique_ptr<Transport> m_transport;
    websocket::MessageReader m_reader;
    bool m_closeSent = false;
    bool m_gone = false;
    bool m_doneReading = false; ///< the closing handshake is over, or the peer broke the rules
    bool m_paused = false; ///< too much handed over and not yet handled
};

/// The wires of one I/O thread with frames waiting. The chat thread queues a connection's
/// shared state here when it gives it a first frame, and the I/O thread writes every queued
/// one in one turn: one posted call per batch, not one per connection (a message to a
/// group of 10,000 posted 10,000 calls, a tenth of the relay's time there; see
/// docs/benchmarks.md). Lives on its I/O thread.
class WireFlusher : public QObject
{
public:
    /// From any thread: `shared`'s wire writes its outbox soon, on this object's thread.
    void add(std::shared_ptr<WebSocketWire::Shared> shared);

private:
    void drain();

    QMutex m_mutex;
    std::vector<std::shared_ptr<WebSocketWire::Shared>> m_waiting;
    bool m_posted = false; ///< a drain() is on its way
};

} // namespace tidings::relay
