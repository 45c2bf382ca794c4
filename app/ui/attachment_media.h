#pragma once

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QVariantMap>

namespace tidings::app {

class TransferManager;

/// What the message view shows of attachments, and what it asks for: pictures decoded
/// off the UI thread and kept in a bounded cache, downloads started (pictures by
/// themselves, other files on a click), and the progress of every transfer.
class AttachmentMedia : public QObject
{
    Q_OBJECT

public:
    explicit AttachmentMedia(TransferManager &transfers, QObject *parent = nullptr);
    ~AttachmentMedia() override;

    enum class Kind { Picture, Video, File };
    static Kind kindOf(const QVariantMap &attachment);

    /// The picture to show at `size`: the real one once it is here and decoded, else the
    /// sender's thumbnail, else null. Starts what is missing (download, decoding).
    QImage picture(const QVariantMap &attachment, QSize size);

    struct Status
    {
        QString path; ///< the file on this device, when it is all here
        double progress = -1; ///< 0…1 while uploading or downloading; -1 otherwise
        QString error; ///< why the last download failed
    };
    Status status(const QVariantMap &attachment) const;

    /// Downloads the file (no-op when it is here or on its way).
    void download(const QVariantMap &attachment);
    /// Stops the attachment's upload or download.
    void cancel(const QVariantMap &attachment);

    /// Pictures up to this size download by themselves when shown.
    static constexpr qint64 kAutoDownloadBytes = 20 * 1024 * 1024;

Q_SIGNALS:
    /// Something shown changed (a picture decoded, progress moved): repaint.
    void changed();

private:
    QString localPath(const QVariantMap &attachment) const;
    void decode(const QString &path, QSize size);
    void decodeThumbnail(const QString &thumbnail);

    TransferManager &m_transfers;
    QCache<QString, QImage> m_pictures; ///< "path@WxH" → decoded; cost in KiB
    QCache<QString, QImage> m_thumbnails; ///< base64 → decoded
    QSet<QString> m_decoding;
    QSet<QString> m_decodingThumbnails;
    QSet<QString> m_unreadable; ///< pictures that would not decode: not tried again
    QHash<QString, std::pair<qint64, qint64>> m_progress; ///< transfer id → (done, total)
    QHash<QString, QString> m_downloads; ///< media id → transfer id
    QHash<QString, QString> m_errors; ///< media id → why its download failed
};

} // namespace tidings::app
