#pragma once

#include <QObject>
#include <QWebSocketProtocol>

#include <memory>
#include <unordered_map>

class QWebSocket;

namespace tidings::relay {

/// Owns the relay's live WebSocket connections: applies the size limits to each, reads
/// their frames, answers them, and closes them all on shutdown.
class SessionHub : public QObject
{
    Q_OBJECT

public:
    explicit SessionHub(qint64 maxMessageBytes, QObject *parent = nullptr);
    ~SessionHub() override;

    void adopt(std::unique_ptr<QWebSocket> socket);
    void closeAll(QWebSocketProtocol::CloseCode code, const QString &reason);
    int count() const { return static_cast<int>(m_sockets.size()); }

Q_SIGNALS:
    void countChanged(int count);

private:
    void onTextMessage(QWebSocket *socket, const QString &message);
    void onBinaryMessage(QWebSocket *socket);
    void drop(QWebSocket *socket);

    const qint64 m_maxMessageBytes;
    std::unordered_map<QWebSocket *, std::unique_ptr<QWebSocket>> m_sockets;
};

} // namespace tidings::relay
