#include "core/transfer_queries.h"

#include "sql/sql_helpers.h"

namespace tidings::app::local {

using namespace Qt::StringLiterals;
using sql::now;
using sql::run;

namespace {

/// Never NULL: a null QString binds as NULL.
QString text(const QString &value)
{
    return value.isNull() ? u""_s : value;
}

} // namespace

Result<void> saveTransfer(QSqlDatabase &db, const Transfer &transfer)
{
    auto query = run(db,
                     u"INSERT INTO transfers (id, kind, path, media_id, size, sha256, type, name,"
                     " paused, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (id) DO NOTHING"_s,
                     {transfer.id, transfer.kind, text(transfer.path), text(transfer.mediaId),
                      transfer.size, text(transfer.sha256), text(transfer.type),
                      text(transfer.name), transfer.paused, now()});
    if (!query)
        return query.error();
    return {};
}

Result<void> setTransferMedia(QSqlDatabase &db, const QString &id, const QString &mediaId,
                              const QString &sha256, qint64 size)
{
    auto query = run(db, u"UPDATE transfers SET media_id = ?, sha256 = ?, size = ? WHERE id = ?"_s,
                     {text(mediaId), text(sha256), size, id});
    if (!query)
        return query.error();
    return {};
}

Result<void> setTransferPaused(QSqlDatabase &db, const QString &id, bool paused)
{
    auto query = run(db, u"UPDATE transfers SET paused = ? WHERE id = ?"_s, {paused, id});
    if (!query)
        return query.error();
    return {};
}

Result<void> removeTransfer(QSqlDatabase &db, const QString &id)
{
    auto query = run(db, u"DELETE FROM transfers WHERE id = ?"_s, {id});
    if (!query)
        return query.error();
    return {};
}

Result<QList<Transfer>> unfinishedTransfers(QSqlDatabase &db)
{
    auto query = run(db,
                     u"SELECT id, kind, path, media_id, size, sha256, type, name, paused"
                     " FROM transfers ORDER BY created_at"_s);
    if (!query)
        return query.error();
    QList<Transfer> transfers;
    while (query->next()) {
        transfers.append(
            {query->value(0).toString(), query->value(1).toString(), query->value(2).toString(),
             query->value(3).toString(), query->value(4).toLongLong(), query->value(5).toString(),
             query->value(6).toString(), query->value(7).toString(), query->value(8).toBool()});
    }
    return transfers;
}

} // namespace tidings::app::local
