#include "ui/media_files.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFileInfo>
#include <QImageReader>
#include <QLocale>
#include <QMimeDatabase>

namespace tidings::app::media {

using namespace Qt::StringLiterals;

namespace {

constexpr int kThumbnailSide = 48;
/// Thumbnails come from other people: one that claims more than this (ours are 48) is not
/// decoded at all, so a few kilobytes cannot cost seconds of decoding.
constexpr int kMaxThumbnailDeclaredSide = 256;
constexpr qsizetype kMaxThumbnailBase64 = 6000;

Result<QImage> read(QImageReader &reader, QSize fit)
{
    reader.setAllocationLimit(kAllocationLimitMiB);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty()) {
        return Error{ErrorCode::Unsupported,
                     QCoreApplication::translate("media", "This is not a picture.")};
    }
    if (size.width() > kMaxSide || size.height() > kMaxSide) {
        return Error{ErrorCode::TooLarge,
                     QCoreApplication::translate("media", "The picture is too large (%1 × %2).")
                         .arg(size.width())
                         .arg(size.height())};
    }
    if (fit.isValid() && (size.width() > fit.width() || size.height() > fit.height()))
        reader.setScaledSize(size.scaled(fit, Qt::KeepAspectRatio).expandedTo({1, 1}));
    QImage image = reader.read();
    if (image.isNull())
        return Error{ErrorCode::Unsupported,
                     QCoreApplication::translate("media", "The picture cannot be read: %1")
                         .arg(reader.errorString())};
    // A header can say one size and the picture be another (a GIF's first frame is 49 × 255,
    // its screen 65535 × 255): the limits hold for what was decoded.
    if (image.width() > kMaxSide || image.height() > kMaxSide) {
        return Error{ErrorCode::TooLarge,
                     QCoreApplication::translate("media", "The picture is too large (%1 × %2).")
                         .arg(image.width())
                         .arg(image.height())};
    }
    if (fit.isValid() && (image.width() > fit.width() || image.height() > fit.height()))
        image = image.scaled(image.size().scaled(fit, Qt::KeepAspectRatio).expandedTo({1, 1}),
                             Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    return image;
}

} // namespace

Result<QImage> readPicture(const QString &path, QSize fit)
{
    QImageReader reader(path);
    return read(reader, fit);
}

Result<QImage> readPicture(QIODevice *device, QSize fit)
{
    QImageReader reader(device);
    return read(reader, fit);
}

Result<QImage> readPicture(const CachedFile &file, QSize fit)
{
    if (!file.isSealed()) {
        Result<QImage> image = readPicture(file.path, fit);
        if (!image && !QFileInfo::exists(file.path))
            return Error{ErrorCode::NotFound, u"%1 is gone"_s.arg(file.path)};
        return image;
    }
    Result<QByteArray> bytes = readCachedFile(file, kMaxPictureFileBytes);
    if (!bytes)
        return bytes.error();
    Result<QImage> image = [&] {
        QBuffer buffer(&*bytes);
        buffer.open(QIODevice::ReadOnly);
        QImageReader reader(&buffer);
        return read(reader, fit);
    }();
    e2e::wipe(*bytes);
    return image;
}

QString thumbnailOf(const QImage &image)
{
    if (image.isNull())
        return {};
    const QImage small = image.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio,
                                      Qt::SmoothTransformation);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    small.convertToFormat(QImage::Format_RGB32).save(&buffer, "JPEG", 60);
    const QByteArray base64 = bytes.toBase64();
    return base64.size() <= kMaxThumbnailBase64 ? QString::fromLatin1(base64) : QString();
}

QImage thumbnailImage(const QString &base64)
{
    if (base64.isEmpty() || base64.size() > kMaxThumbnailBase64)
        return {};
    QByteArray bytes = QByteArray::fromBase64(base64.toLatin1());
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    const QSize declared = reader.size();
    if (!declared.isValid() || declared.width() > kMaxThumbnailDeclaredSide
        || declared.height() > kMaxThumbnailDeclaredSide)
        return {};
    const auto image = read(reader, {kThumbnailSide * 2, kThumbnailSide * 2});
    return image ? *image : QImage();
}

ChatClient::OutgoingFile describeFile(const QString &path)
{
    ChatClient::OutgoingFile file;
    const QFileInfo info(path);
    file.path = info.absoluteFilePath();
    file.name = info.fileName();
    file.size = info.size();
    const QMimeType type = QMimeDatabase().mimeTypeForFile(info);
    file.type = type.isValid() ? type.name() : u"application/octet-stream"_s;
    if (file.type.startsWith(u"image/"_s)) {
        QImageReader reader(path);
        reader.setAllocationLimit(kAllocationLimitMiB);
        const QSize size = reader.size();
        const auto preview = readPicture(path, {512, 512});
        if (size.isValid() && preview) {
            file.width = size.width();
            file.height = size.height();
            file.thumbnail = thumbnailOf(*preview);
        } else {
            file.type = u"application/octet-stream"_s; // not one we can show: a plain file
        }
    }
    return file;
}

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

} // namespace tidings::app::media
