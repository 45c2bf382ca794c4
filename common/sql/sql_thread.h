#pragma once

#include "util/futures.h"
#include "util/result.h"

#include <QFuture>
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
class SqlThread
{
public:
    /// The connection uses the QtSql driver `driverName` ("QSQLITE", "QPSQL"). `setup` runs
    /// first, on the thread, to configure and open it; a failure makes every later job fail
    /// with the same error.
    SqlThread(const QString &driverName, std::function<Result<void>(QSqlDatabase &)> setup,
              int maxPendingJobs = 65536, int maxBatch = 256);
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
                  promise->addResult(setupError ? Result<T>(*setupError) : job(*database));
                  promise->finish();
                  return true;
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

    /// Jobs submitted but not finished yet.
    int pendingJobs() const { return m_pending.load(); }
    /// Write jobs committed so far, and the transactions they took (batching at work).
    quint64 committedWrites() const { return m_committedWrites.load(); }
    quint64 commits() const { return m_commits.load(); }

    /// Runs the jobs already queued, closes the connection and joins the thread. Later
    /// submissions fail with ErrorCode::Unavailable.
    void stop();

private:
    struct Task
    {
        bool write = false;
        /// Runs the job; for a write job, returns whether it succeeded (keep its savepoint).
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

    bool enqueue(Task task);

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
};

} // namespace tidings
