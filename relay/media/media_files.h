#pragma once

#include "media/blob_store.h"
#include "util/futures.h"
#include "util/result.h"

#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

namespace tidings::relay {

/// Runs BlobStore calls on threads of its own, so that no event loop waits on the disk.
/// The queue is bounded: past `maxPendingJobs`, a job fails at once with Unavailable. A job's
/// function (and all it captured) is destroyed before its result is reported.
class MediaFiles
{
public:
    explicit MediaFiles(std::unique_ptr<BlobStore> blobs, int threads = 2,
                        int maxPendingJobs = 512);
    ~MediaFiles(); ///< waits for the running jobs

    template<typename T> WorkerFuture<Result<T>> run(std::function<Result<T>(BlobStore &)> job)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        promise->start();
        WorkerFuture<Result<T>> future(promise->future());
        if (m_pending.fetch_add(1) >= m_maxPending) {
            m_pending.fetch_sub(1);
            promise->addResult(Result<T>(
                Error{ErrorCode::Unavailable, QStringLiteral("the media store is busy")}));
            promise->finish();
            return future;
        }
        m_pool.start([this, promise, job = std::move(job)]() mutable {
            // What the job holds (an upload's claim on its media, say) is let go before
            // anyone can see its result and act on it.
            Result<T> result = job(*m_blobs);
            job = nullptr;
            m_pending.fetch_sub(1);
            promise->addResult(std::move(result));
            promise->finish();
        });
        return future;
    }

    int backlog() const { return m_pending.load(); }

private:
    std::unique_ptr<BlobStore> m_blobs;
    QThreadPool m_pool;
    std::atomic<int> m_pending{0};
    const int m_maxPending;
};

} // namespace tidings::relay
