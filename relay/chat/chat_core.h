#pragma once

#include "chat/chat_options.h"
#include "chat/handlers/handlers.h"
#include "store/records.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>
#include <unordered_map>

namespace tidings::relay {

class ClusterLink;
class MemberCache;
class PasswordHasher;
class Presence;
class PushService;
class KnownAddresses;
class RateLimiter;
class Session;
class Store;
class TypingTracker;
class WebSocketConnection;

/// The small core the chat features plug into: it owns the live sessions, reads their
/// frames, checks where each may go and hands it to the handler of its type; it knows which
/// sessions belong to which user, and sends frames to them. Handlers do the rest.
class ChatCore : public QObject
{
    Q_OBJECT

public:
    ChatCore(Store &store, ChatOptions options, QObject *parent = nullptr);
    ~ChatCore() override;

    /// Takes a new WebSocket connection (already upgraded) into a session.
    void adopt(std::unique_ptr<WebSocketConnection> socket);
    /// Closes every session (shutdown).
    void closeAll(quint16 code, const QString &reason);

    int sessionCount() const { return static_cast<int>(m_sessions.size()); }
    int onlineUserCount() const { return static_cast<int>(m_byUser.size()); }
    /// Users with at least one live session on this node.
    QList<UserId> onlineUsers() const { return m_byUser.keys(); }

    Store &store() { return m_store; }
    const ChatOptions &options() const { return m_options; }
    PasswordHasher &passwordHasher() { return *m_passwordHasher; }
    RateLimiter &rateLimiter() { return *m_rateLimiter; }
    KnownAddresses &knownAddresses() { return *m_knownAddresses; }
    MemberCache &memberCache() { return *m_memberCache; }
    TypingTracker &typing() { return *m_typing; }
    Presence &presence() { return *m_presence; }
    /// Push notifications for users with no live session; nullptr: this relay sends none.
    PushService *push() const { return m_push; }
    void setPush(PushService *push) { m_push = push; }
    /// The frame types this relay accepts (for the spec check and "unsupported" errors).
    QStringList frameTypes() const { return m_handlers.keys(); }

    /// The other nodes of a cluster (nullptr: this node is alone).
    void setClusterLink(ClusterLink *link) { m_cluster = link; }
    ClusterLink *clusterLink() const { return m_cluster; }

    /// Registers `session` as the live connection of store session `sessionId` of `user`.
    void signIn(Session &session, const UserRecord &user, qint64 sessionId);
    void signOut(Session &session);
    /// Closes the live connections of these store sessions (ended elsewhere), on every node.
    void endSessions(const QList<qint64> &sessionIds, quint16 code, const QString &reason);
    /// endSessions() for this node's connections only (another node asked).
    void endLocalSessions(const QList<qint64> &sessionIds, quint16 code, const QString &reason);

    QList<Session *> sessionsOf(UserId user) const { return m_byUser.value(user); }
    /// Sends one protocol frame (UTF-8 JSON) to every live session of `users`, except
    /// `except`; it is framed for the WebSocket once.
    void sendToUsers(const QList<UserId> &users, QByteArrayView json,
                     const Session *except = nullptr);
    /// sendToUsers() for this node's sessions only (a frame from another node).
    void sendToLocalUsers(const QList<UserId> &users, QByteArrayView json,
                          const Session *except = nullptr);
    /// Sends one protocol frame to the live connection of store session `sessionId`, on
    /// whichever node it is (none: dropped; what it carries waits in the store).
    void sendToSession(qint64 sessionId, QByteArrayView json);
    /// sendToSession() for this node's connections only (a frame from another node).
    void sendToLocalSession(qint64 sessionId, QByteArrayView json);
    /// Tells every live session to sync: this node may have missed what other nodes sent
    /// (the cluster bus was down). Sends the `resync` event (docs/protocol.md).
    void askEveryoneToResync();

Q_SIGNALS:
    void sessionCountChanged(int count);
    /// A user's first session signed in / last session went away.
    void userCameOnline(tidings::relay::UserId user);
    void userWentOffline(tidings::relay::UserId user);
    /// `blocker` blocked (or unblocked) `blocked`: presence between them changes.
    void blockChanged(tidings::relay::UserId blocker, tidings::relay::UserId blocked,
                      bool blocking);

private:
    void onTextMessage(Session *session, const QByteArray &text);
    void onDisconnected(Session *session);
    void forget(Session *session);
    void heartbeat();
    void revalidateSessions();
    /// Marks the live sessions used and deletes those unused past `sessionIdle`.
    void keepSessions();
    /// Writes down that the sessions in m_sessionsUsed were used until now.
    void writeSessionsUsed();

    Store &m_store;
    const ChatOptions m_options;
    std::unique_ptr<PasswordHasher> m_passwordHasher;
    std::unique_ptr<RateLimiter> m_rateLimiter;
    std::unique_ptr<KnownAddresses> m_knownAddresses;
    std::unique_ptr<MemberCache> m_memberCache;
    std::unique_ptr<TypingTracker> m_typing;
    std::unique_ptr<Presence> m_presence;
    PushService *m_push = nullptr;
    ClusterLink *m_cluster = nullptr;
    HandlerTable m_handlers;
    std::unordered_map<Session *, std::unique_ptr<Session>> m_sessions;
    QHash<qint64, Session *> m_bySessionId;
    QHash<UserId, QList<Session *>> m_byUser;
    QTimer m_heartbeatTimer;
    int m_heartbeatTicks = 0;
    QTimer m_sessionUpkeep;
    QList<qint64> m_sessionsUsed; ///< connections that ended since the last write
    bool m_writingSessionsUsed = false;
};

} // namespace tidings::relay
