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
#include "protocol/fields.h"
#include "store/account_queries.h"
#include "store/store.h"

#include <QDateTime>
#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace fields = protocol::fields;

namespace {

const fields::StringRule kDeviceRule{0, 128};

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
const fields::StringRule kPasswordRule{0, protocol::kMaxPasswordBytes};

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

void registerAccount(const Request &request)
{
    if (!request.core().options().registrationOpen)
        return request.fail({ErrorCode::Forbidden, u"registration is closed on this relay"_s});
    if (signInThrottled(request))
        return;
    const auto username = fields::string(request.fields(), u"username"_s, {1, 64});
    if (!username)
        return request.fail(username.error());
    const auto canonical = protocol::canonicalUsername(*username);
    if (!canonical)
        return request.fail(canonical.error());
    const auto password = fields::string(request.fields(), u"password"_s, kPasswordRule);
    if (!password)
        return request.fail(password.error());
    if (auto checked = protocol::checkPassword(*password, *canonical); !checked)
        return request.fail(checked.error());
    const auto displayNameField
        = fields::optionalString(request.fields(), u"display_name"_s, {0, 256});
    if (!displayNameField)
        return request.fail(displayNameField.error());
    const auto displayName = protocol::validDisplayName(displayNameField->value_or(*username));
    if (!displayName)
        return request.fail(displayName.error());
    const auto device = fields::optionalString(request.fields(), u"device"_s, kDeviceRule);
    if (!device)
        return request.fail(device.error());

    const QString name = *canonical;
    const QString display = *displayName;
    const QString deviceName = device->value_or(QString());
    request.core().passwordHasher().hash(*password).then(
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

void login(const Request &request)
{
    const QString account = request.fields().value(u"username"_s).toString();
    if (signInThrottled(request, account))
        return;
    const auto username = fields::string(request.fields(), u"username"_s, {1, 64});
    if (!username)
        return request.fail(username.error());
    const auto password = fields::string(request.fields(), u"password"_s, kPasswordRule);
    if (!password)
        return request.fail(password.error());
    const auto device = fields::optionalString(request.fields(), u"device"_s, kDeviceRule);
    if (!device)
        return request.fail(device.error());

    const QString name = username->toLower();
    const QString secret = *password;
    const QString deviceName = device->value_or(QString());
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

void authenticate(const Request &request)
{
    if (signInThrottled(request))
        return;
    const auto token = fields::string(request.fields(), u"token"_s, {1, 256});
    if (!token)
        return request.fail(token.error());
    const QByteArray digest = crypto::sessionTokenDigest(token->toLatin1());
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

void logout(const Request &request)
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

void listSessions(const Request &request)
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

void revokeOtherSessions(const Request &request)
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

void changePassword(const Request &request)
{
    const auto current = fields::string(request.fields(), u"current_password"_s, kPasswordRule);
    if (!current)
        return request.fail(current.error());
    const auto next = fields::string(request.fields(), u"new_password"_s, kPasswordRule);
    if (!next)
        return request.fail(next.error());
    const UserRecord user = request.session()->user();
    if (auto checked = protocol::checkPassword(*next, user.username); !checked)
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
    const QString currentPassword = *current;
    const QString newPassword = *next;
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

void updateProfile(const Request &request)
{
    const auto displayNameField
        = fields::optionalString(request.fields(), u"display_name"_s, {0, 256});
    if (!displayNameField)
        return request.fail(displayNameField.error());
    std::optional<QString> displayName;
    if (displayNameField->has_value()) {
        const auto valid = protocol::validDisplayName(**displayNameField);
        if (!valid)
            return request.fail(valid.error());
        displayName = *valid;
    }
    const auto hideLastSeen = fields::optionalBoolean(request.fields(), u"hide_last_seen"_s);
    if (!hideLastSeen)
        return request.fail(hideLastSeen.error());

    const auto groupAddsField = fields::optionalString(request.fields(), u"group_adds"_s, {1, 16});
    if (!groupAddsField)
        return request.fail(groupAddsField.error());
    const std::optional<QString> groupAdds = *groupAddsField;
    if (groupAdds && *groupAdds != u"everyone" && *groupAdds != u"contacts")
        return request.fail(
            {ErrorCode::BadRequest, u"field 'group_adds' must be \"everyone\" or \"contacts\""_s});

    const UserId id = request.session()->userId();
    const std::optional<bool> hide = *hideLastSeen;
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

void searchUsers(const Request &request)
{
    const auto prefix = fields::string(request.fields(), u"prefix"_s, {1, 64});
    if (!prefix)
        return request.fail(prefix.error());
    const auto limit = fields::optionalInteger(request.fields(), u"limit"_s, 1, 50);
    if (!limit)
        return request.fail(limit.error());
    const QString text = prefix->toLower();
    const int count = static_cast<int>(limit->value_or(20));
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
    table.insert(u"register"_s, {Access::SignedOut, registerAccount});
    table.insert(u"login"_s, {Access::SignedOut, login});
    table.insert(u"auth"_s, {Access::SignedOut, authenticate});
    table.insert(u"logout"_s, {Access::SignedIn, logout});
    table.insert(u"sessions.list"_s, {Access::SignedIn, listSessions});
    table.insert(u"sessions.revoke_others"_s, {Access::SignedIn, revokeOtherSessions});
    table.insert(u"password.change"_s, {Access::SignedIn, changePassword});
    table.insert(u"profile.update"_s, {Access::SignedIn, updateProfile});
    table.insert(u"users.search"_s, {Access::SignedIn, searchUsers});
}

} // namespace tidings::relay
