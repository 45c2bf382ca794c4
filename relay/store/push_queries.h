#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QSqlDatabase>

/// Push notifications in the store: the targets devices register, the jobs that wait to be
/// sent (recorded in the message's own transaction, so a crash loses none) and the dead
/// letters (docs/architecture.md, "Push").
namespace tidings::relay::sql {

/// A device's way to be woken up.
struct PushTarget
{
    qint64 id = 0;
    UserId userId = 0;
    qint64 sessionId = 0; ///< the device that registered it; it goes when the session ends
    QString provider; ///< webhook, unifiedpush, fcm, apns
    QString address; ///< device token, or endpoint URL
    QByteArray deviceKey; ///< X25519 public key; empty: payloads are not sealed
    QString notify; ///< all, direct_and_mentions, none
    qint64 createdAt = 0;
};

inline constexpr int kMaxPushTargetsPerUser = 20;
inline constexpr int kMaxDeadPushes = 10000;

/// Registers `target` for its session; a (provider, address) registered before, by anyone,
/// moves to this session (a device that signed in again, or changed hands).
Result<PushTarget> registerPushTarget(QSqlDatabase &db, const PushTarget &target);
Result<QList<PushTarget>> pushTargets(QSqlDatabase &db, UserId user);
/// Removes a target of `user`: NotFound when they have none with that id.
Result<void> removePushTarget(QSqlDatabase &db, UserId user, qint64 targetId);

/// In a new message's transaction: opens a job, or counts the message into the open one,
/// for every push target of the conversation's other members that wants it (its notify
/// setting; not from someone the member blocked). A job opened now is due `delayMs` later.
/// Returns when the earliest job it opened is due, or 0 if it opened none.
Result<qint64> queuePushes(QSqlDatabase &db, const Appended &message, qint64 delayMs);

/// A job claimed for sending, with what the push needs to say.
struct PushJob
{
    qint64 id = 0;
    qint64 targetId = 0;
    UserId userId = 0;
    QString provider;
    QString address;
    QByteArray deviceKey;
    ConversationId conversationId = 0; ///< of the latest message
    QString senderName; ///< of the latest message
    int count = 0; ///< messages this push stands for
    int unread = 0; ///< the user's unread messages, at most 1000
    qint64 firstAt = 0;
    int attempts = 0; ///< failed tries so far
    QString key; ///< idempotency key
};

struct PushClaim
{
    QList<PushJob> jobs;
    qint64 nextDueAt = 0; ///< the next job this run has not claimed; 0: none
    qint64 backlog = 0; ///< jobs in the store
};

/// Claims up to `limit` due jobs for relay run `runId`: jobs open or waiting to be retried,
/// and jobs another (earlier) run claimed but never finished.
Result<PushClaim> claimPushJobs(QSqlDatabase &db, const QString &runId, int limit);

/// Jobs in the store (waiting, or being sent).
Result<qint64> pushBacklog(QSqlDatabase &db);

/// The job is done: sent, or no longer needed.
Result<void> finishPushJob(QSqlDatabase &db, qint64 jobId);
/// The job failed and is tried again at `dueAt` (merged into the target's open job, if
/// messages opened one meanwhile).
Result<void> retryPushJob(QSqlDatabase &db, qint64 jobId, qint64 dueAt, const QString &error);
/// The job was not sent (its endpoint is busy): it is due again at `dueAt`, no try counted.
Result<void> deferPushJob(QSqlDatabase &db, qint64 jobId, qint64 dueAt);
/// The job is given up on: it moves to the dead letters (the newest kMaxDeadPushes are
/// kept, with the address shortened).
Result<void> deadLetterPushJob(QSqlDatabase &db, qint64 jobId, const QString &error);
/// The provider says the target is gone: it and its jobs are removed.
Result<void> dropPushTarget(QSqlDatabase &db, qint64 targetId);
/// `user` is online and will sync: their jobs that are not being sent are cancelled.
/// Returns how many.
Result<int> cancelPushesOf(QSqlDatabase &db, UserId user);

struct DeadPush
{
    qint64 id = 0;
    QString username;
    QString provider;
    QString address;
    ConversationId conversationId = 0;
    int count = 0;
    int attempts = 0;
    QString lastError;
    qint64 firstAt = 0;
    qint64 deadAt = 0;
};
/// The newest `limit` dead letters, newest first.
Result<QList<DeadPush>> deadPushes(QSqlDatabase &db, int limit);

} // namespace tidings::relay::sql
