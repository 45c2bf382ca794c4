#include "store/sql_thread.h"

#include "store/store_logging.h"

#include <QMetaObject>
#include <QSqlError>

#include <optional>

namespace tidings::relay {

using namespace Qt::StringLiterals;

class SqlThread::Worker : public QObject
{
public:
    Worker(QString driverName, QString connectionName,
           std::function<Result<void>(QSqlDatabase &)> setup)
        : m_driverName(std::move(driverName)), m_connectionName(std::move(connectionName)),
          m_setup(std::move(setup))
    { }

    void run(const Task &task)
    {
        Q_ASSERT(QThread::currentThread() == thread());
        if (!m_started) {
            m_started = true;
            m_database = QSqlDatabase::addDatabase(m_driverName, m_connectionName);
            if (auto setup = m_setup(m_database); !setup)
                m_setupError = setup.error();
        }
        task(m_setupError ? nullptr : &m_database, m_setupError ? &*m_setupError : nullptr);
    }

    void close()
    {
        Q_ASSERT(QThread::currentThread() == thread());
        if (!m_started)
            return;
        m_database.close();
        m_database = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }

private:
    const QString m_driverName;
    const QString m_connectionName;
    std::function<Result<void>(QSqlDatabase &)> m_setup;
    QSqlDatabase m_database;
    std::optional<Error> m_setupError;
    bool m_started = false;
};

SqlThread::SqlThread(const QString &driverName, std::function<Result<void>(QSqlDatabase &)> setup,
                     int maxPendingJobs)
    : m_maxPending(maxPendingJobs)
{
    // Connection names are process-wide in QtSql: make each one unique.
    static std::atomic<int> counter{0};
    const QString connectionName = u"tidings-sql-%1"_s.arg(counter.fetch_add(1));
    m_thread.setObjectName(connectionName);
    m_worker = new Worker(driverName, connectionName, std::move(setup));
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

SqlThread::~SqlThread()
{
    stop();
}

bool SqlThread::enqueue(Task task)
{
    if (!m_thread.isRunning())
        return false;
    if (m_pending.fetch_add(1) >= m_maxPending) {
        m_pending.fetch_sub(1);
        qCWarning(lcStore) << "store queue full:" << m_maxPending << "jobs pending";
        return false;
    }
    QMetaObject::invokeMethod(
        m_worker,
        [this, task = std::move(task)] {
            m_worker->run(task);
            m_pending.fetch_sub(1);
        },
        Qt::QueuedConnection);
    return true;
}

void SqlThread::stop()
{
    if (!m_thread.isRunning())
        return;
    // Queued after every job already submitted, so those finish first.
    // quit() from inside the thread, after the close: quitting from here could leave queued
    // jobs unprocessed.
    QMetaObject::invokeMethod(
        m_worker,
        [this] {
            m_worker->close();
            m_thread.quit();
        },
        Qt::QueuedConnection);
    m_thread.wait();
}

} // namespace tidings::relay
