#include "sql/sql_thread.h"

#include "sql/sql_helpers.h"
#include "sql/sql_logging.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <vector>

namespace tidings {

using namespace Qt::StringLiterals;

class SqlThread::Worker : public QObject
{
public:
    Worker(SqlThread &owner, QString driverName, QString connectionName,
           std::function<Result<void>(QSqlDatabase &)> setup,
           std::function<std::unique_ptr<ConnectionState>(QSqlDatabase &)> makeState)
        : m_owner(owner), m_driverName(std::move(driverName)),
          m_connectionName(std::move(connectionName)), m_setup(std::move(setup)),
          m_makeState(std::move(makeState))
    { }

    /// Runs queued tasks until the queue is empty. Writes waiting together form one batch.
    void drain()
    {
        Q_ASSERT(QThread::currentThread() == thread());
        open();
        while (true) {
            std::vector<Task> batch;
            {
                std::lock_guard lock(m_owner.m_mutex);
                if (m_owner.m_queue.empty()) {
                    m_owner.m_drainScheduled = false;
                    return;
                }
                const bool write = m_owner.m_queue.front().write;
                while (!m_owner.m_queue.empty() && m_owner.m_queue.front().write == write
                       && (write ? static_cast<int>(batch.size()) < m_owner.m_maxBatch
                                 : batch.empty())) {
                    batch.push_back(std::move(m_owner.m_queue.front()));
                    m_owner.m_queue.pop_front();
                }
            }
            if (m_lost)
                reopen();
            if (batch.front().write) {
                runWrites(batch);
            } else if (!batch.front().run(database(), setupError())) {
                checkConnection();
            }
            m_owner.m_pending.fetch_sub(static_cast<int>(batch.size()));
        }
    }

    void close()
    {
        Q_ASSERT(QThread::currentThread() == thread());
        if (!m_opened)
            return;
        m_state.reset(); // what it holds of the connection goes before it
        m_statements.reset(); // prepared statements go before their connection
        m_database.close();
        m_database = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }

private:
    void open()
    {
        if (m_opened)
            return;
        m_opened = true;
        m_database = QSqlDatabase::addDatabase(m_driverName, m_connectionName);
        if (auto setup = m_setup(m_database); !setup) {
            m_setupError = setup.error();
        } else {
            m_statements.emplace(m_database);
            if (m_makeState)
                m_state = m_makeState(m_database);
        }
    }

    /// After a job failed: whether a server connection still answers. One that does not is
    /// marked lost, and its jobs fail with Unavailable until reopen() brings it back.
    void checkConnection()
    {
        if (!m_serverConnection || m_setupError)
            return;
        QSqlQuery probe(m_database);
        if (probe.exec(u"SELECT 1"_s))
            return;
        const QString reason = probe.lastError().text();
        qCWarning(lcSql).noquote() << "store connection lost:" << reason;
        m_lost = true;
        m_setupError = Error{ErrorCode::Unavailable, u"the store is unreachable: %1"_s.arg(reason)};
    }

    /// Opens a lost connection again (at most every half second: while the server is gone,
    /// jobs fail at once instead of each waiting for a connect).
    void reopen()
    {
        if (m_lastReopen.isValid() && m_lastReopen.elapsed() < 500)
            return;
        m_lastReopen.start();
        close();
        m_opened = false;
        m_setupError.reset();
        open();
        m_lost = m_setupError.has_value();
        if (m_lost)
            m_setupError->code = ErrorCode::Unavailable;
        else
            qCInfo(lcSql) << "store connection is back";
    }

    void rolledBack()
    {
        if (m_state)
            m_state->rolledBack();
    }

    /// Hands each task its outcome: right here for future-based tasks, and for those with a
    /// context in one queued call per context, in order.
    static void deliver(std::vector<Task> &batch, const Error *error)
    {
        // One queued call per thread, to its event dispatcher; each result checks there,
        // on its own thread, that its context still lives.
        struct Calls
        {
            QObject *mailbox;
            std::vector<std::pair<QPointer<QObject>, std::function<void()>>> calls;
        };
        std::vector<Calls> byThread;
        for (Task &task : batch) {
            if (!task.mailbox) {
                task.finish(error);
                continue;
            }
            auto it = std::find_if(byThread.begin(), byThread.end(), [&](const Calls &entry) {
                return entry.mailbox == task.mailbox;
            });
            if (it == byThread.end())
                it = byThread.insert(byThread.end(), {task.mailbox, {}});
            it->calls.emplace_back(
                std::move(task.context),
                [finish = std::move(task.finish),
                 failure = error ? std::optional<Error>(*error) : std::optional<Error>()] {
                    finish(failure ? &*failure : nullptr);
                });
        }
        for (Calls &entry : byThread) {
            auto calls = std::make_shared<decltype(entry.calls)>(std::move(entry.calls));
            QMetaObject::invokeMethod(
                entry.mailbox,
                [calls] {
                    for (const auto &[context, call] : *calls) {
                        if (context)
                            call();
                    }
                },
                Qt::QueuedConnection);
        }
    }

    QSqlDatabase *database() { return m_setupError ? nullptr : &m_database; }
    const Error *setupError() const { return m_setupError ? &*m_setupError : nullptr; }

    bool exec(const QString &statement, QString *error = nullptr)
    {
        QSqlQuery query(m_database);
        if (query.exec(statement))
            return true;
        if (error)
            *error = query.lastError().text();
        return false;
    }

    void runWrites(std::vector<Task> &batch)
    {
        if (m_setupError) {
            for (Task &task : batch)
                task.run(nullptr, setupError());
            deliver(batch, nullptr);
            return;
        }

        // A deadlock or serialization failure (other writers on a server store) undoes the
        // whole transaction: it runs again, jobs and all.
        constexpr int kAttempts = 5;
        for (int attempt = 1;; ++attempt) {
            const std::optional<Error> failed = runWritesOnce(batch);
            if (!failed) {
                m_owner.m_commits.fetch_add(1);
                m_owner.m_committedWrites.fetch_add(batch.size());
                deliver(batch, nullptr);
                return;
            }
            if (failed->code == ErrorCode::Conflict && attempt < kAttempts) {
                qCInfo(lcSql).noquote() << failed->message << "- running the transaction again";
                continue;
            }
            checkConnection();
            const Error error{ErrorCode::Unavailable, failed->message};
            deliver(batch, &error);
            return;
        }
    }

    /// Runs one job of a group commit. Returns false when the whole transaction must be
    /// rolled back: a job without a savepoint that may have written part of itself, or a
    /// deadlock (which aborts the transaction whatever the savepoints).
    bool runWrite(Task &task)
    {
        if (task.isolation == WriteIsolation::None)
            return task.run(&m_database, nullptr) || !task.poisoned();
        // A savepoint per job: one job's failure must not undo the others.
        exec(u"SAVEPOINT job"_s);
        if (task.run(&m_database, nullptr)) {
            exec(u"RELEASE job"_s);
            return true;
        }
        if (const QString state = sql::takeFailedState(); sql::isTransientState(state)) {
            qCWarning(lcSql).noquote() << "store write met SQLSTATE" << state;
            sql::setFailedState(state); // rollBack() tells it a conflict
            return false;
        }
        exec(u"ROLLBACK TO job"_s) && exec(u"RELEASE job"_s);
        rolledBack();
        return true;
    }

    /// One try at a group commit. Returns nothing once committed, or why it was rolled back:
    /// Conflict when running it again may succeed.
    std::optional<Error> runWritesOnce(std::vector<Task> &batch)
    {
        const auto rollBack = [this](const QString &why) {
            const bool transient = sql::isTransientState(sql::takeFailedState());
            qCWarning(lcSql).noquote() << why;
            m_database.rollback();
            rolledBack();
            return Error{transient ? ErrorCode::Conflict : ErrorCode::Unavailable, why};
        };
        sql::takeFailedState();
        QList<qint64> keys;
        if (m_owner.m_sendStaged) {
            for (const Task &task : batch) {
                if (task.lockKey != 0)
                    keys.append(task.lockKey);
            }
            std::sort(keys.begin(), keys.end());
            keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        } else if (!m_database.transaction()) {
            return Error{
                ErrorCode::Unavailable,
                u"store cannot begin a transaction: %1"_s.arg(m_database.lastError().text())};
        }
        bool begun = !m_owner.m_sendStaged;
        for (size_t next = 0; next < batch.size();) {
            // The jobs from `next` on that stage their statements go in one round trip
            // (the batch's first also begins it), then run; the first that does not stage
            // runs after them, on its own.
            size_t staged = next;
            if (m_owner.m_sendStaged) {
                while (staged < batch.size() && batch[staged].stage
                       && batch[staged].stage(m_database)) {
                    ++staged;
                }
                if (!begun || staged > next) {
                    if (auto sent = m_owner.m_sendStaged(m_database, begun ? nullptr : &keys);
                        !sent) {
                        return rollBack((begun
                                             ? u"store cannot send a batch's statements: "_s
                                             : u"store cannot begin and lock the batch's rows: "_s)
                                        + sent.error().message);
                    }
                    begun = true;
                }
            }
            const size_t end = std::min(staged + 1, batch.size());
            for (; next < end; ++next) {
                if (!runWrite(batch[next]))
                    return rollBack(u"store write failed; the batch was rolled back"_s);
            }
        }
        if (!m_database.commit()) {
            const QSqlError error = m_database.lastError();
            const bool transient = sql::isTransientState(error.nativeErrorCode());
            qCWarning(lcSql).noquote() << "store commit failed:" << error.text();
            m_database.rollback();
            rolledBack();
            return Error{transient ? ErrorCode::Conflict : ErrorCode::Unavailable,
                         u"store commit failed: %1"_s.arg(error.text())};
        }
        return std::nullopt;
    }

    SqlThread &m_owner;
    const QString m_driverName;
    const QString m_connectionName;
    std::function<Result<void>(QSqlDatabase &)> m_setup;
    std::function<std::unique_ptr<ConnectionState>(QSqlDatabase &)> m_makeState;
    QSqlDatabase m_database;
    std::optional<Error> m_setupError;
    std::optional<sql::StatementCacheScope> m_statements;
    std::unique_ptr<ConnectionState> m_state;
    bool m_opened = false;
    /// A server's connection (not a file's): it can be lost and opened again.
    const bool m_serverConnection = m_driverName == u"QPSQL";
    bool m_lost = false;
    QElapsedTimer m_lastReopen;
};

SqlThread::SqlThread(const QString &driverName, std::function<Result<void>(QSqlDatabase &)> setup,
                     int maxPendingJobs, int maxBatch,
                     std::function<std::unique_ptr<ConnectionState>(QSqlDatabase &)> makeState)
    : m_maxPending(maxPendingJobs), m_maxBatch(maxBatch)
{
    // Connection names are process-wide in QtSql: make each one unique.
    static std::atomic<int> counter{0};
    const QString connectionName = u"tidings-sql-%1"_s.arg(counter.fetch_add(1));
    m_thread.setObjectName(connectionName);
    m_worker
        = new Worker(*this, driverName, connectionName, std::move(setup), std::move(makeState));
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

SqlThread::~SqlThread()
{
    stop();
}

bool SqlThread::serverConnectionLost(QSqlDatabase &database)
{
    if (database.driverName() != u"QPSQL")
        return false;
    QSqlQuery probe(database);
    return !probe.exec(u"SELECT 1"_s);
}

void SqlThread::setSendStaged(SendStaged send)
{
    m_sendStaged = std::move(send);
}

bool SqlThread::enqueue(Task &&task)
{
    bool schedule = false;
    {
        std::lock_guard lock(m_mutex);
        if (!m_accepting)
            return false;
        if (m_pending.load() >= m_maxPending) {
            qCWarning(lcSql) << "store queue full:" << m_maxPending << "jobs pending";
            return false;
        }
        m_pending.fetch_add(1);
        m_queue.push_back(std::move(task));
        schedule = !m_drainScheduled;
        m_drainScheduled = true;
    }
    if (schedule)
        QMetaObject::invokeMethod(
            m_worker, [this] { m_worker->drain(); }, Qt::QueuedConnection);
    return true;
}

void SqlThread::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_accepting)
            return;
        m_accepting = false;
    }
    // Posted after every drain already scheduled, so queued jobs finish first; quit() from
    // inside the thread, after the close.
    QMetaObject::invokeMethod(
        m_worker,
        [this] {
            m_worker->drain();
            m_worker->close();
            m_thread.quit();
        },
        Qt::QueuedConnection);
    m_thread.wait();
}

} // namespace tidings
