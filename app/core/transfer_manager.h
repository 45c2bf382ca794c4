#pragma once

#include "core/cached_file.h"
#include "core/message_attachment.h"
#include "protocol/messages/http_messages.h"
#include "util/result.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QThreadPool>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace tidings::app::local {
struct Transfer;
}

namespace tidings::app {

class LocalStore;
class TransferJobs;
struct SealedCacheReading;

/// Uploads and downloads of media (docs/protocol.md, section 8) on libcurl's multi
/// interface, on a thread of its own (a CurlLoop), with files read, written and hashed off
/// the caller's thread too: nothing here waits on the network or on a file's contents on
/// the caller's thread.
///
/// Uploads are hashed, created, sent in chunks and completed; after a break (network, relay
/// restart, app restart) they ask the relay where they stand and go on from there. Downloads
/// go to a cache directory, resume with Range and are checked against their SHA-256. Every
/// transfer is kept in the LocalStore until it ends, so restore() picks up what an app
/// restart interrupted. Failures that can pass (network, 5xx, 429) are retried with
/// exponential backoff; a refusal for good (404, 413, 415, …) fails the transfer.
///
/// End to end (docs/encryption.md, section 6), an upload is sealed first, on the worker: the
/// ciphertext, made under a new key in the cache's "outgoing" folder, is what goes up, as
/// application/octet-stream with no name, and it stays there (with its key) until the upload
/// ends, so a restart goes on with it. A download with a key is that ciphertext: it is
/// opened into the cache, and one that does not open fails as damaged.
///
/// What the cache holds is known from memory (cachedPath()), so a view may ask while it
/// paints: an index of it is read once, off this thread, once the store is open, and kept up
/// to date as files are downloaded, kept after sending, trimmed, or found gone.
///
/// When the store has a store key, the cache is sealed at rest (docs/encryption.md,
/// section 8): every file it keeps — downloads, plaintext or end to end, and sent files —
/// is written sealed with a key of its own, as it arrives, under its media id alone
/// (transfer_files.h); the keys are kept sealed in the store. Readers get the key with the
/// file (cachedFile()); plaintextCopy() is for "Open with…". A plaintext cache an earlier
/// run left is sealed in place the first time the cache is read with a key.
class TransferManager : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int maxConcurrent = 3; ///< transfers running at once; the rest wait their turn
        qint64 chunkBytes = qint64(4) * 1024 * 1024; ///< upload request size (capped by the relay)
        qint64 maxBytesPerSecond = 0; ///< per transfer, each way; 0: as fast as it goes
        int firstRetryMs = 1000;
        int maxRetryMs = 60000;
    };

    enum class State { Queued, Running, Paused, Retrying, Done, Failed, Cancelled };
    Q_ENUM(State)

    struct Upload
    {
        QString path; ///< the local file
        QString type; ///< MIME type
        QString name; ///< shown to others; default: the file's name
        /// End to end: the relay gets the file's ciphertext, and neither its type nor its
        /// name; uploaded() gives the key and what the plaintext is.
        bool seal = false;
    };

    struct Download
    {
        QString mediaId;
        qint64 size = 0; ///< sealed: the plaintext's
        QString sha256; ///< sealed: the plaintext's
        QString name; ///< the cached file's name (sanitized)
        /// A sealed media: base64 of the e2e::FileKey that opens it (the attachment's key).
        QString key = {};
    };

    /// The folder of the cache where sealed uploads wait (not a media folder: never trimmed).
    static constexpr QStringView kOutgoingFolder = u"outgoing";
    /// Appended to the cache directory's path: the folder (0700, beside it) where "Open
    /// with…" puts plaintext copies, emptied when the manager starts and when it goes.
    static constexpr QStringView kOpenedSuffix = u".opened";

    TransferManager(LocalStore &store, QString cacheDirectory, Options options,
                    QObject *parent = nullptr);
    TransferManager(LocalStore &store, QString cacheDirectory, QObject *parent = nullptr)
        : TransferManager(store, std::move(cacheDirectory), Options(), parent)
    { }
    ~TransferManager() override;

    /// Where the relay is (http[s]://host:port) and the session token to send. Transfers
    /// wait until both are known; a new token restarts those that were refused with 401.
    void setServer(const QUrl &base, const QByteArray &token);

    /// Starts an upload; returns its transfer id at once (the file is read, and sealed, on the
    /// worker).
    QString upload(const Upload &upload);
    /// Starts a download into the cache, or finishes as soon as the cached file is found
    /// there (checked off this thread: one removed behind the app's back downloads again).
    /// A sealed one is not kept in the store (its key is the message's, which asks for it
    /// again after a restart); what it had fetched stays and is resumed then.
    QString download(const Download &download);
    /// Picks up the transfers an earlier run left unfinished. Call once, after the store is
    /// open.
    void restore();

    void pause(const QString &id);
    void resume(const QString &id);
    /// Stops a transfer for good (an upload is also cancelled on the relay).
    void cancel(const QString &id);

    /// After an upload: its local file stands in the cache for the media (a link, not a
    /// copy), so the sender never downloads what they sent.
    void keepSentFile(const QString &id, const QString &mediaId);

    /// A link that plays or downloads `mediaId` for a while without the token (for a
    /// media player, which streams it with Range requests).
    QFuture<Result<QUrl>> link(const QString &mediaId);

    State state(const QString &id) const;
    /// The cached file of a media, or empty when it is not (fully) downloaded. From memory,
    /// never the disk: until the cache's index is read (cacheChanged() says when) it knows
    /// only what this run downloaded, and it goes on naming a file removed behind the app's
    /// back until verifyCached() or download() finds it gone.
    QString cachedPath(const QString &mediaId) const;
    /// The cached file of a media with what its readers need (the key of a sealed one), or
    /// a null one; from memory, like cachedPath().
    CachedFile cachedFile(const QString &mediaId) const;
    /// The cache's index has been read: cachedPath() knows all that was there at the start.
    bool isCacheIndexed() const { return m_indexed; }
    /// Whether the cache is sealed at rest (the store has a store key); known once the
    /// store is open.
    bool isCacheSealed() const { return m_sealed; }
    /// Checks, off this thread, that the cached file of a media is still there; one that is
    /// gone leaves the index (and cacheChanged() is emitted). Resolves to the file, or empty.
    QFuture<QString> verifyCached(const QString &mediaId);
    QString cacheDirectory() const { return m_cacheDirectory; }
    /// Bytes in the cache (computed off this thread).
    QFuture<qint64> cacheSize() const;
    /// The cache keeps at most this much (0: no limit): after each download the least
    /// recently used files go.
    void setCacheLimit(qint64 maxBytes) { m_cacheLimit = maxBytes; }
    qint64 cacheLimit() const { return m_cacheLimit; }

    /// Removes the least recently used cached files until at most `maxBytes` remain
    /// (0 clears it), sparing downloads in progress. Resolves to the bytes left, once
    /// cachedPath() has forgotten what went.
    QFuture<qint64> trimCache(qint64 maxBytes);

    /// A file to hand to another program ("Open with…"): a plaintext one as it is; a
    /// sealed one decrypted, off this thread, into a copy named `name` (cleaned) in the
    /// opened-copies folder (kOpenedSuffix). Corrupt when it does not open.
    QFuture<Result<QString>> plaintextCopy(const CachedFile &file, const QString &name);
    QString openedDirectory() const { return m_openedDirectory; }

Q_SIGNALS:
    void progress(const QString &id, qint64 done, qint64 total);
    void stateChanged(const QString &id, TransferManager::State state);
    /// An upload went on from `offset` instead of from zero (after a break or a restart).
    void resumed(const QString &id, qint64 offset);
    /// An upload is complete on the relay: `media` is the relay's media object. A sealed
    /// one's `sealed` has the key and the plaintext's size and hash (the media's are the
    /// ciphertext's); else it is empty.
    void uploaded(const QString &id, const protocol::messages::MediaObject &media,
                  const tidings::app::SealedFile &sealed);
    void downloaded(const QString &id, const QString &mediaId, const QString &path);
    void failed(const QString &id, const QString &reason);
    /// restore() has picked up `count` unfinished transfers.
    void restored(int count);
    /// What cachedPath() answers may have changed: the cache's index was read, or a file
    /// came, went or was found gone.
    void cacheChanged();

private:
    struct CacheIndex;
    struct SentFile
    {
        QString path;
        QString name;
        QString sha256; ///< of the plaintext, once uploaded
    };

    /// Reads the cache's index (sealing a plaintext cache first, with a key): once the store
    /// is open, so that whether it has a key is known.
    void beginIndexing();
    void takeSealedReading(const SealedCacheReading &reading);
    void finishIndexing();
    /// Runs `work` now if the index is read, else once it is.
    void whenIndexed(std::function<void()> work);
    template<typename T> QFuture<T> afterIndexing(std::function<QFuture<T>()> start);
    /// Keeps the key of a sealed file in the store; `done` is told whether it was kept.
    void keepKey(const QString &mediaId, const CachedFile &file, std::function<void(bool)> done);
    /// Where the file of `mediaId`, called `name`, is kept in the cache.
    QString cachePathOf(const QString &mediaId, const QString &name) const;
    void keepLink(const QString &mediaId, const SentFile &sent);
    void keepSealedCopy(const QString &mediaId, const SentFile &sent);
    QFuture<qint64> trimCache(qint64 maxBytes, QSet<QString> keep);
    void fetch(const QString &id, const Download &download);
    /// Emits cacheChanged() on this object's thread; callable from any thread.
    void announceCacheChange();
    void persist(const local::Transfer &row);
    void forget(const QString &id);
    void setState(const QString &id, State state);
    void onUploadCreated(const QString &id, const QString &mediaId, const QString &sha256,
                         qint64 size);
    void onUploaded(const QString &id, const protocol::messages::MediaObject &media,
                    const SealedFile &sealed);
    void onDownloaded(const QString &id, const QString &mediaId, const CachedFile &file);
    void finishDownload(const QString &id, const QString &mediaId, const CachedFile &file);
    void onFailed(const QString &id, const QString &reason);
    QString newId() const;

    LocalStore &m_store;
    QUrl m_base;
    QByteArray m_token;
    QNetworkAccessManager *m_network = nullptr;
    const QString m_cacheDirectory;
    const Options m_options;
    qint64 m_cacheLimit = 0;
    QHash<QString, State> m_states;
    QHash<QString, QString> m_downloading; ///< media id → transfer id
    QHash<QString, SentFile> m_uploads; ///< by transfer id
    std::unique_ptr<TransferJobs> m_jobs; ///< the transfers running, step by step
    const std::shared_ptr<CacheIndex> m_cache; ///< media id → cached file, shared with m_cacheWork
    const QString m_openedDirectory;
    bool m_indexing = false; ///< the first reading of the cache has begun
    bool m_sealed = false; ///< the cache is sealed (known once the reading has begun)
    bool m_indexed = false; ///< the first reading of the cache is in
    QList<std::function<void()>> m_waitingForIndex;
    QThreadPool m_cacheWork; ///< one thread: reads, trims and checks of the cache, in turn
};

} // namespace tidings::app
