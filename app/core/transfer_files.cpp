#include "core/transfer_files.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

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
        const QFileInfoList files = QDir(folder.filePath()).entryInfoList(QDir::Files);
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
