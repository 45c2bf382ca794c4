// Accounts and sessions: register, login, auth, logout, sessions.list, sessions.revoke_others,
// password.change, profile.update, users.search.
#include "chat/chat_core.h"
#include "chat/handlers/handlers.h"
#include "chat/password_hasher.h"
#include "chat/rate_limiter.h"
#include "chat/request.h"
#include "chat/session.h"
#include "chat/wire.h"
#include "crypto/session_token.h"
#include "gateway/websocket_connection.h"
#include "protocol/account_rules.h"
#include "protocol/messages/account_requests.h"
#include "store/account_queries.h"
#include "store/store.h"

#include <QDateTime>
#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

QString peerOf(const Request &request)
{
    return request.session()->socket().peerAddress().toString();
}

/// Password and token guessing are limited per IP address, and guessing one account's
/// password per account (against guesses spread over many addresses) — except from the
/// addresses the account has signed in from, so that someone guessing elsewhere does
/// not lock its owner out.
bool signInThrottled(const Request &request, const QString &account = {})
{
    const double perMinute = request.core().options().signInsPerMinute;
    const QString peer = peerOf(request);
    if (request.throttled(u"signin:%1"_s.arg(peer), perMinute / 60.0, perMinute))
        return true;
    return !account.isEmpty() && !request.core().knownAddresses().contains(account, peer)
        && request.throttled(u"signin-account:%1"_s.arg(account.toLower()), perMinute / 60.0,
                             perMinute);
}

struct NewSession
{
    UserRecord user;
    SessionRecord session;
    QByteArray token;
};

/// Starts a store session for `user` and signs the connection in with it.
void startSession(const Request &request, const UserRecord &user, const QString &device)
{
    const QByteArray token = crypto::newSessionToken();
    const QByteArray digest = crypto::sessionTokenDigest(token);
    const UserId userId = user.id;
    request.core()
        .store()
        .write<SessionRecord>([userId, digest, device](QSqlDatabase &db) {
            return sql::insertSession(db, userId, digest, device);
        })
        .then(&request.core(), [request, user, token](const Result<SessionRecord> &session) {
            if (!session)
                return request.fail(session.error());
            if (!request.session())
                return;
            request.core().signIn(*request.session(), user, session->id);
            request.reply({{u"user"_s, wire::ownUser(user)},
                           {u"session"_s, wire::session(*session, true)},
                           {u"token"_s, QString::fromLatin1(token)}});
        });
}

// Whether registration is open and the sign-in budget come before the fields of register,
// login and auth are read (their gates), so that every attempt counts, malformed or not.

bool registrationGate(const Request &request)
{
    if (!request.core().options().registrationOpen) {
        request.fail({ErrorCode::Forbidden, u"registration is closed on this relay"_s});
        return true;
    }
    return signInThrottled(request);
}

void registerAccount(const Request &request, const messages::Register &asked)
{
    const QString name = asked.username;
    const QString display = asked.displayName;
    const QString deviceName = asked.device;
    const QString &password = asked.password;
    request.core().passwordHasher().hash(password).then(
        &request.core(), [request, name, display, deviceName](const Result<QByteArray> &hash) {
            if (!hash)
                return request.fail(hash.error());
            const QByteArray passwordHash = *hash;
            const QByteArray token = crypto::newSessionToken();
            const QByteArray digest = crypto::sessionTokenDigest(token);
            // The account and its first session in one transaction.
            request.core()
                .store()
                .write<NewSession>([name, display, passwordHash, digest,
                                    deviceName](QSqlDatabase &db) -> Result<NewSession> {
                    auto user = sql::insertUser(db, name, display, passwordHash);
                    if (!user)
                        return user.error();
                    auto session = sql::insertSession(db, user->id, digest, deviceName);
                    if (!session)
                        return session.error();
                    return NewSession{*user, *session, {}};
                })
                .then(&request.core(), [request, token](const Result<NewSession> &created) {
                    if (!created)
                        return request.fail(created.error());
                    if (!request.session())
                        return;
                    request.core().signIn(*request.session(), created->user, created->session.id);
                    request.reply({{u"user"_s, wire::ownUser(created->user)},
                                   {u"session"_s, wire::session(created->session, true)},
                                   {u"token"_s, QString::fromLatin1(token)}});
                });
        });
}

/// Sign-ins are counted per address and per account: the account as asked for, before the
/// fields are checked.
bool loginGate(const Request &request)
{
    return signInThrottled(request, request.fields().value(u"username"_s).toString());
}

void login(const Request &request, const messages::Login &asked)
{

    const QString name = asked.username.toLower();
    const QString secret = asked.password;
    const QString deviceName = asked.device;
    request.core()
        .store()
        .read<Credentials>(
            [name](QSqlDatabase &db) { return sql::credentialsByUsername(db, name); })
        .then(&request.core(),
              [request, secret, deviceName](const Result<Credentials> &credentials) {
                  if (!credentials && credentials.error().code != ErrorCode::NotFound)
                      return request.fail(credentials.error());
                  // An unknown user costs the same time as a wrong password, and gets the same
                  // answer.
                  const QByteArray hash = credentials ? credentials->passwordHash : QByteArray();
                  const std::optional<UserRecord> user
                      = credentials ? std::optional(credentials->user) : std::nullopt;
                  request.core()
                      .passwordHasher()
                      .verify(hash, secret)
                      .then(&request.core(),
                            [request, user, hash, secret, deviceName](const Result<bool> &matches) {
                                if (!matches)
                                    return request.fail(matches.error());
                                if (!*matches || !user)
                                    return request.fail(
                                        {ErrorCode::Unauthorized, u"wrong username or password"_s});
                                if (user->disabled)
                                    return request.fail(
                                        {ErrorCode::Forbidden, u"this account is disabled"_s});
                                if (request.core().passwordHasher().needsRehash(hash)) {
                                    // Stronger parameters now: store a new hash, quietly.
                                    const UserId id = user->id;
                                    request.core().passwordHasher().hash(secret).then(
                                        &request.core(),
                                        [&core = request.core(),
                                         id](const Result<QByteArray> &rehashed) {
                                            if (!rehashed)
                                                return;
                                            const QByteArray value = *rehashed;
                                            core.store().write<bool>(
                                                [id, value](QSqlDatabase &db) -> Result<bool> {
                                                    if (auto set
                                                        = sql::setPasswordHash(db, id, value);
                                                        !set)
                                                        return set.error();
                                                    return true;
                                                });
                                        });
                                }
                                startSession(request, *user, deviceName);
                            });
              });
}

bool authGate(const Request &request)
{
    return signInThrottled(request);
}

void authenticate(const Request &request, const messages::Auth &asked)
{
    const QByteArray digest = crypto::sessionTokenDigest(asked.token.toLatin1());
    const qint64 unusedSince
        = request.core().options().unusedSince(QDateTime::currentMSecsSinceEpoch());
    request.core()
        .store()
        .write<AuthenticatedSession>([digest, unusedSince](QSqlDatabase &db) {
            return sql::authenticate(db, digest, unusedSince);
        })
        .then(&request.core(), [request](const Result<AuthenticatedSession> &authenticated) {
            if (!authenticated)
                return request.fail(authenticated.error());
            if (!request.session())
                return;
            request.core().signIn(*request.session(), authenticated->user,
                                  authenticated->session.id);
            request.reply({{u"user"_s, wire::ownUser(authenticated->user)},
                           {u"session"_s, wire::session(authenticated->session, true)}});
        });
}

void logout(const Request &request, const messages::Logout &)
{
    const qint64 sessionId = request.session()->sessionId();
    request.core().signOut(*request.session());
    request.core()
        .store()
        .write<bool>([sessionId](QSqlDatabase &db) -> Result<bool> {
            if (auto deleted = sql::deleteSession(db, sessionId); !deleted)
                return deleted.error();
            return true;
        })
        .then(&request.core(), [request](const Result<bool> &deleted) {
            if (!deleted)
                return request.fail(deleted.error());
            request.reply();
        });
}

void listSessions(const Request &request, const messages::ListSessions &)
{
    const UserId user = request.session()->userId();
    const qint64 current = request.session()->sessionId();
    request.core()
        .store()
        .read<QList<SessionRecord>>([user](QSqlDatabase &db) { return sql::sessionsOf(db, user); })
        .then(&request.core(), [request, current](const Result<QList<SessionRecord>> &sessions) {
            if (!sessions)
                return request.fail(sessions.error());
            QJsonArray list;
            for (const SessionRecord &session : *sessions)
                list.append(wire::session(session, session.id == current));
            request.reply({{u"sessions"_s, list}});
        });
}

void revokeOtherSessions(const Request &request, const messages::RevokeOtherSessions &)
{
    const UserId user = request.session()->userId();
    const qint64 current = request.session()->sessionId();
    request.core()
        .store()
        .write<QList<qint64>>([user, current](QSqlDatabase &db) {
            return sql::deleteOtherSessions(db, user, current);
        })
        .then(&request.core(), [request](const Result<QList<qint64>> &ended) {
            if (!ended)
                return request.fail(ended.error());
            request.core().endSessions(*ended, close_code::kSessionEnded,
                                       u"signed out from another device"_s);
            request.reply({{u"revoked"_s, ended->size()}});
        });
}

void changePassword(const Request &request, const messages::ChangePassword &message)
{
    // The password rules need the user's name: checked here, after the fields' shapes and
    // before the sign-in budget, as always.
    const UserRecord user = request.session()->user();
    if (auto checked = protocol::checkPassword(message.newPassword, user.username); !checked)
        return request.fail(checked.error());
    // Checking the current password is a guess like a login's, and costs the same Argon2id
    // work: limited per address with sign-ins, and per account on its own (a stolen token
    // must not make it an unlimited guessing oracle).
    if (signInThrottled(request))
        return;
    const double perMinute = request.core().options().signInsPerMinute;
    if (request.throttled(u"password-change:"_s + QString::number(user.id), perMinute / 60.0,
                          perMinute))
        return;

    const QString name = user.username;
    const QString currentPassword = message.currentPassword;
    const QString newPassword = message.newPassword;
    request.core()
        .store()
        .read<Credentials>(
            [name](QSqlDatabase &db) { return sql::credentialsByUsername(db, name); })
        .then(&request.core(),
              [request, currentPassword, newPassword](const Result<Credentials> &credentials) {
                  if (!credentials)
                      return request.fail(credentials.error());
                  auto &hasher = request.core().passwordHasher();
                  hasher.verify(credentials->passwordHash, currentPassword)
                      .then(&request.core(), [request, newPassword](const Result<bool> &matches) {
                          if (!matches)
                              return request.fail(matches.error());
                          if (!*matches)
                              return request.fail(
                                  {ErrorCode::Unauthorized, u"the current password is wrong"_s});
                          request.core()
                              .passwordHasher()
                              .hash(newPassword)
                              .then(&request.core(), [request](const Result<QByteArray> &hash) {
                                  if (!hash)
                                      return request.fail(hash.error());
                                  if (!request.session())
                                      return;
                                  const UserId id = request.session()->userId();
                                  const qint64 keep = request.session()->sessionId();
                                  const QByteArray value = *hash;
                                  // New hash, and every other session ends: a changed password
                                  // locks out whoever knew the old one.
                                  request.core()
                                      .store()
                                      .write<QList<qint64>>([id, keep, value](QSqlDatabase &db)
                                                                -> Result<QList<qint64>> {
                                          if (auto set = sql::setPasswordHash(db, id, value); !set)
                                              return set.error();
                                          return sql::deleteOtherSessions(db, id, keep);
                                      })
                                      .then(&request.core(),
                                            [request](const Result<QList<qint64>> &ended) {
                                                if (!ended)
                                                    return request.fail(ended.error());
                                                request.core().endSessions(
                                                    *ended, close_code::kSessionEnded,
                                                    u"the password was changed"_s);
                                                request.reply({{u"revoked"_s, ended->size()}});
                                            });
                              });
                      });
              });
}

void updateProfile(const Request &request, const messages::UpdateProfile &message)
{
    const UserId id = request.session()->userId();
    const std::optional<QString> displayName = message.displayName;
    const std::optional<bool> hide = message.hideLastSeen;
    const std::optional<QString> groupAdds = message.groupAdds;
    request.core()
        .store()
        .write<UserRecord>([id, displayName, hide, groupAdds](QSqlDatabase &db) {
            return sql::updateProfile(db, id, displayName, hide, groupAdds);
        })
        .then(&request.core(), [request](const Result<UserRecord> &user) {
            if (!user)
                return request.fail(user.error());
            // Every live session of this user sees the new profile.
            for (Session *session : request.core().sessionsOf(user->id))
                session->updateUser(*user);
            request.reply({{u"user"_s, wire::ownUser(*user)}});
        });
}

void searchUsers(const Request &request, const messages::SearchUsers &message)
{
    const QString text = message.prefix.toLower();
    const int count = message.limit.value_or(messages::SearchUsers::kDefaultLimit);
    request.core()
        .store()
        .read<QList<UserRecord>>(
            [text, count](QSqlDatabase &db) { return sql::searchUsers(db, text, count); })
        .then(&request.core(), [request](const Result<QList<UserRecord>> &users) {
            if (!users)
                return request.fail(users.error());
            QJsonArray list;
            for (const UserRecord &user : *users)
                list.append(wire::publicUser(user));
            request.reply({{u"users"_s, list}});
        });
}

} // namespace

void registerAccountHandlers(HandlerTable &table)
{
    add<messages::Register, registerAccount, registrationGate>(table, Access::SignedOut);
    add<messages::Login, login, loginGate>(table, Access::SignedOut);
    add<messages::Auth, authenticate, authGate>(table, Access::SignedOut);
    add<messages::Logout, logout>(table, Access::SignedIn);
    add<messages::ListSessions, listSessions>(table, Access::SignedIn);
    add<messages::RevokeOtherSessions, revokeOtherSessions>(table, Access::SignedIn);
    add<messages::ChangePassword, changePassword>(table, Access::SignedIn);
    add<messages::UpdateProfile, updateProfile>(table, Access::SignedIn);
    add<messages::SearchUsers, searchUsers>(table, Access::SignedIn);
}

} // namespace tidings::relay
