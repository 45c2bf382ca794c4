#include "core/transfer_jobs.h"

#include "core/cache_sealer.h"
#include "core/core_logging.h"
#include "core/transfer_files.h"
#include "core/transfer_queries.h"
#include "core/transfer_request.h"
#include "net/curl_loop.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

/// No relay takes less in one request (its media-chunk-bytes has this floor).
constexpr qint64 kSmallestChunkBytes = 64 * 1024;
/// A job's retryAt while it waits for a (new) token: until setServer().
constexpr qint64 kUntilServer = std::numeric_limits<qint64>::max();

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString messageOf(const QByteArray &body, long status)
{
    return messages::decodeHttpError(body, status).message;
}

/// An upload sent end to end: the relay's own rule for one (docs/protocol.md, section 8),
/// which TransferManager::upload() keeps it by.
bool isSealedUpload(const local::Transfer &row)
{
    return row.kind == u"upload" && row.type == u"application/octet-stream" && row.name.isEmpty();
}

net::CurlLoop::Options loopOptions(const TransferManager::Options &options)
{
    net::CurlLoop::Options loop;
    // The jobs keep to maxConcurrent themselves; cancellations (a DELETE each) go beyond it.
    loop.maxInFlight = std::max(1, options.maxConcurrent) + 8;
    loop.maxQueued = 64;
    loop.multiplex = true; // libcurl's default, as is no limit per host
    loop.threadName = u"transfers"_s;
    return loop;
}

} // namespace

struct TransferJobs::Job
{
    local::Transfer row;
    bool upload = true;
    TransferStep step = TransferStep::Hash;
    bool paused = false;
    bool cancelled = false;
    bool resumeNoted = false;
    int failures = 0;
    int corruptDownloads = 0; ///< fetched whole, but they did not verify (or open)
    qint64 retryAt = 0; ///< ms since epoch; 0: ready now
    qint64 offset = 0;
    qint64 chunkBytes = 0; ///< the relay's largest chunk for this upload
    bool prepared = false; ///< Get: the partial file is ready at `offset`
    bool discardPart = false; ///< Get: the partial file goes first
    net::CurlLoop::Id request = 0; ///< the request in flight
    bool working = false; ///< file work on the pool
    std::shared_ptr<std::atomic<bool>> stop; ///< tells that work to stop
    /// Of the request or work in flight: what comes back from an earlier one is stale.
    quint64 serial = 0;
    qint64 lastProgressAt = 0;
    qint64 progressDone = -1;
    QString sealedPath; ///< a sealed upload: its ciphertext, which is what goes up
    SealedFile sealed; ///< a sealed upload, once sealed: its key, the plaintext's size and hash
    QString fileKey; ///< a sealed download: what opens it
    bool sealInCache = false; ///< a download kept sealed in the cache
    /// A plaintext download sealed as it arrives: what it took so far, this run.
    std::shared_ptr<CacheSealer> sealer;

    bool sealsAsItArrives() const { return sealInCache && fileKey.isEmpty(); }

    bool busy() const { return request != 0 || working; }
};

TransferJobs::TransferJobs(const TransferManager::Options &options, QString sealingDirectory,
                           QObject *parent)
    : QObject(parent), m_options(options), m_sealingDirectory(std::move(sealingDirectory)),
      m_loop(std::make_unique<net::CurlLoop>(loopOptions(options)))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &TransferJobs::startReadyJobs);
    m_files.setObjectName(u"transfer-files"_s);
    m_files.setMaxThreadCount(2);
}

TransferJobs::~TransferJobs()
{
    for (const auto &[id, job] : m_jobs) {
        if (job->stop)
            job->stop->store(true);
    }
    // Both post to this object from their threads: they stop before it goes. The loop
    // cleans up every request and calls none back.
    m_loop.reset();
    m_files.clear();
    m_files.waitForDone();
}

void TransferJobs::setServer(const QUrl &base, const QByteArray &token)
{
    m_base = base;
    m_token = token;
    for (const auto &[id, job] : m_jobs) {
        if (job->retryAt == kUntilServer)
            job->retryAt = 0; // was waiting for a (new) token
    }
    schedule();
}

void TransferJobs::add(const local::Transfer &row, const QString &fileKey, bool sealInCache)
{
    auto job = std::make_unique<Job>();
    job->row = row;
    job->upload = row.kind == u"upload"_s;
    job->paused = row.paused;
    if (job->upload)
        job->step = row.mediaId.isEmpty() ? TransferStep::Hash : TransferStep::Status;
    else
        job->step = TransferStep::Get;
    if (job->upload && isSealedUpload(row)) {
        // Sealed first, or found sealed by an earlier run, even once the relay made its media:
        // the key and the ciphertext's size and hash are read back before it goes on.
        job->sealedPath = sealedPathOf(m_sealingDirectory, row.id);
        job->step = TransferStep::Hash;
    } else if (!job->upload) {
        job->fileKey = fileKey;
        job->sealInCache = sealInCache;
    }
    m_jobs[row.id] = std::move(job);
    schedule();
}

void TransferJobs::pause(const QString &id, bool paused)
{
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end())
        return;
    Job &job = *it->second;
    job.paused = paused;
    if (paused && job.request) {
        stopWork(job); // the chunk in flight is dropped; the relay keeps what arrived
        if (job.upload && (job.step == TransferStep::Chunk || job.step == TransferStep::Complete))
            job.step = TransferStep::Status;
    } else if (paused && job.working && job.step == TransferStep::Hash) {
        stopWork(job); // hashed again from the start when resumed
    } else if (!paused) {
        job.retryAt = 0;
    }
    Q_EMIT stateChanged(id, paused ? State::Paused : State::Queued);
    schedule();
}

void TransferJobs::cancel(const QString &id)
{
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end())
        return;
    Job &job = *it->second;
    stopWork(job);
    job.cancelled = true;
    job.paused = false;
    if (job.upload && !job.row.mediaId.isEmpty()) {
        job.step = TransferStep::Cancel; // best effort: tell the relay
        job.retryAt = 0;
        job.failures = 0;
        schedule();
    } else {
        finishJob(id);
    }
}

// --- scheduling -------------------------------------------------------------------------

void TransferJobs::schedule()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(this, &TransferJobs::startReadyJobs, Qt::QueuedConnection);
}

void TransferJobs::startReadyJobs()
{
    m_scheduled = false;
    int active = 0;
    for (const auto &[id, job] : m_jobs)
        active += job->busy() ? 1 : 0;
    const qint64 at = now();
    std::vector<QString> ids;
    ids.reserve(m_jobs.size());
    for (const auto &[id, job] : m_jobs)
        ids.push_back(id);
    for (const QString &id : ids) {
        const auto it = m_jobs.find(id);
        if (it == m_jobs.end())
            continue;
        Job &job = *it->second;
        if (job.busy() || job.paused || job.retryAt > at)
            continue;
        // Hashing goes on whatever the limit; a cancellation is sent at once.
        const bool local = job.step == TransferStep::Hash || job.step == TransferStep::Verify;
        if (!local && job.step != TransferStep::Cancel && active >= m_options.maxConcurrent)
            continue;
        ++active;
        startStep(job);
    }
    armRetryTimer();
}

void TransferJobs::armRetryTimer()
{
    const qint64 at = now();
    qint64 next = kUntilServer;
    for (const auto &[id, job] : m_jobs) {
        if (!job->busy() && !job->paused && job->retryAt > at && job->retryAt != kUntilServer)
            next = std::min(next, job->retryAt);
    }
    // Jobs ready now but not started wait for a free slot: a request ending schedules.
    if (next == kUntilServer)
        m_retryTimer.stop();
    else
        m_retryTimer.start(int(std::min<qint64>(next - at, std::numeric_limits<int>::max())));
}

void TransferJobs::startStep(Job &job)
{
    switch (job.step) {
    case TransferStep::Hash:
        return job.sealedPath.isEmpty() ? hash(job) : seal(job);
    case TransferStep::Verify:
        return verify(job);
    case TransferStep::Get:
        if (!job.prepared)
            return prepareDownload(job);
        break;
    default:
        break;
    }
    if (m_base.isEmpty() || m_token.isEmpty()) {
        job.retryAt = kUntilServer;
        return;
    }
    send(job);
}

TransferJobs::Job *TransferJobs::find(const QString &id, quint64 serial)
{
    const auto it = m_jobs.find(id);
    return it != m_jobs.end() && it->second->serial == serial ? it->second.get() : nullptr;
}

void TransferJobs::stopWork(Job &job)
{
    if (job.request)
        m_loop->cancel(job.request);
    if (job.stop)
        job.stop->store(true);
    job.request = 0;
    job.working = false;
    job.stop.reset();
    job.serial = 0;
}

void TransferJobs::finishJob(const QString &id)
{
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end())
        return;
    stopWork(*it->second);
    if (const QString sealedPath = it->second->sealedPath; !sealedPath.isEmpty()) {
        // Done, failed or cancelled: the ciphertext goes. Sealing that was still running was
        // told to stop above, and removes what it made itself; one that had finished made
        // it before this runs.
        m_files.start([sealedPath] { removeSealed(sealedPath); });
    }
    m_jobs.erase(it);
}

void TransferJobs::fail(Job &job, const QString &reason)
{
    const QString id = job.row.id;
    qCInfo(lcTransfers).noquote() << "transfer" << id << "failed:" << reason;
    Q_EMIT failed(id, reason);
    finishJob(id);
}

void TransferJobs::retry(Job &job, const QString &why)
{
    stopWork(job);
    ++job.failures;
    const qint64 delay = std::min<qint64>(
        m_options.maxRetryMs, qint64(m_options.firstRetryMs) << std::min(job.failures - 1, 16));
    const qint64 jitter = QRandomGenerator::global()->bounded(delay / 4 + 1);
    job.retryAt = now() + delay + jitter;
    if (job.upload && (job.step == TransferStep::Chunk || job.step == TransferStep::Complete))
        job.step = TransferStep::Status;
    qCInfo(lcTransfers).noquote() << "transfer" << job.row.id << "retries in" << delay + jitter
                                  << "ms:" << why;
    Q_EMIT stateChanged(job.row.id, State::Retrying);
}

void TransferJobs::reportProgress(Job &job, qint64 done, bool force)
{
    const qint64 at = now();
    if (!force
        && (done == job.progressDone || at - job.lastProgressAt < kTransferProgressIntervalMs))
        return;
    job.progressDone = done;
    job.lastProgressAt = at;
    Q_EMIT progress(job.row.id, done, job.row.size);
}

// --- file work (on the pool) ------------------------------------------------------------

template<typename Result>
void TransferJobs::runFileWork(Job &job, std::function<Result(const std::atomic<bool> &stop)> work,
                               std::function<void(Job &, const Result &)> done)
{
    const quint64 serial = ++m_lastSerial;
    job.serial = serial;
    job.working = true;
    job.stop = std::make_shared<std::atomic<bool>>(false);
    m_files.start([this, id = job.row.id, serial, stop = job.stop, work = std::move(work),
                   done = std::move(done)] {
        const Result result = work(*stop);
        // The pool is drained before this object goes (see the destructor).
        QMetaObject::invokeMethod(
            this,
            [this, id, serial, result, done] {
                Job *current = find(id, serial);
                if (!current)
                    return; // paused, cancelled or gone meanwhile
                current->working = false;
                current->stop.reset();
                current->serial = 0;
                schedule();
                done(*current, result);
            },
            Qt::QueuedConnection);
    });
}

void TransferJobs::hash(Job &job)
{
    Q_EMIT stateChanged(job.row.id, State::Running);
    runFileWork<HashedFile>(
        job,
        [path = job.row.path](const std::atomic<bool> &stop) { return hashUpload(path, stop); },
        [this](Job &hashing, const HashedFile &hashed) {
            if (!hashed.error.isEmpty())
                return fail(hashing, hashed.error);
            hashing.row.size = hashed.size;
            hashing.row.sha256 = hashed.sha256;
            hashing.step = TransferStep::Create;
        });
}

void TransferJobs::seal(Job &job)
{
    Q_EMIT stateChanged(job.row.id, State::Running);
    runFileWork<SealedUpload>(
        job,
        [source = job.row.path, sealedPath = job.sealedPath](const std::atomic<bool> &stop) {
            return sealUpload(source, sealedPath, stop);
        },
        [this](Job &sealing, const SealedUpload &sealed) {
            if (sealed.stopped)
                return; // sealed again when it goes on
            if (!sealed.error.isEmpty())
                return fail(sealing, sealed.error);
            sealing.sealed = sealed.plaintext;
            sealing.row.size = sealed.size;
            sealing.row.sha256 = sealed.sha256;
            if (!sealing.row.mediaId.isEmpty() && sealed.found) {
                sealing.step = TransferStep::Status; // go on from where the relay stands
                return;
            }
            if (!sealing.row.mediaId.isEmpty()) {
                // The ciphertext the relay has part of was gone, and is made anew under
                // another key: it goes up as a new media (the relay sweeps the old one).
                sealing.row.mediaId.clear();
                Q_EMIT created(sealing.row.id, QString(), sealing.row.sha256, sealing.row.size);
            }
            sealing.step = TransferStep::Create;
        });
}

void TransferJobs::prepareDownload(Job &job)
{
    const bool discard = std::exchange(job.discardPart, false);
    if (job.sealsAsItArrives()) {
        if (discard)
            job.sealer.reset();
        runFileWork<PreparedSealer>(
            job,
            [path = job.row.path, sealer = job.sealer](const std::atomic<bool> &) {
                return prepareSealer(path, sealer);
            },
            [this](Job &fetching, const PreparedSealer &prepared) {
                if (!prepared.error.isEmpty())
                    return fail(fetching, prepared.error);
                fetching.sealer = prepared.sealer;
                if (fetching.row.size > 0 && prepared.offset == fetching.row.size) {
                    fetching.step = TransferStep::Verify; // all there already
                    return;
                }
                fetching.offset = prepared.offset;
                fetching.prepared = true;
            });
        return;
    }
    runFileWork<PreparedPart>(
        job,
        [path = job.row.path, size = job.row.size, discard](const std::atomic<bool> &) {
            return preparePart(path, size, discard);
        },
        [this](Job &fetching, const PreparedPart &prepared) {
            if (!prepared.error.isEmpty())
                return fail(fetching, prepared.error);
            if (prepared.complete) {
                fetching.step = TransferStep::Verify;
                return;
            }
            fetching.offset = prepared.offset;
            fetching.prepared = true;
        });
}

QString TransferJobs::damagedFile()
{
    return tr("The file is damaged and could not be decrypted.");
}

void TransferJobs::verify(Job &job)
{
    const bool sealed = !job.fileKey.isEmpty();
    std::function<VerifiedPart(const std::atomic<bool> &)> work;
    if (sealed) {
        work = [path = job.row.path, key = job.fileKey, sha256 = job.row.sha256,
                seal = job.sealInCache](const std::atomic<bool> &stop) {
            return openPart(path, key, sha256, stop, seal);
        };
    } else if (job.sealsAsItArrives()) {
        if (!job.sealer) {
            job.step = TransferStep::Get; // nothing taken this run: from the start
            return schedule();
        }
        // Hashed as it arrived: only the last chunk is left to seal (quick, not stopped).
        work = [path = job.row.path, sealer = job.sealer, sha256 = job.row.sha256](
                   const std::atomic<bool> &) { return finishSealer(path, *sealer, sha256); };
    } else {
        work = [path = job.row.path, sha256 = job.row.sha256](const std::atomic<bool> &stop) {
            return verifyPart(path, sha256, stop);
        };
    }
    runFileWork<VerifiedPart>(
        job, std::move(work), [this, sealed](Job &checking, const VerifiedPart &verified) {
            switch (verified.verdict) {
            case VerifiedPart::Verdict::Kept:
                reportProgress(checking, checking.row.size, true);
                Q_EMIT downloaded(checking.row.id, checking.row.mediaId,
                                  CachedFile{checking.row.path, verified.cacheKey});
                return finishJob(checking.row.id);
            case VerifiedPart::Verdict::Corrupt:
                checking.sealer.reset();
                // Fetched again from the start (the partial file was removed): a file a crash
                // left mangled opens then. A sealed one that does not open twice is damaged
                // where it is kept, and fetching it again would not mend it.
                ++checking.corruptDownloads;
                if (sealed && checking.corruptDownloads > 1)
                    return fail(checking, damagedFile());
                if (checking.corruptDownloads > 2)
                    return fail(checking, u"the download is corrupt (its SHA-256 differs)"_s);
                checking.step = TransferStep::Get;
                return;
            case VerifiedPart::Verdict::Failed:
                return fail(checking, verified.error);
            case VerifiedPart::Verdict::Stopped:
                return;
            }
        });
}

// --- requests ---------------------------------------------------------------------------

void TransferJobs::send(Job &job)
{
    auto request = std::make_shared<TransferRequest>();
    request->step = job.step;
    request->mediaId = job.row.mediaId;
    switch (job.step) {
    case TransferStep::Create: {
        const messages::NewUpload upload{job.row.size, job.row.type, job.row.sha256, job.row.name};
        request->body = QJsonDocument(upload.encode()).toJson(QJsonDocument::Compact);
        break;
    }
    case TransferStep::Chunk: {
        const qint64 chunk = std::min(m_options.chunkBytes,
                                      job.chunkBytes > 0 ? job.chunkBytes : m_options.chunkBytes);
        request->path = job.sealedPath.isEmpty() ? job.row.path : job.sealedPath;
        request->offset = job.offset;
        request->end = std::min(job.row.size, job.offset + chunk);
        break;
    }
    case TransferStep::Get:
        request->path = partPathOf(job.row.path);
        request->sealer = job.sealer;
        request->offset = job.offset;
        request->end = job.row.size;
        job.prepared = false; // the next attempt looks at the file again
        break;
    default:
        break;
    }
    const quint64 serial = ++m_lastSerial;
    request->onProgress = [this, id = job.row.id, serial](qint64 done) {
        // On the loop's thread, which stops before this object goes.
        QMetaObject::invokeMethod(
            this,
            [this, id, serial, done] {
                if (Job *sending = find(id, serial))
                    reportProgress(*sending, done);
            },
            Qt::QueuedConnection);
    };
    CURL *easy = request->makeHandle(m_base, m_token, m_options.maxBytesPerSecond);
    job.serial = serial;
    job.request = m_loop->add(
        easy, this, [this, id = job.row.id, serial, request](const net::CurlOutcome &outcome) {
            requestDone(id, serial, *request, outcome);
        });
    if (job.step != TransferStep::Cancel)
        Q_EMIT stateChanged(job.row.id, State::Running);
}

void TransferJobs::requestDone(const QString &id, quint64 serial, const TransferRequest &request,
                               const net::CurlOutcome &outcome)
{
    Job *found = find(id, serial);
    if (!found)
        return;
    Job &job = *found;
    job.request = 0;
    job.serial = 0;
    schedule(); // the next step, at once
    if (!request.fileError.isEmpty())
        return fail(job, request.fileError);
    if (job.step == TransferStep::Get && !job.fileKey.isEmpty()) {
        // The size a sealed media should have comes from its message, not from the relay:
        // a media of another size never opens, however often it is fetched.
        const qint64 size = request.mediaSize(outcome.status);
        if (size >= 0 && size != job.row.size)
            return fail(job, damagedFile());
    }
    if (outcome.result != CURLE_OK)
        return retry(job, outcome.error());
    const long status = outcome.status;
    if (job.step == TransferStep::Cancel) {
        Q_EMIT stateChanged(id, State::Cancelled);
        return finishJob(id);
    }
    if (job.cancelled)
        return finishJob(id);
    if (status == 401) {
        // Signed out, or a token that went stale: wait for the next one.
        job.retryAt = kUntilServer;
        if (job.upload && (job.step == TransferStep::Chunk || job.step == TransferStep::Complete))
            job.step = TransferStep::Status;
        Q_EMIT stateChanged(id, State::Retrying);
        return;
    }
    if (status >= 500 || status == 429 || status == 408)
        return retry(job, messageOf(request.response, status));
    if (job.upload)
        uploadStepDone(job, status, request);
    else
        downloadStepDone(job, status, request);
}

void TransferJobs::uploadStepDone(Job &job, long status, const TransferRequest &request)
{
    // The relay's answer, read only where the step has one; one that does not decode is a
    // failure like a refusal (a relay that says nonsense will not say better next time).
    const auto answer
        = [&request]() { return messages::decodeBody<messages::MediaObject>(request.response); };
    switch (job.step) {
    case TransferStep::Create: {
        if (status != 201)
            return fail(job, messageOf(request.response, status));
        const auto made = answer();
        if (!made)
            return fail(job, u"the relay's answer does not decode: "_s + made.error().message);
        job.row.mediaId = made->id;
        job.chunkBytes = made->chunkBytes.value_or(0);
        job.offset = 0;
        Q_EMIT created(job.row.id, job.row.mediaId, job.row.sha256, job.row.size);
        job.step = job.row.size > 0 ? TransferStep::Chunk : TransferStep::Complete;
        return;
    }
    case TransferStep::Status: {
        if (status != 200)
            return fail(job, messageOf(request.response, status));
        const auto standing = answer();
        if (!standing)
            return fail(job, u"the relay's answer does not decode: "_s + standing.error().message);
        job.offset = standing->offset.value_or(0);
        if (standing->chunkBytes)
            job.chunkBytes = *standing->chunkBytes;
        if (standing->isComplete()) {
            job.step = TransferStep::Complete;
            return;
        }
        if (job.offset > 0 && !job.resumeNoted) {
            job.resumeNoted = true;
            Q_EMIT resumed(job.row.id, job.offset);
        }
        job.step = job.offset < job.row.size ? TransferStep::Chunk : TransferStep::Complete;
        return;
    }
    case TransferStep::Chunk: {
        const QByteArray offset = request.header("Upload-Offset");
        if (status == 409 && !offset.isEmpty()) {
            job.offset = offset.toLongLong(); // the relay says where it stands
        } else if (status == 409) {
            // Another request of ours still holds the upload (one the relay has not
            // finished with): ask again where it stands, a little later.
            return retry(job, messageOf(request.response, status));
        } else if (const qint64 sent = request.end - request.offset;
                   status == 413 && sent > kSmallestChunkBytes) {
            // Larger than the relay takes at once: only its answer to the creation says how
            // large, and an upload picked up after a restart never saw that. Smaller, then.
            job.chunkBytes = std::max(kSmallestChunkBytes, sent / 2);
            return;
        } else if (status != 204) {
            return fail(job, messageOf(request.response, status));
        } else {
            job.offset = offset.toLongLong();
            job.failures = 0;
        }
        reportProgress(job, job.offset);
        job.step = job.offset < job.row.size ? TransferStep::Chunk : TransferStep::Complete;
        return;
    }
    case TransferStep::Complete:
        if (status == 409 && request.header("Upload-Offset") == "0") {
            // The relay dropped bytes that did not hash right: send them again once.
            if (++job.failures > 1)
                return fail(job, u"the file changed while it was sent"_s);
            job.offset = 0;
            job.step = TransferStep::Chunk;
            return;
        }
        if (status == 409) {
            job.step = TransferStep::Status;
            return;
        }
        if (status != 200)
            return fail(job, messageOf(request.response, status));
        if (const auto completed = answer(); !completed) {
            return fail(job, u"the relay's answer does not decode: "_s + completed.error().message);
        } else {
            reportProgress(job, job.row.size, true);
            Q_EMIT uploaded(job.row.id, *completed, job.sealed);
        }
        return finishJob(job.row.id);
    default:
        return;
    }
}

void TransferJobs::downloadStepDone(Job &job, long status, const TransferRequest &request)
{
    if (status == 416) {
        job.discardPart = true; // the partial file is longer than the media
        return retry(job, u"the partial download did not fit"_s);
    }
    if (status != 200 && status != 206)
        return fail(job, messageOf(request.response, status));
    if (request.fileSize != job.row.size)
        return retry(job, u"the download stopped early"_s);
    job.failures = 0;
    job.step = TransferStep::Verify;
}

} // namespace tidings::app
