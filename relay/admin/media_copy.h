#pragma once

#include "util/result.h"

#include <QList>
#include <QString>

#include <functional>

namespace tidings::relay {

class BlobStore;

/// One media file in a data directory's `media` folder.
struct LocalBlob
{
    QString id;
    qint64 size = 0;
};

/// Copies the blobs of an embedded relay's media folder into another BlobStore (S3) for
/// `migrate-store`, under the same media ids. What the target already holds under an id
/// (from a run cut short) is removed first, so running it again always ends with the
/// source's bytes. The source is only read.
class MediaCopy
{
public:
    using Progress = std::function<void(const QString &line)>;

    /// The blobs in `directory` (<dir>/<first two hex digits>/<id>), by id; none when
    /// the directory does not exist. Files that are not blobs are left out.
    static QList<LocalBlob> list(const QString &directory);

    /// `pieceBytes`: the most sent in one request (one object on S3).
    MediaCopy(QString directory, BlobStore &target, qint64 pieceBytes, Progress progress = {});

    /// Copies `blobs` one after the other; each is checked by its size on the target.
    Result<void> copy(const QList<LocalBlob> &blobs);

private:
    Result<void> copyBlob(BlobStore &source, const LocalBlob &blob);

    QString m_directory;
    BlobStore &m_target;
    qint64 m_pieceBytes;
    Progress m_progress;
};

} // namespace tidings::relay
