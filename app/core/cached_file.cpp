#include "core/cached_file.h"

#include "core/cached_file_device.h"
#include "e2e/store_crypto.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kCopyStepBytes = 1024 * 1024;

} // namespace

Result<QByteArray> readCachedFile(const CachedFile &file, qint64 maxBytes)
{
    QFile source(file.path);
    if (!source.open(QIODevice::ReadOnly)) {
        if (!source.exists())
            return Error{ErrorCode::NotFound, u"%1 is gone"_s.arg(file.path)};
        return Error{ErrorCode::Io, u"cannot read %1: %2"_s.arg(file.path, source.errorString())};
    }
    // A sealed file is its plaintext and a little more: bounded by the size it would have.
    const qint64 limit = file.isSealed() ? e2e::cacheFileSize(maxBytes) : maxBytes;
    if (source.size() > limit)
        return Error{ErrorCode::TooLarge,
                     u"%1 holds more than %2 bytes"_s.arg(file.path).arg(maxBytes)};
    QByteArray bytes = source.readAll();
    if (!file.isSealed())
        return bytes;
    auto opened = e2e::CacheFileReader::openAll(*file.key, bytes);
    if (!opened)
        return Error{ErrorCode::Corrupt, opened.error().message};
    return std::move(*opened);
}

Result<void> saveCachedFile(const CachedFile &file, const QString &target,
                            std::optional<QFileDevice::Permissions> permissions)
{
    CachedFileDevice source(file);
    if (!source.open(QIODevice::ReadOnly)) {
        if (!QFileInfo::exists(file.path))
            return Error{ErrorCode::NotFound, u"%1 is gone"_s.arg(file.path)};
        return Error{file.isSealed() ? ErrorCode::Corrupt : ErrorCode::Io,
                     u"cannot read %1: %2"_s.arg(file.path, source.errorString())};
    }
    // Whole or not at all: a copy that does not open half-way leaves nothing behind.
    QSaveFile copy(target);
    if (!copy.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Io, u"cannot write %1: %2"_s.arg(target, copy.errorString())};
    if (permissions)
        copy.setPermissions(*permissions);
    QByteArray piece;
    while (!source.atEnd()) {
        piece = source.read(kCopyStepBytes);
        if (piece.isEmpty()) {
            copy.cancelWriting();
            return Error{file.isSealed() ? ErrorCode::Corrupt : ErrorCode::Io,
                         u"cannot read %1: %2"_s.arg(file.path, source.errorString())};
        }
        const bool written = copy.write(piece) == piece.size();
        e2e::wipe(piece);
        if (!written) {
            copy.cancelWriting();
            return Error{ErrorCode::Io, u"cannot write %1: %2"_s.arg(target, copy.errorString())};
        }
    }
    if (!copy.commit())
        return Error{ErrorCode::Io, u"cannot write %1: %2"_s.arg(target, copy.errorString())};
    return {};
}

} // namespace tidings::app
