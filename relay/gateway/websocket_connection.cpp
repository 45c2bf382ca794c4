#include "gateway/websocket_connection.h"

#include "gateway/gateway_logging.h"

#include "gateway/transport.h"

#include <QTimer>

namespace tidings::relay {

namespace {

/// How long a peer has to answer our close frame before the connection is dropped.
constexpr int kCloseTimeoutMs = 5000;

} // namespace

using websocket::Opcode;

WebSocketConnection::WebSocketConnection(std::unique_ptr<Transport> transport,
                                         QHostAddress peerAddress, qint64 maxMessageBytes,
                                         QString origin, QByteArray received, QObject *parent)
    : QObject(parent), m_transport(transport.release()),
      m_reader(websocket::MessageReader::Role::Server, maxMessageBytes),
      m_peerAddress(std::move(peerAddress)), m_origin(std::move(origin))
{
    m_transport->setParent(this);
    m_reader.append(received);
    connect(m_transport, &Transport::readable, this, &WebSocketConnection::onReadyRead);
    connect(m_transport, &Transport::closed, this, &WebSocketConnection::onDisconnected);
}

WebSocketConnection::~WebSocketConnection()
{
    m_transport->disconnect(this);
}

void WebSocketConnection::start()
{
    if (readMessages())
        onReadyRead();
}

void WebSocketConnection::onReadyRead()
{
    char chunk[16 * 1024];
    // A bounded amount per wake-up, so one busy peer cannot starve the others.
    for (int round = 0; round < 4 && !m_gone && !m_doneReading; ++round) {
        const qint64 read = m_transport->read(chunk, sizeof chunk);
        if (read <= 0)
            return; // nothing more now, or gone (closed() said so)
        m_reader.append(QByteArrayView(chunk, read));
        if (!readMessages())
            return;
    }
}

bool WebSocketConnection::readMessages()
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
                sendFrame(websocket::encodeFrame(Opcode::Pong, message->payload));
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
            qCDebug(lcGateway) << "closing a WebSocket from" << m_peerAddress << ":"
                               << message->payload;
            if (!m_closeSent)
                sendClose(message->closeCode, message->payload);
            m_doneReading = true;
            m_transport->closeWhenWritten();
            return false;
        }
        if (m_gone)
            return false; // a handler dropped the connection
    }
    return !m_gone;
}

void WebSocketConnection::sendText(QByteArrayView utf8)
{
    if (!m_closeSent)
        m_transport->write(websocket::encodeFrame(Opcode::Text, utf8));
}

void WebSocketConnection::sendFrame(const QByteArray &frame)
{
    if (!m_closeSent && !m_gone)
        m_transport->write(frame);
}

void WebSocketConnection::ping()
{
    sendFrame(websocket::encodeFrame(Opcode::Ping, {}));
}

void WebSocketConnection::sendClose(quint16 code, QByteArrayView reason)
{
    if (m_gone)
        return;
    m_transport->write(
        websocket::encodeFrame(Opcode::Close, websocket::closePayload(code, reason)));
    m_closeSent = true;
}

void WebSocketConnection::close(quint16 code, const QString &reason)
{
    if (m_closeSent || m_gone)
        return;
    sendClose(code, reason.toUtf8());
    QTimer::singleShot(kCloseTimeoutMs, this, [this] {
        if (!m_gone)
            m_transport->abort();
    });
}

void WebSocketConnection::closeAndDelete(quint16 code, const QString &reason)
{
    if (m_gone) {
        deleteLater();
        return;
    }
    connect(this, &WebSocketConnection::disconnected, this, &QObject::deleteLater);
    close(code, reason);
}

void WebSocketConnection::abort()
{
    m_closeSent = true;
    m_transport->abort();
}

void WebSocketConnection::flush()
{
    m_transport->flush();
}

qint64 WebSocketConnection::bytesToWrite() const
{
    return m_transport->bytesToWrite();
}

void WebSocketConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_closeSent = true;
    Q_EMIT disconnected();
}

} // namespace tidings::relay
