#include "media/blob_store.h"

#include "store/media_queries.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStorageInfo>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif
#ifdef Q_OS_WIN
#include <io.h>
#endif

#include <memory>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

Error ioError(const QString &what, const QFile &file)
{
    return Error{ErrorCode::Io, u"%1 %2: %3"_s.arg(what, file.fileName(), file.errorString())};
}

bool syncToDisk(QFile &file)
{
    if (!file.flush())
        return false;
#if defined(Q_OS_LINUX)
    return ::fdatasync(file.handle()) == 0;
#elif defined(Q_OS_UNIX)
    return ::fsync(file.handle()) == 0;
#elif defined(Q_OS_WIN)
    return ::_commit(file.handle()) == 0;
#else
    return true;
#endif
}

} // namespace

QString newMediaId()
{
    quint64 words[2];
    QRandomGenerator::system()->fillRange(words);
    QByteArray bytes(reinterpret_cast<const char *>(words), sizeof words);
    return QString::fromLatin1(bytes.toHex());
}

Result<std::unique_ptr<LocalBlobStore>> LocalBlobStore::open(const QString &directory)
{
    if (!QDir().mkpath(directory))
        return Error{ErrorCode::Io, u"cannot create the media directory %1"_s.arg(directory)};
    return std::unique_ptr<LocalBlobStore>(new LocalBlobStore(directory));
}

QString LocalBlobStore::path(const QString &id) const
{
    // Ids are checked before they get here; this is the last line against a path in one.
    Q_ASSERT(sql::isMediaId(id));
    return m_directory + u'/' + id.left(2) + u'/' + id;
}

Result<qint64> LocalBlobStore::size(const QString &id)
{
    if (!sql::isMediaId(id))
        return Error{ErrorCode::BadRequest, u"not a media id"_s};
    const QFileInfo info(path(id));
    return info.exists() ? info.size() : 0;
}

Result<qint64> LocalBlobStore::append(const QString &id, qint64 offset, QByteArrayView data,
                                      bool sync)
{
    if (!sql::isMediaId(id))
        return Error{ErrorCode::BadRequest, u"not a media id"_s};
    const QString file = path(id);
    if (!QDir().mkpath(QFileInfo(file).path()))
        return Error{ErrorCode::Io, u"cannot create the directory of %1"_s.arg(file)};
    QFile blob(file);
    if (!blob.open(QIODevice::ReadWrite))
        return ioError(u"cannot open"_s, blob);
    if (blob.size() != offset)
        return Error{ErrorCode::Conflict,
                     u"the upload stands at %1 bytes, not %2"_s.arg(blob.size()).arg(offset)};
    if (!blob.seek(offset) || blob.write(data.data(), data.size()) != data.size())
        return ioError(u"cannot write"_s, blob);
    if (sync && !syncToDisk(blob))
        return ioError(u"cannot sync"_s, blob);
    return offset + data.size();
}

Result<QByteArray> LocalBlobStore::read(const QString &id, qint64 offset, qint64 maxBytes)
{
    if (!sql::isMediaId(id))
        return Error{ErrorCode::BadRequest, u"not a media id"_s};
    QFile blob(path(id));
    if (!blob.open(QIODevice::ReadOnly))
        return Error{ErrorCode::NotFound, u"media %1 is gone"_s.arg(id)};
    if (!blob.seek(offset))
        return ioError(u"cannot seek in"_s, blob);
    QByteArray bytes = blob.read(maxBytes);
    if (bytes.isNull() && blob.error() != QFileDevice::NoError)
        return ioError(u"cannot read"_s, blob);
    return bytes;
}

Result<BlobDigest> LocalBlobStore::digest(const QString &id, qsizetype headBytes)
{
    if (!sql::isMediaId(id))
        return Error{ErrorCode::BadRequest, u"not a media id"_s};
    BlobDigest digest;
    QFile blob(path(id));
    if (!blob.exists()) {
        digest.sha256 = QCryptographicHash::hash({}, QCryptographicHash::Sha256).toHex();
        return digest;
    }
    if (!blob.open(QIODevice::ReadOnly))
        return ioError(u"cannot open"_s, blob);
    digest.size = blob.size();
    digest.head = blob.read(headBytes);
    if (!blob.seek(0))
        return ioError(u"cannot seek in"_s, blob);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&blob))
        return ioError(u"cannot read"_s, blob);
    digest.sha256 = hash.result().toHex();
    return digest;
}

Result<void> LocalBlobStore::remove(const QString &id)
{
    if (!sql::isMediaId(id))
        return Error{ErrorCode::BadRequest, u"not a media id"_s};
    QFile blob(path(id));
    if (blob.exists() && !blob.remove())
        return ioError(u"cannot remove"_s, blob);
    return {};
}

Result<qint64> LocalBlobStore::freeBytes()
{
    const QStorageInfo volume(m_directory);
    if (!volume.isValid())
        return Error{ErrorCode::Io, u"cannot tell the free space of %1"_s.arg(m_directory)};
    return volume.bytesAvailable();
}

} // namespace tidings::relay
