#include "core/transfer_queries.h"

#include "core/core_logging.h"
#include "core/store_cipher.h"
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
    // Where the user's file is and what it is called are theirs: sealed with the store key
    // (store_cipher.h) when there is one.
    const auto path = sealText(db, "transfers", "path", transfer.id, transfer.path);
    if (!path)
        return path.error();
    const auto name = sealText(db, "transfers", "name", transfer.id, transfer.name);
    if (!name)
        return name.error();
    auto query = run(db,
                     u"INSERT INTO transfers (id, kind, path, media_id, size, sha256, type, name,"
                     " paused, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (id) DO NOTHING"_s,
                     {transfer.id, transfer.kind, *path, text(transfer.mediaId), transfer.size,
                      text(transfer.sha256), text(transfer.type), *name, transfer.paused, now()});
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
        const QString id = query->value(0).toString();
        auto path = openText(db, "transfers", "path", id, query->value(2));
        if (!path)
            return path.error();
        auto name = openText(db, "transfers", "name", id, query->value(7));
        if (!name)
            return name.error();
        transfers.append({id, query->value(1).toString(), std::move(*path),
                          query->value(3).toString(), query->value(4).toLongLong(),
                          query->value(5).toString(), query->value(6).toString(), std::move(*name),
                          query->value(8).toBool()});
    }
    return transfers;
}

Result<void> saveCacheKeys(QSqlDatabase &db, const QHash<QString, tidings::e2e::SecretKey> &keys)
{
    // A file key in clear would open its file for anyone with the disk: only ever sealed.
    if (!keys.isEmpty() && !hasColumnCipher(db))
        return Error{ErrorCode::BadRequest, u"the media cache's keys are kept only sealed"_s};
    for (auto it = keys.cbegin(); it != keys.cend(); ++it) {
        QByteArray bytes = it.value().toByteArray();
        const auto sealed = sealColumn(db, "cache_keys", "file_key", it.key(), bytes);
        tidings::e2e::wipe(bytes);
        if (!sealed)
            return sealed.error();
        auto query = run(db,
                         u"INSERT INTO cache_keys (media_id, file_key) VALUES (?, ?)"
                         " ON CONFLICT (media_id) DO UPDATE SET file_key = excluded.file_key"_s,
                         {it.key(), *sealed});
        if (!query)
            return query.error();
    }
    return {};
}

Result<void> removeCacheKeys(QSqlDatabase &db, const QStringList &mediaIds)
{
    for (const QString &mediaId : mediaIds) {
        if (auto query = run(db, u"DELETE FROM cache_keys WHERE media_id = ?"_s, {mediaId}); !query)
            return query.error();
    }
    return {};
}

Result<QHash<QString, tidings::e2e::SecretKey>> cacheKeys(QSqlDatabase &db)
{
    auto query = run(db, u"SELECT media_id, file_key FROM cache_keys"_s);
    if (!query)
        return query.error();
    QHash<QString, tidings::e2e::SecretKey> keys;
    while (query->next()) {
        const QString mediaId = query->value(0).toString();
        auto opened = openColumn(db, "cache_keys", "file_key", mediaId, query->value(1));
        if (!opened || !hasColumnCipher(db)) {
            qCWarning(lcTransfers).noquote()
                << "the key of cached media" << mediaId << "does not open: dropped";
            continue;
        }
        if (const auto key = tidings::e2e::SecretKey::fromBytes(*opened))
            keys.insert(mediaId, *key);
        tidings::e2e::wipe(*opened);
    }
    return keys;
}

} // namespace tidings::app::local
