#pragma once

#include "store/records.h"

#include "protocol/websocket_codec.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>
#include <optional>

namespace tidings::relay {

class WebSocketConnection;

/// Close codes the relay uses besides the standard ones (see docs/protocol.md).
namespace close_code {
using namespace websocket::close;
inline constexpr quint16 kSessionEnded = 4001;
inline constexpr quint16 kAccountDisabled = 4002;
inline constexpr quint16 kHandshakeTimeout = 4003;
inline constexpr quint16 kHeartbeatTimeout = 4004;
inline constexpr quint16 kSignInTimeout = 4005;
} // namespace close_code

/// One WebSocket connection and what the relay knows about it: where it is in the
/// handshake, whose it is, and when it was last heard from.
class Session : public QObject
{
    Q_OBJECT

public:
    enum class Stage { AwaitingHello, Anonymous, Authenticated };

    Session(std::unique_ptr<WebSocketConnection> socket, qint64 maxQueuedBytes,
            QObject *parent = nullptr);
    ~Session() override;

    WebSocketConnection &socket() { return *m_socket; }
    Stage stage() const { return m_stage; }
    /// Also sets the largest message the connection takes: kSignedOutMessageBytes until
    /// signed in.
    void setStage(Stage stage);
    static constexpr qint64 kSignedOutMessageBytes = 16 * 1024;
    /// Milliseconds since the connection reached its current stage.
    qint64 inStageForMs() const { return m_stageSince.elapsed(); }
    bool isAuthenticated() const { return m_stage == Stage::Authenticated; }

    const UserRecord &user() const { return m_user; }
    UserId userId() const { return m_user.id; }
    qint64 sessionId() const { return m_sessionId; }
    /// This connection's number, never reused while the relay runs (its address may be).
    quint64 connectionNumber() const { return m_connectionNumber; }
    void signIn(const UserRecord &user, qint64 sessionId);
    /// The signed-in user's record changed (display name, settings).
    void updateUser(const UserRecord &user) { m_user = user; }
    void signOut();
    /// The end-to-end device this session registered (0: none), once known: read at its
    /// first encrypted request, set by device.register and device.remove.
    std::optional<quint32> device() const { return m_device; }
    void setDevice(std::optional<quint32> device)
    {
        m_device = device;
        ++m_deviceChanges;
    }
    /// How often setDevice() was called: a read of the device begun before a change is stale.
    quint32 deviceChanges() const { return m_deviceChanges; }

    /// Sends one protocol frame (UTF-8 JSON). A peer that has more than the allowed bytes
    /// waiting (it does not read) is disconnected at once instead (no close frame could
    /// reach it): returns false then.
    bool send(QByteArrayView json);
    /// The same with a WebSocket frame already encoded (one encoding for many sessions).
    bool sendEncoded(const QByteArray &frame);
    void close(quint16 code, const QString &reason);
    bool isClosing() const { return m_closing; }

    /// Milliseconds since the peer last sent anything (a frame or a pong).
    qint64 silentForMs() const { return m_lastHeard.elapsed(); }
    qint64 connectedForMs() const { return m_connected.elapsed(); }
    void heard() { m_lastHeard.restart(); }

private:
    bool mayWrite();

    std::unique_ptr<WebSocketConnection> m_socket;
    const qint64 m_maxQueuedBytes;
    Stage m_stage = Stage::AwaitingHello;
    UserRecord m_user;
    qint64 m_sessionId = 0;
    std::optional<quint32> m_device;
    quint32 m_deviceChanges = 0;
    quint64 m_connectionNumber = 0;
    QElapsedTimer m_lastHeard;
    QElapsedTimer m_connected;
    QElapsedTimer m_stageSince;
    bool m_closing = false;
};

} // namespace tidings::relay
