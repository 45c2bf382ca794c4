#pragma once

#include "core/message_attachment.h"
#include "e2e/secret.h"
#include "util/result.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <optional>

namespace tidings::app {

class CacheSealer;

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
    VerifiedPart() = default;
    VerifiedPart(Verdict outcome, QString why = {},
                 std::optional<e2e::SecretKey> sealedWith = std::nullopt)
        : verdict(outcome), error(std::move(why)), cacheKey(std::move(sealedWith))
    { }

    Verdict verdict = Verdict::Failed;
    QString error; ///< Failed: why
    /// Kept in a sealed cache: the key that opens the file, to keep in the store.
    std::optional<e2e::SecretKey> cacheKey;
};

/// Checks the partial file of `path`; kept, it replaces `path`; corrupt, it is removed.
VerifiedPart verifyPart(const QString &path, const QString &sha256, const std::atomic<bool> &stop);

/// Decrypts the partial file of `path` (a sealed media's ciphertext, docs/encryption.md,
/// section 6) with `fileKey` (base64 of e2e::FileKey::encode()) and checks the plaintext
/// against `sha256` (when given). Kept, the plaintext replaces `path` and the ciphertext goes;
/// corrupt (it does not authenticate: altered, truncated, extended, the wrong key; or the
/// plaintext's hash differs), both go. Whatever happens, no partial plaintext stays: it is
/// written beside `path` under a ".part" name, which the cache never counts as a file.
/// `sealInCache`: the plaintext is sealed for the cache as it is opened (CacheSealer), so none
/// of it reaches the disk; the verdict carries the key that opens what was kept.
VerifiedPart openPart(const QString &path, const QString &fileKey, const QString &sha256,
                      const std::atomic<bool> &stop, bool sealInCache = false);

/// A sealed cache (the local store has a store key, docs/encryption.md, section 8) keeps
/// each media as kSealedFileName in its folder, whatever the file is called: the name is the
/// message's. A plaintext download is sealed as it arrives, into the partial file of that.

/// The sealed file of a media folder. Hidden: a run without the store key lists a folder's
/// visible files only, and never takes it for a plaintext file (nor does any file name
/// protocol::cleanFileName() makes start with a dot).
inline constexpr QStringView kSealedFileName = u".sealed";
QString sealedFileIn(const QString &folder);

/// Where a plaintext download sealed as it arrives goes on from.
struct PreparedSealer
{
    QString error;
    std::shared_ptr<CacheSealer> sealer;
    qint64 offset = 0; ///< plaintext bytes it holds
};

/// Goes on with `sealer` (an earlier attempt of this run), else starts a new one on the
/// partial file of `path`: what an earlier run left there cannot be opened (its key went
/// with it), so it starts from zero.
PreparedSealer prepareSealer(const QString &path, std::shared_ptr<CacheSealer> sealer);
/// Seals the last chunk and keeps the file at `path` if the plaintext's hash is `sha256`;
/// corrupt, the partial file goes.
VerifiedPart finishSealer(const QString &path, CacheSealer &sealer, const QString &sha256);

/// Seals a copy of `source` into `path` (a sent file, or a plaintext file of the cache
/// re-encrypted): the key that opens it. Corrupt when `sha256` is given and the file's
/// differs (it changed since); nothing is kept when it fails.
Result<e2e::SecretKey> sealCopy(const QString &source, const QString &path, const QString &sha256);

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

/// The cache directory holds a folder per downloaded media, named by its id (32 characters).
/// Without a store key the file is in it under its own name (a sent file's link stands in
/// for it), a partial download next to it until it is verified; sealed, see above.

/// The whole file in the cache folder of a media (the first one by name; partial downloads
/// and dangling links do not count), or empty.
QString cachedFileIn(const QString &folder);

/// Every media the cache directory holds whole: media id → its file.
QHash<QString, QString> scanCache(const QString &directory);

/// What readSealedCache() found.
struct SealedCacheReading
{
    QHash<QString, QString> files; ///< media id → its sealed file (it has a key)
    QHash<QString, e2e::SecretKey> keys; ///< media id → its file's key
    /// Files that were plaintext, sealed now: their keys are to be kept in the store…
    QHash<QString, e2e::SecretKey> newKeys;
    /// …and then the plaintext (with partial downloads and sent files' links) removed.
    QStringList leftovers;
    QStringList staleKeys; ///< keys of files that are gone: to drop from the store
};

/// The sealed cache in `directory`, given the keys the store holds: every media folder's
/// sealed file that has a key; one with none is removed (nothing opens it). What a run
/// without the store key kept in clear (a whole file, or a sent file's link) is sealed into
/// kSealedFileName unless the folder has a sealed file already.
SealedCacheReading readSealedCache(const QString &directory,
                                   const QHash<QString, e2e::SecretKey> &keys);
/// Removes files (readSealedCache()'s leftovers).
void removeFiles(const QStringList &paths);

/// What trimCacheDirectory() left.
struct TrimmedCache
{
    qint64 bytesLeft = 0; ///< in the media folders (links count for nothing)
    QStringList removed; ///< the media whose folders went
};

/// Removes the least recently used media folders until at most `maxBytes` remain, never those
/// of `spared`. Sealed or plaintext, each folder counts what its files take on the disk.
TrimmedCache trimCacheDirectory(const QString &directory, qint64 maxBytes,
                                const QSet<QString> &spared);

} // namespace tidings::app
