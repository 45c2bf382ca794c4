#include "store/sqlite_source.h"

#include "sql/migrations.h"
#include "store/sqlite_store.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

Error sqlError(const QString &path, const QString &what, const QSqlError &error)
{
    return Error{ErrorCode::Io, u"%1: %2: %3"_s.arg(path, what, error.text())};
}

} // namespace

QString quotedIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(u'"', u"\"\""_s);
    return u'"' + quoted + u'"';
}

SqliteSource::SqliteSource(QString path, QString connectionName)
    : m_path(std::move(path)), m_connectionName(std::move(connectionName)),
      m_database(QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName))
{ }

SqliteSource::~SqliteSource()
{
    m_database.close();
    m_database = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<std::unique_ptr<SqliteSource>> SqliteSource::open(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return Error{ErrorCode::NotFound, u"there is no store at %1"_s.arg(path)};
    // Connection names are process-wide in QtSql; each source has its own.
    static std::atomic<int> counter{0};
    std::unique_ptr<SqliteSource> source(
        new SqliteSource(path, u"tidings-migrate-source-%1"_s.arg(counter.fetch_add(1))));
    QSqlDatabase &database = source->m_database;
    database.setDatabaseName(path);
    database.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!database.open())
        return sqlError(path, u"cannot open"_s, database.lastError());

    QSqlQuery query(database);
    if (!query.exec(u"PRAGMA application_id"_s) || !query.next())
        return Error{
            ErrorCode::Corrupt,
            u"%1 is not a readable SQLite database (%2)"_s.arg(path, query.lastError().text())};
    if (query.value(0).toInt() != SqliteStore::kApplicationId)
        return Error{ErrorCode::Incompatible, u"%1 is not a Tidings relay store"_s.arg(path)};
    query.finish();
    const auto state = readSchemaState(database);
    if (!state)
        return Error{ErrorCode::Corrupt, u"%1: %2"_s.arg(path, state.error().message)};
    source->m_schemaVersion = state->version;
    return source;
}

Result<void> SqliteSource::beginSnapshot()
{
    // A deferred transaction takes its snapshot at the first read, and keeps it.
    QSqlQuery query(m_database);
    if (!query.exec(u"BEGIN"_s) || !query.exec(u"SELECT count(*) FROM sqlite_master"_s))
        return sqlError(m_path, u"cannot begin reading"_s, query.lastError());
    return {};
}

Result<QStringList> SqliteSource::tables()
{
    QSqlQuery query(m_database);
    if (!query.exec(u"SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                    "AND name <> 'schema_migrations' ORDER BY name"_s))
        return sqlError(m_path, u"cannot list the tables"_s, query.lastError());
    QStringList names;
    while (query.next())
        names.append(query.value(0).toString());
    return names;
}

Result<QStringList> SqliteSource::columns(const QString &table)
{
    QSqlQuery query(m_database);
    if (!query.exec(u"PRAGMA table_info(%1)"_s.arg(quotedIdentifier(table))))
        return sqlError(m_path, u"cannot read the columns of %1"_s.arg(table), query.lastError());
    QStringList names;
    while (query.next())
        names.append(query.value(1).toString()); // cid, name, type, notnull, default, pk
    if (names.isEmpty())
        return Error{ErrorCode::Corrupt, u"%1: table %2 has no columns"_s.arg(m_path, table)};
    return names;
}

Result<qint64> SqliteSource::rowCount(const QString &table)
{
    QSqlQuery query(m_database);
    if (!query.exec(u"SELECT count(*) FROM "_s + quotedIdentifier(table)) || !query.next())
        return sqlError(m_path, u"cannot count the rows of %1"_s.arg(table), query.lastError());
    return query.value(0).toLongLong();
}

} // namespace tidings::relay
