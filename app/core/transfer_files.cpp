#include "core/transfer_files.h"

#include "core/cache_sealer.h"
#include "core/core_logging.h"
#include "e2e/file_crypto.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kHashStepBytes = 4 * 1024 * 1024; ///< read at a time, between checks for a stop
constexpr qsizetype kMediaIdLength = 32;

/// The cache's media folders (named by media id; "outgoing" and the like are not downloads).
QFileInfoList mediaFolders(const QString &directory)
{
    QFileInfoList folders = QDir(directory).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
    folders.removeIf(
        [](const QFileInfo &folder) { return folder.fileName().size() != kMediaIdLength; });
    return folders;
}

constexpr qint64 kMaxSealKeyBytes = 4096; ///< a sealed upload's key file, read back

/// Reads from, or writes to, another device, hashing (SHA-256) and counting the bytes that
/// pass; each call fails once `stop` is set, so a long encryption or decryption stops early.
class HashingDevice : public QIODevice
{
public:
    HashingDevice(QIODevice &inner, const std::atomic<bool> &stop, OpenMode mode)
        : m_inner(inner), m_stop(stop)
    {
        QIODevice::open(mode | QIODevice::Unbuffered);
    }

    bool isSequential() const override { return true; }
    qint64 count() const { return m_count; }
    QString sha256() const { return QString::fromLatin1(m_hash.result().toHex()); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (stopped())
            return -1;
        const qint64 read = m_inner.read(data, maxSize);
        if (read < 0) {
            setErrorString(m_inner.errorString());
            return -1;
        }
        m_hash.addData(QByteArrayView(data, read));
        m_count += read;
        return read;
    }
    qint64 writeData(const char *data, qint64 size) override
    {
        if (stopped())
            return -1;
        const qint64 written = m_inner.write(data, size);
        if (written != size) {
            setErrorString(m_inner.errorString());
            return -1;
        }
        m_hash.addData(QByteArrayView(data, size));
        m_count += size;
        return size;
    }

private:
    bool stopped()
    {
        if (!m_stop.load())
            return false;
        setErrorString(u"stopped"_s);
        return true;
    }

    QIODevice &m_inner;
    const std::atomic<bool> &m_stop;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_count = 0;
};

QString keyPathOf(const QString &sealedPath)
{
    QString path = sealedPath;
    path.chop(QStringView(u".sealed").size());
    return path + u".key"_s;
}

/// What an earlier run sealed, when its key and the whole ciphertext are there.
SealedUpload findSealed(const QString &sealedPath)
{
    SealedUpload sealed;
    QFile keyFile(keyPathOf(sealedPath));
    if (!keyFile.open(QIODevice::ReadOnly))
        return sealed;
    const QJsonObject kept = QJsonDocument::fromJson(keyFile.read(kMaxSealKeyBytes)).object();
    sealed.plaintext.key = kept.value(u"key").toString();
    sealed.plaintext.size = kept.value(u"size").toInteger(-1);
    sealed.plaintext.sha256 = kept.value(u"sha256").toString();
    sealed.size = kept.value(u"sealed_size").toInteger(-1);
    sealed.sha256 = kept.value(u"sealed_sha256").toString();
    const auto key = QByteArray::fromBase64Encoding(sealed.plaintext.key.toLatin1(),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    sealed.found = key && e2e::FileKey::decode(*key) && sealed.plaintext.size >= 0
        && sealed.size >= 0 && sealed.sha256.size() == 64
        && QFileInfo(sealedPath).size() == sealed.size;
    return sealed;
}

/// Hashes what `file` has left, a piece at a time; false when told to stop.
bool hashRest(QFile &file, QCryptographicHash &hash, const std::atomic<bool> &stop)
{
    for (;;) {
        if (stop.load())
            return false;
        const QByteArray piece = file.read(kHashStepBytes);
        hash.addData(piece);
        if (file.atEnd() || piece.isEmpty())
            return true;
    }
}

} // namespace

QString partPathOf(const QString &path)
{
    return path + u".part"_s;
}

HashedFile hashUpload(const QString &path, const std::atomic<bool> &stop)
{
    HashedFile hashed;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        hashed.error = u"cannot read %1: %2"_s.arg(path, file.errorString());
        return hashed;
    }
    hashed.size = file.size();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hashRest(file, hash, stop))
        return hashed; // stopped: nobody reads this
    if (file.pos() != hashed.size)
        hashed.error = u"%1 changed while it was read"_s.arg(path);
    hashed.sha256 = QString::fromLatin1(hash.result().toHex());
    return hashed;
}

PreparedPart preparePart(const QString &path, qint64 size, bool discard)
{
    const QString part = partPathOf(path);
    PreparedPart prepared;
    if (discard)
        QFile::remove(part); // longer than the media
    if (size > 0 && QFileInfo(part).size() == size) {
        prepared.complete = true; // all there already (a restart before it was checked)
        return prepared;
    }
    QDir().mkpath(QFileInfo(part).path());
    QFile file(part);
    if (!file.open(QIODevice::ReadWrite)) {
        prepared.error = u"cannot write %1"_s.arg(part);
        return prepared;
    }
    prepared.offset = file.size() > size ? 0 : file.size();
    file.resize(prepared.offset);
    return prepared;
}

VerifiedPart verifyPart(const QString &path, const QString &sha256, const std::atomic<bool> &stop)
{
    using Verdict = VerifiedPart::Verdict;
    const QString part = partPathOf(path);
    QFile file(part);
    if (!file.open(QIODevice::ReadOnly))
        return {Verdict::Failed, u"cannot read %1"_s.arg(part)};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hashRest(file, hash, stop))
        return {Verdict::Stopped, {}};
    file.close();
    if (QString::fromLatin1(hash.result().toHex()) != sha256) {
        QFile::remove(part);
        return {Verdict::Corrupt, {}};
    }
    if (stop.load())
        return {Verdict::Stopped, {}}; // cancelled meanwhile: keeps nothing
    QFile::remove(path);
    if (!QFile::rename(part, path))
        return {Verdict::Failed, u"cannot keep %1"_s.arg(path)};
    return {Verdict::Kept, {}};
}

VerifiedPart openPart(const QString &path, const QString &fileKey, const QString &sha256,
                      const std::atomic<bool> &stop, bool sealInCache)
{
    using Verdict = VerifiedPart::Verdict;
    const QString part = partPathOf(path);
    // Ends in ".part" too: a file the cache never takes for a whole one, should this stop
    // half-way in a way that leaves it (a crash).
    const QString opening = path + u".opening.part"_s;
    const auto damaged = [&] {
        QFile::remove(opening);
        QFile::remove(part);
        return VerifiedPart{Verdict::Corrupt, {}};
    };
    const auto key = QByteArray::fromBase64Encoding(fileKey.toLatin1(),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    if (!key)
        return damaged();
    const Result<e2e::FileKey> decoded = e2e::FileKey::decode(*key);
    if (!decoded)
        return damaged();
    QFile ciphertext(part);
    if (!ciphertext.open(QIODevice::ReadOnly))
        return {Verdict::Failed, u"cannot read %1"_s.arg(part)};
    // Into a plaintext file, or sealed for the cache as it is opened.
    QFile plaintext(opening);
    CacheSealer sealing(opening);
    QIODevice *target = &plaintext;
    if (sealInCache) {
        if (!sealing.restart())
            return {Verdict::Failed, sealing.errorString()};
        target = &sealing;
    } else if (!plaintext.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return {Verdict::Failed, u"cannot write %1"_s.arg(opening)};
    }
    HashingDevice writing(*target, stop, QIODevice::WriteOnly);
    const Result<void> opened = e2e::decryptFile(ciphertext, writing, *decoded);
    const bool written = sealInCache || plaintext.flush();
    plaintext.close();
    ciphertext.close();
    if (stop.load()) {
        QFile::remove(opening); // cancelled meanwhile: keeps nothing
        return {Verdict::Stopped, {}};
    }
    if (!opened) {
        if (opened.error().code == ErrorCode::Corrupt
            || opened.error().code == ErrorCode::BadRequest)
            return damaged();
        QFile::remove(opening);
        return {Verdict::Failed, opened.error().message};
    }
    if (!written) {
        QFile::remove(opening);
        return {Verdict::Failed, u"cannot write %1"_s.arg(opening)};
    }
    if (!sha256.isEmpty() && writing.sha256() != sha256)
        return damaged(); // opens, but is not the file the message describes
    if (sealInCache) {
        // The hash was checked on the way: the sealer keeps what it made.
        const Result<e2e::SecretKey> kept = sealing.finish(path, {});
        if (!kept) {
            QFile::remove(opening);
            return {Verdict::Failed, kept.error().message};
        }
        QFile::remove(part);
        return {Verdict::Kept, {}, *kept};
    }
    QFile::remove(path);
    if (!QFile::rename(opening, path)) {
        QFile::remove(opening);
        return {Verdict::Failed, u"cannot keep %1"_s.arg(path)};
    }
    QFile::remove(part);
    return {Verdict::Kept, {}};
}

QString sealedFileIn(const QString &folder)
{
    return folder + u'/' + kSealedFileName;
}

PreparedSealer prepareSealer(const QString &path, std::shared_ptr<CacheSealer> sealer)
{
    PreparedSealer prepared;
    if (sealer) {
        prepared.offset = sealer->received();
        prepared.sealer = std::move(sealer);
        return prepared;
    }
    QDir().mkpath(QFileInfo(path).path());
    prepared.sealer = std::make_shared<CacheSealer>(partPathOf(path));
    if (!prepared.sealer->restart()) {
        prepared.error = prepared.sealer->errorString();
        prepared.sealer.reset();
    }
    return prepared;
}

VerifiedPart finishSealer(const QString &path, CacheSealer &sealer, const QString &sha256)
{
    using Verdict = VerifiedPart::Verdict;
    const Result<e2e::SecretKey> kept = sealer.finish(path, sha256);
    if (kept)
        return {Verdict::Kept, {}, *kept};
    if (kept.error().code == ErrorCode::Corrupt)
        return {Verdict::Corrupt, {}};
    return {Verdict::Failed, kept.error().message};
}

Result<e2e::SecretKey> sealCopy(const QString &source, const QString &path, const QString &sha256)
{
    QFile file(source);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io, u"cannot read %1: %2"_s.arg(source, file.errorString())};
    if (!QDir().mkpath(QFileInfo(path).path()))
        return Error{ErrorCode::Io, u"cannot write in %1"_s.arg(QFileInfo(path).path())};
    CacheSealer sealing(partPathOf(path));
    if (!sealing.restart())
        return Error{ErrorCode::Io, sealing.errorString()};
    for (;;) {
        QByteArray piece = file.read(kHashStepBytes);
        const bool appended = sealing.write(piece) == piece.size();
        const bool last = file.atEnd() || piece.isEmpty();
        e2e::wipe(piece);
        if (!appended) {
            QFile::remove(partPathOf(path));
            return Error{ErrorCode::Io, sealing.errorString()};
        }
        if (last)
            break;
    }
    return sealing.finish(path, sha256);
}

QString sealedPathOf(const QString &directory, const QString &transferId)
{
    return directory + u'/' + transferId + u".sealed"_s;
}

SealedUpload sealUpload(const QString &source, const QString &sealedPath,
                        const std::atomic<bool> &stop)
{
    if (SealedUpload found = findSealed(sealedPath); found.found)
        return found;
    removeSealed(sealedPath); // what a run that stopped half-way left
    SealedUpload sealed;
    const auto failed = [&](const QString &why) {
        removeSealed(sealedPath);
        sealed.error = why;
        return sealed;
    };
    const QString folder = QFileInfo(sealedPath).path();
    if (!QDir().mkpath(folder))
        return failed(u"cannot write in %1"_s.arg(folder));
    // The user's alone, where the file system can say so: the keys wait here.
    QFile::setPermissions(folder,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QFile plaintext(source);
    if (!plaintext.open(QIODevice::ReadOnly))
        return failed(u"cannot read %1: %2"_s.arg(source, plaintext.errorString()));
    const qint64 expected = plaintext.size();
    QFile ciphertext(sealedPath);
    if (!ciphertext.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return failed(u"cannot write %1: %2"_s.arg(sealedPath, ciphertext.errorString()));
    HashingDevice reading(plaintext, stop, QIODevice::ReadOnly);
    HashingDevice writing(ciphertext, stop, QIODevice::WriteOnly);
    const Result<e2e::FileKey> key = e2e::encryptFile(reading, writing);
    const bool written = ciphertext.flush();
    ciphertext.close();
    if (stop.load()) {
        removeSealed(sealedPath);
        sealed.stopped = true;
        return sealed;
    }
    if (!key)
        return failed(u"cannot seal %1: %2"_s.arg(source, key.error().message));
    if (!written)
        return failed(u"cannot write %1: %2"_s.arg(sealedPath, ciphertext.errorString()));
    if (reading.count() != expected)
        return failed(u"%1 changed while it was read"_s.arg(source));
    sealed.size = writing.count();
    sealed.sha256 = writing.sha256();
    QByteArray encoded = key->encode();
    sealed.plaintext.key = QString::fromLatin1(encoded.toBase64());
    e2e::wipe(encoded);
    sealed.plaintext.size = reading.count();
    sealed.plaintext.sha256 = reading.sha256();

    // The key last, and whole or not at all: with it, the ciphertext is known to be whole.
    QSaveFile keyFile(keyPathOf(sealedPath));
    const QJsonObject kept{{u"key"_s, sealed.plaintext.key},
                           {u"size"_s, sealed.plaintext.size},
                           {u"sha256"_s, sealed.plaintext.sha256},
                           {u"sealed_size"_s, sealed.size},
                           {u"sealed_sha256"_s, sealed.sha256}};
    const QByteArray json = QJsonDocument(kept).toJson(QJsonDocument::Compact);
    if (!keyFile.open(QIODevice::WriteOnly) || keyFile.write(json) != json.size()
        || !keyFile.commit())
        return failed(u"cannot write %1"_s.arg(keyFile.fileName()));
    if (stop.load()) {
        // Stopped as it finished: the caller (a cancellation, say) may have meant to remove
        // it already, so nothing stays.
        removeSealed(sealedPath);
        sealed = SealedUpload();
        sealed.stopped = true;
    }
    return sealed;
}

void removeSealed(const QString &sealedPath)
{
    QFile::remove(keyPathOf(sealedPath));
    QFile::remove(sealedPath);
}

QString cachedFileIn(const QString &folder)
{
    // Without QDir::System a dangling link is not listed: a sent file that is gone is not here.
    const QFileInfoList files = QDir(folder).entryInfoList(QDir::Files);
    for (const QFileInfo &file : files) {
        if (!file.fileName().endsWith(u".part"_s))
            return file.filePath();
    }
    return {};
}

QHash<QString, QString> scanCache(const QString &directory)
{
    QHash<QString, QString> files;
    const QFileInfoList folders = mediaFolders(directory);
    for (const QFileInfo &folder : folders) {
        if (const QString file = cachedFileIn(folder.filePath()); !file.isEmpty())
            files.insert(folder.fileName(), file);
    }
    return files;
}

SealedCacheReading readSealedCache(const QString &directory,
                                   const QHash<QString, e2e::SecretKey> &keys)
{
    SealedCacheReading reading;
    const QFileInfoList folders = mediaFolders(directory);
    for (const QFileInfo &folder : folders) {
        const QString mediaId = folder.fileName();
        const QString sealed = sealedFileIn(folder.filePath());
        const auto key = keys.constFind(mediaId);
        bool kept = key != keys.cend() && QFileInfo::exists(sealed);
        if (kept)
            reading.keys.insert(mediaId, key.value());
        else
            QFile::remove(sealed); // no key: nothing would ever open it
        // What a run without the store key kept in clear: the file (or a sent file's link
        // to the original, if that is still there), and partial downloads.
        QString plaintext;
        QStringList visible;
        const QFileInfoList files
            = QDir(folder.filePath()).entryInfoList(QDir::Files | QDir::System, QDir::Name);
        for (const QFileInfo &file : files) {
            visible.append(file.filePath());
            if (!plaintext.isEmpty() || file.fileName().endsWith(u".part"_s))
                continue;
            if (!file.isSymLink())
                plaintext = file.filePath();
            else if (QFileInfo::exists(file.symLinkTarget()))
                plaintext = file.symLinkTarget();
        }
        if (!kept && !plaintext.isEmpty()) {
            const Result<e2e::SecretKey> made = sealCopy(plaintext, sealed, {});
            if (!made) {
                qCWarning(lcTransfers).noquote() << "cannot seal the cached file of media"
                                                 << mediaId << ":" << made.error().message;
                continue; // its plaintext stays until a later start seals it
            }
            kept = true;
            reading.keys.insert(mediaId, *made);
            reading.newKeys.insert(mediaId, *made);
        }
        if (kept)
            reading.files.insert(mediaId, sealed);
        reading.leftovers.append(visible);
    }
    for (auto it = keys.cbegin(); it != keys.cend(); ++it) {
        if (!reading.files.contains(it.key()))
            reading.staleKeys.append(it.key());
    }
    return reading;
}

void removeFiles(const QStringList &paths)
{
    for (const QString &path : paths)
        QFile::remove(path);
}

TrimmedCache trimCacheDirectory(const QString &directory, qint64 maxBytes,
                                const QSet<QString> &spared)
{
    struct Entry
    {
        QString path;
        QString mediaId;
        qint64 size;
        QDateTime used;
    };
    QList<Entry> entries;
    TrimmedCache trimmed;
    const QFileInfoList folders = mediaFolders(directory);
    for (const QFileInfo &folder : folders) {
        qint64 size = 0;
        QDateTime used;
        // Only downloads count and go (a folder per media id), never what waits to be sent;
        // a sent file's link stands in for free.
        // Hidden too: a sealed cache's files are.
        const QFileInfoList files
            = QDir(folder.filePath()).entryInfoList(QDir::Files | QDir::Hidden);
        for (const QFileInfo &file : files) {
            size += file.isSymLink() ? 0 : file.size();
            used
                = std::max(used, file.lastRead().isValid() ? file.lastRead() : file.lastModified());
        }
        trimmed.bytesLeft += size;
        if (!spared.contains(folder.fileName()))
            entries.append({folder.filePath(), folder.fileName(), size, used});
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry &a, const Entry &b) { return a.used < b.used; });
    for (const Entry &entry : entries) {
        if (trimmed.bytesLeft <= maxBytes)
            break;
        if (QDir(entry.path).removeRecursively()) {
            trimmed.bytesLeft -= entry.size;
            trimmed.removed.append(entry.mediaId);
        }
    }
    return trimmed;
}

} // namespace tidings::app
