#pragma once

#include "util/futures.h"
#include "util/result.h"

#include <QAbstractEventDispatcher>
#include <QFuture>
#include <QList>
#include <QPointer>
#include <QPromise>
#include <QSqlDatabase>
#include <QThread>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace tidings {

/// What a store keeps beside one SqlThread's connection, on its thread: memory of what the
/// connection holds (a cache of rows the hot paths read instead of querying). Made on the
/// thread once the connection is set up, destroyed there before it closes. Told whenever a
/// job's savepoint or a whole transaction is rolled back, since what it learnt from the
/// rolled-back writes did not happen.
class ConnectionState
{
public:
    virtual ~ConnectionState() = default;
    virtual void rolledBack() = 0;
};

/// How a write job is isolated from the others in its group commit.
enum class WriteIsolation {
    /// In a SAVEPOINT of its own: a failed job is rolled back alone (the default).
    Savepoint,
    /// No savepoint (one costs two statements and a sub-journal of every page the job
    /// touches). The job promises that when it fails with a refusal it wrote nothing; a
    /// failure with ErrorCode::Io, Corrupt or Unavailable may have written part of it, so it
    /// rolls the whole transaction back and every job in it fails with Unavailable (their
    /// senders retry, as after a failed commit).
    None,
};

/// A thread that owns one QSqlDatabase connection and runs store jobs on it in submission
/// order. Jobs are plain functions of the connection; each returns a Result that reaches
/// the caller through a WorkerFuture (continue it with `.then(context, …)`).
///
/// Two kinds of job:
/// - submit(): runs as it is (reads, or work that manages its own transaction);
/// - submitWrite(): group commit. Consecutive write jobs that are waiting together run in
///   one transaction, each inside its own SAVEPOINT (a job that fails is rolled back alone),
///   and their results are delivered only after the COMMIT succeeded — so a caller that
///   sees success knows the write is durable. While one commit syncs to disk, the next
///   batch gathers: throughput comes from batching, not from a weaker fsync.
///
/// The queue is bounded: when `maxPendingJobs` jobs are waiting, a submission fails at once
/// with ErrorCode::Unavailable instead of growing memory.
///
/// A server connection (PostgreSQL) may be lost or meet other writers: when a job fails,
/// the connection is checked, and a lost one is opened again (with `setup`) before the next
/// job, which fails with ErrorCode::Unavailable until that works. A group commit that meets
/// a deadlock or a serialization failure is rolled back and run again, a few times.
class SqlThread
{
public:
    /// The connection uses the QtSql driver `driverName` ("QSQLITE", "QPSQL"). `setup` runs
    /// first, on the thread, to configure and open it; a failure makes every later job fail
    /// with the same error.
    /// `makeState`, when given, makes the connection's ConnectionState after `setup`.
    SqlThread(const QString &driverName, std::function<Result<void>(QSqlDatabase &)> setup,
              int maxPendingJobs = 65536, int maxBatch = 256,
              std::function<std::unique_ptr<ConnectionState>(QSqlDatabase &)> makeState = {});

    /// Sends, in one round trip, what the group commit's jobs staged since the last call
    /// (see submitWrite()'s `stage`); on a batch's first call (`lockKeys` given), first
    /// begins its transaction and locks the rows named by the keys (ascending, distinct;
    /// maybe none). Without it, QSqlDatabase::transaction() begins and nothing is staged.
    /// Set before the first job.
    using SendStaged = std::function<Result<void>(QSqlDatabase &, const QList<qint64> *lockKeys)>;
    void setSendStaged(SendStaged send);
    ~SqlThread();

    SqlThread(const SqlThread &) = delete;
    SqlThread &operator=(const SqlThread &) = delete;

    template<typename T>
    WorkerFuture<Result<T>> submit(std::function<Result<T>(QSqlDatabase &)> job)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        promise->start();
        QFuture<Result<T>> future = promise->future();
        Task task;
        task.run
            = [promise, job = std::move(job)](QSqlDatabase *database, const Error *setupError) {
                  Result<T> result = setupError ? Result<T>(*setupError) : job(*database);
                  // A server gone away is "unavailable" (retry), not a failed query.
                  if (!setupError && !result.ok() && result.error().code == ErrorCode::Io
                      && serverConnectionLost(*database)) {
                      result = Result<T>(ErrorCode::Unavailable,
                                         QStringLiteral("the store is unreachable"));
                  }
                  const bool ok = result.ok();
                  promise->addResult(std::move(result));
                  promise->finish();
                  return ok;
              };
        if (!enqueue(std::move(task)))
            refuse(*promise);
        return WorkerFuture(std::move(future));
    }

    template<typename T>
    WorkerFuture<Result<T>> submitWrite(std::function<Result<T>(QSqlDatabase &)> job)
    {
        struct State
        {
            QPromise<Result<T>> promise;
            std::optional<Result<T>> result;
        };
        auto state = std::make_shared<State>();
        state->promise.start();
        QFuture<Result<T>> future = state->promise.future();
        Task task;
        task.write = true;
        task.run = [state, job = std::move(job)](QSqlDatabase *database, const Error *setupError) {
            state->result = setupError ? Result<T>(*setupError) : job(*database);
            return state->result->ok();
        };
        task.finish = [state](const Error *commitError) {
            state->promise.addResult(commitError ? Result<T>(*commitError) : *state->result);
            state->promise.finish();
        };
        if (!enqueue(std::move(task)))
            refuse(state->promise);
        return WorkerFuture(std::move(future));
    }

    /// submitWrite() for the hot paths: no future, no watcher. `done` is called on
    /// `context`'s thread once the transaction is committed (or has failed); the results of
    /// one group commit reach each context in one queued call, in submission order. Nothing
    /// is called if `context` is gone by then. Call it on `context`'s thread, which must
    /// outlive this SqlThread (the call is posted to that thread's event dispatcher).
    ///
    /// `lockKey` (non-zero): a row the job will lock, e.g. the conversation it appends to.
    /// When the connection has a SendStaged function, a group commit begins by locking the
    /// keys of all its jobs in ascending order, so that two writers (nodes) whose batches
    /// touch the same rows take them in the same order instead of deadlocking.
    ///
    /// `stage` (jobs without a savepoint only, on a connection with a SendStaged function):
    /// called on the SqlThread just before the job's turn comes, it may put the job's
    /// statement in the round trip that goes before it (returns whether it did); the job
    /// then finds its answer there instead of asking. Consecutive jobs that stage share one
    /// round trip; a job that does not stage runs as usual and ends the run, so that jobs
    /// still take effect in submission order. Called again when the batch is retried.
    template<typename T>
    void submitWrite(std::function<Result<T>(QSqlDatabase &)> job, QObject *context,
                     std::function<void(const Result<T> &)> done,
                     WriteIsolation isolation = WriteIsolation::Savepoint, qint64 lockKey = 0,
                     std::function<bool(QSqlDatabase &)> stage = {})
    {
        Q_ASSERT(!stage || isolation == WriteIsolation::None);
        auto result = std::make_shared<std::optional<Result<T>>>();
        Task task;
        task.write = true;
        task.isolation = isolation;
        task.lockKey = lockKey;
        task.stage = std::move(stage);
        task.context = context;
        task.mailbox = QAbstractEventDispatcher::instance(context->thread());
        Q_ASSERT(task.mailbox); // a thread with an event loop
        task.run = [result, job = std::move(job)](QSqlDatabase *database, const Error *setupError) {
            *result = setupError ? Result<T>(*setupError) : job(*database);
            return (*result)->ok();
        };
        task.poisoned = [result] {
            const Result<T> &outcome = **result;
            return !outcome.ok() && writeMayHaveHappened(outcome.error().code);
        };
        task.finish = [result, done = std::move(done)](const Error *commitError) {
            done(commitError ? Result<T>(*commitError) : std::move(**result));
        };
        if (!enqueue(std::move(task))) {
            const Error busy{ErrorCode::Unavailable, QStringLiteral("store is busy or closed")};
            task.finish(&busy);
        }
    }

    /// Jobs submitted but not finished yet.
    int pendingJobs() const { return m_pending.load(); }
    /// Write jobs committed so far, and the transactions they took (batching at work).
    quint64 committedWrites() const { return m_committedWrites.load(); }
    quint64 commits() const { return m_commits.load(); }

    /// Runs the jobs already queued, closes the connection and joins the thread. Later
    /// submissions fail with ErrorCode::Unavailable.
    void stop();

private:
    /// After a failed job: whether `database` is a server connection that no longer answers.
    static bool serverConnectionLost(QSqlDatabase &database);

    /// A failure with this code may leave part of a job without a savepoint written.
    static bool writeMayHaveHappened(ErrorCode code)
    {
        return code == ErrorCode::Io || code == ErrorCode::Corrupt
            || code == ErrorCode::Unavailable;
    }

    struct Task
    {
        bool write = false;
        WriteIsolation isolation = WriteIsolation::Savepoint;
        qint64 lockKey = 0;
        /// Where finish() runs (batched with the others of its commit); null: right on the
        /// SqlThread, as the future-based submissions do.
        QPointer<QObject> context;
        /// The event dispatcher of the context's thread: the call is posted there, so that
        /// the context's lifetime is checked on its own thread.
        QObject *mailbox = nullptr;
        /// Puts the job's statement in the next round trip, if it can (see submitWrite()).
        std::function<bool(QSqlDatabase &)> stage;
        /// Jobs without a savepoint: whether their failure may have written part of them.
        std::function<bool()> poisoned;
        /// Runs the job; returns whether it succeeded (for a write job: keep its savepoint).
        /// A write job may run again, when its whole transaction is retried.
        std::function<bool(QSqlDatabase *, const Error *setupError)> run;
        /// Write jobs only: delivers the kept result, or the commit's error.
        std::function<void(const Error *commitError)> finish;
    };

    template<typename T> static void refuse(QPromise<Result<T>> &promise)
    {
        promise.addResult(
            Result<T>(ErrorCode::Unavailable, QStringLiteral("store is busy or closed")));
        promise.finish();
    }

    /// Queues `task` (taking it), or leaves it as it was and returns false when the queue is
    /// full or closed.
    bool enqueue(Task &&task);

    class Worker;
    friend class Worker;
    QThread m_thread;
    Worker *m_worker = nullptr;
    std::mutex m_mutex;
    std::deque<Task> m_queue; // guarded by m_mutex
    bool m_drainScheduled = false; // guarded by m_mutex
    bool m_accepting = true; // guarded by m_mutex
    std::atomic<int> m_pending{0};
    std::atomic<quint64> m_committedWrites{0};
    std::atomic<quint64> m_commits{0};
    const int m_maxPending;
    const int m_maxBatch;
    SendStaged m_sendStaged;
};

} // namespace tidings
