#include "core/session.h"

#include "core/chat_client.h"
#include "core/local_store.h"
#include "core/relay_probe.h"
#include "core/server_address.h"
#include "protocol/messages/replies.h"
#include "util/futures.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTimer>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

const QString kServerKey = u"account/server"_s;
const QString kUsernameKey = u"account/username"_s;
const QString kSignedInKey = u"account/signedIn"_s;
const QString kTokenStorageKey = u"security/tokenStorage"_s;

/// How long a sign-in may take from probe to reply before the user is told.
constexpr int kSignInTimeoutMs = 30000;

QString backendName(TokenStore::Backend backend)
{
    switch (backend) {
    case TokenStore::Backend::Keychain:
        return u"keychain"_s;
    case TokenStore::Backend::PlainFile:
        return u"file"_s;
    case TokenStore::Backend::Memory:
        return u"memory"_s;
    }
    return {};
}

std::optional<TokenStore::Backend> backendFromName(const QString &name)
{
    if (name == u"keychain")
        return TokenStore::Backend::Keychain;
    if (name == u"file")
        return TokenStore::Backend::PlainFile;
    if (name == u"memory")
        return TokenStore::Backend::Memory;
    return std::nullopt;
}

} // namespace

Session::Session(QSettings &settings, QNetworkAccessManager *network, Options options,
                 QObject *parent)
    : QObject(parent), m_settings(settings), m_network(network), m_options(std::move(options))
{
    if (m_options.tokens.directory.isEmpty())
        m_options.tokens.directory = m_options.dataDirectory;
    const TokenStore::Backend backend = m_options.tokenBackend.value_or(
        backendFromName(m_settings.value(kTokenStorageKey).toString())
            .value_or(TokenStore::Backend::Keychain));
    m_tokens = std::make_unique<TokenStore>(backend, m_options.tokens);
}

Session::~Session()
{
    delete m_attempt;
    closeClient();
    // Clients still signing out go before the token store they were told about.
    qDeleteAll(findChildren<ChatClient *>(Qt::FindDirectChildrenOnly));
}

QString Session::lastServer() const
{
    return m_settings.value(kServerKey).toString();
}

QString Session::lastUsername() const
{
    return m_settings.value(kUsernameKey).toString();
}

void Session::openClient(const QString &account)
{
    if (m_client && m_account == account)
        return;
    closeClient();
    QDir().mkpath(m_options.dataDirectory);
    const QString path = ChatClient::databasePathFor(m_options.dataDirectory, account);
    m_createdStore = !QFile::exists(path);
    m_client = std::make_unique<ChatClient>(path, m_options.connection);
    // Chosen in Settings → Privacy; the engine sets the device up at the first sign-in.
    m_client->setEndToEnd(m_settings.value(u"privacy/endToEnd"_s, false).toBool());
    m_account = account;
    m_client->setTokenStore(m_tokens.get(), account);
    connect(m_client.get(), &ChatClient::tokenNotKept, this, [this](const QString &reason) {
        if (m_tokens->backend() == TokenStore::Backend::Keychain && !m_askedForKeychain) {
            m_askedForKeychain = true;
            Q_EMIT keychainUnavailable(reason, m_tokens->plainFilePath());
        }
    });
}

ChatClient *Session::closeClient()
{
    if (!m_client)
        return nullptr;
    Q_EMIT clientClosing();
    // Deleted later, not now: this may run inside one of the client's own signals (its
    // connection saying the relay is incompatible), which must return into a live object.
    ChatClient *client = m_client.release();
    disconnect(client, nullptr, this, nullptr);
    disconnect(&client->connection(), nullptr, this, nullptr);
    client->setTokenStore(nullptr, {});
    client->setParent(this);
    client->deleteLater();
    m_account.clear();
    return client;
}

void Session::watchClient()
{
    connect(&m_client->connection(), &Connection::sessionEnded, this,
            [this](const QString &reason) {
                m_settings.setValue(kSignedInKey, false);
                closeClient();
                Q_EMIT signedOut(reason.isEmpty() ? tr("Your session ended. Please sign in again.")
                                                  : tr("Your session ended: %1").arg(reason));
            });
}

void Session::restore()
{
    const auto server = ServerAddress::parse(lastServer());
    const QString username = lastUsername();
    if (!server || username.isEmpty() || !m_settings.value(kSignedInKey).toBool()) {
        Q_EMIT signedOut({});
        return;
    }
    openClient(TokenStore::accountKey(username, server->toString()));
    ChatClient *client = m_client.get();
    // The cache and the token are read side by side; the window shows once both are in.
    auto opened = std::make_shared<std::optional<Result<int>>>();
    auto token = std::make_shared<std::optional<Result<QString>>>();
    auto both = [this, client, opened, token, server = *server] {
        if (!opened->has_value() || !token->has_value() || m_client.get() != client)
            return;
        const Result<int> &store = **opened;
        const Result<QString> &kept = **token;
        if (!store) {
            closeClient();
            Q_EMIT signedOut(tr("The messages kept on this computer could not be opened: %1")
                                 .arg(store.error().message));
            return;
        }
        if (!kept) {
            closeClient();
            if (!m_askedForKeychain) {
                m_askedForKeychain = true;
                Q_EMIT keychainUnavailable(kept.error().message, m_tokens->plainFilePath());
            }
            Q_EMIT signedOut({});
            return;
        }
        if (kept->isEmpty()) {
            closeClient();
            Q_EMIT signedOut({});
            return;
        }
        watchClient();
        client->start(server, *kept);
        Q_EMIT signedIn();
    };
    whenReady(client->open(), client, [opened, both](const Result<int> &result) {
        *opened = result;
        both();
    });
    whenReady(m_tokens->load(m_account), client, [token, both](const Result<QString> &result) {
        *token = result;
        both();
    });
}

void Session::signIn(const QString &serverText, const QString &usernameText,
                     const QString &password, Mode mode, const QString &displayName)
{
    cancelSignIn();
    const auto server = ServerAddress::parse(serverText);
    if (!server) {
        fail(server.error().message);
        return;
    }
    const QString username = usernameText.trimmed();
    if (username.isEmpty()) {
        fail(tr("Enter your username."));
        return;
    }
    if (password.isEmpty()) {
        fail(tr("Enter your password."));
        return;
    }

    auto *attempt = new QObject(this);
    m_attempt = attempt;
    QTimer::singleShot(kSignInTimeoutMs, attempt, [this] {
        fail(tr("The server did not answer in time. Check the address and your connection, "
                "then try again."));
    });

    auto *probe = new RelayProbe(m_network, attempt);
    connect(probe, &RelayProbe::unreachable, attempt,
            [this](const QString &message) { fail(message); });
    connect(probe, &RelayProbe::reachable, attempt, [=, this, server = *server] {
        // Usernames are compared without case at the relay, so the account is too.
        openClient(TokenStore::accountKey(username.toLower(), server.toString()));
        ChatClient *client = m_client.get();
        whenReady(client->open(), attempt, [=, this](const Result<int> &opened) {
            if (!opened) {
                fail(tr("The messages kept on this computer could not be opened: %1")
                         .arg(opened.error().message));
                return;
            }
            auto request = [=, this] {
                auto reply = mode == Mode::Register
                    ? client->registerAccount(username, password, displayName)
                    : client->logIn(username, password);
                whenReady(reply, attempt,
                          [=, this](const Result<protocol::messages::SignedIn> &signedIn) {
                              if (!signedIn) {
                                  fail(describe(signedIn.error(), mode));
                                  return;
                              }
                              finishSignIn(server.toString(), signedIn->user.username);
                          });
            };
            Connection &connection = client->connection();
            connect(&connection, &Connection::stateChanged, attempt,
                    [=, this](Connection::State state) {
                        switch (state) {
                        case Connection::State::SignedOut:
                            request();
                            break;
                        case Connection::State::Incompatible:
                            fail(tr("This server runs a version of Tidings this app cannot talk "
                                    "to. Update the app, or ask the server's admin."));
                            break;
                        case Connection::State::Offline:
                            fail(tr("The server %1 could not be reached.").arg(server.toString()));
                            break;
                        case Connection::State::Connecting:
                        case Connection::State::Connected:
                            break;
                        }
                    });
            if (connection.state() == Connection::State::SignedOut)
                request();
            else
                client->start(server);
        });
    });
    probe->probe(*server);
}

void Session::finishSignIn(const QString &server, const QString &username)
{
    delete m_attempt;
    m_settings.setValue(kServerKey, server);
    m_settings.setValue(kUsernameKey, username);
    m_settings.setValue(kSignedInKey, true);
    m_createdStore = false;
    watchClient();
    Q_EMIT signedIn();
}

void Session::fail(const QString &message)
{
    const bool wasAttempt = m_attempt != nullptr;
    delete m_attempt;
    if (wasAttempt && m_client) {
        // A failed first sign-in leaves nothing behind: no connection, no empty store.
        const QString path = m_client->store().path();
        const bool created = m_createdStore;
        ChatClient *closing = closeClient();
        if (created) {
            // Once the store is closed.
            connect(closing, &QObject::destroyed, [path] {
                for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s})
                    QFile::remove(path + suffix);
            });
        }
    }
    Q_EMIT signInFailed(message);
}

void Session::cancelSignIn()
{
    if (!m_attempt)
        return;
    delete m_attempt;
    closeClient();
}

void Session::signOut()
{
    cancelSignIn();
    m_settings.setValue(kSignedInKey, false);
    if (!m_client) {
        Q_EMIT signedOut({});
        return;
    }
    disconnect(&m_client->connection(), &Connection::sessionEnded, this, nullptr);
    const QString account = m_account;
    Q_EMIT clientClosing();
    // The relay is told when it can be (the client lives on, detached, until it answers);
    // the token is forgotten here either way.
    ChatClient *client = m_client.release();
    m_account.clear();
    client->setTokenStore(nullptr, {});
    client->setParent(this);
    whenReady(client->logOut(), client, [client](const Result<void> &) { client->deleteLater(); });
    whenReady(m_tokens->remove(account), this, [](const Result<void> &) {});
    Q_EMIT signedOut({});
}

void Session::setTokenBackend(TokenStore::Backend backend)
{
    m_settings.setValue(kTokenStorageKey, backendName(backend));
    auto tokens = std::make_unique<TokenStore>(backend, m_options.tokens);
    if (m_client) {
        m_client->setTokenStore(tokens.get(), m_account);
        const QString token = m_client->connection().token();
        if (!token.isEmpty())
            whenReady(tokens->save(m_account, token), this, [](const Result<void> &) {});
    }
    m_tokens = std::move(tokens);
}

QString Session::describe(const Error &error, Mode mode)
{
    switch (error.code) {
    case ErrorCode::Unauthorized:
        return tr("Wrong username or password.");
    case ErrorCode::Conflict:
        return tr("That username is taken. Choose another one.");
    case ErrorCode::Forbidden:
        return mode == Mode::Register
            ? tr("This server does not accept new accounts. Ask its admin for one.")
            : tr("This account cannot sign in: %1").arg(error.message);
    case ErrorCode::RateLimited:
        return tr("Too many attempts. Wait a minute, then try again.");
    case ErrorCode::Unavailable:
        return tr("The connection to the server was lost. Try again.");
    case ErrorCode::BadRequest:
        return error.message;
    default:
        return tr("The server could not sign you in: %1").arg(error.message);
    }
}

} // namespace tidings::app
