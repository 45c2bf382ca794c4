#include "gateway/websocket_connection.h"

#include "gateway/gateway_logging.h"

#include <QTcpSocket>
#include <QTimer>

namespace tidings::relay {

namespace {

/// What the kernel hands over per read: a peer sending faster than the relay reads waits.
constexpr qint64 kReadBufferBytes = 64 * 1024;
/// How long a peer has to answer our close frame before the connection is dropped.
constexpr int kCloseTimeoutMs = 5000;

} // namespace

using websocket::Opcode;

WebSocketConnection::WebSocketConnection(QTcpSocket *socket, qint64 maxMessageBytes, QString origin,
                                         QObject *parent)
    : QObject(parent), m_socket(socket),
      m_reader(websocket::MessageReader::Role::Server, maxMessageBytes),
      m_peerAddress(socket->peerAddress()), m_origin(std::move(origin))
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kReadBufferBytes);
    connect(m_socket, &QTcpSocket::readyRead, this, &WebSocketConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &WebSocketConnection::onDisconnected);
}

WebSocketConnection::~WebSocketConnection()
{
    m_socket->disconnect(this);
}

void WebSocketConnection::start()
{
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        onDisconnected();
        return;
    }
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void WebSocketConnection::onReadyRead()
{
    while (!m_gone && m_socket->bytesAvailable() > 0) {
        m_reader.append(m_socket->read(kReadBufferBytes));
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
                m_socket->disconnectFromHost();
                return;
            case Kind::Violation:
                qCDebug(lcGateway)
                    << "closing a WebSocket from" << m_peerAddress << ":" << message->payload;
                if (!m_closeSent)
                    sendClose(message->closeCode, message->payload);
                m_socket->disconnectFromHost();
                return;
            }
            if (m_gone)
                return; // a handler dropped the connection
        }
    }
}

void WebSocketConnection::sendText(QByteArrayView utf8)
{
    if (!m_closeSent)
        m_socket->write(websocket::encodeFrame(Opcode::Text, utf8));
}

void WebSocketConnection::sendFrame(const QByteArray &frame)
{
    if (!m_closeSent && !m_gone)
        m_socket->write(frame);
}

void WebSocketConnection::ping()
{
    sendFrame(websocket::encodeFrame(Opcode::Ping, {}));
}

void WebSocketConnection::sendClose(quint16 code, QByteArrayView reason)
{
    if (m_gone)
        return;
    m_socket->write(websocket::encodeFrame(Opcode::Close, websocket::closePayload(code, reason)));
    m_closeSent = true;
}

void WebSocketConnection::close(quint16 code, const QString &reason)
{
    if (m_closeSent || m_gone)
        return;
    sendClose(code, reason.toUtf8());
    QTimer::singleShot(kCloseTimeoutMs, this, [this] {
        if (!m_gone)
            m_socket->abort();
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
    m_socket->abort();
}

void WebSocketConnection::flush()
{
    m_socket->flush();
}

qint64 WebSocketConnection::bytesToWrite() const
{
    return m_socket->bytesToWrite();
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
