#pragma once

#include "util/result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

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

} // namespace tidings::app::local
