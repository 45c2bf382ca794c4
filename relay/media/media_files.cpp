#include "media/media_files.h"

namespace tidings::relay {

MediaFiles::MediaFiles(std::unique_ptr<BlobStore> blobs, int threads, int maxPendingJobs)
    : m_blobs(std::move(blobs)), m_maxPending(maxPendingJobs)
{
    m_pool.setMaxThreadCount(threads);
    m_pool.setObjectName(QStringLiteral("media files"));
}

MediaFiles::~MediaFiles()
{
    m_pool.waitForDone();
}

} // namespace tidings::relay
