#pragma once

#include "core/connection.h"
#include "core/e2e_queries.h"
#include "core/local_queries.h"
#include "core/outbox.h"
#include "core/token_store.h"
#include "core/transfer_manager.h"

// The app's widgets use ChatClient's typed API and never its store or sync engine: app_ui
// is built with TIDINGS_APP_UI, and there LocalStore and SyncEngine stay declared but
// undefined, so store() and sync() do not compile. Everything else (the models, tests,
// tools) still gets their headers here, until each includes what it uses. The Connection
// stays defined (its Options and State are part of this API): tests/unit/
// layering_check.cmake is what keeps app/ui from calling connection().
#ifndef TIDINGS_APP_UI
#include "core/local_store.h"
#include "core/sync_engine.h"
#endif

#include <QFuture>
#include <QObject>
#include <QSet>

#include <memory>

namespace tidings::protocol::messages {
struct Report;
struct UpdateProfile;
} // namespace tidings::protocol::messages

namespace tidings::app {

class E2eEngine;
class LocalReader;
class LocalStore;
class SyncEngine;

/// The client core in one piece: a LocalStore, the Connection, the Outbox and the
/// SyncEngine, wired together. What the app's window, the tests and tools use.
class ChatClient : public QObject
{
    Q_OBJECT

public:
    /// Keeps its data in the SQLite file `databasePath` (one per account and server).
    explicit ChatClient(const QString &databasePath, Connection::Options options = {},
                        QObject *parent = nullptr);
    ~ChatClient() override;

    /// Opens the local store (on its thread). Cached conversations and messages can be
    /// shown as soon as this is done, before any network. With a TokenStore that keeps
    /// things (keychain or file), the account's store key is read from it first, or made
    /// and kept there: the store seals its secrets with it.
    QFuture<Result<int>> open();
    /// Connects to `server`, resuming the session of `token` if there is one.
    void start(const ServerAddress &server, const QString &token = {});
    /// Keeps this account's session token in `tokens` under `account`
    /// (TokenStore::accountKey): saved when the relay hands one out, forgotten on log out
    /// and when the relay ends the session. `tokens` must outlive this client.
    void setTokenStore(TokenStore *tokens, const QString &account);
    /// Loads the kept token and connects with it: resolves to whether there was one (if
    /// not, the connection ends up SignedOut and the user signs in). A keychain that fails
    /// or does not answer is an error; the client is then not started.
    QFuture<Result<bool>> resume(const ServerAddress &server);
    void stop();

    /// The parts, for the models, tests and tools; the app's widgets use the typed API
    /// below (and the Outbox and TransferManager, their typed actions).
    Connection &connection() { return m_connection; }
    LocalStore &store();
    /// The store, to read: what the models use.
    LocalReader reader();
    Outbox &outbox() { return m_outbox; }
    TransferManager &transfers() { return m_transfers; }
    SyncEngine &sync();
    /// End-to-end encryption: this device's keys, sealing, its inbox.
    E2eEngine &e2e() { return *m_e2e; }
    /// Whether this client encrypts what it sends (before start(); off by default).
    void setEndToEnd(bool on);
    /// What this device trusts of `user`: their safety number, verified or not, changed.
    QFuture<Result<local::e2e::Trust>> trust(qint64 user);
    /// Users whose safety number changed and who wait for acknowledgeKeyChange().
    QFuture<Result<QList<qint64>>> changedKeys();
    /// "I understand" for `user`'s new safety number: messages to them go again.
    QFuture<Result<void>> acknowledgeKeyChange(qint64 user);
    /// Marks `user`'s safety number verified (compared in person or scanned), or not.
    QFuture<Result<void>> setVerified(qint64 user, bool verified);
    qint64 userId() const { return m_connection.userId(); }

    QFuture<Result<protocol::messages::SignedIn>> registerAccount(const QString &username,
                                                                  const QString &password,
                                                                  const QString &displayName = {});
    QFuture<Result<protocol::messages::SignedIn>> logIn(const QString &username,
                                                        const QString &password);
    QFuture<Result<void>> logOut();

    /// A file to send, described by the app (type, picture size, thumbnail).
    struct OutgoingFile
    {
        QString path;
        QString type; ///< MIME type
        QString name; ///< default: the file's name
        qint64 size = 0;
        int width = 0; ///< pictures and videos
        int height = 0;
        qint64 durationMs = 0; ///< videos and audio
        QString thumbnail; ///< a small JPEG in base64, or empty
    };
    /// Sends `files` (with `text` as the caption) as one message: shown at once with the
    /// local files, uploaded in the background, and sent once every upload is complete.
    /// A refused upload fails the message. End to end (setEndToEnd()), each file is sealed
    /// before it goes up, and only the sealed message carries its key.
    QFuture<Result<local::Message>> sendFiles(qint64 conversation, const QString &text,
                                              const QList<OutgoingFile> &files);

    /// Opens (or makes) the direct conversation with `user`; stores it; returns its id.
    QFuture<Result<qint64>> openDirect(qint64 user);
    QFuture<Result<qint64>> createGroup(const QString &title, const QList<qint64> &members);
    /// A change to a group (a protocol::messages value: RenameGroup, AddMembers,
    /// RemoveMember, LeaveGroup, SetRole): asks the relay and stores the entry it answers
    /// with before the future finishes, so the change shows at once.
    template<class GroupChange> QFuture<Result<void>> changeGroup(const GroupChange &change)
    {
        return changeGroup(QString::fromLatin1(GroupChange::kType), change.encode());
    }

    /// Users whose name starts with `prefix` (the relay's users.search answer).
    QFuture<Result<QList<protocol::messages::User>>> searchUsers(const QString &prefix);
    /// Changes the signed-in user's profile; resolves to (and ownUser() has) the relay's
    /// answer.
    QFuture<Result<protocol::messages::User>>
    updateProfile(const protocol::messages::UpdateProfile &update);
    /// The signed-in user as the relay last described them ("own user", docs/protocol.md).
    const protocol::messages::User &ownUser() const { return m_connection.user(); }
    /// Reports a user or a message to the relay's admins; resolves to the report's id.
    QFuture<Result<qint64>> report(const protocol::messages::Report &report);
    Connection::State connectionState() const { return m_connection.state(); }
    /// Catching up with the relay after a (re)connect.
    bool isSyncing() const;

    /// The user is typing in `conversation` (on every edit: true) or stopped (sent, or
    /// cleared the text: false); the relay hears of it now and then, not on every key.
    void setOwnTyping(qint64 conversation, bool typing);
    /// Keeps `text` as the unsent draft of `conversation` (empty: none).
    QFuture<Result<void>> saveDraft(qint64 conversation, const QString &text);

    /// A conversation as kept here (title, members and their roles, this user's role) and
    /// everyone this account knows of, read together: what a group's info shows.
    struct ConversationDetails
    {
        local::Conversation conversation;
        QList<local::User> users;
    };
    QFuture<Result<ConversationDetails>> conversationDetails(qint64 conversation);
    /// Messages kept here that match `query` (full-text, every conversation), newest first,
    /// at most `limit`.
    QFuture<Result<QList<local::Message>>> searchMessages(const QString &query, int limit);

    /// Where the local store of `account` (TokenStore::accountKey) lives under `directory`:
    /// one file per account and server, so switching server never mixes their histories.
    static QString databasePathFor(const QString &directory, const QString &account);

    /// People this user has blocked: read from the relay at each sign-in, kept by
    /// setBlocked(). Empty until the first answer.
    bool isBlocked(qint64 user) const { return m_blocked.contains(user); }
    /// Blocks or unblocks `user` on the relay; blocksChanged() follows when it agreed.
    QFuture<Result<void>> setBlocked(qint64 user, bool blocked);

Q_SIGNALS:
    void blocksChanged();
    /// Sending to `users` waits: their safety numbers changed (see changedKeys()).
    void keysChanged(const QList<qint64> &users);
    /// Signed in (again): after every reconnect too.
    void signedIn();
    void connectionStateChanged(tidings::app::Connection::State state);
    /// Nothing missing any more (after a catch-up); isSyncing() is false.
    void caughtUp();
    /// Who is typing in `conversation` changed.
    void typingChanged(qint64 conversation);
    /// `user` came online, went offline, or their last-seen time changed.
    void presenceChanged(qint64 user);
    /// Keeping or forgetting the session token failed (e.g. the keychain is locked); the
    /// session goes on, but the user will have to sign in again next time.
    void tokenNotKept(const QString &reason);

private:
    QFuture<Result<void>> changeGroup(const QString &type, const QJsonObject &fields);
    /// open() once the store key (if any) is set.
    QFuture<Result<int>> openStore();
    void keepToken(const QString &token);
    QFuture<Result<qint64>> storeConversationReply(QFuture<Result<QJsonObject>> reply);

    // The store and the sync engine are held by pointer so that this header can leave
    // them undefined where the widgets are built.
    std::unique_ptr<LocalStore> m_store;
    Connection m_connection;
    Outbox m_outbox;
    std::unique_ptr<SyncEngine> m_sync;
    std::unique_ptr<E2eEngine> m_e2e;
    TransferManager m_transfers;
    ServerAddress m_server;
    TokenStore *m_tokens = nullptr;
    QString m_account;
    QSet<qint64> m_blocked;
};

} // namespace tidings::app
