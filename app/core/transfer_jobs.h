#pragma once

#include "core/cached_file.h"
#include "core/transfer_manager.h"

#include <QObject>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>

#include <atomic>
#include <functional>
#include <map>
#include <memory>

namespace tidings::net {
class CurlLoop;
struct CurlOutcome;
} // namespace tidings::net

namespace tidings::app {

class TransferRequest;

/// The transfers a TransferManager is running, step by step: an upload is hashed (or sealed:
/// encrypted into a file of its own, end to end), created, sent in chunks and completed; a
/// download is fetched into a partial file and verified (or opened, when sealed).
/// Requests go to the relay on a CurlLoop, file work (hashing, preparing a partial file,
/// keeping a verified one) runs on a small pool of its own, so nothing here blocks the
/// thread it lives on (the manager's). Failures that can pass are retried with backoff; a
/// few transfers run at once, the rest wait their turn.
///
/// Connect its signals queued: they may be emitted inside a call to it.
class TransferJobs : public QObject
{
    Q_OBJECT

public:
    using State = TransferManager::State;

    /// Sealed uploads are kept in `sealingDirectory` until they end.
    TransferJobs(const TransferManager::Options &options, QString sealingDirectory,
                 QObject *parent = nullptr);
    ~TransferJobs() override;

    /// Where the relay is and the token to send; transfers waiting for them go on.
    void setServer(const QUrl &base, const QByteArray &token);
    /// Takes on a transfer, new or left by an earlier run: an upload from its hash, or from
    /// where the relay stands once it has a media id; a download from its partial file. An
    /// upload of application/octet-stream with no name is sealed first (or found sealed);
    /// a download with a `fileKey` (base64 of an e2e::FileKey) is opened with it. A download
    /// `sealInCache` is kept sealed for the cache (CacheSealer): a plaintext one as it
    /// arrives, a sealed one as it is opened; its partial file from an earlier run cannot be
    /// gone on with then, unless it is a sealed media's ciphertext.
    void add(const local::Transfer &row, const QString &fileKey = {}, bool sealInCache = false);
    void pause(const QString &id, bool paused);
    /// Stops a transfer for good; an upload the relay knows is cancelled there too.
    void cancel(const QString &id);

Q_SIGNALS:
    void stateChanged(const QString &id, TransferManager::State state);
    void progress(const QString &id, qint64 done, qint64 total);
    void resumed(const QString &id, qint64 offset);
    /// The relay made the media of an upload (an empty id: a sealed upload made again has
    /// none any more); `sha256` and `size` are what it uploads.
    void created(const QString &id, const QString &mediaId, const QString &sha256, qint64 size);
    void uploaded(const QString &id, const protocol::messages::MediaObject &media,
                  const tidings::app::SealedFile &sealed);
    /// The file is kept: with its key when it was sealed for the cache.
    void downloaded(const QString &id, const QString &mediaId,
                    const tidings::app::CachedFile &file);
    void failed(const QString &id, const QString &reason);

private:
    struct Job;

    void schedule();
    void startReadyJobs();
    void startStep(Job &job);
    void send(Job &job);
    void hash(Job &job);
    void seal(Job &job);
    void prepareDownload(Job &job);
    void verify(Job &job);
    /// Runs `work` on the pool; `done` gets its result here, unless the job was stopped,
    /// paused or cancelled meanwhile.
    template<typename Result>
    void runFileWork(Job &job, std::function<Result(const std::atomic<bool> &stop)> work,
                     std::function<void(Job &, const Result &)> done);

    void requestDone(const QString &id, quint64 serial, const TransferRequest &request,
                     const net::CurlOutcome &outcome);
    void uploadStepDone(Job &job, long status, const TransferRequest &request);
    void downloadStepDone(Job &job, long status, const TransferRequest &request);

    /// What a sealed download that does not open fails with, in words a person reads.
    static QString damagedFile();
    void fail(Job &job, const QString &reason);
    void retry(Job &job, const QString &why);
    void finishJob(const QString &id);
    void stopWork(Job &job);
    void reportProgress(Job &job, qint64 done, bool force = false);
    void armRetryTimer();
    Job *find(const QString &id, quint64 serial);

    const TransferManager::Options m_options;
    const QString m_sealingDirectory;
    QUrl m_base;
    QByteArray m_token;
    std::map<QString, std::unique_ptr<Job>> m_jobs;
    quint64 m_lastSerial = 0;
    bool m_scheduled = false;
    QTimer m_retryTimer;
    QThreadPool m_files;
    std::unique_ptr<net::CurlLoop> m_loop;
};

} // namespace tidings::app
