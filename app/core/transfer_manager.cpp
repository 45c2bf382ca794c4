#include "core/transfer_manager.h"

#include "core/core_logging.h"
#include "core/local_store.h"
#include "core/transfer_queries.h"
#include "protocol/file_names.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>
#include <QRandomGenerator>
#include <QtConcurrent/QtConcurrentRun>
#include <QThread>
#include <QUuid>

#include <curl/curl.h>

#include <deque>
#include <map>
#include <mutex>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kHashStepBytes = 4 * 1024 * 1024; ///< hashed per turn of the worker's loop
constexpr int kProgressIntervalMs = 100;

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// A file name safe to create in the cache: no directories, nothing hidden or odd.
QString safeFileName(const QString &name)
{
    return protocol::cleanFileName(name);
}

QString messageOf(const QByteArray &body, long status)
{
    const QString message = QJsonDocument::fromJson(body).object().value(u"message"_s).toString();
    return message.isEmpty() ? u"the relay answered HTTP %1"_s.arg(status) : message;
}

} // namespace

// ---------------------------------------------------------------------------------------
// The worker: one thread, one curl multi handle, every transfer's state machine.

class TransferManager::Worker : public QThread
{
public:
    enum class Step { Hash, Create, Status, Chunk, Complete, Cancel, Get, Verify };

    struct Job
    {
        local::Transfer row;
        bool upload = true;
        Step step = Step::Hash;
        bool paused = false;
        bool cancelled = false;
        bool resumeNoted = false;
        int failures = 0;
        qint64 retryAt = 0; ///< ms since epoch; 0: ready now
        qint64 offset = 0;
        qint64 chunkBytes = 0;
        // Hashing (upload before creating; download after receiving).
        std::unique_ptr<QCryptographicHash> hash;
        std::unique_ptr<QFile> file;
        // The request in flight.
        CURL *easy = nullptr;
        curl_slist *headers = nullptr;
        QByteArray requestBody;
        QByteArray response;
        QList<QByteArray> responseHeaders;
        qint64 sendEnd = 0; ///< upload: the chunk's end in the file
        qint64 lastProgressAt = 0;
        qint64 progressDone = -1;
        bool truncateOnWrite = false;
    };

    Worker(TransferManager &manager, TransferManager::Options options)
        : m_manager(manager), m_options(options)
    {
        initCurlOnce();
        m_multi = curl_multi_init();
        setObjectName(u"transfers"_s);
    }

    ~Worker() override
    {
        {
            const QMutexLocker lock(&m_mutex);
            m_stopping = true;
        }
        curl_multi_wakeup(m_multi);
        wait();
        for (auto &[id, job] : m_jobs)
            release(*job);
        curl_multi_cleanup(m_multi);
    }

    /// Runs `command` on the worker thread, soon.
    void post(std::function<void()> command)
    {
        {
            const QMutexLocker lock(&m_mutex);
            m_commands.push_back(std::move(command));
        }
        curl_multi_wakeup(m_multi);
    }

    // Commands (worker thread).
    void setServer(const QUrl &base, const QByteArray &token)
    {
        m_base = base;
        m_token = token;
        for (auto &[id, job] : m_jobs) {
            if (job->retryAt == std::numeric_limits<qint64>::max())
                job->retryAt = 0; // was waiting for a (new) token
        }
    }

    void add(std::unique_ptr<Job> job) { m_jobs[job->row.id] = std::move(job); }

    /// Hands a new transfer over from the manager's thread.
    void submit(std::unique_ptr<Job> job)
    {
        // std::function needs a copyable callable: the job travels in a shared_ptr.
        post([this, job = std::shared_ptr<Job>(std::move(job))]() mutable {
            add(std::make_unique<Job>(std::move(*job)));
        });
    }

    void pause(const QString &id, bool paused)
    {
        auto it = m_jobs.find(id);
        if (it == m_jobs.end())
            return;
        Job &job = *it->second;
        job.paused = paused;
        if (paused && job.easy) {
            // The chunk in flight is dropped; the relay keeps what arrived.
            release(job);
            if (job.upload && (job.step == Step::Chunk || job.step == Step::Complete))
                job.step = Step::Status;
        }
        if (!paused)
            job.retryAt = 0;
        announce(job.row.id, paused ? State::Paused : State::Queued);
    }

    void cancel(const QString &id)
    {
        auto it = m_jobs.find(id);
        if (it == m_jobs.end())
            return;
        Job &job = *it->second;
        release(job);
        job.cancelled = true;
        job.paused = false;
        if (job.upload && !job.row.mediaId.isEmpty()) {
            job.step = Step::Cancel; // best effort: tell the relay
            job.retryAt = 0;
            job.failures = 0;
        } else {
            finishJob(id);
        }
    }

protected:
    void run() override
    {
        for (;;) {
            std::deque<std::function<void()>> commands;
            {
                const QMutexLocker lock(&m_mutex);
                if (m_stopping)
                    return;
                commands.swap(m_commands);
            }
            for (auto &command : commands)
                command();
            startReadyJobs();
            int running = 0;
            curl_multi_perform(m_multi, &running);
            while (CURLMsg *message = curl_multi_info_read(m_multi, &running)) {
                if (message->msg != CURLMSG_DONE)
                    continue;
                Job *job = nullptr;
                curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &job);
                if (job)
                    requestDone(*job, message->data.result);
            }
            startReadyJobs(); // the next step of what just finished, at once
            reportRunning();
            curl_multi_poll(m_multi, nullptr, 0, pollTimeout(), nullptr);
        }
    }

private:
    static qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }

    int pollTimeout() const
    {
        qint64 timeout = 1000;
        for (const auto &[id, job] : m_jobs) {
            if (job->easy || job->paused)
                continue;
            if (job->step == Step::Hash || job->step == Step::Verify)
                return 0; // hashing goes on between polls
            // Jobs ready now but not started wait for a free slot: a request ending wakes
            // the loop.
            const qint64 wait = job->retryAt - now();
            if (job->retryAt != std::numeric_limits<qint64>::max() && wait > 0)
                timeout = std::min(timeout, wait);
        }
        return int(timeout);
    }

    void announce(const QString &id, State state)
    {
        QMetaObject::invokeMethod(
            &m_manager, [manager = &m_manager, id, state] { manager->setState(id, state); });
    }

    void reportProgress(Job &job, qint64 done, bool force = false)
    {
        const qint64 at = now();
        if (!force && (done == job.progressDone || at - job.lastProgressAt < kProgressIntervalMs))
            return;
        job.progressDone = done;
        job.lastProgressAt = at;
        QMetaObject::invokeMethod(
            &m_manager, [manager = &m_manager, id = job.row.id, done, total = job.row.size] {
                Q_EMIT manager->progress(id, done, total);
            });
    }

    void startReadyJobs()
    {
        int active = 0;
        for (const auto &[id, job] : m_jobs)
            active += job->easy || job->step == Step::Hash || job->step == Step::Verify ? 1 : 0;
        const qint64 at = now();
        std::vector<QString> ids;
        for (const auto &[id, job] : m_jobs)
            ids.push_back(id);
        for (const QString &id : ids) {
            auto it = m_jobs.find(id);
            if (it == m_jobs.end())
                continue;
            Job &job = *it->second;
            if (job.easy || job.paused || job.retryAt > at)
                continue;
            const bool busy = job.step == Step::Hash || job.step == Step::Verify;
            if (!busy && active >= m_options.maxConcurrent && job.step != Step::Cancel)
                continue;
            if (!busy)
                ++active;
            startStep(job);
        }
    }

    /// Fails the transfer for good.
    void fail(Job &job, const QString &reason)
    {
        const QString id = job.row.id;
        qCInfo(lcTransfers).noquote() << "transfer" << id << "failed:" << reason;
        QMetaObject::invokeMethod(
            &m_manager, [manager = &m_manager, id, reason] { manager->onFailed(id, reason); });
        finishJob(id);
    }

    /// Tries again later (network, 5xx, 429), from where the relay stands.
    void retry(Job &job, const QString &why)
    {
        release(job);
        ++job.failures;
        const qint64 delay = std::min<qint64>(
            m_options.maxRetryMs, qint64(m_options.firstRetryMs) << std::min(job.failures - 1, 16));
        const qint64 jitter = QRandomGenerator::global()->bounded(delay / 4 + 1);
        job.retryAt = now() + delay + jitter;
        if (job.upload && (job.step == Step::Chunk || job.step == Step::Complete))
            job.step = Step::Status;
        qCInfo(lcTransfers).noquote()
            << "transfer" << job.row.id << "retries in" << delay + jitter << "ms:" << why;
        announce(job.row.id, State::Retrying);
    }

    void finishJob(const QString &id)
    {
        auto it = m_jobs.find(id);
        if (it == m_jobs.end())
            return;
        release(*it->second);
        m_jobs.erase(it);
    }

    void release(Job &job)
    {
        if (job.easy) {
            curl_multi_remove_handle(m_multi, job.easy);
            curl_easy_cleanup(job.easy);
            job.easy = nullptr;
        }
        if (job.headers) {
            curl_slist_free_all(job.headers);
            job.headers = nullptr;
        }
        if (job.file && job.step != Step::Hash && job.step != Step::Verify)
            job.file.reset();
    }

    // --- the steps ---------------------------------------------------------------------

    void startStep(Job &job)
    {
        if (job.step == Step::Hash)
            return hashStep(job);
        if (job.step == Step::Verify)
            return verifyStep(job);
        if (job.step == Step::Get && job.row.size > 0
            && QFileInfo(partPath(job)).size() == job.row.size) {
            job.step = Step::Verify; // all there already (a restart before it was checked)
            return;
        }
        if (m_base.isEmpty() || m_token.isEmpty()) {
            job.retryAt = std::numeric_limits<qint64>::max(); // until setServer()
            return;
        }
        job.response.clear();
        job.responseHeaders.clear();
        job.easy = curl_easy_init();
        CURL *easy = job.easy;
        const QString path
            = job.row.mediaId.isEmpty() ? u"/v1/media"_s : u"/v1/media/"_s + job.row.mediaId;
        QString url = m_base.toString(QUrl::StripTrailingSlash) + path;
        const QByteArray authorization = "Authorization: Bearer " + m_token;
        job.headers = curl_slist_append(nullptr, authorization.constData());
        job.headers = curl_slist_append(job.headers, "Expect:");
        curl_easy_setopt(easy, CURLOPT_PRIVATE, &job);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        // A transfer that moves nothing for 30 s is broken: retry it.
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 30L);
        if (m_options.maxBytesPerSecond > 0) {
            curl_easy_setopt(easy, CURLOPT_MAX_SEND_SPEED_LARGE,
                             curl_off_t(m_options.maxBytesPerSecond));
            curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE,
                             curl_off_t(m_options.maxBytesPerSecond));
        }
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Worker::onHeader);
        curl_easy_setopt(easy, CURLOPT_HEADERDATA, &job);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Worker::onBody);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &job);

        switch (job.step) {
        case Step::Create: {
            const QJsonObject fields{{u"size"_s, job.row.size},
                                     {u"type"_s, job.row.type},
                                     {u"sha256"_s, job.row.sha256},
                                     {u"name"_s, job.row.name}};
            job.requestBody = QJsonDocument(fields).toJson(QJsonDocument::Compact);
            job.headers = curl_slist_append(job.headers, "Content-Type: application/json");
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(job.requestBody.size()));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, job.requestBody.constData());
            break;
        }
        case Step::Status:
            url += u"/upload"_s;
            break;
        case Step::Chunk: {
            job.file = std::make_unique<QFile>(job.row.path);
            if (!job.file->open(QIODevice::ReadOnly) || !job.file->seek(job.offset)) {
                release(job);
                return fail(job, u"cannot read %1"_s.arg(job.row.path));
            }
            const qint64 chunk = std::min(
                m_options.chunkBytes, job.chunkBytes > 0 ? job.chunkBytes : m_options.chunkBytes);
            job.sendEnd = std::min(job.row.size, job.offset + chunk);
            const QByteArray offset = "Upload-Offset: " + QByteArray::number(job.offset);
            job.headers = curl_slist_append(job.headers, offset.constData());
            curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PATCH");
            curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(job.sendEnd - job.offset));
            curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Worker::onRead);
            curl_easy_setopt(easy, CURLOPT_READDATA, &job);
            break;
        }
        case Step::Complete:
            url += u"/complete"_s;
            curl_easy_setopt(easy, CURLOPT_POST, 1L);
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 0L);
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
            break;
        case Step::Cancel:
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
            break;
        case Step::Get: {
            QDir().mkpath(QFileInfo(partPath(job)).path());
            job.file = std::make_unique<QFile>(partPath(job));
            if (!job.file->open(QIODevice::ReadWrite)) {
                release(job);
                return fail(job, u"cannot write %1"_s.arg(partPath(job)));
            }
            job.offset = job.file->size();
            if (job.offset > job.row.size)
                job.offset = 0;
            job.file->resize(job.offset);
            job.file->seek(job.offset);
            job.truncateOnWrite = job.offset > 0;
            if (job.offset > 0) {
                const QByteArray range = "Range: bytes=" + QByteArray::number(job.offset) + '-';
                job.headers = curl_slist_append(job.headers, range.constData());
            }
            break;
        }
        case Step::Hash:
        case Step::Verify:
            break;
        }
        curl_easy_setopt(easy, CURLOPT_URL, url.toUtf8().constData());
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, job.headers);
        curl_multi_add_handle(m_multi, easy);
        if (job.step != Step::Cancel)
            announce(job.row.id, State::Running);
    }

    void hashStep(Job &job)
    {
        if (!job.file) {
            job.file = std::make_unique<QFile>(job.row.path);
            if (!job.file->open(QIODevice::ReadOnly))
                return fail(job,
                            u"cannot read %1: %2"_s.arg(job.row.path, job.file->errorString()));
            job.hash = std::make_unique<QCryptographicHash>(QCryptographicHash::Sha256);
            job.row.size = job.file->size();
            announce(job.row.id, State::Running);
        }
        const QByteArray piece = job.file->read(kHashStepBytes);
        job.hash->addData(piece);
        if (!job.file->atEnd() && !piece.isEmpty())
            return;
        if (job.file->pos() != job.row.size)
            return fail(job, u"%1 changed while it was read"_s.arg(job.row.path));
        job.row.sha256 = QString::fromLatin1(job.hash->result().toHex());
        job.hash.reset();
        job.file.reset();
        job.step = Step::Create;
    }

    void verifyStep(Job &job)
    {
        if (!job.file) {
            job.file = std::make_unique<QFile>(partPath(job));
            if (!job.file->open(QIODevice::ReadOnly))
                return fail(job, u"cannot read %1"_s.arg(partPath(job)));
            job.hash = std::make_unique<QCryptographicHash>(QCryptographicHash::Sha256);
        }
        const QByteArray piece = job.file->read(kHashStepBytes);
        job.hash->addData(piece);
        if (!job.file->atEnd() && !piece.isEmpty())
            return;
        const QString sha256 = QString::fromLatin1(job.hash->result().toHex());
        job.hash.reset();
        job.file.reset();
        if (sha256 != job.row.sha256) {
            QFile::remove(partPath(job));
            if (++job.failures > 2)
                return fail(job, u"the download is corrupt (its SHA-256 differs)"_s);
            job.step = Step::Get;
            return;
        }
        QFile::remove(job.row.path);
        if (!QFile::rename(partPath(job), job.row.path))
            return fail(job, u"cannot keep %1"_s.arg(job.row.path));
        reportProgress(job, job.row.size, true);
        QMetaObject::invokeMethod(
            &m_manager,
            [manager = &m_manager, id = job.row.id, mediaId = job.row.mediaId,
             path = job.row.path] { manager->onDownloaded(id, mediaId, path); });
        finishJob(job.row.id);
    }

    static QString partPath(const Job &job) { return job.row.path + u".part"_s; }

    QByteArray header(const Job &job, QByteArrayView name) const
    {
        for (const QByteArray &line : job.responseHeaders) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0
                && QByteArrayView(line).first(colon).trimmed().compare(name, Qt::CaseInsensitive)
                    == 0)
                return line.sliced(colon + 1).trimmed();
        }
        return {};
    }

    void requestDone(Job &job, CURLcode code)
    {
        long status = 0;
        curl_easy_getinfo(job.easy, CURLINFO_RESPONSE_CODE, &status);
        const Step step = job.step;
        if (job.file && step == Step::Get)
            job.file->flush();
        release(job);
        job.file.reset();
        if (code != CURLE_OK)
            return retry(job, QString::fromUtf8(curl_easy_strerror(code)));
        if (step == Step::Cancel) {
            QMetaObject::invokeMethod(&m_manager, [manager = &m_manager, id = job.row.id] {
                manager->setState(id, State::Cancelled);
            });
            return finishJob(job.row.id);
        }
        if (job.cancelled)
            return finishJob(job.row.id);
        if (status == 401) {
            // Signed out, or a token that went stale: wait for the next one.
            job.retryAt = std::numeric_limits<qint64>::max();
            if (job.upload && (step == Step::Chunk || step == Step::Complete))
                job.step = Step::Status;
            return announce(job.row.id, State::Retrying);
        }
        if (status >= 500 || status == 429 || status == 408)
            return retry(job, messageOf(job.response, status));
        const QJsonObject answer = QJsonDocument::fromJson(job.response).object();
        switch (step) {
        case Step::Create:
            if (status != 201)
                return fail(job, messageOf(job.response, status));
            job.row.mediaId = answer.value(u"id"_s).toString();
            job.chunkBytes = answer.value(u"chunk_bytes"_s).toInteger();
            job.offset = 0;
            QMetaObject::invokeMethod(
                &m_manager,
                [manager = &m_manager, id = job.row.id, mediaId = job.row.mediaId,
                 sha256 = job.row.sha256,
                 size = job.row.size] { manager->onUploadCreated(id, mediaId, sha256, size); });
            job.step = job.row.size > 0 ? Step::Chunk : Step::Complete;
            break;
        case Step::Status:
            if (status != 200)
                return fail(job, messageOf(job.response, status));
            job.offset = answer.value(u"offset"_s).toInteger();
            if (answer.value(u"state"_s).toString() == u"complete"_s) {
                job.step = Step::Complete;
                break;
            }
            if (job.offset > 0 && !job.resumeNoted) {
                job.resumeNoted = true;
                QMetaObject::invokeMethod(
                    &m_manager, [manager = &m_manager, id = job.row.id, offset = job.offset] {
                        Q_EMIT manager->resumed(id, offset);
                    });
            }
            job.step = job.offset < job.row.size ? Step::Chunk : Step::Complete;
            break;
        case Step::Chunk: {
            const QByteArray offset = header(job, "Upload-Offset");
            if (status == 409 && !offset.isEmpty()) {
                job.offset = offset.toLongLong(); // the relay says where it stands
            } else if (status == 409) {
                // Another request of ours still holds the upload (one the relay has not
                // finished with): ask again where it stands, a little later.
                return retry(job, messageOf(job.response, status));
            } else if (status != 204) {
                return fail(job, messageOf(job.response, status));
            } else {
                job.offset = offset.toLongLong();
                job.failures = 0;
            }
            reportProgress(job, job.offset);
            job.step = job.offset < job.row.size ? Step::Chunk : Step::Complete;
            break;
        }
        case Step::Complete:
            if (status == 409 && header(job, "Upload-Offset") == "0") {
                // The relay dropped bytes that did not hash right: send them again once.
                if (++job.failures > 1)
                    return fail(job, u"the file changed while it was sent"_s);
                job.offset = 0;
                job.step = Step::Chunk;
                break;
            }
            if (status == 409) {
                job.step = Step::Status;
                break;
            }
            if (status != 200)
                return fail(job, messageOf(job.response, status));
            reportProgress(job, job.row.size, true);
            QMetaObject::invokeMethod(&m_manager, [manager = &m_manager, id = job.row.id, answer] {
                manager->onUploaded(id, answer);
            });
            return finishJob(job.row.id);
        case Step::Get:
            if (status == 416) {
                QFile::remove(partPath(job)); // the partial file is longer than the media
                return retry(job, u"the partial download did not fit"_s);
            }
            if (status != 200 && status != 206)
                return fail(job, messageOf(job.response, status));
            if (QFileInfo(partPath(job)).size() != job.row.size)
                return retry(job, u"the download stopped early"_s);
            job.failures = 0;
            job.step = Step::Verify;
            break;
        case Step::Hash:
        case Step::Verify:
        case Step::Cancel:
            break;
        }
    }

    // --- curl callbacks (worker thread) ------------------------------------------------

    static size_t onHeader(char *data, size_t size, size_t count, void *context)
    {
        auto *job = static_cast<Job *>(context);
        const QByteArray line(data, qsizetype(size * count));
        if (line.startsWith("HTTP/"))
            job->responseHeaders.clear(); // a new response (after 100 Continue, say)
        else
            job->responseHeaders.append(line.trimmed());
        return size * count;
    }

    static size_t onBody(char *data, size_t size, size_t count, void *context)
    {
        auto *job = static_cast<Job *>(context);
        const qsizetype length = qsizetype(size * count);
        long status = 0;
        curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &status);
        if (job->step == Step::Get && (status == 200 || status == 206) && job->file) {
            if (status == 200 && job->truncateOnWrite) {
                job->file->resize(0); // the relay sent it all again
                job->file->seek(0);
                job->offset = 0;
            }
            job->truncateOnWrite = false;
            if (job->file->pos() + length > job->row.size)
                return 0; // more than the media has: abort
            return job->file->write(data, length) == length ? size_t(length) : 0;
        }
        if (job->response.size() + length > 64 * 1024)
            return 0;
        job->response.append(data, length);
        return size_t(length);
    }

    static size_t onRead(char *buffer, size_t size, size_t count, void *context)
    {
        auto *job = static_cast<Job *>(context);
        const qint64 wanted
            = std::min<qint64>(qint64(size * count), job->sendEnd - job->file->pos());
        if (wanted <= 0)
            return 0;
        const qint64 read = job->file->read(buffer, wanted);
        return read < 0 ? CURL_READFUNC_ABORT : size_t(read);
    }

    void progressOf(Job &job)
    {
        if (!job.easy)
            return;
        curl_off_t sent = 0;
        curl_off_t received = 0;
        curl_easy_getinfo(job.easy, CURLINFO_SIZE_UPLOAD_T, &sent);
        curl_easy_getinfo(job.easy, CURLINFO_SIZE_DOWNLOAD_T, &received);
        if (job.step == Step::Chunk)
            reportProgress(job, job.offset + qint64(sent));
        else if (job.step == Step::Get)
            reportProgress(job, job.offset + qint64(received));
    }

    /// Reports the progress of running requests (each turn of the loop).
    void reportRunning()
    {
        for (auto &[id, job] : m_jobs)
            progressOf(*job);
    }

    TransferManager &m_manager;
    const TransferManager::Options m_options;
    CURLM *m_multi = nullptr;
    QMutex m_mutex;
    std::deque<std::function<void()>> m_commands;
    bool m_stopping = false;
    std::map<QString, std::unique_ptr<Job>> m_jobs;
    QUrl m_base;
    QByteArray m_token;
};

// ---------------------------------------------------------------------------------------

TransferManager::TransferManager(LocalStore &store, QString cacheDirectory, Options options,
                                 QObject *parent)
    : QObject(parent), m_store(store), m_cacheDirectory(std::move(cacheDirectory)),
      m_options(options), m_worker(std::make_unique<Worker>(*this, options))
{
    m_worker->start();
}

TransferManager::~TransferManager() = default;

QString TransferManager::newId() const
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

void TransferManager::setServer(const QUrl &base, const QByteArray &token)
{
    m_base = base;
    m_token = token;
    m_worker->post([worker = m_worker.get(), base, token] { worker->setServer(base, token); });
}

QString TransferManager::upload(const Upload &upload)
{
    local::Transfer row;
    row.id = newId();
    row.kind = u"upload"_s;
    row.path = upload.path;
    row.type = upload.type.isEmpty() ? u"application/octet-stream"_s : upload.type;
    row.name = upload.name.isEmpty() ? QFileInfo(upload.path).fileName() : upload.name;
    // Its size is read with its hash, on the worker: no disk access here.
    persist(row);
    m_states.insert(row.id, State::Queued);
    m_uploads.insert(row.id, {row.path, row.name});
    auto job = std::make_unique<Worker::Job>();
    job->row = row;
    job->upload = true;
    job->step = Worker::Step::Hash;
    m_worker->submit(std::move(job));
    return row.id;
}

QString TransferManager::download(const Download &download)
{
    if (const auto it = m_downloading.constFind(download.mediaId); it != m_downloading.cend())
        return it.value();
    const QString id = newId();
    const QString cached = cachedPath(download.mediaId);
    if (!cached.isEmpty()) {
        m_states.insert(id, State::Done);
        QMetaObject::invokeMethod(
            this,
            [this, id, mediaId = download.mediaId, cached] {
                Q_EMIT downloaded(id, mediaId, cached);
            },
            Qt::QueuedConnection);
        return id;
    }
    local::Transfer row;
    row.id = id;
    row.kind = u"download"_s;
    row.mediaId = download.mediaId;
    row.size = download.size;
    row.sha256 = download.sha256;
    row.name = safeFileName(download.name);
    row.path = m_cacheDirectory + u'/' + download.mediaId + u'/' + row.name;
    persist(row);
    m_states.insert(id, State::Queued);
    m_downloading.insert(download.mediaId, id);
    auto job = std::make_unique<Worker::Job>();
    job->row = row;
    job->upload = false;
    job->step = Worker::Step::Get;
    m_worker->submit(std::move(job));
    return id;
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
                auto job = std::make_unique<Worker::Job>();
                job->row = row;
                job->paused = row.paused;
                job->upload = row.kind == u"upload"_s;
                if (job->upload)
                    job->step = row.mediaId.isEmpty() ? Worker::Step::Hash : Worker::Step::Status;
                else
                    job->step = Worker::Step::Get;
                if (job->upload)
                    m_uploads.insert(row.id, {row.path, row.name});
                else
                    m_downloading.insert(row.mediaId, row.id);
                m_states.insert(row.id, row.paused ? State::Paused : State::Queued);
                m_worker->submit(std::move(job));
            }
            Q_EMIT restored(count);
        });
}

void TransferManager::pause(const QString &id)
{
    m_store.write<void>([id](QSqlDatabase &db) { return local::setTransferPaused(db, id, true); });
    m_worker->post([worker = m_worker.get(), id] { worker->pause(id, true); });
}

void TransferManager::resume(const QString &id)
{
    m_store.write<void>([id](QSqlDatabase &db) { return local::setTransferPaused(db, id, false); });
    m_worker->post([worker = m_worker.get(), id] { worker->pause(id, false); });
}

void TransferManager::cancel(const QString &id)
{
    forget(id);
    setState(id, State::Cancelled);
    m_worker->post([worker = m_worker.get(), id] { worker->cancel(id); });
}

void TransferManager::keepSentFile(const QString &id, const QJsonObject &media)
{
    const auto [path, name] = m_uploads.take(id);
    const QString mediaId = media.value(u"id"_s).toString();
    if (path.isEmpty() || mediaId.size() != 32 || !cachedPath(mediaId).isEmpty())
        return;
    const QString folder = m_cacheDirectory + u'/' + mediaId;
    if (QDir().mkpath(folder))
        QFile::link(QFileInfo(path).absoluteFilePath(), folder + u'/' + safeFileName(name));
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
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        if (reply->error() != QNetworkReply::NoError || !answer.contains(u"url"_s)) {
            const QString why = answer.value(u"message"_s).toString();
            promise->addResult(
                Result<QUrl>(ErrorCode::Unavailable, why.isEmpty() ? reply->errorString() : why));
        } else {
            promise->addResult(
                Result<QUrl>(base.resolved(QUrl(answer.value(u"url"_s).toString()))));
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
    if (mediaId.isEmpty() || mediaId.contains(u'/') || mediaId.contains(u'.'))
        return {};
    const QDir directory(m_cacheDirectory + u'/' + mediaId);
    const QFileInfoList files = directory.entryInfoList(QDir::Files);
    for (const QFileInfo &file : files) {
        if (!file.fileName().endsWith(u".part"_s))
            return file.filePath();
    }
    return {};
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
    return QtConcurrent::run([directory = m_cacheDirectory, maxBytes, busy] {
        struct Entry
        {
            QString path;
            qint64 size;
            QDateTime used;
        };
        QList<Entry> entries;
        qint64 total = 0;
        const QFileInfoList media
            = QDir(directory).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QFileInfo &folder : media) {
            qint64 size = 0;
            QDateTime used;
            // Only downloads count and go (a folder per media id), never what waits to be
            // sent; a sent file's link stands in for free.
            if (folder.fileName().size() != 32)
                continue;
            const QFileInfoList files = QDir(folder.filePath()).entryInfoList(QDir::Files);
            for (const QFileInfo &file : files) {
                size += file.isSymLink() ? 0 : file.size();
                used = std::max(used,
                                file.lastRead().isValid() ? file.lastRead() : file.lastModified());
            }
            total += size;
            if (!busy.contains(folder.fileName()))
                entries.append({folder.filePath(), size, used});
        }
        std::sort(entries.begin(), entries.end(),
                  [](const Entry &a, const Entry &b) { return a.used < b.used; });
        for (const Entry &entry : entries) {
            if (total <= maxBytes)
                break;
            if (QDir(entry.path).removeRecursively())
                total -= entry.size;
        }
        return total;
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

void TransferManager::onUploaded(const QString &id, const QJsonObject &media)
{
    forget(id);
    setState(id, State::Done);
    Q_EMIT uploaded(id, media);
}

void TransferManager::onDownloaded(const QString &id, const QString &mediaId, const QString &path)
{
    forget(id);
    setState(id, State::Done);
    Q_EMIT downloaded(id, mediaId, path);
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
