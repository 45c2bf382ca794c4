#pragma once

#include "e2e/secret.h"
#include "util/result.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

/// The transfers an app run has not finished, kept so the next run picks them up.
namespace tidings::app::local {

struct Transfer
{
    QString id;
    QString kind; ///< upload, download
    QString path; ///< upload: the file sent; download: where it goes
    QString mediaId; ///< upload: empty until the relay made it
    qint64 size = 0;
    QString sha256;
    QString type;
    QString name;
    bool paused = false;
};

Result<void> saveTransfer(QSqlDatabase &db, const Transfer &transfer);
Result<void> setTransferMedia(QSqlDatabase &db, const QString &id, const QString &mediaId,
                              const QString &sha256, qint64 size);
Result<void> setTransferPaused(QSqlDatabase &db, const QString &id, bool paused);
Result<void> removeTransfer(QSqlDatabase &db, const QString &id);
Result<QList<Transfer>> unfinishedTransfers(QSqlDatabase &db);

/// The keys of the sealed media cache's files (docs/encryption.md, section 8), by media id,
/// each sealed with the store key: never kept without one (BadRequest).
Result<void> saveCacheKeys(QSqlDatabase &db, const QHash<QString, tidings::e2e::SecretKey> &keys);
Result<void> removeCacheKeys(QSqlDatabase &db, const QStringList &mediaIds);
/// Every key that opens; one that does not (altered, or sealed with another store key) is
/// left out, and its file is then dropped as one with no key.
Result<QHash<QString, tidings::e2e::SecretKey>> cacheKeys(QSqlDatabase &db);

} // namespace tidings::app::local
