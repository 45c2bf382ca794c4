#pragma once

#include "core/message_attachment.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>

namespace tidings::app {

/// The disk side of transfers: each of these reads or writes a whole file, or walks the cache
/// directory, so it runs on a worker thread, and those that read a file through stop early
/// when `stop` is set.

/// Where a download is written until it is verified: `path` + ".part".
QString partPathOf(const QString &path);

/// An upload's file, hashed before it is created on the relay.
struct HashedFile
{
    QString error; ///< it could not be read, or it changed while it was
    qint64 size = 0;
    QString sha256; ///< hex
};

HashedFile hashUpload(const QString &path, const std::atomic<bool> &stop);

/// Where a download goes on from.
struct PreparedPart
{
    QString error;
    qint64 offset = 0; ///< bytes the partial file keeps
    bool complete = false; ///< it holds them all already: verify it
};

/// Makes the partial file of a download to `path` of `size` bytes ready to be appended to:
/// created if missing, emptied if longer than the media (or removed first, `discard`).
PreparedPart preparePart(const QString &path, qint64 size, bool discard);

/// A downloaded file checked against its SHA-256 and, when right, kept under its name.
struct VerifiedPart
{
    enum class Verdict { Kept, Corrupt, Failed, Stopped };
    Verdict verdict = Verdict::Failed;
    QString error; ///< Failed: why
};

/// Checks the partial file of `path`; kept, it replaces `path`; corrupt, it is removed.
VerifiedPart verifyPart(const QString &path, const QString &sha256, const std::atomic<bool> &stop);

/// Decrypts the partial file of `path` (a sealed media's ciphertext, docs/encryption.md,
/// section 6) with `fileKey` (base64 of e2e::FileKey::encode()) and checks the plaintext
/// against `sha256` (when given). Kept, the plaintext replaces `path` and the ciphertext goes;
/// corrupt (it does not authenticate: altered, truncated, extended, the wrong key; or the
/// plaintext's hash differs), both go. Whatever happens, no partial plaintext stays: it is
/// written beside `path` under a ".part" name, which the cache never counts as a file.
VerifiedPart openPart(const QString &path, const QString &fileKey, const QString &sha256,
                      const std::atomic<bool> &stop);

/// An upload sent end to end is sealed first: encrypted under a new key into a file of the
/// transfer cache, which is what goes to the relay. That file and its key (written beside it
/// once it is whole) stay until the upload ends, so a restarted app goes on with the same
/// ciphertext, from where the relay stands.

/// Where the upload `transferId` is sealed, in `directory`: "<id>.sealed"; its key is in
/// "<id>.key".
QString sealedPathOf(const QString &directory, const QString &transferId);

/// An upload's file, sealed.
struct SealedUpload
{
    QString error; ///< it could not be read (or changed while it was) or written
    bool stopped = false; ///< told to stop: nothing was kept
    bool found = false; ///< sealed by an earlier run, and found whole
    qint64 size = 0; ///< the ciphertext's: what the relay gets
    QString sha256; ///< the ciphertext's, hex
    SealedFile plaintext; ///< its key, and the plaintext's size and hash
};

/// The sealed file at `sealedPath` as an earlier run left it, when it is whole with its
/// key; else `source` sealed there anew. One stopped or failed leaves nothing behind.
SealedUpload sealUpload(const QString &source, const QString &sealedPath,
                        const std::atomic<bool> &stop);
/// Removes a sealed file and its key.
void removeSealed(const QString &sealedPath);

/// The cache directory holds a folder per downloaded media, named by its id (32 characters),
/// with the file in it under its own name (a sent file's link stands in for it); a partial
/// download sits next to it until it is verified.

/// The whole file in the cache folder of a media (the first one by name; partial downloads
/// and dangling links do not count), or empty.
QString cachedFileIn(const QString &folder);

/// Every media the cache directory holds whole: media id → its file.
QHash<QString, QString> scanCache(const QString &directory);

/// What trimCacheDirectory() left.
struct TrimmedCache
{
    qint64 bytesLeft = 0; ///< in the media folders (links count for nothing)
    QStringList removed; ///< the media whose folders went
};

/// Removes the least recently used media folders until at most `maxBytes` remain, never those
/// of `spared`.
TrimmedCache trimCacheDirectory(const QString &directory, qint64 maxBytes,
                                const QSet<QString> &spared);

} // namespace tidings::app
