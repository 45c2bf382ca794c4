#pragma once

#include "core/local_queries.h"
#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/events.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace tidings::protocol::messages {
struct User;
}

namespace tidings::app {

class Connection;
class LocalStore;
class Outbox;

/// Keeps the LocalStore in step with the relay. After every sign-in it catches up
/// (conversations.list, then sync pages until nothing is missing); then it applies what
/// the relay pushes as it comes, fills any gap it sees with history, and acknowledges
/// delivery of what is stored. Everything is applied idempotently, so an entry that comes
/// twice (sync and live) is stored once.
class SyncEngine : public QObject
{
    Q_OBJECT

public:
    SyncEngine(Connection &connection, LocalStore &store, Outbox &outbox,
               QObject *parent = nullptr);
    ~SyncEngine() override;

    /// Catching up after a (re)connect. The catch-up brings a conversation's whole log (in
    /// pages), so history is always read from the LocalStore, offline too.
    bool isSyncing() const { return m_syncing; }

    /// Who types where (ephemeral): conversation → users typing now.
    QList<qint64> typing(qint64 conversation) const;
    /// The user is typing in `conversation` (call on every edit with true) or stopped
    /// (sent the message, cleared the text: false). Tells the relay at most once per
    /// kTypingRefreshMs while typing goes on (it shows it for 6 s), and one stop.
    void setOwnTyping(qint64 conversation, bool typing);
    static constexpr qint64 kTypingRefreshMs = 4000;
    /// Presence of contacts: online, and last seen (ms) when known.
    bool isOnline(qint64 user) const { return m_online.value(user, false); }
    /// Asks the relay which of `users` (protocol user objects) are online now; after that,
    /// `presence` events keep it current. Done by itself after sign-in and for new
    /// conversations.
    void queryPresence(const QJsonArray &users);
    void queryPresence(const QList<protocol::messages::User> &users);
    qint64 lastSeen(qint64 user) const { return m_lastSeen.value(user, 0); }
    /// Stores an entry the relay answered a request with (a group change made here): the
    /// relay pushes it to the other sessions, not to the one that asked.
    QFuture<void> applyAnswered(const QJsonObject &event);

Q_SIGNALS:
    /// A conversation's details, unread count or last message changed.
    void conversationsChanged();
    /// Entries of a conversation were stored or changed.
    void messagesChanged(qint64 conversation);
    void typingChanged(qint64 conversation);
    void presenceChanged(qint64 user);
    /// Nothing missing any more (after a catch-up).
    void caughtUp();

private:
    void onSignedIn();
    void onFrame(const QJsonObject &frame);
    /// One page of conversations.list (the first when `after` is empty); the next, or the
    /// sync, follows when it is stored.
    void listPage(std::optional<protocol::messages::ListPosition> after);
    void syncPage();
    /// Stores entries; the future finishes once they are committed and announced.
    QFuture<void> applyEvents(const QList<protocol::messages::LogEntry> &events, bool live);
    void notePresence(const protocol::messages::PresenceEvent &presence);
    void backfill(qint64 conversation);
    void fetchConversation(qint64 conversation);
    void acknowledge(const QHash<qint64, local::Seq> &delivered);
    void expireTyping();

    Connection &m_connection;
    LocalStore &m_store;
    Outbox &m_outbox;
    bool m_syncing = false;
    int m_generation = 0; ///< a reconnect abandons the catch-up of the one before
    QSet<qint64> m_backfilling;
    QSet<qint64> m_fetching;
    QHash<qint64, QHash<qint64, qint64>> m_typing; ///< conversation → user → expires at (ms)
    QHash<qint64, bool> m_online;
    QHash<qint64, qint64> m_lastSeen;
    /// Presence pushes counted, and the count at each user's latest: a presence.query
    /// reply is older than any push that came after it was asked.
    quint64 m_presencePushes = 0;
    QHash<qint64, quint64> m_presencePushedAt;
    QTimer m_typingTimer;
    QElapsedTimer m_clock;
    QHash<qint64, qint64> m_ownTypingSentAt; ///< conversation → when we last said "typing"
};

} // namespace tidings::app
