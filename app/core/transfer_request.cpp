#include "core/transfer_request.h"

#include "core/cache_sealer.h"

#include <QFile>
#include <QUrl>

#include <algorithm>
#include <chrono>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxResponseBytes = 64 * 1024;

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

TransferRequest::TransferRequest() = default;

TransferRequest::~TransferRequest()
{
    // The loop cleaned up the handle already: nothing reads these any more.
    curl_slist_free_all(m_headers);
}

CURL *TransferRequest::makeHandle(const QUrl &base, const QByteArray &token,
                                  qint64 maxBytesPerSecond)
{
    m_easy = curl_easy_init();
    CURL *easy = m_easy;
    QString url = base.toString(QUrl::StripTrailingSlash)
        + (mediaId.isEmpty() ? u"/v1/media"_s : u"/v1/media/"_s + mediaId);
    const QByteArray authorization = "Authorization: Bearer " + token;
    m_headers = curl_slist_append(nullptr, authorization.constData());
    m_headers = curl_slist_append(m_headers, "Expect:");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    // A transfer that moves nothing for 30 s is broken: retry it.
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 30L);
    if (maxBytesPerSecond > 0) {
        curl_easy_setopt(easy, CURLOPT_MAX_SEND_SPEED_LARGE, curl_off_t(maxBytesPerSecond));
        curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t(maxBytesPerSecond));
    }
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &TransferRequest::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &TransferRequest::onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
    if (step == TransferStep::Chunk || step == TransferStep::Get) {
        curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &TransferRequest::onProgressInfo);
        curl_easy_setopt(easy, CURLOPT_XFERINFODATA, this);
    }

    switch (step) {
    case TransferStep::Create:
        m_headers = curl_slist_append(m_headers, "Content-Type: application/json");
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.constData());
        break;
    case TransferStep::Status:
        url += u"/upload"_s;
        break;
    case TransferStep::Chunk: {
        const QByteArray at = "Upload-Offset: " + QByteArray::number(offset);
        m_headers = curl_slist_append(m_headers, at.constData());
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PATCH");
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(end - offset));
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &TransferRequest::onRead);
        curl_easy_setopt(easy, CURLOPT_READDATA, this);
        break;
    }
    case TransferStep::Complete:
        url += u"/complete"_s;
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
        break;
    case TransferStep::Cancel:
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    case TransferStep::Get:
        fileSize = offset;
        m_truncateOnWrite = offset > 0;
        if (offset > 0) {
            const QByteArray range = "Range: bytes=" + QByteArray::number(offset) + '-';
            m_headers = curl_slist_append(m_headers, range.constData());
        }
        break;
    case TransferStep::Hash:
    case TransferStep::Verify:
        break;
    }
    curl_easy_setopt(easy, CURLOPT_URL, url.toUtf8().constData());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, m_headers);
    return easy;
}

QByteArray TransferRequest::header(QByteArrayView name) const
{
    for (const QByteArray &line : responseHeaders) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0
            && QByteArrayView(line).first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed();
    }
    return {};
}

qint64 TransferRequest::mediaSize(long status) const
{
    bool ok = false;
    qint64 size = -1;
    if (status == 200) {
        size = header("Content-Length").toLongLong(&ok);
    } else if (status == 206 || status == 416) {
        // "bytes a-b/size", or "bytes */size" for a range past the end.
        const QByteArray range = header("Content-Range");
        const qsizetype slash = range.lastIndexOf('/');
        if (range.startsWith("bytes ") && slash > 0)
            size = range.sliced(slash + 1).trimmed().toLongLong(&ok);
    }
    return ok && size >= 0 ? size : -1;
}

// --- libcurl's callbacks (the loop's thread) ------------------------------------------

bool TransferRequest::openFile()
{
    m_file = std::make_unique<QFile>(path);
    if (step == TransferStep::Chunk) {
        if (m_file->open(QIODevice::ReadOnly) && m_file->seek(offset))
            return true;
        fileError = u"cannot read %1"_s.arg(path);
    } else {
        // Unbuffered: every byte is in the file when the answer ends, with nothing left to
        // flush on the transfer's thread.
        if (m_file->open(QIODevice::ReadWrite | QIODevice::Unbuffered) && m_file->seek(offset))
            return true;
        fileError = u"cannot write %1"_s.arg(path);
    }
    m_file.reset();
    return false;
}

size_t TransferRequest::onHeader(char *data, size_t size, size_t count, void *context)
{
    auto *request = static_cast<TransferRequest *>(context);
    const QByteArray line(data, qsizetype(size * count));
    if (line.startsWith("HTTP/"))
        request->responseHeaders.clear(); // a new response (after 100 Continue, say)
    else
        request->responseHeaders.append(line.trimmed());
    return size * count;
}

size_t TransferRequest::onBody(char *data, size_t size, size_t count, void *context)
{
    auto *request = static_cast<TransferRequest *>(context);
    const qsizetype length = qsizetype(size * count);
    long status = 0;
    curl_easy_getinfo(request->m_easy, CURLINFO_RESPONSE_CODE, &status);
    if (request->step == TransferStep::Get && (status == 200 || status == 206) && request->sealer) {
        CacheSealer &sealer = *request->sealer;
        if (status == 200 && request->m_truncateOnWrite) {
            // The relay sent it all again: sealed anew from the start.
            if (!sealer.restart()) {
                request->fileError = sealer.errorString();
                return 0;
            }
            request->fileSize = 0;
            request->offset = 0;
        }
        request->m_truncateOnWrite = false;
        if (request->fileSize + length > request->end)
            return 0; // more than the media has: abort
        // At this request's own position: one that went stale meanwhile writes nothing.
        if (!sealer.append(request->fileSize, QByteArrayView(data, length))) {
            if (sealer.received() == request->fileSize)
                request->fileError = sealer.errorString(); // not stale: it cannot write
            return 0;
        }
        request->fileSize += length;
        return size_t(length);
    }
    if (request->step == TransferStep::Get && (status == 200 || status == 206)) {
        if (!request->m_file && !request->openFile())
            return 0;
        QFile &file = *request->m_file;
        if (status == 200 && request->m_truncateOnWrite) {
            file.resize(0); // the relay sent it all again
            file.seek(0);
            request->offset = 0;
        }
        request->m_truncateOnWrite = false;
        if (file.pos() + length > request->end)
            return 0; // more than the media has: abort
        const bool written = file.write(data, length) == length;
        request->fileSize = file.pos();
        return written ? size_t(length) : 0;
    }
    if (request->response.size() + length > kMaxResponseBytes)
        return 0;
    request->response.append(data, length);
    return size_t(length);
}

size_t TransferRequest::onRead(char *buffer, size_t size, size_t count, void *context)
{
    auto *request = static_cast<TransferRequest *>(context);
    if (!request->m_file && !request->openFile())
        return CURL_READFUNC_ABORT;
    const qint64 wanted
        = std::min<qint64>(qint64(size * count), request->end - request->m_file->pos());
    if (wanted <= 0)
        return 0;
    const qint64 read = request->m_file->read(buffer, wanted);
    return read < 0 ? CURL_READFUNC_ABORT : size_t(read);
}

int TransferRequest::onProgressInfo(void *context, curl_off_t, curl_off_t downloaded, curl_off_t,
                                    curl_off_t uploaded)
{
    auto *request = static_cast<TransferRequest *>(context);
    const qint64 done
        = request->offset + qint64(request->step == TransferStep::Chunk ? uploaded : downloaded);
    const qint64 at = steadyMs();
    if (!request->onProgress || done == request->m_progressDone
        || at - request->m_progressAt < kTransferProgressIntervalMs)
        return 0;
    request->m_progressDone = done;
    request->m_progressAt = at;
    request->onProgress(done);
    return 0;
}

} // namespace tidings::app
