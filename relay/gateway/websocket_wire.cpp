#include "gateway/websocket_wire.h"

#include "gateway/gateway_logging.h"

#include <QTimer>

namespace tidings::relay {

namespace {

/// How long a peer has to answer our close frame before the connection is dropped.
constexpr int kCloseTimeoutMs = 5000;

} // namespace

using websocket::Opcode;

WebSocketWire::WebSocketWire(std::shared_ptr<Shared> shared, qint64 maxMessageBytes)
    : m_shared(std::move(shared)), m_reader(websocket::MessageReader::Role::Server, maxMessageBytes)
{ }

WebSocketWire::~WebSocketWire()
{
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
    for (int round = 0; round < 4 && !m_gone && !m_doneReading; ++round) {
        const qint64 read = m_transport->read(chunk, sizeof chunk);
        if (read <= 0)
            return; // nothing more now, or gone (closed() said so)
        m_reader.append(QByteArrayView(chunk, read));
        if (!readMessages())
            return;
    }
}

bool WebSocketWire::readMessages()
{
    while (auto message = m_reader.next()) {
        using Kind = websocket::MessageReader::Message::Kind;
        switch (message->kind) {
        case Kind::Text:
            if (!m_closeSent)
                Q_EMIT textReceived(message->payload);
            break;
        case Kind::Binary:
            if (!m_closeSent)
                Q_EMIT binaryReceived();
            break;
        case Kind::Ping:
            if (!m_closeSent)
                write(websocket::encodeFrame(Opcode::Pong, message->payload));
            break;
        case Kind::Pong:
            Q_EMIT pong();
            break;
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
}

void WebSocketWire::close(quint16 code, const QByteArray &reason)
{
    if (m_closeSent || m_gone || !m_transport)
        return;
    flushOutbox(); // what was said before the close goes first
    sendClose(code, reason);
    QTimer::singleShot(kCloseTimeoutMs, this, [this] {
        if (!m_gone)
            m_transport->abort();
    });
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

} // namespace tidings::relay
