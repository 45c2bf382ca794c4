#pragma once

#include "util/result.h"

#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <functional>

namespace tidings::relay {

class SqliteSource;

/// How a value is bound for a column, from the column's type on PostgreSQL.
enum class TargetType { Integer, Real, Boolean, Text, Bytes };

/// One table as `migrate-store` copies it.
struct CopyTable
{
    QString name;
    QStringList columns; ///< SQLite's names in its order; PostgreSQL has the same ones
    QList<TargetType> types; ///< each column's type on PostgreSQL
    QStringList counters; ///< identity (or serial) columns: their sequences move past the ids
    qint64 sourceRows = 0;
    qint64 targetRows = 0; ///< what the target held when planned
    qint64 copiedRows = 0; ///< what copy() inserted
};

/// Copies an embedded relay's store (SQLite) into a cluster store (PostgreSQL) at the same
/// schema version. Nothing is listed by hand: the tables and columns come from the two
/// schemas (which must agree), the order from PostgreSQL's foreign keys, each value's
/// conversion from its PostgreSQL column type (INTEGER → BIGINT, BLOB → BYTEA, …).
/// Both connections belong to the calling thread; the target's work is meant to be one
/// transaction, which the caller owns (a store write job).
class StoreCopy
{
public:
    using Progress = std::function<void(const QString &line)>;

    StoreCopy(SqliteSource &source, QSqlDatabase &target, Progress progress = {});

    /// Reads both schemas and counts both sides' rows: every table to copy, parents
    /// before the tables that refer to them. Fails when the schemas differ, or a column
    /// has a PostgreSQL type this copy cannot fill.
    Result<QList<CopyTable>> plan();

    /// Whether `table` holds the store's own settings (relay_meta) rather than users'
    /// data: the target's rows are kept there (its instance id names the cluster's bus),
    /// and rows there do not make the target "not empty".
    static bool isSettingsTable(const QString &table);

    /// Copies every row of the planned `tables` in their order, in batches; then sets each
    /// conversation's last_seq to its log's last seq (SQLite leaves the column behind the
    /// log, PostgreSQL appends from it), moves the identity sequences past the copied ids
    /// and checks each table's row count. Returns the tables with copiedRows.
    Result<QList<CopyTable>> copy(QList<CopyTable> tables);

private:
    Result<qint64> copyTable(const CopyTable &table);
    Result<void> catchUpLastSeqs(const QList<CopyTable> &tables);
    Result<void> moveCounters(const CopyTable &table);
    void report(const QString &line) const;

    SqliteSource &m_source;
    QSqlDatabase &m_target;
    Progress m_progress;
};

} // namespace tidings::relay
