#pragma once

#include "util/result.h"

#include <QSqlDatabase>
#include <QStringList>

#include <memory>

namespace tidings::relay {

/// `name` as an SQL identifier, quoted: the same in SQLite and PostgreSQL.
QString quotedIdentifier(const QString &name);

/// An embedded relay's SQLite store, opened read-only on the calling thread for
/// `migrate-store`. Unlike SqliteStore it never writes: no migration, no pragma that
/// changes the file, so the data directory it came from can be started again as it was.
/// The connection belongs to the calling thread and is closed with this object.
class SqliteSource
{
public:
    /// Opens `path` read-only and checks that it is a Tidings store; reads its version.
    static Result<std::unique_ptr<SqliteSource>> open(const QString &path);
    ~SqliteSource();

    SqliteSource(const SqliteSource &) = delete;
    SqliteSource &operator=(const SqliteSource &) = delete;

    QString path() const { return m_path; }
    /// The highest migration applied to the file.
    int schemaVersion() const { return m_schemaVersion; }

    /// Starts a read transaction: everything read until this object goes sees one snapshot,
    /// whatever an admin command writes meanwhile.
    Result<void> beginSnapshot();
    /// The store's tables, by name, without SQLite's own and schema_migrations (which the
    /// migrations keep on each side).
    Result<QStringList> tables();
    /// A table's columns in their order (PRAGMA table_info).
    Result<QStringList> columns(const QString &table);
    Result<qint64> rowCount(const QString &table);

    QSqlDatabase &database() { return m_database; }

private:
    SqliteSource(QString path, QString connectionName);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_database;
    int m_schemaVersion = 0;
};

} // namespace tidings::relay
