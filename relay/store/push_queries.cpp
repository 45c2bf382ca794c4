#include "store/push_queries.h"

#include <QJsonArray>

#include "store/conversation_cache.h"
#include "store/sql_helpers.h"

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

/// How long a node's claim on a push job holds on PostgreSQL: far longer than a send takes
/// (push-timeout-ms and the wait for a free slot), short enough that a node's death delays
/// its pushes by minutes, not for ever.
constexpr qint64 kClaimLeaseMs = 5 * 60 * 1000;

/// Whether the lower-cased text bound here mentions "@username" (the name followed by a
/// character a username cannot hold, or the end). Usernames hold a-z, 0-9, '.', '_', '-':
/// for PostgreSQL's regular expression the dot is escaped.
QString mentions(const QSqlDatabase &db)
{
    if (isPostgres(db))
        return u"(CAST(? AS TEXT) || ' ') ~ ('@' || replace(u.username, '.', '\\.') || '[^a-z0-9_-]')"_s;
    return u"(? || ' ') GLOB ('*@' || u.username || '[^a-z0-9_-]*')"_s;
}

const QString kTargetColumns
    = u"id, user_id, session_id, provider, address, device_key, notify, created_at"_s;

PushTarget readTarget(const QSqlQuery &query)
{
    PushTarget target;
    target.id = query.value(0).toLongLong();
    target.userId = query.value(1).toLongLong();
    target.sessionId = query.value(2).toLongLong();
    target.provider = query.value(3).toString();
    target.address = query.value(4).toString();
    target.deviceKey = query.value(5).toByteArray();
    target.notify = query.value(6).toString();
    target.createdAt = query.value(7).toLongLong();
    return target;
}

Result<qint64> singleInteger(QSqlDatabase &db, const QString &statement, const QVariantList &values)
{
    auto query = run(db, statement, values);
    if (!query)
        return query.error();
    const qint64 value = query->next() ? query->value(0).toLongLong() : 0;
    query->finish();
    return value;
}

template<typename Query> Result<void> done(const Result<Query> &query)
{
    if (!query)
        return query.error();
    return {};
}

} // namespace

Result<PushTarget> registerPushTarget(QSqlDatabase &db, const PushTarget &target)
{
    // The account's earlier target for this address is replaced. Other accounts keep theirs:
    // one device signed in to several accounts shares its address among them, and nobody
    // can take another account's notifications away by registering its address.
    auto moved
        = run(db, u"DELETE FROM push_targets WHERE provider = ? AND address = ? AND user_id = ?"_s,
              {target.provider, target.address, target.userId});
    if (!moved)
        return moved.error();
    auto count = singleInteger(db, u"SELECT COUNT(*) FROM push_targets WHERE user_id = ?"_s,
                               {target.userId});
    if (!count)
        return count.error();
    if (*count >= kMaxPushTargetsPerUser)
        return Error{ErrorCode::TooLarge,
                     u"an account has at most %1 push targets: remove one "
                     "first"_s.arg(kMaxPushTargetsPerUser)};
    const qint64 at = now();
    auto inserted = run(db,
                        u"INSERT INTO push_targets (user_id, session_id, provider, address, "
                        "device_key, notify, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING "_s
                            + kTargetColumns,
                        {target.userId, target.sessionId, target.provider, target.address,
                         target.deviceKey.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                                    : QVariant(target.deviceKey),
                         target.notify, at});
    if (!inserted)
        return inserted.error();
    pushTargetsChanged(db);
    inserted->next();
    PushTarget stored = readTarget(*inserted);
    inserted->finish();
    return stored;
}

Result<QList<PushTarget>> pushTargets(QSqlDatabase &db, UserId user)
{
    auto query = run(
        db, u"SELECT "_s + kTargetColumns + u" FROM push_targets WHERE user_id = ? ORDER BY id"_s,
        {user});
    if (!query)
        return query.error();
    QList<PushTarget> targets;
    while (query->next())
        targets.append(readTarget(*query));
    return targets;
}

Result<void> removePushTarget(QSqlDatabase &db, UserId user, qint64 targetId)
{
    auto query = run(db, u"DELETE FROM push_targets WHERE id = ? AND user_id = ? RETURNING id"_s,
                     {targetId, user});
    if (!query)
        return query.error();
    const bool removed = query->next();
    query->finish();
    if (!removed)
        return Error{ErrorCode::NotFound, u"no such push target"_s};
    return {};
}

Result<qint64> queuePushes(QSqlDatabase &db, const Appended &message, qint64 delayMs)
{
    const bool encrypted = message.event.kind == u"encrypted";
    if (message.duplicate || (message.event.kind != u"message" && !encrypted) || !message.mayPush)
        return qint64(0);
    const EventRecord &event = message.event;
    const qint64 at = now();
    // Mentions are "@username" in the text; usernames are stored in lower case. An encrypted
    // message's text is unreadable here: its `mentions` name the users by id, spelled as
    // "@username …" for the same match (see mentions()).
    QString text = event.body.value(u"text"_s).toString().toLower();
    if (encrypted) {
        const QJsonArray ids = event.body.value(u"mentions"_s).toArray();
        QStringList names;
        if (!ids.isEmpty()) {
            QVariantList values;
            for (const QJsonValue &id : ids)
                values.append(id.toInteger());
            auto named = run(
                db,
                u"SELECT username FROM users WHERE id IN (%1)"_s.arg(placeholders(values.size())),
                values);
            if (!named)
                return named.error();
            while (named->next())
                names.append(u'@' + named->value(0).toString());
        }
        text = names.join(u' ');
    }
    auto opened = runCached(
        db,
        u"INSERT INTO push_jobs (target_id, state, conversation_id, sender_id, count, first_at, "
        "due_at, job_key) "
        "SELECT t.id, 'open', m.conversation_id, ?, 1, ?, ?, "_s
            + randomKey(db)
            + u" "
              "FROM members m "
              "JOIN push_targets t ON t.user_id = m.user_id "
              "JOIN users u ON u.id = m.user_id "
              "JOIN conversations c ON c.id = m.conversation_id "
              "WHERE m.conversation_id = ? AND m.left_seq IS NULL AND m.user_id <> ? "
              "AND (t.notify = 'all' OR (t.notify = 'direct_and_mentions' "
              "     AND (c.kind = 'direct' OR "_s
            + mentions(db)
            + u"))) "
              "AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = m.user_id "
              "                AND b.blocked_id = ?) "
              "ON CONFLICT (target_id) WHERE claimed_by IS NULL DO UPDATE SET count = "
              "push_jobs.count + 1, "
              "conversation_id = excluded.conversation_id, sender_id = excluded.sender_id "
              "RETURNING due_at"_s,
        {event.senderId, at, at + delayMs, event.conversationId, event.senderId, text,
         event.senderId});
    if (!opened)
        return opened.error();
    qint64 earliest = 0;
    while (opened->next()) {
        const qint64 due = opened->value(0).toLongLong();
        if (earliest == 0 || due < earliest)
            earliest = due;
    }
    return earliest;
}

Result<PushClaim> claimPushJobs(QSqlDatabase &db, const QString &runId, int limit)
{
    const qint64 at = now();
    // SQLite: one relay; a job claimed by an earlier run of it was cut off by a crash and
    // is taken again at once. PostgreSQL: every node claims, so a claim is a lease — the job
    // is due again only when the lease ends (a node that died with it), and rows another
    // node is claiming right now are skipped rather than waited for.
    // A run id is "<node>/<run>": an earlier run of this node needs no lease to end.
    const QString ownNode = runId.section(u'/', 0, 0) + u"/%"_s;
    const QString claimable = u"((due_at <= ? AND (claimed_by IS NULL OR claimed_by <> ?)) "
                              "OR (claimed_by LIKE ? AND claimed_by <> ?))"_s;
    auto claimed = isPostgres(db)
        ? run(db,
              u"UPDATE push_jobs SET state = 'sending', claimed_by = ?, due_at = ? WHERE id IN "
              "(SELECT id FROM push_jobs WHERE "_s
                  + claimable + u" ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED) AND "_s
                  + claimable + u" RETURNING id"_s,
              {runId, at + kClaimLeaseMs, at, runId, ownNode, runId, limit, at, runId, ownNode,
               runId})
        : run(db,
              u"UPDATE push_jobs SET state = 'sending', claimed_by = ? WHERE id IN "
              "(SELECT id FROM push_jobs WHERE due_at <= ? "
              " AND (claimed_by IS NULL OR claimed_by <> ?) ORDER BY due_at LIMIT ?) "
              "RETURNING id"_s,
              {runId, at, runId, limit});
    if (!claimed)
        return claimed.error();
    QList<qint64> ids;
    while (claimed->next())
        ids.append(claimed->value(0).toLongLong());
    claimed->finish();

    PushClaim claim;
    for (const qint64 id : std::as_const(ids)) {
        auto query = runCached(
            db,
            u"SELECT j.id, j.target_id, t.user_id, t.provider, t.address, t.device_key, "
            "j.conversation_id, COALESCE(s.display_name, ''), j.count, j.first_at, j.attempts, "
            "j.job_key, "
            "(SELECT COUNT(*) FROM (SELECT 1 FROM members m JOIN events e "
            "  ON e.conversation_id = m.conversation_id AND e.seq > m.read_seq "
            "  WHERE m.user_id = t.user_id AND m.left_seq IS NULL AND e.kind IN ('message', "
            "'encrypted') "
            "  AND e.sender_id <> m.user_id LIMIT 1000) AS unread) "
            "FROM push_jobs j JOIN push_targets t ON t.id = j.target_id "
            "LEFT JOIN users s ON s.id = j.sender_id WHERE j.id = ?"_s,
            {id});
        if (!query)
            return query.error();
        if (!query->next())
            continue;
        PushJob job;
        job.id = query->value(0).toLongLong();
        job.targetId = query->value(1).toLongLong();
        job.userId = query->value(2).toLongLong();
        job.provider = query->value(3).toString();
        job.address = query->value(4).toString();
        job.deviceKey = query->value(5).toByteArray();
        job.conversationId = query->value(6).toLongLong();
        job.senderName = query->value(7).toString();
        job.count = query->value(8).toInt();
        job.firstAt = query->value(9).toLongLong();
        job.attempts = query->value(10).toInt();
        job.key = query->value(11).toString();
        job.unread = query->value(12).toInt();
        claim.jobs.append(job);
    }
    auto next = singleInteger(db,
                              u"SELECT COALESCE(MIN(due_at), 0) FROM push_jobs "
                              "WHERE claimed_by IS NULL OR claimed_by <> ?"_s,
                              {runId});
    if (!next)
        return next.error();
    claim.nextDueAt = *next;
    auto backlog = pushBacklog(db);
    if (!backlog)
        return backlog.error();
    claim.backlog = *backlog;
    return claim;
}

Result<qint64> pushBacklog(QSqlDatabase &db)
{
    return singleInteger(db, u"SELECT COUNT(*) FROM push_jobs"_s, {});
}

Result<void> finishPushJob(QSqlDatabase &db, qint64 jobId)
{
    return done(runCached(db, u"DELETE FROM push_jobs WHERE id = ?"_s, {jobId}));
}

namespace {

/// Gives a claimed job back, due at `dueAt`, with `tries` more tries counted and `error`
/// (if any) noted. Messages that came while it was out opened a job of their own: then the
/// two become one, which keeps this job's key (a provider may have seen it) and its tries.
Result<void> unclaim(QSqlDatabase &db, qint64 jobId, qint64 dueAt, int tries, const QVariant &error)
{
    auto merged = run(db,
                      u"UPDATE push_jobs AS o SET count = o.count + j.count, "
                      "first_at = "_s
                          + least(db) + u"(o.first_at, j.first_at), due_at = "_s + greatest(db)
                          + u"(o.due_at, ?), "
                            "attempts = j.attempts + ?, last_error = COALESCE(?, j.last_error), "
                            "job_key = j.job_key "
                            "FROM push_jobs AS j WHERE j.id = ? AND o.target_id = j.target_id "
                            "AND o.claimed_by IS NULL RETURNING "_s
                          + (isPostgres(db) ? u"o.id"_s : u"id"_s),
                      {dueAt, tries, error, jobId});
    if (!merged)
        return merged.error();
    const bool intoOpenJob = merged->next();
    merged->finish();
    if (intoOpenJob)
        return finishPushJob(db, jobId);
    return done(runCached(db,
                          u"UPDATE push_jobs SET attempts = attempts + ?, due_at = ?, "
                          "claimed_by = NULL, last_error = COALESCE(?, last_error) WHERE id = ?"_s,
                          {tries, dueAt, error, jobId}));
}

} // namespace

Result<void> retryPushJob(QSqlDatabase &db, qint64 jobId, qint64 dueAt, const QString &error)
{
    return unclaim(db, jobId, dueAt, 1, error);
}

Result<void> deferPushJob(QSqlDatabase &db, qint64 jobId, qint64 dueAt)
{
    return unclaim(db, jobId, dueAt, 0, QVariant(QMetaType(QMetaType::QString)));
}

Result<void> deadLetterPushJob(QSqlDatabase &db, qint64 jobId, const QString &error)
{
    auto moved = run(db,
                     u"INSERT INTO push_dead (user_id, provider, address, conversation_id, count, "
                     "attempts, last_error, first_at, dead_at, job_key) "
                     "SELECT t.user_id, t.provider, "
                     "CASE WHEN length(t.address) > 40 THEN substr(t.address, 1, 40) || '…' "
                     "ELSE t.address END, j.conversation_id, j.count, "
                     "j.attempts + 1, ?, j.first_at, ?, j.job_key "
                     "FROM push_jobs j JOIN push_targets t ON t.id = j.target_id WHERE j.id = ?"_s,
                     {error, now(), jobId});
    if (!moved)
        return moved.error();
    // The dead letters are for an admin to look at: the newest are kept, not all forever.
    auto pruned = runCached(db,
                            u"DELETE FROM push_dead WHERE id <= (SELECT id FROM push_dead "
                            "ORDER BY id DESC LIMIT 1 OFFSET ?)"_s,
                            {kMaxDeadPushes});
    if (!pruned)
        return pruned.error();
    return finishPushJob(db, jobId);
}

Result<void> dropPushTarget(QSqlDatabase &db, qint64 targetId)
{
    // The jobs go with it (ON DELETE CASCADE).
    return done(run(db, u"DELETE FROM push_targets WHERE id = ?"_s, {targetId}));
}

Result<int> cancelPushesOf(QSqlDatabase &db, UserId user)
{
    // Cached: every sign-in runs it.
    auto query = runCached(db,
                           u"DELETE FROM push_jobs WHERE claimed_by IS NULL AND target_id IN "
                           "(SELECT id FROM push_targets WHERE user_id = ?) RETURNING id"_s,
                           {user});
    if (!query)
        return query.error();
    int cancelled = 0;
    while (query->next())
        ++cancelled;
    return cancelled;
}

Result<QList<DeadPush>> deadPushes(QSqlDatabase &db, int limit)
{
    auto query = run(db,
                     u"SELECT d.id, COALESCE(u.username, ''), d.provider, d.address, "
                     "d.conversation_id, d.count, d.attempts, d.last_error, d.first_at, d.dead_at "
                     "FROM push_dead d LEFT JOIN users u ON u.id = d.user_id "
                     "ORDER BY d.id DESC LIMIT ?"_s,
                     {limit});
    if (!query)
        return query.error();
    QList<DeadPush> dead;
    while (query->next()) {
        DeadPush entry;
        entry.id = query->value(0).toLongLong();
        entry.username = query->value(1).toString();
        entry.provider = query->value(2).toString();
        entry.address = query->value(3).toString();
        entry.conversationId = query->value(4).toLongLong();
        entry.count = query->value(5).toInt();
        entry.attempts = query->value(6).toInt();
        entry.lastError = query->value(7).toString();
        entry.firstAt = query->value(8).toLongLong();
        entry.deadAt = query->value(9).toLongLong();
        dead.append(entry);
    }
    return dead;
}

} // namespace tidings::relay::sql
