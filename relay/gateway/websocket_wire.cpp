#include "gateway/websocket_wire.h"

#include "gateway/gateway_logging.h"

#include <QTimer>

namespace tidings::relay {

namespace {

/// How long a peer has to answer our close frame before the connection is dropped.
constexpr int kCloseTimeoutMs = 5000;
/// Pongs are not written while this much is unsent: a peer that pings and never reads
/// gets no more than this held for it (RFC 6455 lets a pong answer only the latest ping).
constexpr qint64 kMaxUnsentForPong = 64 * 1024;

} // namespace

using websocket::Opcode;

WebSocketWire::WebSocketWire(std::shared_ptr<Shared> shared, qint64 maxMessageBytes)
    : m_shared(std::move(shared)), m_reader(websocket::MessageReader::Role::Server, maxMessageBytes)
{
    m_shared->maxMessageBytes.store(maxMessageBytes, std::memory_order_relaxed);
    m_shared->wire = this;
}

WebSocketWire::~WebSocketWire()
{
    m_shared->wire = nullptr; // a flusher's queued entry finds no wire
    if (m_transport)
        m_transport->disconnect(this);
}

void WebSocketWire::open(TransportSource source, const QByteArray &response,
                         const QByteArray &received)
{
    m_transport = makeTransport(source);
    m_transport->publishUnsentTo(&m_shared->unsentInTransport);
    connect(m_transport.get(), &Transport::readable, this, &WebSocketWire::onReadable);
    connect(m_transport.get(), &Transport::closed, this, &WebSocketWire::onClosed);
    m_transport->write(response);
    m_reader.append(received);
    flushOutbox(); // what the connection said before this ran
    if (readMessages())
        onReadable();
}

void WebSocketWire::onReadable()
{
    char chunk[16 * 1024];
    // A bounded amount per wake-up, so one busy peer cannot starve the others (a socket
    // transport's read buffer holds no more than this: see SocketTransport).
    for (int round = 0; round < 4 && !m_gone && !m_paused; ++round) {
        const qint64 read = m_transport->read(chunk, sizeof chunk);
        if (read <= 0)
            return; // nothing more now, or gone (closed() said so)
        if (m_doneReading)
            continue; // the handshake is over: dropped until the peer's end (or the timer)
        m_reader.append(QByteArrayView(chunk, read));
        if (!readMessages())
            return;
    }
}

bool WebSocketWire::handOver(qint64 bytes)
{
    if (m_shared->unhandledBytes.fetch_add(bytes) + bytes < kMaxUnhandledBytes)
        return true;
    // Paused — unless the connection caught up meanwhile: whichever side clears the flag
    // first resumes, so a resume is never lost.
    m_shared->paused.store(true);
    if (m_shared->unhandledBytes.load() < kMaxUnhandledBytes / 2
        && m_shared->paused.exchange(false))
        return true;
    m_paused = true;
    m_transport->setReading(false);
    return false;
}

void WebSocketWire::resumeReading()
{
    if (!std::exchange(m_paused, false) || m_gone)
        return;
    m_transport->setReading(true);
    if (readMessages()) // what was read before the pause
        onReadable();
}

bool WebSocketWire::readMessages()
{
    m_reader.setMaxMessageBytes(m_shared->maxMessageBytes.load(std::memory_order_relaxed));
    while (auto message = m_reader.next()) {
        using Kind = websocket::MessageReader::Message::Kind;
        switch (message->kind) {
        case Kind::Text:
            if (!m_closeSent) {
                const bool more = handOver(message->payload.size() + kMessageOverhead);
                Q_EMIT textReceived(message->payload);
                if (!more)
                    return false;
            }
            break;
        case Kind::Binary:
            if (!m_closeSent) {
                const bool more = handOver(kMessageOverhead);
                Q_EMIT binaryReceived();
                if (!more)
                    return false;
            }
            break;
        case Kind::Ping:
            if (!m_closeSent && m_transport->bytesToWrite() < kMaxUnsentForPong)
                write(websocket::encodeFrame(Opcode::Pong, message->payload));
            break;
        case Kind::Pong: {
            const bool more = handOver(kMessageOverhead);
            Q_EMIT pong();
            if (!more)
                return false;
            break;
        }
        case Kind::Close:
            // Their close, or their answer to ours: either way the handshake is done,
            // and the server ends the TCP connection.
            if (!m_closeSent) {
                const quint16 code = message->closeCode == websocket::close::kNoStatus
                    ? websocket::close::kNormal
                    : message->closeCode;
                sendClose(code, {});
            }
            m_doneReading = true;
            m_transport->closeWhenWritten();
            return false;
        case Kind::Violation:
            qCDebug(lcGateway) << "closing a WebSocket:" << message->payload;
            if (!m_closeSent)
                sendClose(message->closeCode, message->payload);
            m_doneReading = true;
            m_transport->closeWhenWritten();
            return false;
        }
        if (m_gone)
            return false;
    }
    return !m_gone;
}

void WebSocketWire::write(const QByteArray &bytes)
{
    if (!m_gone && m_transport)
        m_transport->write(bytes);
}

void WebSocketWire::flushOutbox()
{
    QByteArray frames;
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->flushQueued = false;
        frames = std::exchange(m_shared->outbox, {});
    }
    if (!frames.isEmpty() && !m_closeSent && m_transport)
        write(frames);
}

void WebSocketWire::sendClose(quint16 code, QByteArrayView reason)
{
    write(websocket::encodeFrame(Opcode::Close, websocket::closePayload(code, reason)));
    m_closeSent = true;
    // Whoever began the closing handshake, it ends within this time.
    QTimer::singleShot(kCloseTimeoutMs, this, [this] {
        if (!m_gone)
            m_transport->abort();
    });
}

void WebSocketWire::close(quint16 code, const QByteArray &reason)
{
    if (m_closeSent || m_gone || !m_transport)
        return;
    flushOutbox(); // what was said before the close goes first
    sendClose(code, reason);
}

void WebSocketWire::abort()
{
    m_closeSent = true;
    if (m_transport)
        m_transport->abort();
}

void WebSocketWire::flush()
{
    flushOutbox();
    if (m_transport)
        m_transport->flush();
}

void WebSocketWire::onClosed()
{
    if (std::exchange(m_gone, true))
        return;
    m_closeSent = true;
    Q_EMIT disconnected();
}

void WireFlusher::add(std::shared_ptr<WebSocketWire::Shared> shared)
{
    bool post = false;
    {
        QMutexLocker lock(&m_mutex);
        m_waiting.push_back(std::move(shared));
        post = !std::exchange(m_posted, true);
    }
    if (post)
        QMetaObject::invokeMethod(this, &WireFlusher::drain, Qt::QueuedConnection);
}

void WireFlusher::drain()
{
    std::vector<std::shared_ptr<WebSocketWire::Shared>> waiting;
    {
        QMutexLocker lock(&m_mutex);
        waiting.swap(m_waiting);
        m_posted = false;
    }
    for (const auto &shared : waiting) {
        if (WebSocketWire *wire = shared->wire)
            wire->flushOutbox();
    }
}

} // namespace tidings::relay
