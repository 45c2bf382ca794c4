#include "sql/sql_helpers.h"

#include <QDateTime>
#include <QSqlError>

namespace tidings::sql {

using namespace Qt::StringLiterals;

Result<QSqlQuery> run(QSqlDatabase &database, const QString &statement, const QVariantList &values)
{
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.prepare(statement))
        return Error{ErrorCode::Io, u"cannot prepare: %1"_s.arg(query.lastError().text())};
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        const QSqlError error = query.lastError();
        const bool constraint = error.nativeErrorCode() == u"2067" // SQLITE_CONSTRAINT_UNIQUE
            || error.nativeErrorCode() == u"1555" // SQLITE_CONSTRAINT_PRIMARYKEY
            || error.nativeErrorCode() == u"23505"; // PostgreSQL unique_violation
        return Error{constraint ? ErrorCode::Conflict : ErrorCode::Io, error.text()};
    }
    return query;
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace tidings::sql
