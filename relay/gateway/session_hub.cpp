#include "gateway/session_hub.h"

#include "gateway/gateway_logging.h"
#include "protocol/frame.h"

#include <QWebSocket>

namespace tidings::relay {

using namespace Qt::StringLiterals;

SessionHub::SessionHub(qint64 maxMessageBytes, QObject *parent)
    : QObject(parent), m_maxMessageBytes(maxMessageBytes)
{ }

SessionHub::~SessionHub()
{
    closeAll(QWebSocketProtocol::CloseCodeGoingAway, u"relay shutting down"_s);
}

void SessionHub::adopt(std::unique_ptr<QWebSocket> socket)
{
    // Qt's defaults allow ~2 GiB per frame and message: never rely on them.
    socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(m_maxMessageBytes));
    socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(m_maxMessageBytes));

    QWebSocket *raw = socket.get();
    connect(raw, &QWebSocket::textMessageReceived, this,
            [this, raw](const QString &message) { onTextMessage(raw, message); });
    connect(raw, &QWebSocket::binaryMessageReceived, this, [this, raw] { onBinaryMessage(raw); });
    connect(raw, &QWebSocket::disconnected, this, [this, raw] { drop(raw); });

    qCDebug(lcGateway) << "session from" << raw->peerAddress().toString() << raw->peerPort();
    m_sockets.emplace(raw, std::move(socket));
    Q_EMIT countChanged(count());
}

void SessionHub::closeAll(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    auto sockets = std::move(m_sockets);
    m_sockets.clear();
    for (auto &[raw, socket] : sockets) {
        raw->disconnect(this);
        socket->close(code, reason);
        // Flush the close frame before the socket object goes away.
        socket->flush();
    }
    if (!sockets.empty())
        Q_EMIT countChanged(0);
}

void SessionHub::onTextMessage(QWebSocket *socket, const QString &message)
{
    const QByteArray bytes = message.toUtf8();
    auto frame = protocol::decodeFrame(bytes, m_maxMessageBytes);
    Error error;
    QString requestId;
    if (!frame) {
        error = frame.error();
    } else {
        requestId = frame->id;
        error = Error{ErrorCode::Unsupported,
                      u"frame type '%1' is not supported by this relay"_s.arg(frame->type)};
    }
    socket->sendTextMessage(
        QString::fromUtf8(protocol::encodeFrame(protocol::errorFrame(requestId, error))));
}

void SessionHub::onBinaryMessage(QWebSocket *socket)
{
    const Error error{ErrorCode::BadRequest, u"binary messages are not part of the protocol"_s};
    socket->sendTextMessage(
        QString::fromUtf8(protocol::encodeFrame(protocol::errorFrame({}, error))));
}

void SessionHub::drop(QWebSocket *socket)
{
    auto it = m_sockets.find(socket);
    if (it == m_sockets.end())
        return;
    // Deleting a socket inside its own signal is unsafe: hand it to the event loop.
    it->second.release()->deleteLater();
    m_sockets.erase(it);
    Q_EMIT countChanged(count());
}

} // namespace tidings::relay
