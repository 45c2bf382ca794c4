#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QSqlDatabase>

#include <optional>

/// Account and session queries: synchronous functions of a connection, run on a store
/// thread (see ChatStore for the asynchronous face).
namespace tidings::relay::sql {

/// Conflict when the username is taken.
Result<UserRecord> insertUser(QSqlDatabase &db, const QString &username, const QString &displayName,
                              const QByteArray &passwordHash);
Result<UserRecord> userById(QSqlDatabase &db, UserId id);
/// NotFound when there is no such user.
Result<Credentials> credentialsByUsername(QSqlDatabase &db, const QString &username);
Result<void> setPasswordHash(QSqlDatabase &db, UserId id, const QByteArray &passwordHash);
Result<UserRecord> updateProfile(QSqlDatabase &db, UserId id,
                                 const std::optional<QString> &displayName,
                                 const std::optional<bool> &hideLastSeen,
                                 const std::optional<QString> &groupAdds = std::nullopt);
Result<void> setLastSeen(QSqlDatabase &db, UserId id, qint64 at);
/// Users whose username starts with `prefix` (canonical form), disabled ones excluded.
Result<QList<UserRecord>> searchUsers(QSqlDatabase &db, const QString &prefix, int limit);
Result<QList<UserRecord>> allUsers(QSqlDatabase &db);
/// The store's default `e2e` setting ("required" or "optional", docs/encryption.md section
/// 9), decided the first time this version opens the store (admin commands included, so an
/// owner account added before the first start does not count) and kept in relay_meta:
/// "optional" when accounts are already there (older apps may use them), else "required".
/// `migrate-store` carries the embedded store's decision over the new cluster store's.
Result<QString> e2eDefault(QSqlDatabase &db);
/// Disabling also ends every session of the user.
Result<UserRecord> setDisabled(QSqlDatabase &db, const QString &username, bool disabled);

Result<SessionRecord> insertSession(QSqlDatabase &db, UserId userId, const QByteArray &tokenDigest,
                                    const QString &device);
/// Unauthorized when no session has this digest, or when it went unused since before
/// `unusedSince` (ms since the epoch; 0: sessions never expire) — then it is deleted too.
/// Forbidden when its user is disabled. Marks the session used now.
Result<AuthenticatedSession> authenticate(QSqlDatabase &db, const QByteArray &tokenDigest,
                                          qint64 unusedSince = 0);
/// A session that may be used: its user and id.
struct LiveSession
{
    UserId user = 0;
    qint64 session = 0;
};
/// The session a token belongs to, without marking it used (media requests come by the
/// hundred). Unauthorized / Forbidden as authenticate().
Result<LiveSession> sessionUser(QSqlDatabase &db, const QByteArray &tokenDigest,
                                qint64 unusedSince = 0);
/// Session `sessionId` (a signed link names the session that made it), on the same terms
/// as sessionUser().
Result<LiveSession> sessionOwner(QSqlDatabase &db, qint64 sessionId, qint64 unusedSince = 0);
/// Marks these sessions used at `at` (live connections, and those that just ended).
Result<void> touchSessions(QSqlDatabase &db, const QList<qint64> &sessionIds, qint64 at);
/// Of `sessionIds`, those that have ended: deleted, or their user disabled (the live
/// connections a node holds are checked against the store now and then).
Result<QList<qint64>> endedSessions(QSqlDatabase &db, const QList<qint64> &sessionIds);
/// Deletes every session unused since before `unusedSince` (and so their push targets);
/// returns how many.
Result<int> expireSessions(QSqlDatabase &db, qint64 unusedSince);
Result<void> deleteSession(QSqlDatabase &db, qint64 sessionId);
/// Ends every session of `userId` except `keepSessionId`; returns the ended ids.
Result<QList<qint64>> deleteOtherSessions(QSqlDatabase &db, UserId userId, qint64 keepSessionId);
Result<QList<SessionRecord>> sessionsOf(QSqlDatabase &db, UserId userId);

} // namespace tidings::relay::sql
