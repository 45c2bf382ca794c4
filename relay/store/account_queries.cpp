#include "store/account_queries.h"

#include "store/sql_helpers.h"

#include <QSet>
#include <QSqlRecord>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

const QString kUserColumns
    = u"id, username, display_name, disabled, hide_last_seen, last_seen_at, created_at, "
      u"group_adds"_s;

UserRecord readUser(const QSqlQuery &query, int first = 0)
{
    UserRecord user;
    user.id = query.value(first).toLongLong();
    user.username = query.value(first + 1).toString();
    user.displayName = query.value(first + 2).toString();
    user.disabled = query.value(first + 3).toBool();
    user.hideLastSeen = query.value(first + 4).toBool();
    user.lastSeenAt = query.value(first + 5).toLongLong();
    user.createdAt = query.value(first + 6).toLongLong();
    user.groupAdds = query.value(first + 7).toString();
    return user;
}

SessionRecord readSession(const QSqlQuery &query, int first = 0)
{
    SessionRecord session;
    session.id = query.value(first).toLongLong();
    session.userId = query.value(first + 1).toLongLong();
    session.device = query.value(first + 2).toString();
    session.createdAt = query.value(first + 3).toLongLong();
    session.lastUsedAt = query.value(first + 4).toLongLong();
    return session;
}

Error noSuchUser()
{
    return Error{ErrorCode::NotFound, u"no such user"_s};
}

} // namespace

Result<UserRecord> insertUser(QSqlDatabase &db, const QString &username, const QString &displayName,
                              const QByteArray &passwordHash)
{
    auto query = run(db,
                     u"INSERT INTO users (username, display_name, password_hash, created_at) "
                     "VALUES (?, ?, ?, ?) RETURNING "_s
                         + kUserColumns,
                     {username, displayName, QString::fromLatin1(passwordHash), now()});
    if (!query) {
        if (query.error().code == ErrorCode::Conflict)
            return Error{ErrorCode::Conflict, u"the username is taken"_s};
        return query.error();
    }
    if (!query->next())
        return Error{ErrorCode::Io, u"insert returned no row"_s};
    return readUser(*query);
}

Result<UserRecord> userById(QSqlDatabase &db, UserId id)
{
    // Cached: every sign-in and every presence change reads a user by id.
    auto query = runCached(db, u"SELECT "_s + kUserColumns + u" FROM users WHERE id = ?"_s, {id});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchUser();
    return readUser(*query);
}

Result<Credentials> credentialsByUsername(QSqlDatabase &db, const QString &username)
{
    auto query
        = run(db, u"SELECT "_s + kUserColumns + u", password_hash FROM users WHERE username = ?"_s,
              {username});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchUser();
    return Credentials{readUser(*query), query->value(8).toString().toLatin1()};
}

Result<void> setPasswordHash(QSqlDatabase &db, UserId id, const QByteArray &passwordHash)
{
    auto query = run(db, u"UPDATE users SET password_hash = ? WHERE id = ?"_s,
                     {QString::fromLatin1(passwordHash), id});
    if (!query)
        return query.error();
    if (query->numRowsAffected() != 1)
        return noSuchUser();
    return {};
}

Result<UserRecord> updateProfile(QSqlDatabase &db, UserId id,
                                 const std::optional<QString> &displayName,
                                 const std::optional<bool> &hideLastSeen,
                                 const std::optional<QString> &groupAdds)
{
    if (displayName) {
        if (auto query
            = run(db, u"UPDATE users SET display_name = ? WHERE id = ?"_s, {*displayName, id});
            !query)
            return query.error();
    }
    if (hideLastSeen) {
        if (auto query = run(db, u"UPDATE users SET hide_last_seen = ? WHERE id = ?"_s,
                             {*hideLastSeen ? 1 : 0, id});
            !query) {
            return query.error();
        }
    }
    if (groupAdds) {
        if (auto query
            = run(db, u"UPDATE users SET group_adds = ? WHERE id = ?"_s, {*groupAdds, id});
            !query) {
            return query.error();
        }
    }
    return userById(db, id);
}

Result<void> setLastSeen(QSqlDatabase &db, UserId id, qint64 at)
{
    auto query = runCached(db,
                           u"UPDATE users SET last_seen_at = "_s + greatest(db)
                               + u"(last_seen_at, ?) WHERE id = ?"_s,
                           {at, id});
    if (!query)
        return query.error();
    return {};
}

Result<QList<UserRecord>> searchUsers(QSqlDatabase &db, const QString &prefix, int limit)
{
    // Range scan on the unique index: prefix <= username < prefix + U+FFFF.
    auto query = run(db,
                     u"SELECT "_s + kUserColumns
                         + u" FROM users WHERE username >= ? AND username < ? AND disabled = 0 "
                           "ORDER BY username LIMIT ?"_s,
                     {prefix, QString(prefix + QChar(0xFFFF)), limit});
    if (!query)
        return query.error();
    QList<UserRecord> users;
    while (query->next())
        users.append(readUser(*query));
    return users;
}

Result<QList<UserRecord>> allUsers(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT "_s + kUserColumns + u" FROM users ORDER BY username"_s);
    if (!query)
        return query.error();
    QList<UserRecord> users;
    while (query->next())
        users.append(readUser(*query));
    return users;
}

Result<UserRecord> setDisabled(QSqlDatabase &db, const QString &username, bool disabled)
{
    auto query
        = run(db, u"UPDATE users SET disabled = ? WHERE username = ? RETURNING "_s + kUserColumns,
              {disabled ? 1 : 0, username});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchUser();
    const UserRecord user = readUser(*query);
    query->finish();
    if (disabled) {
        if (auto deleted = run(db, u"DELETE FROM sessions WHERE user_id = ?"_s, {user.id});
            !deleted)
            return deleted.error();
    }
    return user;
}

Result<QString> e2eDefault(QSqlDatabase &db)
{
    // One statement, so two nodes starting on a new cluster store decide the same.
    if (auto decided
        = run(db,
              u"INSERT INTO relay_meta (key, value) SELECT 'e2e_default', CASE WHEN EXISTS "
              "(SELECT 1 FROM users) THEN 'optional' ELSE 'required' END"
              " WHERE true ON CONFLICT (key) DO NOTHING"_s);
        !decided) {
        return decided.error();
    }
    auto query = run(db, u"SELECT value FROM relay_meta WHERE key = 'e2e_default'"_s);
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::Internal, u"no e2e default"_s};
    return query->value(0).toString();
}

Result<SessionRecord> insertSession(QSqlDatabase &db, UserId userId, const QByteArray &tokenDigest,
                                    const QString &device)
{
    const qint64 at = now();
    auto query = run(
        db,
        u"INSERT INTO sessions (user_id, token_digest, device, created_at, last_used_at) "
        "VALUES (?, ?, coalesce(?, ''), ?, ?) RETURNING id, user_id, device, created_at, last_used_at"_s,
        {userId, tokenDigest, device, at, at});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::Io, u"insert returned no row"_s};
    return readSession(*query);
}

Result<AuthenticatedSession> authenticate(QSqlDatabase &db, const QByteArray &tokenDigest,
                                          qint64 unusedSince)
{
    if (unusedSince > 0) {
        auto expired = runCached(
            db, u"DELETE FROM sessions WHERE token_digest = ? AND last_used_at < ? RETURNING id"_s,
            {tokenDigest, unusedSince});
        if (!expired)
            return expired.error();
        if (expired->next())
            return Error{ErrorCode::Unauthorized,
                         u"this session expired after going unused; sign in again"_s};
    }
    // Cached, as the statements below: a storm of reconnects runs this once per client.
    auto query = runCached(db,
                           u"UPDATE sessions SET last_used_at = ? WHERE token_digest = ? "
                           "RETURNING id, user_id, device, created_at, last_used_at"_s,
                           {now(), tokenDigest});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::Unauthorized,
                     u"the session token is not valid (signed out, revoked or expired)"_s};
    const SessionRecord session = readSession(*query);
    query->finish();
    auto user = userById(db, session.userId);
    if (!user)
        return user.error();
    if (user->disabled)
        return Error{ErrorCode::Forbidden, u"this account is disabled"_s};
    return AuthenticatedSession{*user, session};
}

namespace {

Result<LiveSession> liveSession(QSqlDatabase &db, const QString &which, const QVariant &key,
                                qint64 unusedSince)
{
    auto query = runCached(db,
                           u"SELECT u.id, u.disabled, s.id FROM sessions s JOIN users u ON u.id = "
                           "s.user_id WHERE s.last_used_at >= ? AND s."_s
                               + which + u" = ?"_s,
                           {unusedSince, key});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::Unauthorized,
                     u"the session is not valid (signed out, revoked or expired)"_s};
    if (query->value(1).toBool())
        return Error{ErrorCode::Forbidden, u"this account is disabled"_s};
    return LiveSession{query->value(0).toLongLong(), query->value(2).toLongLong()};
}

} // namespace

Result<LiveSession> sessionUser(QSqlDatabase &db, const QByteArray &tokenDigest, qint64 unusedSince)
{
    return liveSession(db, u"token_digest"_s, tokenDigest, unusedSince);
}

Result<LiveSession> sessionOwner(QSqlDatabase &db, qint64 sessionId, qint64 unusedSince)
{
    return liveSession(db, u"id"_s, sessionId, unusedSince);
}

Result<void> touchSessions(QSqlDatabase &db, const QList<qint64> &sessionIds, qint64 at)
{
    for (const qint64 id : sessionIds) {
        auto query = runCached(db,
                               u"UPDATE sessions SET last_used_at = "_s + greatest(db)
                                   + u"(last_used_at, ?) WHERE id = ?"_s,
                               {at, id});
        if (!query)
            return query.error();
    }
    return {};
}

Result<QList<qint64>> endedSessions(QSqlDatabase &db, const QList<qint64> &sessionIds)
{
    QSet<qint64> alive;
    for (qsizetype start = 0; start < sessionIds.size(); start += 500) {
        const QList<qint64> chunk = sessionIds.mid(start, 500);
        const QString marks = placeholders(chunk.size());
        QVariantList values;
        for (const qint64 id : chunk)
            values.append(id);
        auto query = run(db,
                         u"SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id "
                         "WHERE u.disabled = 0 AND s.id IN (%1)"_s.arg(marks),
                         values);
        if (!query)
            return query.error();
        while (query->next())
            alive.insert(query->value(0).toLongLong());
    }
    QList<qint64> ended;
    for (const qint64 id : sessionIds) {
        if (!alive.contains(id))
            ended.append(id);
    }
    return ended;
}

Result<int> expireSessions(QSqlDatabase &db, qint64 unusedSince)
{
    auto query = run(db, u"DELETE FROM sessions WHERE last_used_at < ?"_s, {unusedSince});
    if (!query)
        return query.error();
    return query->numRowsAffected();
}

Result<void> deleteSession(QSqlDatabase &db, qint64 sessionId)
{
    auto query = run(db, u"DELETE FROM sessions WHERE id = ?"_s, {sessionId});
    if (!query)
        return query.error();
    return {};
}

Result<QList<qint64>> deleteOtherSessions(QSqlDatabase &db, UserId userId, qint64 keepSessionId)
{
    auto query = run(db, u"DELETE FROM sessions WHERE user_id = ? AND id <> ? RETURNING id"_s,
                     {userId, keepSessionId});
    if (!query)
        return query.error();
    QList<qint64> ended;
    while (query->next())
        ended.append(query->value(0).toLongLong());
    return ended;
}

Result<QList<SessionRecord>> sessionsOf(QSqlDatabase &db, UserId userId)
{
    auto query = run(db,
                     u"SELECT id, user_id, device, created_at, last_used_at FROM sessions "
                     "WHERE user_id = ? ORDER BY id"_s,
                     {userId});
    if (!query)
        return query.error();
    QList<SessionRecord> sessions;
    while (query->next())
        sessions.append(readSession(*query));
    return sessions;
}

} // namespace tidings::relay::sql
