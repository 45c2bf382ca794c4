#pragma once

#include "core/server_address.h"
#include "protocol/frame.h"
#include "protocol/messages/replies.h"
#include "util/result.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPromise>
#include <QTimer>
#include <QWebSocket>

#include <memory>
#include <optional>

namespace tidings::app {

/// The app's link to its relay (docs/protocol.md): one WebSocket, kept open. It says
/// hello, resumes the session with its token, matches replies to requests, pings, and
/// reconnects by itself — with jittered exponential backoff, and at once when the network
/// comes back — until stopped.
class Connection : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Offline, ///< not connected; retrying after a pause unless stopped
        Connecting, ///< opening the socket or saying hello
        SignedOut, ///< connected, but without a session: register or log in
        Connected, ///< connected and signed in
        Incompatible, ///< the relay speaks no protocol version we do; not retrying
    };
    Q_ENUM(State)

    struct Options
    {
        int minimumBackoffMs = 500;
        int maximumBackoffMs = 30000;
        int heartbeatMs = 20000; ///< ping when silent this long; give up after 2.5 times
        int requestTimeoutMs = 30000;
    };

    explicit Connection(QObject *parent = nullptr);
    Connection(Options options, QObject *parent = nullptr);
    ~Connection() override;

    /// Who we were last time (from the LocalStore), so the app knows itself offline.
    void setKnownUser(qint64 userId);
    /// Where to connect and with which session token (empty: none yet).
    void setServer(const ServerAddress &server);
    void setToken(const QString &token);
    QString token() const { return m_token; }

    /// Connects and stays connected until stop().
    void start();
    void stop();

    State state() const { return m_state; }
    /// The signed-in user as the relay describes them (with their own settings); only the
    /// id while offline with a known user; id 0 when signed out.
    const protocol::messages::User &user() const { return m_user; }
    /// Takes the signed-in user as the relay now describes it (after `profile.update`).
    void setUser(const protocol::messages::User &user);
    qint64 userId() const { return m_userId; }
    /// What the relay said in hello ("limits", "registration", …).
    QJsonObject welcome() const { return m_welcome.encode(); }
    const protocol::messages::Welcome &terms() const { return m_welcome; }

    /// Sends a request and returns its reply: the result object, or an Error with the
    /// relay's code — or Unavailable when not connected or the link drops before a reply.
    QFuture<Result<QJsonObject>> request(const QString &type, const QJsonObject &fields = {});
    /// Sends an event (a frame without id, e.g. typing); false when not connected.
    bool sendEvent(const QString &type, const QJsonObject &fields = {});

    /// Signs in: a `register`, `login` or `auth` request that, when it succeeds, makes this
    /// the connection's session (its token is kept for reconnects).
    QFuture<Result<protocol::messages::SignedIn>> signIn(const QString &type,
                                                         const QJsonObject &fields);
    /// Ends the session at the relay (logout) and forgets the token.
    QFuture<Result<void>> signOut();

    /// Reconnects now instead of waiting for the backoff (the network came back).
    void reconnectNow();

Q_SIGNALS:
    void stateChanged(tidings::app::Connection::State state);
    /// A frame the relay pushed: "event", "receipt", "typing", "presence", "resync".
    void eventReceived(const tidings::protocol::Frame &frame);
    /// Signed in (again): after every reconnect too.
    void signedIn(const tidings::protocol::messages::User &user);
    /// The session ended (revoked, password changed, account disabled, logged out): the
    /// token is gone; the user must sign in again.
    void sessionEnded(const QString &reason);
    /// A new token to keep (after register or login).
    void tokenChanged(const QString &token);

private:
    void setState(State state);
    void open();
    void onConnected();
    void onDisconnected();
    /// Tears the socket down (whatever state it is in) and schedules a reconnect. Safe to
    /// call more than once.
    void drop(const QString &why);
    void onText(const QString &text);
    void scheduleReconnect();
    void heartbeat();
    void failPending(const Error &error);
    QFuture<Result<QJsonObject>> send(const QString &type, const QJsonObject &fields);
    /// Takes the user (and token) of a register/login/auth result, decoded; an Error when
    /// it does not decode.
    Result<protocol::messages::SignedIn> takeSignedIn(const QJsonObject &result);
    void authenticate();

    Options m_options;
    std::unique_ptr<QWebSocket> m_socket;
    std::optional<ServerAddress> m_server;
    QString m_token;
    protocol::messages::User m_user;
    qint64 m_userId = 0;
    protocol::messages::Welcome m_welcome;
    State m_state = State::Offline;
    bool m_running = false;
    bool m_helloDone = false;
    int m_attempt = 0;
    quint64 m_nextId = 1;
    QHash<QString, std::shared_ptr<QPromise<Result<QJsonObject>>>> m_pending;
    QHash<QString, qint64> m_sentAt;
    QTimer m_retryTimer;
    QTimer m_heartbeatTimer;
    QElapsedTimer m_lastHeard;
};

} // namespace tidings::app
