#include "ui/attachment_media.h"

#include "core/transfer_manager.h"
#include "ui/media_files.h"
#include "util/futures.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace tidings::app {

using namespace Qt::StringLiterals;

AttachmentMedia::AttachmentMedia(TransferManager &transfers, QObject *parent)
    : QObject(parent), m_transfers(transfers)
{
    m_pictures.setMaxCost(96 * 1024); // KiB of decoded pixels
    m_thumbnails.setMaxCost(500);
    connect(&transfers, &TransferManager::progress, this,
            [this](const QString &id, qint64 done, qint64 total) {
                m_progress.insert(id, {done, total});
                Q_EMIT changed();
            });
    const auto finished = [this](const QString &id) {
        m_progress.remove(id);
        for (auto it = m_downloads.begin(); it != m_downloads.end();) {
            if (it.value() == id)
                it = m_downloads.erase(it);
            else
                ++it;
        }
        Q_EMIT changed();
    };
    connect(&transfers, &TransferManager::downloaded, this,
            [finished](const QString &id, const QString &, const QString &) { finished(id); });
    // The cache's index was read, or a file came or went: what is shown may be here now.
    connect(&transfers, &TransferManager::cacheChanged, this, &AttachmentMedia::changed);
    connect(&transfers, &TransferManager::uploaded, this,
            [finished](const QString &id) { finished(id); });
    connect(&transfers, &TransferManager::failed, this,
            [this, finished](const QString &id, const QString &reason) {
                for (auto it = m_downloads.cbegin(); it != m_downloads.cend(); ++it) {
                    if (it.value() == id)
                        m_errors.insert(it.key(), reason);
                }
                finished(id);
            });
}

AttachmentMedia::~AttachmentMedia() = default;

AttachmentMedia::Kind AttachmentMedia::kindOf(const MessageAttachment &attachment)
{
    const QString &type = attachment.file.type;
    if (type.startsWith(u"video/"_s))
        return Kind::Video;
    if (type.startsWith(u"image/"_s) && attachment.file.width > 0)
        return Kind::Picture;
    return Kind::File;
}

QString AttachmentMedia::localPath(const MessageAttachment &attachment) const
{
    // The sender's own file while it is being sent; afterwards, or once it is gone, the cache
    // (where a link to it stands in). All from memory: this is asked while painting.
    const QString &own = attachment.localPath;
    if (!own.isEmpty() && m_ownFiles.value(own, false))
        return own;
    return m_transfers.cachedPath(attachment.file.media);
}

bool AttachmentMedia::knowsWhereFileIs(const MessageAttachment &attachment) const
{
    const QString &own = attachment.localPath;
    return m_transfers.isCacheIndexed() && (own.isEmpty() || m_ownFiles.contains(own));
}

void AttachmentMedia::checkOwnFile(const QString &path)
{
    if (path.isEmpty() || m_ownFiles.contains(path) || m_checkingOwnFiles.contains(path))
        return;
    m_checkingOwnFiles.insert(path);
    auto *watcher = new QFutureWatcher<bool>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        m_checkingOwnFiles.remove(path);
        m_ownFiles.insert(path, watcher->result());
        Q_EMIT changed();
    });
    watcher->setFuture(QtConcurrent::run([path] { return QFileInfo::exists(path); }));
}

void AttachmentMedia::forgetMissing(const QString &path, const QString &mediaId)
{
    if (m_ownFiles.value(path, false)) {
        m_ownFiles.insert(path, false);
        Q_EMIT changed();
    } else if (!mediaId.isEmpty() && m_transfers.cachedPath(mediaId) == path) {
        // Checked again, and forgotten there: cacheChanged() repaints.
        m_transfers.verifyCached(mediaId);
    }
}

QImage AttachmentMedia::picture(const MessageAttachment &attachment, QSize size)
{
    checkOwnFile(attachment.localPath);
    const QString path = localPath(attachment);
    if (!path.isEmpty() && !m_unreadable.contains(path)) {
        const QString key = u"%1@%2x%3"_s.arg(path).arg(size.width()).arg(size.height());
        if (const QImage *decoded = m_pictures.object(key))
            return *decoded;
        decode(fileAt(attachment, path), size, attachment.file.media);
    } else if (path.isEmpty() && knowsWhereFileIs(attachment)
               && attachment.file.size <= kAutoDownloadBytes
               && kindOf(attachment) == Kind::Picture) {
        download(attachment);
    }
    const QString &thumbnail = attachment.file.thumbnail;
    if (thumbnail.isEmpty())
        return {};
    if (const QImage *small = m_thumbnails.object(thumbnail))
        return *small;
    decodeThumbnail(thumbnail);
    return {};
}

void AttachmentMedia::decodeThumbnail(const QString &thumbnail)
{
    // Off the UI thread like pictures: it is someone else's file, met while painting.
    if (m_decodingThumbnails.contains(thumbnail))
        return;
    m_decodingThumbnails.insert(thumbnail);
    auto *watcher = new QFutureWatcher<QImage>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, thumbnail] {
        watcher->deleteLater();
        m_decodingThumbnails.remove(thumbnail);
        m_thumbnails.insert(thumbnail, new QImage(watcher->result()), 1); // null ones too
        Q_EMIT changed();
    });
    watcher->setFuture(QtConcurrent::run([thumbnail] {
        // Shown soft (shrunk, then drawn large with smoothing): a blur that hides the JPEG
        // blocks of a 48-pixel preview, as the picture is on its way.
        QImage small = media::thumbnailImage(thumbnail);
        if (!small.isNull())
            small = small.scaled(12, 12, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                        .scaled(small.size() * 2, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        return small;
    }));
}

void AttachmentMedia::decode(const CachedFile &file, QSize size, const QString &mediaId)
{
    const QString path = file.path;
    const QString key = u"%1@%2x%3"_s.arg(path).arg(size.width()).arg(size.height());
    if (m_decoding.contains(key))
        return;
    m_decoding.insert(key);
    auto *watcher = new QFutureWatcher<Result<QImage>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, key, path, mediaId] {
        watcher->deleteLater();
        m_decoding.remove(key);
        const Result<QImage> image = watcher->result();
        if (!image && image.error().code == ErrorCode::NotFound) {
            forgetMissing(path, mediaId); // gone behind the app's back: not here any more
            return;
        }
        if (!image) {
            m_unreadable.insert(path);
            if (image.error().code == ErrorCode::Corrupt) {
                // Sealed, and it does not open: altered or cut on the disk. Said, not shown.
                m_errors.insert(mediaId, damagedFile());
                Q_EMIT changed();
            }
            return;
        }
        m_pictures.insert(key, new QImage(*image), int(image->sizeInBytes() / 1024) + 1);
        Q_EMIT changed();
    });
    // Decoded at twice the size shown, for high-DPI screens, and never bigger than needed; a
    // sealed one from memory.
    watcher->setFuture(
        QtConcurrent::run([file, size] { return media::readPicture(file, size * 2); }));
}

QString AttachmentMedia::damagedFile()
{
    return tr("The copy on this computer is damaged.");
}

QFuture<QString> AttachmentMedia::checkedPath(const MessageAttachment &attachment)
{
    const QString own = attachment.localPath;
    const QString mediaId = attachment.file.media;
    return QtConcurrent::run([own] { return !own.isEmpty() && QFileInfo::exists(own); })
        .then(this,
              [this, own, mediaId](bool ownIsHere) {
                  if (!own.isEmpty()
                      && (!m_ownFiles.contains(own) || m_ownFiles.value(own) != ownIsHere)) {
                      m_ownFiles.insert(own, ownIsHere);
                      Q_EMIT changed();
                  }
                  return ownIsHere ? readyFuture(own) : m_transfers.verifyCached(mediaId);
              })
        .unwrap();
}

CachedFile AttachmentMedia::fileAt(const MessageAttachment &attachment, const QString &path) const
{
    // The cache's own file, with its key; anything else (the sender's file) is plaintext.
    const CachedFile cached = m_transfers.cachedFile(attachment.file.media);
    if (!path.isEmpty() && cached.path == path)
        return cached;
    return CachedFile{path, std::nullopt};
}

AttachmentMedia::Status AttachmentMedia::status(const MessageAttachment &attachment)
{
    checkOwnFile(attachment.localPath);
    Status status;
    status.path = localPath(attachment);
    const QString &mediaId = attachment.file.media;
    const auto fraction = [this](const QString &transfer) {
        const auto [done, total] = m_progress.value(transfer, {0, 0});
        return total > 0 ? double(done) / double(total) : 0.0;
    };
    if (attachment.isUploading()) {
        status.progress = fraction(attachment.upload); // on its way up (0 while it waits its turn)
    } else if (const auto it = m_downloads.constFind(mediaId); it != m_downloads.cend()) {
        status.progress = fraction(it.value());
        status.path.clear();
    }
    status.error = m_errors.value(mediaId);
    return status;
}

void AttachmentMedia::download(const MessageAttachment &attachment)
{
    const QString &mediaId = attachment.file.media;
    if (mediaId.isEmpty() || m_downloads.contains(mediaId) || m_errors.contains(mediaId)
        || !localPath(attachment).isEmpty())
        return;
    const QString id = m_transfers.download({mediaId, attachment.file.size, attachment.file.sha256,
                                             attachment.file.name, attachment.key});
    if (m_transfers.state(id) != TransferManager::State::Done) {
        m_downloads.insert(mediaId, id);
        m_progress.insert(id, {0, attachment.file.size});
    }
    Q_EMIT changed();
}

void AttachmentMedia::cancel(const MessageAttachment &attachment)
{
    const QString &mediaId = attachment.file.media;
    const QString transfer
        = attachment.isUploading() ? attachment.upload : m_downloads.value(mediaId);
    if (transfer.isEmpty())
        return;
    m_transfers.cancel(transfer);
    m_progress.remove(transfer);
    m_downloads.remove(mediaId);
    Q_EMIT changed();
}

} // namespace tidings::app
