#pragma once

#include "core/local_queries.h"
#include "core/presence_state.h"
#include "core/typing_state.h"
#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/events.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QSet>

namespace tidings::protocol {
struct Frame;
}

namespace tidings::protocol::messages {
struct User;
}

namespace tidings::app {

/// What one batch of the relay's news changed in one conversation: models re-read just
/// that (issue 18), not everything on every change.
struct ConversationChange
{
    qint64 conversation = 0;
    QList<local::Seq> entries; ///< seqs stored, or whose message changed (edit, reaction)
    bool members = false; ///< members, roles or the conversation's details changed
    bool receipts = false; ///< someone's delivered/read cursors moved
};

class Connection;
class LocalStore;
class Outbox;

/// Keeps the LocalStore in step with the relay (and routes the relay's typing and presence
/// events to TypingState and PresenceState). After every sign-in it catches up
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

    /// Who types where, and the user's own typing (TypingState): what the relay's `typing`
    /// events say, kept here.
    TypingState &typingState() { return m_typingState; }
    QList<qint64> typing(qint64 conversation) const { return m_typingState.typing(conversation); }
    void setOwnTyping(qint64 conversation, bool typing)
    {
        m_typingState.setOwn(conversation, typing);
    }
    static constexpr qint64 kTypingRefreshMs = TypingState::kRefreshMs;
    /// Presence of contacts (PresenceState): asked after sign-in and for new conversations,
    /// then kept current by the relay's `presence` events.
    PresenceState &presence() { return m_presence; }
    bool isOnline(qint64 user) const { return m_presence.isOnline(user); }
    qint64 lastSeen(qint64 user) const { return m_presence.lastSeen(user); }
    /// Stores an entry the relay answered a request with (a group change made here): the
    /// relay pushes it to the other sessions, not to the one that asked.
    QFuture<void> applyAnswered(const protocol::messages::LogEntry &event)
    {
        return applyEvents({event}, true);
    }

Q_SIGNALS:
    /// The relay's list of conversations was stored: some may have come or gone. (What
    /// changes in one conversation comes as conversationChanged.)
    void conversationsChanged();
    /// Entries of a conversation were stored or changed.
    void messagesChanged(qint64 conversation);
    /// Something in a conversation changed, and what: entries (emitted with
    /// messagesChanged), its members or details, its receipts. A conversation new here
    /// comes this way too.
    void conversationChanged(const tidings::app::ConversationChange &change);
    void typingChanged(qint64 conversation);
    void presenceChanged(qint64 user);
    /// Nothing missing any more (after a catch-up).
    void caughtUp();

private:
    void onSignedIn();
    void onFrame(const protocol::Frame &frame);
    /// One page of conversations.list (the first when `after` is empty); the next, or the
    /// sync, follows when it is stored.
    void listPage(std::optional<protocol::messages::ListPosition> after);
    void syncPage();
    /// Stores entries; the future finishes once they are committed and announced.
    QFuture<void> applyEvents(const QList<protocol::messages::LogEntry> &events, bool live);
    void backfill(qint64 conversation);
    void fetchConversation(qint64 conversation);
    void acknowledge(const QHash<qint64, local::Seq> &delivered);

    Connection &m_connection;
    LocalStore &m_store;
    Outbox &m_outbox;
    bool m_syncing = false;
    int m_generation = 0; ///< a reconnect abandons the catch-up of the one before
    QSet<qint64> m_backfilling;
    QSet<qint64> m_fetching;
    TypingState m_typingState;
    PresenceState m_presence;
};

} // namespace tidings::app
