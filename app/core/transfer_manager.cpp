#include "core/transfer_manager.h"

#include "core/core_logging.h"
#include "core/local_store.h"
#include "core/transfer_files.h"
#include "core/transfer_jobs.h"
#include "core/transfer_queries.h"
#include "e2e/file_crypto.h"
#include "protocol/file_names.h"
#include "util/futures.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>
#include <QUuid>

#include <utility>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

/// A file name safe to create in the cache: no directories, nothing hidden or odd.
QString safeFileName(const QString &name)
{
    return protocol::cleanFileName(name);
}

/// A media id that names a folder of the cache (and nothing outside it).
bool isMediaId(const QString &mediaId)
{
    return !mediaId.isEmpty() && !mediaId.contains(u'/') && !mediaId.contains(u'.');
}

} // namespace

/// What cachedPath() answers from. The manager's thread reads it (while painting, too) and
/// adds what it downloads; the cache work adds what it reads and kept, and removes what it
/// trimmed or found gone. `files` is only ever held for a lookup, never across disk work, so
/// the manager's thread never waits on the disk.
struct TransferManager::CacheIndex
{
    /// Held by each piece of cache work for all it does: one at a time, on whichever thread
    /// runs it (QFuture::waitForFinished() may run one on the caller's), so a reading of the
    /// cache never overlaps a trimming of it.
    QMutex work;
    mutable QMutex mutex; ///< guards what follows
    QHash<QString, QString> files; ///< media id → its file
    QHash<QString, e2e::SecretKey> keys; ///< media id → its file's key (a sealed cache)
    bool read = false; ///< the first reading of the directory is in

    QString file(const QString &mediaId) const
    {
        const QMutexLocker lock(&mutex);
        return files.value(mediaId);
    }
    CachedFile cached(const QString &mediaId) const
    {
        const QMutexLocker lock(&mutex);
        CachedFile found{files.value(mediaId), std::nullopt};
        if (const auto key = keys.constFind(mediaId); key != keys.cend() && !found.isNull())
            found.key = key.value();
        return found;
    }
    bool isRead() const
    {
        const QMutexLocker lock(&mutex);
        return read;
    }
    void keep(const QString &mediaId, const CachedFile &file)
    {
        const QMutexLocker lock(&mutex);
        files.insert(mediaId, file.path);
        if (file.key)
            keys.insert(mediaId, *file.key);
        else
            keys.remove(mediaId);
    }
    /// What a reading found, under what this run kept meanwhile (that is newer).
    void takeReading(const QHash<QString, QString> &found,
                     const QHash<QString, e2e::SecretKey> &foundKeys)
    {
        const QMutexLocker lock(&mutex);
        for (auto it = found.cbegin(); it != found.cend(); ++it) {
            if (files.contains(it.key()))
                continue;
            files.insert(it.key(), it.value());
            if (const auto key = foundKeys.constFind(it.key()); key != foundKeys.cend())
                keys.insert(it.key(), key.value());
        }
        read = true;
    }
    /// Forgets the file of `mediaId` if it is still `file` (not one kept since); true if so.
    bool forget(const QString &mediaId, const QString &file)
    {
        const QMutexLocker lock(&mutex);
        const auto it = files.constFind(mediaId);
        if (it == files.cend() || it.value() != file)
            return false;
        files.erase(it);
        keys.remove(mediaId);
        return true;
    }
};

TransferManager::TransferManager(LocalStore &store, QString cacheDirectory, Options options,
                                 QObject *parent)
    : QObject(parent), m_store(store), m_cacheDirectory(std::move(cacheDirectory)),
      m_options(options),
      m_jobs(std::make_unique<TransferJobs>(options, m_cacheDirectory + u'/' + kOutgoingFolder)),
      m_cache(std::make_shared<CacheIndex>()), m_openedDirectory(m_cacheDirectory + kOpenedSuffix)
{
    m_cacheWork.setMaxThreadCount(1);
    // Copies for "Open with…" that a run which did not end well left go first.
    m_cacheWork.start([opened = m_openedDirectory] { QDir(opened).removeRecursively(); });
    // The cache is read once the store is open (whether it is sealed depends on its key),
    // off this thread; until then cachedPath() knows only what this run downloads, and
    // download() waits for the reading before it decides.
    if (m_store.isOpen())
        beginIndexing();
    else
        connect(&m_store, &LocalStore::opening, this, &TransferManager::beginIndexing,
                Qt::SingleShotConnection);

    // Queued: what the jobs report is taken in after the call that caused it returns, so a
    // slot that starts or cancels a transfer never runs inside the jobs' own work.
    const auto queued = Qt::QueuedConnection;
    TransferJobs *jobs = m_jobs.get();
    connect(jobs, &TransferJobs::stateChanged, this, &TransferManager::setState, queued);
    connect(jobs, &TransferJobs::progress, this, &TransferManager::progress, queued);
    connect(jobs, &TransferJobs::resumed, this, &TransferManager::resumed, queued);
    connect(jobs, &TransferJobs::created, this, &TransferManager::onUploadCreated, queued);
    connect(jobs, &TransferJobs::uploaded, this, &TransferManager::onUploaded, queued);
    connect(jobs, &TransferJobs::downloaded, this, &TransferManager::onDownloaded, queued);
    connect(jobs, &TransferJobs::failed, this, &TransferManager::onFailed, queued);
}

TransferManager::~TransferManager()
{
    // The cache work calls back into this object: it ends before any of it goes.
    m_cacheWork.waitForDone();
    // Plaintext handed to other programs does not outlive the app.
    QDir(m_openedDirectory).removeRecursively();
}

void TransferManager::beginIndexing()
{
    if (m_indexing)
        return;
    m_indexing = true;
    m_sealed = m_store.hasStoreKey();
    if (!m_sealed) {
        m_cacheWork.start([this, cache = m_cache, directory = m_cacheDirectory] {
            const QMutexLocker work(&cache->work);
            cache->takeReading(scanCache(directory), {});
            QMetaObject::invokeMethod(this, &TransferManager::finishIndexing, Qt::QueuedConnection);
        });
        return;
    }
    m_store.read<QHash<QString, e2e::SecretKey>>(&local::cacheKeys)
        .then(this, [this](const Result<QHash<QString, e2e::SecretKey>> &kept) {
            if (!kept) {
                // Not "no keys": reading the folders against an empty set would delete every
                // sealed file. The cache is left as it is and goes unused this run.
                qCWarning(lcTransfers).noquote()
                    << "cannot read the media cache's keys, not using the cache this run:"
                    << kept.error().message;
                m_cache->takeReading({}, {});
                finishIndexing();
                return;
            }
            const QHash<QString, e2e::SecretKey> keys = *kept;
            m_cacheWork.start([this, cache = m_cache, directory = m_cacheDirectory, keys] {
                const QMutexLocker work(&cache->work);
                const SealedCacheReading reading = readSealedCache(directory, keys);
                QMetaObject::invokeMethod(
                    this, [this, reading] { takeSealedReading(reading); }, Qt::QueuedConnection);
            });
        });
}

void TransferManager::takeSealedReading(const SealedCacheReading &reading)
{
    // The keys of what was sealed just now are kept before its plaintext goes: a run that
    // stops in between seals it again at its next start.
    const QHash<QString, e2e::SecretKey> newKeys = reading.newKeys;
    const QStringList stale = reading.staleKeys;
    m_store
        .write<void>([newKeys, stale](QSqlDatabase &db) -> Result<void> {
            if (auto saved = local::saveCacheKeys(db, newKeys); !saved)
                return saved;
            return local::removeCacheKeys(db, stale);
        })
        .then(this, [this, reading](const Result<void> &saved) {
            QHash<QString, QString> files = reading.files;
            if (!saved) {
                qCWarning(lcTransfers).noquote()
                    << "cannot keep the media cache's keys:" << saved.error().message;
                // Without their keys the files sealed now open for no one: they go at the
                // next start, which seals their plaintext again.
                for (auto it = reading.newKeys.cbegin(); it != reading.newKeys.cend(); ++it)
                    files.remove(it.key());
            } else if (!reading.leftovers.isEmpty()) {
                m_cacheWork.start([cache = m_cache, leftovers = reading.leftovers] {
                    const QMutexLocker work(&cache->work);
                    removeFiles(leftovers);
                });
            }
            m_cache->takeReading(files, reading.keys);
            finishIndexing();
        });
}

void TransferManager::finishIndexing()
{
    m_indexed = true;
    Q_EMIT cacheChanged();
    const QList<std::function<void()>> waiting = std::exchange(m_waitingForIndex, {});
    for (const auto &work : waiting)
        work();
}

void TransferManager::whenIndexed(std::function<void()> work)
{
    if (m_indexed)
        work();
    else
        m_waitingForIndex.append(std::move(work));
}

template<typename T> QFuture<T> TransferManager::afterIndexing(std::function<QFuture<T>()> start)
{
    if (m_indexed)
        return start();
    // Unfinished if this goes first: the future is cancelled then.
    auto promise = std::make_shared<QPromise<T>>();
    promise->start();
    m_waitingForIndex.append([this, promise, start = std::move(start)] {
        whenReady(start(), this, [promise](const T &value) {
            promise->addResult(value);
            promise->finish();
        });
    });
    return promise->future();
}

QString TransferManager::cachePathOf(const QString &mediaId, const QString &name) const
{
    const QString folder = m_cacheDirectory + u'/' + mediaId;
    return m_sealed ? sealedFileIn(folder) : folder + u'/' + safeFileName(name);
}

void TransferManager::keepKey(const QString &mediaId, const CachedFile &file,
                              std::function<void(bool)> done)
{
    const QHash<QString, e2e::SecretKey> keys{{mediaId, *file.key}};
    m_store.write<void>([keys](QSqlDatabase &db) { return local::saveCacheKeys(db, keys); })
        .then(this, [this, mediaId, file, done = std::move(done)](const Result<void> &saved) {
            if (!saved) {
                qCWarning(lcTransfers).noquote() << "cannot keep the key of cached media" << mediaId
                                                 << ":" << saved.error().message;
                // Nothing would open it: it goes.
                m_cacheWork.start([path = file.path] { QFile::remove(path); });
                return done(false);
            }
            done(true);
        });
}

void TransferManager::announceCacheChange()
{
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT cacheChanged(); }, Qt::QueuedConnection);
}

QString TransferManager::newId() const
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

void TransferManager::setServer(const QUrl &base, const QByteArray &token)
{
    m_base = base;
    m_token = token;
    m_jobs->setServer(base, token);
}

QString TransferManager::upload(const Upload &upload)
{
    local::Transfer row;
    row.id = newId();
    row.kind = u"upload"_s;
    row.path = upload.path;
    const QString name = upload.name.isEmpty() ? QFileInfo(upload.path).fileName() : upload.name;
    // A sealed upload is kept as the relay sees it, with no type or name of its own: which is
    // also how the jobs, now or after a restart, know to seal it (the relay's own rule).
    row.type = upload.type.isEmpty() || upload.seal ? u"application/octet-stream"_s : upload.type;
    row.name = upload.seal ? QString() : name;
    // Its size is read with its hash, off this thread: no disk access here.
    persist(row);
    m_states.insert(row.id, State::Queued);
    m_uploads.insert(row.id, {row.path, name, {}});
    m_jobs->add(row);
    return row.id;
}

QString TransferManager::download(const Download &download)
{
    if (const auto it = m_downloading.constFind(download.mediaId); it != m_downloading.cend())
        return it.value();
    const QString id = newId();
    m_states.insert(id, State::Queued);
    m_downloading.insert(download.mediaId, id);
    if (m_indexed && cachedPath(download.mediaId).isEmpty()) {
        fetch(id, download);
        return id;
    }
    // Cached, or the cache is still being read: the file is looked for first (off this
    // thread), so a download never ends with a file that is not there.
    whenReady(afterIndexing<QString>([this, download] { return verifyCached(download.mediaId); }),
              this, [this, id, download](const QString &cached) {
                  if (m_downloading.value(download.mediaId) != id)
                      return; // cancelled meanwhile
                  if (cached.isEmpty()) {
                      fetch(id, download);
                      return;
                  }
                  m_downloading.remove(download.mediaId);
                  setState(id, State::Done);
                  Q_EMIT downloaded(id, download.mediaId, cached);
              });
    return id;
}

void TransferManager::fetch(const QString &id, const Download &download)
{
    local::Transfer row;
    row.id = id;
    row.kind = u"download"_s;
    row.mediaId = download.mediaId;
    row.size = download.size;
    row.sha256 = download.sha256;
    row.name = safeFileName(download.name);
    row.path = cachePathOf(download.mediaId, row.name);
    if (download.key.isEmpty()) {
        persist(row);
    } else {
        // What is fetched is the ciphertext; the hash is checked on the plaintext it opens to.
        row.size = e2e::encryptedFileSize(download.size);
    }
    m_jobs->add(row, download.key, m_sealed);
}

void TransferManager::restore()
{
    // After the cache's reading, which decides where downloads go (and seals what an
    // earlier run left in clear before anything is written beside it).
    whenIndexed([this] {
        m_store.read<QList<local::Transfer>>(&local::unfinishedTransfers)
            .then(this, [this](const Result<QList<local::Transfer>> &transfers) {
                if (!transfers) {
                    qCWarning(lcTransfers).noquote()
                        << "cannot read unfinished transfers:" << transfers.error().message;
                    return;
                }
                int count = 0;
                for (local::Transfer row : *transfers) {
                    if (m_states.contains(row.id))
                        continue;
                    ++count;
                    if (row.kind == u"upload"_s) {
                        m_uploads.insert(row.id, {row.path, row.name, {}});
                    } else {
                        m_downloading.insert(row.mediaId, row.id);
                        // Kept by a run with or without the store key: where this one keeps it.
                        row.path = cachePathOf(row.mediaId, row.name);
                    }
                    m_states.insert(row.id, row.paused ? State::Paused : State::Queued);
                    m_jobs->add(row, {}, m_sealed);
                }
                Q_EMIT restored(count);
            });
    });
}

void TransferManager::pause(const QString &id)
{
    m_store.write<void>([id](QSqlDatabase &db) { return local::setTransferPaused(db, id, true); });
    m_jobs->pause(id, true);
}

void TransferManager::resume(const QString &id)
{
    m_store.write<void>([id](QSqlDatabase &db) { return local::setTransferPaused(db, id, false); });
    m_jobs->pause(id, false);
}

void TransferManager::cancel(const QString &id)
{
    forget(id);
    setState(id, State::Cancelled);
    m_jobs->cancel(id);
}

void TransferManager::keepSentFile(const QString &id, const QString &mediaId)
{
    const SentFile sent = m_uploads.take(id);
    if (sent.path.isEmpty() || mediaId.size() != 32 || !isMediaId(mediaId))
        return;
    // A link, or a sealed copy: which one is known once the cache has been read.
    whenIndexed([this, mediaId, sent] {
        if (m_sealed)
            keepSealedCopy(mediaId, sent);
        else
            keepLink(mediaId, sent);
    });
}

void TransferManager::keepLink(const QString &mediaId, const SentFile &sent)
{
    const QString folder = m_cacheDirectory + u'/' + mediaId;
    // A sealed upload picked up after a restart kept no name: its file's stands in.
    const QString link = folder + u'/'
        + safeFileName(sent.name.isEmpty() ? QFileInfo(sent.path).fileName() : sent.name);
    m_cacheWork.start([this, cache = m_cache, path = sent.path, mediaId, folder, link] {
        const QMutexLocker work(&cache->work);
        QString kept = cachedFileIn(folder); // downloaded already: that one stays
        if (kept.isEmpty() && QDir().mkpath(folder)
            && QFile::link(QFileInfo(path).absoluteFilePath(), link) && QFileInfo::exists(link))
            kept = link;
        if (kept.isEmpty() || cache->file(mediaId) == kept)
            return;
        cache->keep(mediaId, CachedFile{kept, std::nullopt});
        announceCacheChange();
    });
}

void TransferManager::keepSealedCopy(const QString &mediaId, const SentFile &sent)
{
    // A link would leave the file's name and path in the cache: a sealed copy instead,
    // checked against what went up (the file may have changed since).
    const QString path = sealedFileIn(m_cacheDirectory + u'/' + mediaId);
    m_cacheWork.start([this, cache = m_cache, sent, mediaId, path] {
        const QMutexLocker work(&cache->work);
        if (!cache->file(mediaId).isEmpty() && QFileInfo::exists(path))
            return; // downloaded already: that one stays
        const Result<e2e::SecretKey> key = sealCopy(sent.path, path, sent.sha256);
        QMetaObject::invokeMethod(
            this,
            [this, mediaId, path, key, sent] {
                if (!key) {
                    qCInfo(lcTransfers).noquote()
                        << "a sent file is not kept in the cache:" << key.error().message;
                    return;
                }
                const CachedFile file{path, *key};
                // A file the app made to send (a pasted picture, in outgoing/) is plaintext
                // of its own: once the sealed copy is kept, it goes.
                const QString madeHere = QDir(m_cacheDirectory + u"/outgoing"_s)
                                             .absoluteFilePath(QFileInfo(sent.path).fileName());
                const bool ours = QFileInfo(sent.path).absoluteFilePath() == madeHere;
                keepKey(mediaId, file, [this, mediaId, file, ours, source = sent.path](bool kept) {
                    if (!kept)
                        return;
                    m_cache->keep(mediaId, file);
                    if (ours)
                        m_cacheWork.start([source] { QFile::remove(source); });
                    Q_EMIT cacheChanged();
                });
            },
            Qt::QueuedConnection);
    });
}

QFuture<Result<QUrl>> TransferManager::link(const QString &mediaId)
{
    if (m_base.isEmpty() || m_token.isEmpty())
        return readyFuture(Result<QUrl>(ErrorCode::Unavailable, u"not signed in"_s));
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    QNetworkRequest request(
        QUrl(m_base.toString(QUrl::StripTrailingSlash) + u"/v1/media/"_s + mediaId + u"/link"_s));
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(15000);
    QNetworkReply *reply = m_network->post(request, QByteArray());
    auto promise = std::make_shared<QPromise<Result<QUrl>>>();
    promise->start();
    connect(reply, &QNetworkReply::finished, this, [reply, promise, base = m_base] {
        reply->deleteLater();
        // A bounded read: a link answer is small, whatever the other side sends.
        const QByteArray body = reply->read(qint64(64) * 1024);
        const auto link = messages::decodeBody<messages::MediaLink>(body);
        if (reply->error() != QNetworkReply::NoError || !link) {
            const long status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QString why
                = status >= 400 ? messages::decodeHttpError(body, status).message : QString();
            promise->addResult(
                Result<QUrl>(ErrorCode::Unavailable, why.isEmpty() ? reply->errorString() : why));
        } else {
            promise->addResult(Result<QUrl>(base.resolved(QUrl(link->url))));
        }
        promise->finish();
    });
    return promise->future();
}

TransferManager::State TransferManager::state(const QString &id) const
{
    return m_states.value(id, State::Failed);
}

QString TransferManager::cachedPath(const QString &mediaId) const
{
    return m_cache->file(mediaId);
}

CachedFile TransferManager::cachedFile(const QString &mediaId) const
{
    return m_cache->cached(mediaId);
}

QFuture<QString> TransferManager::verifyCached(const QString &mediaId)
{
    if (!isMediaId(mediaId))
        return readyFuture(QString());
    // Sealed, nothing is known of a file until the reading has matched it with its key.
    if (!m_indexing || (m_sealed && !m_indexed))
        return afterIndexing<QString>([this, mediaId] { return verifyCached(mediaId); });
    return QtConcurrent::run(
        &m_cacheWork, [this, cache = m_cache, mediaId, folder = m_cacheDirectory + u'/' + mediaId] {
            const QMutexLocker work(&cache->work);
            QString file = cache->file(mediaId);
            if (file.isEmpty() && !cache->isRead()) {
                // Run before the first reading (waited for on the caller's thread): looked up.
                file = cachedFileIn(folder);
                if (!file.isEmpty())
                    cache->keep(mediaId, CachedFile{file, std::nullopt});
                return file;
            }
            if (file.isEmpty() || QFileInfo::exists(file))
                return file;
            if (cache->forget(mediaId, file))
                announceCacheChange();
            return QString();
        });
}

QFuture<qint64> TransferManager::cacheSize() const
{
    return QtConcurrent::run([directory = m_cacheDirectory] {
        // As trimCache() counts: download folders (named by media id), links excluded.
        qint64 total = 0;
        const QFileInfoList media
            = QDir(directory).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QFileInfo &folder : media) {
            if (folder.fileName().size() != 32)
                continue;
            const QFileInfoList files
                = QDir(folder.filePath()).entryInfoList(QDir::Files | QDir::Hidden);
            for (const QFileInfo &file : files)
                total += file.isSymLink() ? 0 : file.size();
        }
        return total;
    });
}

QFuture<qint64> TransferManager::trimCache(qint64 maxBytes)
{
    return trimCache(maxBytes, {});
}

QFuture<qint64> TransferManager::trimCache(qint64 maxBytes, QSet<QString> busy)
{
    for (auto it = m_downloading.cbegin(); it != m_downloading.cend(); ++it)
        busy.insert(it.key());
    return QtConcurrent::run(
        &m_cacheWork, [this, cache = m_cache, directory = m_cacheDirectory, maxBytes, busy] {
            const QMutexLocker work(&cache->work);
            const TrimmedCache trimmed = trimCacheDirectory(directory, maxBytes, busy);
            if (!trimmed.removed.isEmpty()) {
                QMetaObject::invokeMethod(
                    this,
                    [this, removed = trimmed.removed] {
                        if (m_sealed)
                            m_store.write<void>([removed](QSqlDatabase &db) {
                                return local::removeCacheKeys(db, removed);
                            });
                    },
                    Qt::QueuedConnection);
            }
            bool changed = false;
            for (const QString &mediaId : trimmed.removed) {
                // Unless it came back meanwhile (a download that started after this began).
                const QString file = cache->file(mediaId);
                if (!file.isEmpty() && !QFileInfo::exists(file))
                    changed = cache->forget(mediaId, file) || changed;
            }
            if (changed)
                announceCacheChange();
            return trimmed.bytesLeft;
        });
}

void TransferManager::persist(const local::Transfer &row)
{
    m_store.write<void>([row](QSqlDatabase &db) { return local::saveTransfer(db, row); })
        .then(this, [](const Result<void> &saved) {
            if (!saved)
                qCWarning(lcTransfers).noquote()
                    << "cannot keep a transfer:" << saved.error().message;
        });
}

void TransferManager::forget(const QString &id)
{
    m_store.write<void>([id](QSqlDatabase &db) { return local::removeTransfer(db, id); });
    for (auto it = m_downloading.begin(); it != m_downloading.end();) {
        if (it.value() == id)
            it = m_downloading.erase(it);
        else
            ++it;
    }
}

void TransferManager::setState(const QString &id, State state)
{
    State &current = m_states[id];
    if (current == state || current == State::Cancelled)
        return;
    current = state;
    Q_EMIT stateChanged(id, state);
}

void TransferManager::onUploadCreated(const QString &id, const QString &mediaId,
                                      const QString &sha256, qint64 size)
{
    m_store.write<void>([id, mediaId, sha256, size](QSqlDatabase &db) {
        return local::setTransferMedia(db, id, mediaId, sha256, size);
    });
}

void TransferManager::onUploaded(const QString &id, const messages::MediaObject &media,
                                 const SealedFile &sealed)
{
    // What a copy of it kept in the cache is checked against.
    if (const auto it = m_uploads.find(id); it != m_uploads.end())
        it->sha256 = sealed.isSealed() ? sealed.sha256 : media.sha256;
    forget(id);
    setState(id, State::Done);
    Q_EMIT uploaded(id, media, sealed);
}

void TransferManager::onDownloaded(const QString &id, const QString &mediaId,
                                   const CachedFile &file)
{
    if (!file.isSealed())
        return finishDownload(id, mediaId, file);
    // Known to be here only once its key is kept.
    keepKey(mediaId, file, [this, id, mediaId, file](bool kept) {
        if (kept)
            finishDownload(id, mediaId, file);
        else
            onFailed(id, u"cannot keep the key of the downloaded file"_s);
    });
}

void TransferManager::finishDownload(const QString &id, const QString &mediaId,
                                     const CachedFile &file)
{
    const bool cancelled = m_states.value(id) == State::Cancelled;
    forget(id);
    m_cache->keep(mediaId, file);
    setState(id, State::Done);
    if (!cancelled)
        Q_EMIT downloaded(id, mediaId, file.path);
    Q_EMIT cacheChanged();
    if (m_cacheLimit > 0) {
        // Spares what is downloading (and so the file just finished, until it is read).
        QSet<QString> keep;
        keep.insert(mediaId);
        trimCache(m_cacheLimit, keep);
    }
}

QFuture<Result<QString>> TransferManager::plaintextCopy(const CachedFile &file, const QString &name)
{
    if (!file.isSealed())
        return readyFuture(Result<QString>(file.path));
    // On the cache's own thread: after the start's emptying of the folder, never before.
    return QtConcurrent::run(
        &m_cacheWork, [file, name, opened = m_openedDirectory]() -> Result<QString> {
            // The user's alone (0700), made so, never widened after the fact.
            const auto ownerOnly
                = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
            const QString folder = opened + u'/' + QFileInfo(file.path).dir().dirName();
            QDir().mkpath(QFileInfo(opened).path());
            for (const QString &directory : {opened, folder}) {
                if (!QFileInfo(directory).isDir() && !QDir().mkdir(directory, ownerOnly))
                    return Error{ErrorCode::Io, u"cannot make %1"_s.arg(directory)};
                if (QFileInfo(directory).isSymLink()
                    || !QFile::setPermissions(directory, ownerOnly))
                    return Error{ErrorCode::Io, u"%1 is not the user's alone"_s.arg(directory)};
            }
            const QString target = folder + u'/' + safeFileName(name);
            if (auto saved
                = saveCachedFile(file, target, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
                !saved)
                return saved.error();
            return target;
        });
}

void TransferManager::onFailed(const QString &id, const QString &reason)
{
    forget(id);
    setState(id, State::Failed);
    Q_EMIT failed(id, reason);
}

} // namespace tidings::app
