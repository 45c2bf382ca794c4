#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <curl/curl.h>

#include <functional>
#include <memory>

class QFile;
class QUrl;

namespace tidings::app {

class CacheSealer;

/// Progress of a transfer is told at most this often (a request's callback, the jobs'
/// signal).
inline constexpr qint64 kTransferProgressIntervalMs = 100;

/// Where a transfer stands (docs/protocol.md, section 8). An upload hashes its file, creates
/// the media, sends chunks and completes it (asking for its Status after a break); a
/// download gets the bytes and verifies them. Cancel tells the relay an upload is dropped.
enum class TransferStep { Hash, Create, Status, Chunk, Complete, Cancel, Get, Verify };

/// One HTTP request of a transfer to the relay's media API: the easy handle for its step,
/// and what libcurl's callbacks (on the CurlLoop's thread) read from and write into: the
/// file for a chunk or a download, the answer. Read it on the transfer's thread once the
/// loop has called back.
class TransferRequest
{
public:
    TransferRequest();
    ~TransferRequest();

    TransferRequest(const TransferRequest &) = delete;
    TransferRequest &operator=(const TransferRequest &) = delete;

    // What to send; set before makeHandle().
    TransferStep step = TransferStep::Create;
    QString mediaId; ///< empty for Create
    QByteArray body; ///< Create: the JSON fields
    QString path; ///< Chunk: the file sent; Get: the partial download (".part")
    /// Get: a plaintext download for a sealed cache is sealed as it arrives, by this (which
    /// writes the partial file) instead of being written to `path`.
    std::shared_ptr<CacheSealer> sealer;
    qint64 offset = 0; ///< where the chunk or the download starts in the file
    qint64 end = 0; ///< Chunk: where the chunk ends; Get: the media's size
    /// Bytes of the file done (offset plus those on the wire), now and then, on the loop's
    /// thread (Chunk and Get only).
    std::function<void(qint64 done)> onProgress;

    /// An easy handle for this request to `base`, signed with `token`; 0: no speed limit.
    CURL *makeHandle(const QUrl &base, const QByteArray &token, qint64 maxBytesPerSecond);

    // What came back (Get writes the body to `path` instead).
    QByteArray response; ///< at most 64 KiB
    QList<QByteArray> responseHeaders; ///< "Name: value", of the last answer
    QString fileError; ///< the file could not be opened: the transfer cannot go on
    qint64 fileSize = 0; ///< Get: bytes in the partial file at the end

    /// The value of a response header (case-insensitive name), or empty.
    QByteArray header(QByteArrayView name) const;
    /// Get: the size of the whole media as an answer of `status` tells it (a 206's
    /// Content-Range, a 200's or a 416's); -1 when it does not.
    qint64 mediaSize(long status) const;

private:
    static size_t onHeader(char *data, size_t size, size_t count, void *context);
    static size_t onBody(char *data, size_t size, size_t count, void *context);
    static size_t onRead(char *buffer, size_t size, size_t count, void *context);
    static int onProgressInfo(void *context, curl_off_t downloadTotal, curl_off_t downloaded,
                              curl_off_t uploadTotal, curl_off_t uploaded);
    bool openFile();

    CURL *m_easy = nullptr; ///< owned by the CurlLoop once added
    curl_slist *m_headers = nullptr;
    std::unique_ptr<QFile> m_file; ///< opened on the loop's thread, at the first byte
    bool m_truncateOnWrite = false;
    qint64 m_progressAt = 0;
    qint64 m_progressDone = -1;
};

} // namespace tidings::app
