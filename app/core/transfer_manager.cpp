#include "core/transfer_manager.h"

#include "core/core_logging.h"
#include "core/local_store.h"
#include "core/transfer_files.h"
#include "core/transfer_jobs.h"
#include "core/transfer_queries.h"
#include "e2e/file_crypto.h"
#include "protocol/file_names.h"

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
    bool read = false; ///< the first reading of the directory is in

    QString file(const QString &mediaId) const
    {
        const QMutexLocker lock(&mutex);
        return files.value(mediaId);
    }
    bool isRead() const
    {
        const QMutexLocker lock(&mutex);
        return read;
    }
    void keep(const QString &mediaId, const QString &file)
    {
        const QMutexLocker lock(&mutex);
        files.insert(mediaId, file);
    }
    /// What a reading found, under what this run kept meanwhile (that is newer).
    void takeReading(const QHash<QString, QString> &found)
    {
        const QMutexLocker lock(&mutex);
        for (auto it = found.cbegin(); it != found.cend(); ++it) {
            if (!files.contains(it.key()))
                files.insert(it.key(), it.value());
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
        return true;
    }
};

TransferManager::TransferManager(LocalStore &store, QString cacheDirectory, Options options,
                                 QObject *parent)
    : QObject(parent), m_store(store), m_cacheDirectory(std::move(cacheDirectory)),
      m_options(options),
      m_jobs(std::make_unique<TransferJobs>(options, m_cacheDirectory + u'/' + kOutgoingFolder)),
      m_cache(std::make_shared<CacheIndex>())
{
    m_cacheWork.setMaxThreadCount(1);
    // The cache is read once, here, off this thread; until then cachedPath() knows only
    // what this run downloads, and download() waits for the reading before it decides.
    m_cacheWork.start([this, cache = m_cache, directory = m_cacheDirectory] {
        const QMutexLocker work(&cache->work);
        cache->takeReading(scanCache(directory));
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_indexed = true;
                Q_EMIT cacheChanged();
            },
            Qt::QueuedConnection);
    });

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
    m_uploads.insert(row.id, {row.path, name});
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
    verifyCached(download.mediaId).then(this, [this, id, download](const QString &cached) {
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
    row.path = m_cacheDirectory + u'/' + download.mediaId + u'/' + row.name;
    if (download.key.isEmpty()) {
        persist(row);
    } else {
        // What is fetched is the ciphertext; the hash is checked on the plaintext it opens to.
        row.size = e2e::encryptedFileSize(download.size);
    }
    m_jobs->add(row, download.key);
}

void TransferManager::restore()
{
    m_store.read<QList<local::Transfer>>(&local::unfinishedTransfers)
        .then(this, [this](const Result<QList<local::Transfer>> &transfers) {
            if (!transfers) {
                qCWarning(lcTransfers).noquote()
                    << "cannot read unfinished transfers:" << transfers.error().message;
                return;
            }
            int count = 0;
            for (const local::Transfer &row : *transfers) {
                if (m_states.contains(row.id))
                    continue;
                ++count;
                if (row.kind == u"upload"_s)
                    m_uploads.insert(row.id, {row.path, row.name});
                else
                    m_downloading.insert(row.mediaId, row.id);
                m_states.insert(row.id, row.paused ? State::Paused : State::Queued);
                m_jobs->add(row);
            }
            Q_EMIT restored(count);
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
    const auto [path, name] = m_uploads.take(id);
    if (path.isEmpty() || mediaId.size() != 32 || !isMediaId(mediaId))
        return;
    const QString folder = m_cacheDirectory + u'/' + mediaId;
    // A sealed upload picked up after a restart kept no name: its file's stands in.
    const QString link
        = folder + u'/' + safeFileName(name.isEmpty() ? QFileInfo(path).fileName() : name);
    m_cacheWork.start([this, cache = m_cache, path, mediaId, folder, link] {
        const QMutexLocker work(&cache->work);
        QString kept = cachedFileIn(folder); // downloaded already: that one stays
        if (kept.isEmpty() && QDir().mkpath(folder)
            && QFile::link(QFileInfo(path).absoluteFilePath(), link) && QFileInfo::exists(link))
            kept = link;
        if (kept.isEmpty() || cache->file(mediaId) == kept)
            return;
        cache->keep(mediaId, kept);
        announceCacheChange();
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

QFuture<QString> TransferManager::verifyCached(const QString &mediaId)
{
    if (!isMediaId(mediaId))
        return readyFuture(QString());
    return QtConcurrent::run(
        &m_cacheWork, [this, cache = m_cache, mediaId, folder = m_cacheDirectory + u'/' + mediaId] {
            const QMutexLocker work(&cache->work);
            QString file = cache->file(mediaId);
            if (file.isEmpty() && !cache->isRead()) {
                // Run before the first reading (waited for on the caller's thread): looked up.
                file = cachedFileIn(folder);
                if (!file.isEmpty())
                    cache->keep(mediaId, file);
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
            const QFileInfoList files = QDir(folder.filePath()).entryInfoList(QDir::Files);
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
    forget(id);
    setState(id, State::Done);
    Q_EMIT uploaded(id, media, sealed);
}

void TransferManager::onDownloaded(const QString &id, const QString &mediaId, const QString &path)
{
    forget(id);
    m_cache->keep(mediaId, path);
    setState(id, State::Done);
    Q_EMIT downloaded(id, mediaId, path);
    Q_EMIT cacheChanged();
    if (m_cacheLimit > 0) {
        // Spares what is downloading (and so the file just finished, until it is read).
        QSet<QString> keep;
        keep.insert(mediaId);
        trimCache(m_cacheLimit, keep);
    }
}

void TransferManager::onFailed(const QString &id, const QString &reason)
{
    forget(id);
    setState(id, State::Failed);
    Q_EMIT failed(id, reason);
}

} // namespace tidings::app
