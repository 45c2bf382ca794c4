#pragma once

#include "util/result.h"

#include <QFuture>
#include <QPromise>
#include <QSqlDatabase>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace tidings::relay {

/// A thread that owns one QSqlDatabase connection and runs store jobs on it, one at a time,
/// in submission order. Jobs are plain functions of the connection; each returns a Result
/// that reaches the caller through a QFuture (continue it with `.then(context, …)`).
///
/// The queue is bounded: when `maxPendingJobs` jobs are waiting, submit() fails at once with
/// ErrorCode::Unavailable instead of growing memory.
class SqlThread
{
public:
    /// The connection uses the QtSql driver `driverName` ("QSQLITE", "QPSQL"). `setup` runs
    /// first, on the thread, to configure and open it; a failure makes every later job fail
    /// with the same error.
    SqlThread(const QString &driverName, std::function<Result<void>(QSqlDatabase &)> setup,
              int maxPendingJobs = 10000);
    ~SqlThread();

    SqlThread(const SqlThread &) = delete;
    SqlThread &operator=(const SqlThread &) = delete;

    template<typename T> QFuture<Result<T>> submit(std::function<Result<T>(QSqlDatabase &)> job)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        QFuture<Result<T>> future = promise->future();
        promise->start();
        const bool queued = enqueue(
            [promise, job = std::move(job)](QSqlDatabase *database, const Error *setupError) {
                promise->addResult(setupError ? Result<T>(*setupError) : job(*database));
                promise->finish();
            });
        if (!queued) {
            promise->addResult(
                Result<T>(ErrorCode::Unavailable, QStringLiteral("store queue is full")));
            promise->finish();
        }
        return future;
    }

    /// Jobs submitted but not finished yet.
    int pendingJobs() const { return m_pending.load(); }

    /// Runs the jobs already queued, closes the connection and joins the thread.
    void stop();

private:
    using Task = std::function<void(QSqlDatabase *, const Error *)>;
    bool enqueue(Task task);

    class Worker;
    QThread m_thread;
    Worker *m_worker = nullptr;
    std::atomic<int> m_pending{0};
    const int m_maxPending;
};

} // namespace tidings::relay
