#include "store/sqlite_store.h"

#include "sql/migrations.h"
#include "store/account_queries.h"
#include "store/conversation_cache.h"
#include "store/store_logging.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

Result<void> openConnection(QSqlDatabase &database, const QString &path, bool readOnly)
{
    database.setDatabaseName(path);
    database.setConnectOptions(readOnly ? u"QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY"_s
                                        : u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!database.open())
        return Error{ErrorCode::Io, u"cannot open %1: %2"_s.arg(path, database.lastError().text())};
    return {};
}

Result<int> readPragmaInt(QSqlDatabase &database, const QString &pragma)
{
    QSqlQuery query(database);
    if (!query.exec(u"PRAGMA "_s + pragma) || !query.next())
        return Error{ErrorCode::Corrupt, query.lastError().databaseText()};
    return query.value(0).toInt();
}

Result<void> exec(QSqlDatabase &database, const QString &statement)
{
    QSqlQuery query(database);
    if (!query.exec(statement))
        return Error{ErrorCode::Io, u"%1: %2"_s.arg(statement, query.lastError().text())};
    return {};
}

Result<StoreInfo> openStore(QSqlDatabase &database, const QString &path, SyncPolicy sync)
{
    // Read-only checks first: nothing is written until the file is known to be ours.
    const auto applicationId = readPragmaInt(database, u"application_id"_s);
    if (!applicationId) {
        return Error{ErrorCode::Corrupt,
                     u"%1 is not a readable SQLite database (%2)"_s.arg(
                         path, applicationId.error().message)};
    }
    const auto state = readSchemaState(database);
    if (!state)
        return Error{ErrorCode::Corrupt, u"%1: %2"_s.arg(path, state.error().message)};
    if (*applicationId != SqliteStore::kApplicationId && !(state->empty && *applicationId == 0)) {
        return Error{
            ErrorCode::Incompatible,
            u"%1 is a SQLite database of another application, not a Tidings store"_s.arg(path)};
    }
    const auto migrations = sqliteMigrations();
    if (state->version > migrations.back().version) {
        return Error{ErrorCode::Incompatible,
                     u"%1 has schema version %2, newer than this relay supports (%3); "
                     "run a newer tidings-relay"_s.arg(path)
                         .arg(state->version)
                         .arg(migrations.back().version)};
    }

    // WAL lets readers work while the writer commits; synchronous=FULL makes every commit
    // durable on power loss (see docs/architecture.md: batching buys throughput, not fsync).
    const auto journal = [&]() -> Result<void> {
        QSqlQuery query(database);
        if (!query.exec(u"PRAGMA journal_mode=WAL"_s) || !query.next())
            return Error{ErrorCode::Io, query.lastError().text()};
        if (query.value(0).toString() != u"wal")
            return Error{ErrorCode::Io,
                         u"journal mode is %1, not wal"_s.arg(query.value(0).toString())};
        return {};
    }();
    if (!journal)
        return Error{ErrorCode::Io,
                     u"%1: cannot enable WAL: %2"_s.arg(path, journal.error().message)};
    const QString synchronous
        = sync == SyncPolicy::Full ? u"PRAGMA synchronous=FULL"_s : u"PRAGMA synchronous=NORMAL"_s;
    // The writer's own page cache and a memory map for reading the file: without them the
    // message path re-read its hot pages (the tail of the log, the indexes) through a pread
    // each; a larger auto-checkpoint writes each hot page back once per 40 MB of log rather
    // than once per 4 MB (docs/benchmarks.md, issue 15). secure_delete=FAST zeroes what a
    // delete or rewrite frees inside the pages it writes anyway (a message deleted for
    // everyone, its edits), at no extra I/O.
    for (const QString &pragma :
         {synchronous, u"PRAGMA foreign_keys=ON"_s, u"PRAGMA secure_delete=FAST"_s,
          u"PRAGMA cache_size=-65536"_s, u"PRAGMA mmap_size=1073741824"_s,
          u"PRAGMA wal_autocheckpoint=10000"_s}) {
        if (auto result = exec(database, pragma); !result)
            return result.error();
    }
    if (*applicationId != SqliteStore::kApplicationId) {
        if (auto result
            = exec(database, u"PRAGMA application_id=%1"_s.arg(SqliteStore::kApplicationId));
            !result) {
            return result.error();
        }
    }

    auto version = applyMigrations(database, migrations);
    if (!version)
        return Error{version.error().code, u"%1: %2"_s.arg(path, version.error().message)};

    StoreInfo info;
    info.backend = u"sqlite"_s;
    info.location = path;
    info.schemaVersion = *version;

    QSqlQuery query(database);
    query.prepare(u"INSERT OR IGNORE INTO relay_meta (key, value) VALUES ('instance_id', ?)"_s);
    query.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
    if (!query.exec())
        return Error{ErrorCode::Io, u"%1: %2"_s.arg(path, query.lastError().text())};
    if (!query.exec(u"SELECT value FROM relay_meta WHERE key = 'instance_id'"_s) || !query.next())
        return Error{ErrorCode::Io, u"%1: %2"_s.arg(path, query.lastError().text())};
    info.instanceId = query.value(0).toString();
    // Decided at the first open by this version, admin commands included: an owner account
    // made with `user add` before the first start does not pass the store off as upgraded.
    const auto decided = sql::e2eDefault(database);
    if (!decided)
        return Error{decided.error().code, u"%1: %2"_s.arg(path, decided.error().message)};
    info.e2eDefault = *decided;
    return info;
}

} // namespace

SqliteStore::SqliteStore(QString path, SyncPolicy sync) : m_path(std::move(path)), m_sync(sync) { }

SqliteStore::~SqliteStore() = default;

Result<StoreInfo> SqliteStore::open()
{
    Q_ASSERT(!m_writer);
    const QString path = m_path;
    m_writer = std::make_unique<SqlThread>(
        u"QSQLITE"_s,
        [path](QSqlDatabase &database) { return openConnection(database, path, false); }, 65536,
        256, &sql::ConversationCache::installedFor);
    auto opened = m_writer->submit<StoreInfo>(
        [path, sync = m_sync](QSqlDatabase &database) { return openStore(database, path, sync); });
    // The reader opens only once the file is known good and migrated.
    opened.waitForFinished();
    const Result<StoreInfo> result = opened.result();
    if (result.ok()) {
        m_reader = std::make_unique<SqlThread>(
            u"QSQLITE"_s, [path](QSqlDatabase &database) -> Result<void> {
                if (auto connected = openConnection(database, path, true); !connected)
                    return connected;
                QSqlQuery query(database);
                query.exec(u"PRAGMA foreign_keys=ON"_s);
                query.exec(u"PRAGMA mmap_size=1073741824"_s);
                return {};
            });
    } else {
        close();
    }
    return result;
}

} // namespace tidings::relay
