#pragma once

#include "util/result.h"

#include <QSqlDatabase>
#include <QString>

#include <span>

namespace tidings {

/// One step of the schema: applied once, in its own transaction, in version order.
struct Migration
{
    int version;
    const char *name;
    std::span<const char *const> statements;
};

/// What a database file holds before any migration runs.
struct SchemaState
{
    bool empty = true; ///< no tables at all: a new store
    int version = 0; ///< highest applied migration
};

/// Reads the applied schema version without writing anything.
Result<SchemaState> readSchemaState(QSqlDatabase &database);

/// Applies every migration newer than the database's version. Refuses (ErrorCode::Incompatible)
/// a database newer than the newest migration, and changes nothing in that case.
Result<int> applyMigrations(QSqlDatabase &database, std::span<const Migration> migrations);

} // namespace tidings
