#include "chat/session.h"

#include "chat/chat_logging.h"
#include "gateway/websocket_connection.h"

#include <atomic>
#include <limits>

namespace tidings::relay {

Session::Session(std::unique_ptr<WebSocketConnection> socket, qint64 maxQueuedBytes,
                 QObject *parent)
    : QObject(parent), m_socket(std::move(socket)), m_maxQueuedBytes(maxQueuedBytes)
{
    static std::atomic<quint64> connections{0};
    m_connectionNumber = ++connections;
    m_lastHeard.start();
    m_connected.start();
    setStage(Stage::AwaitingHello);
}

Session::~Session() = default;

void Session::setStage(Stage stage)
{
    m_stage = stage;
    m_stageSince.start();
    // What a peer who has not signed in can make the relay hold stays small.
    m_socket->limitMessages(stage == Stage::Authenticated ? std::numeric_limits<qint64>::max()
                                                          : kSignedOutMessageBytes);
}

void Session::signIn(const UserRecord &user, qint64 sessionId)
{
    m_user = user;
    m_sessionId = sessionId;
    m_device.reset();
    setStage(Stage::Authenticated);
}

void Session::signOut()
{
    m_user = UserRecord();
    m_sessionId = 0;
    m_device.reset();
    setStage(Stage::Anonymous);
}

bool Session::mayWrite()
{
    if (m_closing)
        return false;
    if (m_socket->bytesToWrite() > m_maxQueuedBytes) {
        qCInfo(lcChat) << "disconnecting a slow reader, user" << m_user.id << "with"
                       << m_socket->bytesToWrite() << "bytes unsent";
        // A close frame would queue behind what the peer does not read: drop the
        // connection at once, and the memory with it.
        m_closing = true;
        m_socket->abort();
        return false;
    }
    return true;
}

bool Session::send(QByteArrayView json)
{
    if (!mayWrite())
        return false;
    m_socket->sendText(json);
    return true;
}

bool Session::sendEncoded(const QByteArray &frame)
{
    if (!mayWrite())
        return false;
    m_socket->sendFrame(frame);
    return true;
}

void Session::close(quint16 code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_socket->close(code, reason);
}

} // namespace tidings::relay
