#include "core/local_store.h"

#include "core/store_cipher.h"
#include "e2e/store_crypto.h"
#include "sql/migrations.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace tidings::app {

std::span<const Migration> localMigrations();

using namespace Qt::StringLiterals;

LocalStore::LocalStore(QString path, QObject *parent) : QObject(parent), m_path(std::move(path)) { }

LocalStore::~LocalStore()
{
    close();
}

void LocalStore::setStoreKey(const e2e::StoreKey &key)
{
    m_cipher = std::make_shared<const e2e::StoreValueCipher>(key);
}

WorkerFuture<Result<int>> LocalStore::open()
{
    const QString path = m_path;
    m_connection = std::make_shared<QString>();
    m_thread = std::make_unique<SqlThread>(
        u"QSQLITE"_s,
        [path, cipher = m_cipher,
         connection = m_connection](QSqlDatabase &database) -> Result<void> {
            *connection = database.connectionName();
            if (cipher)
                local::attachColumnCipher(*connection, cipher);
            QDir().mkpath(QFileInfo(path).absolutePath());
            database.setDatabaseName(path);
            database.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
            if (!database.open())
                return Error{ErrorCode::Io,
                             u"cannot open %1: %2"_s.arg(path, database.lastError().text())};
            QSqlQuery query(database);
            // FULL: a message the user sent is in the outbox on disk before it shows, and stays
            // there through a crash or power loss until the relay acked it.
            for (const QString &pragma :
                 {u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=FULL"_s,
                  u"PRAGMA foreign_keys=ON"_s}) {
                if (!query.exec(pragma))
                    return Error{ErrorCode::Io, u"%1: %2"_s.arg(path, query.lastError().text())};
            }
            return {};
        });
    return m_thread->submit<int>([path](QSqlDatabase &database) -> Result<int> {
        auto version = applyMigrations(database, localMigrations());
        if (!version)
            return Error{version.error().code, u"%1: %2"_s.arg(path, version.error().message)};
        return *version;
    });
}

void LocalStore::close()
{
    if (m_thread) {
        m_thread->stop();
        m_thread.reset();
    }
    if (m_connection && !m_connection->isEmpty())
        local::detachColumnCipher(*m_connection);
}

} // namespace tidings::app
