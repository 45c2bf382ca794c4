#pragma once

#include "util/result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

namespace tidings::sql {

/// Prepares `statement`, binds `values` in order and runs it. A failure is an Error whose
/// code is Conflict for a violated UNIQUE/PRIMARY KEY constraint, Io otherwise.
Result<QSqlQuery> run(QSqlDatabase &database, const QString &statement,
                      const QVariantList &values = {});

/// Milliseconds since the epoch, UTC: the one clock the store uses.
qint64 now();

} // namespace tidings::sql
