#pragma once

#include "core/cached_file.h"
#include "core/chat_client.h"
#include "util/result.h"

#include <QImage>
#include <QSize>
#include <QString>

class QIODevice;

/// Pictures and files as the app reads them: bounded, so a hostile file cannot exhaust
/// memory or crash it (QT-NOTES 10), and never on the UI thread (callers run these
/// through QtConcurrent).
namespace tidings::app::media {

/// Decoding one picture may take at most this much memory.
inline constexpr int kAllocationLimitMiB = 64;
/// A side longer than this is refused before decoding.
inline constexpr int kMaxSide = 16384;

/// Reads a picture, scaled down to fit `fit` (keeping its shape) when that is given and
/// smaller. Refused with a reason: not a picture, a side over kMaxSide, or decoding that
/// would need more than kAllocationLimitMiB.
Result<QImage> readPicture(const QString &path, QSize fit = {});
Result<QImage> readPicture(QIODevice *device, QSize fit = {});
/// A file of the media cache: a sealed one is decrypted in memory and decoded from there
/// (its plaintext never reaches the disk, and is wiped once decoded). Corrupt when it does
/// not open, NotFound when it is gone, TooLarge over kMaxPictureFileBytes.
Result<QImage> readPicture(const CachedFile &file, QSize fit = {});

/// A picture file larger than this is not read into memory to be shown.
inline constexpr qint64 kMaxPictureFileBytes = qint64(256) * 1024 * 1024;

/// What sending `path` needs: its type (from its content and name), size, and for
/// pictures their size in pixels and a small thumbnail.
ChatClient::OutgoingFile describeFile(const QString &path);

/// A thumbnail for the message itself: at most 48 px on the longest side, a small JPEG in
/// base64 (a few hundred bytes), shown blurred until the picture arrives.
QString thumbnailOf(const QImage &image);
/// The thumbnail of an attachment as an image (null when there is none or it is bad).
QImage thumbnailImage(const QString &base64);

/// "512 B", "1.4 MB", in the user's locale.
QString sizeText(qint64 bytes);

} // namespace tidings::app::media
