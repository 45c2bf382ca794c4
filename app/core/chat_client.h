#pragma once

#include "core/connection.h"
#include "core/local_queries.h"
#include "core/local_store.h"
#include "core/outbox.h"
#include "core/sync_engine.h"
#include "core/token_store.h"
#include "core/transfer_manager.h"

#include <QObject>
#include <QSet>

namespace tidings::protocol::messages {
struct Report;
struct UpdateProfile;
} // namespace tidings::protocol::messages

namespace tidings::app {

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
    /// shown as soon as this is done, before any network.
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

    Connection &connection() { return m_connection; }
    LocalStore &store() { return m_store; }
    Outbox &outbox() { return m_outbox; }
    TransferManager &transfers() { return m_transfers; }
    SyncEngine &sync() { return m_sync; }
    qint64 userId() const { return m_connection.userId(); }

    QFuture<Result<QJsonObject>> registerAccount(const QString &username, const QString &password,
                                                 const QString &displayName = {});
    QFuture<Result<QJsonObject>> logIn(const QString &username, const QString &password);
    QFuture<Result<QJsonObject>> logOut();

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
    /// A refused upload fails the message.
    QFuture<Result<local::Message>> sendFiles(qint64 conversation, const QString &text,
                                              const QList<OutgoingFile> &files);

    /// Opens (or makes) the direct conversation with `user`; stores it; returns its id.
    QFuture<Result<qint64>> openDirect(qint64 user);
    QFuture<Result<qint64>> createGroup(const QString &title, const QList<qint64> &members);
    /// A change to a group (a protocol::messages value: RenameGroup, AddMembers,
    /// RemoveMember, LeaveGroup, SetRole): asks the relay and stores the entry it answers
    /// with before the future finishes, so the change shows at once.
    template<class GroupChange> QFuture<Result<QJsonObject>> changeGroup(const GroupChange &change)
    {
        return changeGroup(QString::fromLatin1(GroupChange::kType), change.encode());
    }

    /// Users whose name starts with `prefix` (the relay's users.search answer).
    QFuture<Result<QJsonObject>> searchUsers(const QString &prefix);
    /// Changes the signed-in user's profile; ownUser() has the relay's answer once done.
    QFuture<Result<QJsonObject>> updateProfile(const protocol::messages::UpdateProfile &update);
    /// The signed-in user as the relay last described them ("own user", docs/protocol.md).
    QJsonObject ownUser() const { return m_connection.user(); }
    /// Reports a user or a message to the relay's admins; the answer names the report.
    QFuture<Result<QJsonObject>> report(const protocol::messages::Report &report);
    Connection::State connectionState() const { return m_connection.state(); }

    /// Where the local store of `account` (TokenStore::accountKey) lives under `directory`:
    /// one file per account and server, so switching server never mixes their histories.
    static QString databasePathFor(const QString &directory, const QString &account);

    /// People this user has blocked: read from the relay at each sign-in, kept by
    /// setBlocked(). Empty until the first answer.
    bool isBlocked(qint64 user) const { return m_blocked.contains(user); }
    /// Blocks or unblocks `user` on the relay; blocksChanged() follows when it agreed.
    QFuture<Result<QJsonObject>> setBlocked(qint64 user, bool blocked);

Q_SIGNALS:
    void blocksChanged();
    /// Keeping or forgetting the session token failed (e.g. the keychain is locked); the
    /// session goes on, but the user will have to sign in again next time.
    void tokenNotKept(const QString &reason);

private:
    QFuture<Result<QJsonObject>> changeGroup(const QString &type, const QJsonObject &fields);
    void keepToken(const QString &token);
    QFuture<Result<qint64>> storeConversationReply(QFuture<Result<QJsonObject>> reply);

    LocalStore m_store;
    Connection m_connection;
    Outbox m_outbox;
    SyncEngine m_sync;
    TransferManager m_transfers;
    ServerAddress m_server;
    TokenStore *m_tokens = nullptr;
    QString m_account;
    QSet<qint64> m_blocked;
};

} // namespace tidings::app
