#include "chat/session.h"

#include "chat/chat_logging.h"

#include <QWebSocket>

namespace tidings::relay {

Session::Session(std::unique_ptr<QWebSocket> socket, qint64 maxQueuedBytes, QObject *parent)
    : QObject(parent), m_socket(std::move(socket)), m_maxQueuedBytes(maxQueuedBytes)
{
    m_lastHeard.start();
    m_connected.start();
}

Session::~Session() = default;

void Session::signIn(const UserRecord &user, qint64 sessionId)
{
    m_user = user;
    m_sessionId = sessionId;
    m_stage = Stage::Authenticated;
}

void Session::signOut()
{
    m_user = UserRecord();
    m_sessionId = 0;
    m_stage = Stage::Anonymous;
}

bool Session::send(const QString &frame)
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
    m_socket->sendTextMessage(frame);
    return true;
}

void Session::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_socket->close(code, reason);
}

} // namespace tidings::relay
