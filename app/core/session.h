#pragma once

#include "core/connection.h"
#include "core/token_store.h"

#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

class QNetworkAccessManager;
class QSettings;

namespace tidings::app {

class ChatClient;
class RelayProbe;

/// The signed-in account of the app: which server and user, their ChatClient and where the
/// session token lives. Signs in and out, and at start reopens the last account from its
/// cache and resumes its session, so the window shows history before any network.
/// No widgets: the window asks the user and shows what this says.
class Session : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        /// Where the per-account local stores live.
        QString dataDirectory;
        /// Where the session token lives; unset: the "security/tokenStorage" setting, else
        /// the OS keychain.
        std::optional<TokenStore::Backend> tokenBackend;
        TokenStore::Options tokens;
        Connection::Options connection;
    };
    enum class Mode { LogIn, Register };

    Session(QSettings &settings, QNetworkAccessManager *network, Options options,
            QObject *parent = nullptr);
    ~Session() override;

    /// The open account's client; null when signed out.
    ChatClient *client() const { return m_client.get(); }
    /// The server and username signed in last (to fill the sign-in form).
    QString lastServer() const;
    QString lastUsername() const;

    /// Reopens the account signed in last: emits signedIn() once its cache is open and a
    /// session token was found, else signedOut(). Connecting goes on in the background.
    void restore();
    /// Checks the server, connects and logs in (or registers). Emits signedIn() or
    /// signInFailed() with a sentence for the user. A new call abandons the one before.
    void signIn(const QString &server, const QString &username, const QString &password, Mode mode,
                const QString &displayName = {});
    /// Abandons a sign-in in progress.
    void cancelSignIn();
    /// Ends the session at the relay (if it can be reached), forgets the token, closes the
    /// account. Emits signedOut() with an empty reason.
    void signOut();
    /// Where tokens live from now on (the user chose it); keeps the current token there.
    void setTokenBackend(TokenStore::Backend backend);

Q_SIGNALS:
    void signedIn();
    /// Back to the sign-in form: the session ended (`reason` says why; empty when the user
    /// signed out or there was no session to resume).
    void signedOut(const QString &reason);
    void signInFailed(const QString &message);
    /// The open account's client is about to be destroyed: let go of it.
    void clientClosing();
    /// The OS keychain did not answer or refused: the user should choose where the token
    /// may live (TokenStorageChoice), then call setTokenBackend().
    void keychainUnavailable(const QString &reason, const QString &plainFilePath);

private:
    void openClient(const QString &account);
    /// Lets go of the client (deleted later); returns it, or null when there was none.
    ChatClient *closeClient();
    void fail(const QString &message);
    void finishSignIn(const QString &server, const QString &username);
    void watchClient();
    static QString describe(const Error &error, Mode mode);

    QSettings &m_settings;
    QNetworkAccessManager *m_network;
    Options m_options;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<ChatClient> m_client;
    QString m_account;
    bool m_createdStore = false; ///< the open account's store file was made by this sign-in
    /// Lives as long as one sign-in attempt: its continuations die with it.
    QPointer<QObject> m_attempt;
    bool m_askedForKeychain = false;
};

} // namespace tidings::app
