#pragma once

#include "core/cached_file.h"
#include "core/message_attachment.h"

#include <QCache>
#include <QFuture>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>

namespace tidings::app {

class TransferManager;

/// What the message view shows of attachments, and what it asks for: pictures decoded
/// off the UI thread and kept in a bounded cache, downloads started (pictures by
/// themselves, other files on a click), and the progress of every transfer.
///
/// picture() and status() are asked while painting: they answer from memory and never touch
/// the disk. Whether a file is here comes from the TransferManager's index of its cache and,
/// for the sender's own files, from a check made once off the UI thread; a file found gone
/// later (a picture that will not load, checkedPath()) is forgotten and shown as not here.
class AttachmentMedia : public QObject
{
    Q_OBJECT

public:
    explicit AttachmentMedia(TransferManager &transfers, QObject *parent = nullptr);
    ~AttachmentMedia() override;

    enum class Kind { Picture, Video, File };
    static Kind kindOf(const MessageAttachment &attachment);

    /// The picture to show at `size`: the real one once it is here and decoded, else the
    /// sender's thumbnail, else null. Starts what is missing (download, decoding; a picture
    /// downloads by itself only once it is known not to be here).
    QImage picture(const MessageAttachment &attachment, QSize size);

    struct Status
    {
        QString path; ///< the file on this device, when it is all here
        double progress = -1; ///< 0…1 while uploading or downloading; -1 otherwise
        QString error; ///< why the last download failed
    };
    /// From memory; meeting the sender's own file for the first time starts a check that it
    /// is still there (changed() follows).
    Status status(const MessageAttachment &attachment);

    /// The attachment's file checked on disk, off the UI thread, before it is opened:
    /// resolves to its path, or to empty when it is not here. A file found gone (removed
    /// behind the app's back) is forgotten, so status() no longer names it and the file can
    /// be downloaded again.
    QFuture<QString> checkedPath(const MessageAttachment &attachment);
    /// The file at `path` (what status() or checkedPath() named for the attachment) as its
    /// readers need it: with its key when it is a sealed file of the cache.
    CachedFile fileAt(const MessageAttachment &attachment, const QString &path) const;

    /// What is said of a cached file that does not open (sealed, and altered on the disk).
    static QString damagedFile();

    /// Downloads the file (no-op when it is here or on its way).
    void download(const MessageAttachment &attachment);
    /// Stops the attachment's upload or download.
    void cancel(const MessageAttachment &attachment);

    /// Pictures up to this size download by themselves when shown.
    static constexpr qint64 kAutoDownloadBytes = 20 * 1024 * 1024;

Q_SIGNALS:
    /// Something shown changed (a picture decoded, progress moved): repaint.
    void changed();

private:
    /// The file shown for the attachment, from memory: the sender's own while it is known to
    /// be there, else the cached one.
    QString localPath(const MessageAttachment &attachment) const;
    /// Whether that answer is final: the cache's index is in and the sender's own file (if
    /// any) has been checked. Until then a missing file is not downloaded.
    bool knowsWhereFileIs(const MessageAttachment &attachment) const;
    void checkOwnFile(const QString &path);
    /// `path`, shown for `mediaId`, is not on the disk any more: forgets it.
    void forgetMissing(const QString &path, const QString &mediaId);
    void decode(const CachedFile &file, QSize size, const QString &mediaId);
    void decodeThumbnail(const QString &thumbnail);

    TransferManager &m_transfers;
    QCache<QString, QImage> m_pictures; ///< "path@WxH" → decoded; cost in KiB
    QCache<QString, QImage> m_thumbnails; ///< base64 → decoded
    QSet<QString> m_decoding;
    QSet<QString> m_decodingThumbnails;
    QSet<QString> m_unreadable; ///< pictures that would not decode: not tried again
    QHash<QString, bool> m_ownFiles; ///< the sender's own files (local_path) → still there
    QSet<QString> m_checkingOwnFiles;
    QHash<QString, std::pair<qint64, qint64>> m_progress; ///< transfer id → (done, total)
    QHash<QString, QString> m_downloads; ///< media id → transfer id
    QHash<QString, QString> m_errors; ///< media id → why its download failed
};

} // namespace tidings::app
