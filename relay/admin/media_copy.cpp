#include "admin/media_copy.h"

#include "media/blob_store.h"
#include "store/media_queries.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kProgressMs = 2000;

} // namespace

QList<LocalBlob> MediaCopy::list(const QString &directory)
{
    QList<LocalBlob> blobs;
    const QDir media(directory);
    if (!media.exists())
        return blobs;
    const QStringList folders = media.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &folder : folders) {
        const QFileInfoList files
            = QDir(media.filePath(folder)).entryInfoList(QDir::Files | QDir::Hidden, QDir::Name);
        for (const QFileInfo &file : files) {
            const QString id = file.fileName();
            if (sql::isMediaId(id) && id.startsWith(folder))
                blobs.append(LocalBlob{id, file.size()});
        }
    }
    return blobs;
}

MediaCopy::MediaCopy(QString directory, BlobStore &target, qint64 pieceBytes, Progress progress)
    : m_directory(std::move(directory)), m_target(target),
      m_pieceBytes(std::max<qint64>(pieceBytes, 64 * 1024)), m_progress(std::move(progress))
{ }

Result<void> MediaCopy::copy(const QList<LocalBlob> &blobs)
{
    if (blobs.isEmpty())
        return {};
    auto source = LocalBlobStore::open(m_directory);
    if (!source)
        return source.error();
    qint64 total = 0;
    for (const LocalBlob &blob : blobs)
        total += blob.size;
    qint64 copiedBytes = 0;
    QElapsedTimer sinceReport;
    sinceReport.start();
    for (qsizetype i = 0; i < blobs.size(); ++i) {
        if (auto copied = copyBlob(**source, blobs.at(i)); !copied)
            return copied.error();
        copiedBytes += blobs.at(i).size;
        if (m_progress && (sinceReport.elapsed() >= kProgressMs || i + 1 == blobs.size())) {
            m_progress(u"  media: %1 of %2 files, %3 of %4 bytes"_s.arg(i + 1)
                           .arg(blobs.size())
                           .arg(copiedBytes)
                           .arg(total));
            sinceReport.restart();
        }
    }
    return {};
}

Result<void> MediaCopy::copyBlob(BlobStore &source, const LocalBlob &blob)
{
    const auto failed = [&](const Error &error) {
        return Error{error.code, u"media %1: %2"_s.arg(blob.id, error.message)};
    };
    // An earlier run cut short may have left part of it: start from nothing.
    if (auto removed = m_target.remove(blob.id); !removed)
        return failed(removed.error());
    qint64 offset = 0;
    while (offset < blob.size) {
        const auto bytes = source.read(blob.id, offset, std::min(m_pieceBytes, blob.size - offset));
        if (!bytes)
            return failed(bytes.error());
        if (bytes->isEmpty())
            return failed(Error{ErrorCode::Io,
                                u"the file ended at byte %1 of %2"_s.arg(offset).arg(blob.size)});
        const auto appended = m_target.append(blob.id, offset, *bytes, true);
        if (!appended)
            return failed(appended.error());
        offset = *appended;
    }
    const auto stored = m_target.size(blob.id);
    if (!stored)
        return failed(stored.error());
    if (*stored != blob.size)
        return failed(
            Error{ErrorCode::Io,
                  u"the target holds %1 bytes of %2 after the copy"_s.arg(*stored).arg(blob.size)});
    return {};
}

} // namespace tidings::relay
