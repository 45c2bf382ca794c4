#pragma once

#include "sql/sql_helpers.h"

#include <QSqlDatabase>
#include <QString>

namespace tidings::relay::sql {

// The relay's queries live in tidings::relay::sql and use the shared helpers unqualified.
using tidings::sql::now;
using tidings::sql::placeholders;
using tidings::sql::run;
using tidings::sql::runCached;

// The two stores speak almost the same SQL (ON CONFLICT, RETURNING, partial indexes, CTEs).
// What differs is named here, so a query reads the same for both (docs/decisions.md, 44).

/// Whether `db` is a PostgreSQL connection (the cluster store) rather than SQLite.
inline bool isPostgres(const QSqlDatabase &db)
{
    return db.driverName() == QLatin1StringView("QPSQL");
}

/// The larger / smaller of two values: SQLite's scalar max()/min(), PostgreSQL's
/// GREATEST()/LEAST().
inline QString greatest(const QSqlDatabase &db)
{
    return isPostgres(db) ? QStringLiteral("GREATEST") : QStringLiteral("max");
}
inline QString least(const QSqlDatabase &db)
{
    return isPostgres(db) ? QStringLiteral("LEAST") : QStringLiteral("min");
}

/// 32 random lower-case hex digits, made by the database.
inline QString randomKey(const QSqlDatabase &db)
{
    return isPostgres(db) ? QStringLiteral("replace(gen_random_uuid()::text, '-', '')")
                          : QStringLiteral("lower(hex(randomblob(16)))");
}

} // namespace tidings::relay::sql
