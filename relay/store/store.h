#pragma once

#include "sql/sql_thread.h"
#include "util/futures.h"
#include "util/result.h"

#include <QFuture>
#include <QString>

#include <memory>

namespace tidings::relay {

/// What an opened store reports about itself (shown by /readyz).
struct StoreInfo
{
    QString backend; ///< "sqlite" (later "postgres")
    QString location; ///< file path or connection string without secrets
    int schemaVersion = 0;
    QString instanceId; ///< random id made when the store was created; survives restarts
    QString e2eDefault; ///< "required" or "optional": sql::e2eDefault(), decided at open
};

/// The relay's store: one writer connection with group commit and one reader connection,
/// each on its own thread. Callers never touch SQL on their own thread: they pass a job —
/// a function of the connection composed from the query functions in store/*_queries.h —
/// and continue the returned WorkerFuture on their own thread with `.then(context, …)`.
///
/// write(): the job runs in a transaction shared with the writes waiting beside it; its
/// result arrives only once that transaction is durably committed.
/// read(): the job runs on the reader connection; it sees every write whose result has
/// been delivered.
class Store
{
public:
    virtual ~Store();

    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    template<typename T> WorkerFuture<Result<T>> write(std::function<Result<T>(QSqlDatabase &)> job)
    {
        if (!m_writer)
            return closedFuture<T>();
        return m_writer->submitWrite<T>(std::move(job));
    }

    /// write() for the hot paths: `done` runs on `context`'s thread, with the other results
    /// of the same commit in one queued call (see SqlThread::submitWrite).
    /// `lockKey`: the conversation the job appends to, if any; `stage`: puts the job's
    /// statement in the round trip before its turn, if the store can (see
    /// SqlThread::submitWrite).
    template<typename T>
    void write(std::function<Result<T>(QSqlDatabase &)> job, QObject *context,
               std::function<void(const Result<T> &)> done,
               WriteIsolation isolation = WriteIsolation::Savepoint, qint64 lockKey = 0,
               std::function<bool(QSqlDatabase &)> stage = {})
    {
        if (!m_writer)
            return done(Result<T>(ErrorCode::Unavailable, QStringLiteral("the store is closed")));
        m_writer->submitWrite<T>(std::move(job), context, std::move(done), isolation, lockKey,
                                 std::move(stage));
    }

    template<typename T> WorkerFuture<Result<T>> read(std::function<Result<T>(QSqlDatabase &)> job)
    {
        if (!m_reader)
            return closedFuture<T>();
        return m_reader->submit<T>(std::move(job));
    }

    /// Store work waiting or running (for /metrics and readiness).
    int backlog() const;

    /// Finishes queued work and closes the connections.
    void close();

protected:
    Store() = default;
    std::unique_ptr<SqlThread> m_writer;
    std::unique_ptr<SqlThread> m_reader;

private:
    template<typename T> static WorkerFuture<Result<T>> closedFuture()
    {
        return WorkerFuture(
            readyFuture(Result<T>(ErrorCode::Unavailable, QStringLiteral("the store is closed"))));
    }
};

/// How to open the relay's store (see RelayConfig: store, store-sync).
struct StoreLocation
{
    QString url; ///< empty: SQLite at `sqlitePath`; else a postgresql:// URL
    QString sqlitePath;
    bool syncFull = true; ///< SQLite only: synchronous=FULL
    bool migrate = true; ///< bring an older schema up to date (else refuse it)
};

/// Opens (and migrates) the store `location` names: SqliteStore or PostgresStore.
Result<std::pair<std::unique_ptr<Store>, StoreInfo>> openStore(const StoreLocation &location);

} // namespace tidings::relay
