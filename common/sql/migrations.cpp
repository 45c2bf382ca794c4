#include "sql/migrations.h"

#include "sql/sql_logging.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace tidings {

using namespace Qt::StringLiterals;

namespace {

Error sqlError(const QString &what, const QSqlError &error)
{
    return Error{ErrorCode::Io, u"%1: %2"_s.arg(what, error.text())};
}

} // namespace

Result<SchemaState> readSchemaState(QSqlDatabase &database)
{
    // SQLite lists a file's tables in sqlite_master; PostgreSQL those of the connection's
    // schema (the first on its search_path) in pg_tables.
    const bool postgres = database.driverName() == u"QPSQL";
    const QString tables = postgres
        ? u"SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"_s
        : u"SELECT count(*) FROM sqlite_master WHERE type = 'table'"_s;
    QSqlQuery query(database);
    if (!query.exec(tables) || !query.next())
        return sqlError(u"cannot read the schema"_s, query.lastError());

    SchemaState state;
    state.empty = query.value(0).toInt() == 0;
    if (state.empty)
        return state;

    const QString named = postgres ? tables + u" AND tablename = 'schema_migrations'"_s
                                   : tables + u" AND name = 'schema_migrations'"_s;
    if (!query.exec(named) || !query.next())
        return sqlError(u"cannot read the schema"_s, query.lastError());
    if (query.value(0).toInt() == 0)
        return state; // tables, but none of ours: the caller decides

    if (!query.exec(u"SELECT coalesce(max(version), 0) FROM schema_migrations"_s) || !query.next())
        return sqlError(u"cannot read the schema version"_s, query.lastError());
    state.version = query.value(0).toInt();
    return state;
}

Result<int> applyMigrations(QSqlDatabase &database, std::span<const Migration> migrations)
{
    auto state = readSchemaState(database);
    if (!state)
        return state.error();

    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (state->version > latest) {
        return Error{ErrorCode::Incompatible,
                     u"schema version %1 is newer than this build supports (%2); "
                     "run a newer version"_s.arg(state->version)
                         .arg(latest)};
    }

    int version = state->version;
    for (const Migration &migration : migrations) {
        if (migration.version <= version)
            continue;
        if (!database.transaction())
            return sqlError(u"cannot start migration %1"_s.arg(migration.version),
                            database.lastError());

        QSqlQuery query(database);
        bool ok = query.exec(u"CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                             "applied_at BIGINT NOT NULL)"_s);
        for (const char *statement : migration.statements) {
            if (!ok)
                break;
            ok = query.exec(QString::fromUtf8(statement));
        }
        if (ok) {
            ok = query.prepare(u"INSERT INTO schema_migrations (version, name, applied_at) "
                               "VALUES (?, ?, ?)"_s);
            query.addBindValue(migration.version);
            query.addBindValue(QString::fromUtf8(migration.name));
            query.addBindValue(QDateTime::currentMSecsSinceEpoch());
            ok = ok && query.exec();
        }
        if (!ok || !database.commit()) {
            const Error error
                = sqlError(u"migration %1 (%2) failed"_s.arg(migration.version)
                               .arg(QString::fromUtf8(migration.name)),
                           query.lastError().isValid() ? query.lastError() : database.lastError());
            database.rollback();
            return error;
        }
        qCInfo(lcSql) << "applied migration" << migration.version << migration.name;
        version = migration.version;
    }
    return version;
}

} // namespace tidings
