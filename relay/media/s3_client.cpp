#include "media/s3_client_p.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QThread>
#include <QUrl>
#include <QXmlStreamReader>

#include <algorithm>
#include <cstdio>
#include <mutex>

// The S3 call layer of S3BlobStore: signing requests and sending them with libcurl.
namespace tidings::relay {

using namespace Qt::StringLiterals;
using namespace s3;

namespace {

Q_LOGGING_CATEGORY(lcS3, "tidings.relay.media.s3")

constexpr int kOffsetDigits = 16;
constexpr qsizetype kMaxListingBytes = 16 * 1024 * 1024; ///< one page of 1,000 keys is ~300 KiB
constexpr int kMaxListingPages = 100000;
constexpr int kAttempts = 3; ///< for answers that say "try again" (500, 503 SlowDown, a reset)
constexpr size_t kMaxIdleHandles = 8;
constexpr int kMaxConnectMs = 10000;

/// SigV4's URI encoding: everything but A-Z a-z 0-9 - _ . ~ (and '/' in a path) as %XX.
QByteArray uriEncode(QByteArrayView bytes, bool keepSlash)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(bytes.size() * 3);
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-'
            || u == '_' || u == '.' || u == '~' || (keepSlash && u == '/')) {
            out.append(c);
        } else {
            out.append('%');
            out.append(kHex[u >> 4]);
            out.append(kHex[u & 15]);
        }
    }
    return out;
}

QByteArray hmac(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

QByteArray sha256Hex(QByteArrayView bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

/// Code and Message of an S3 XML error, when the body is one.
std::pair<QString, QString> s3ErrorOf(const QByteArray &body)
{
    QXmlStreamReader reader(body);
    QString code;
    QString message;
    if (!reader.readNextStartElement() || reader.name() != u"Error")
        return {};
    while (reader.readNextStartElement()) {
        if (reader.name() == u"Code")
            code = reader.readElementText();
        else if (reader.name() == u"Message")
            message = reader.readElementText();
        else
            reader.skipCurrentElement();
    }
    return {code.left(100), message.left(300)};
}

/// What one transfer collects; libcurl's callbacks get it as their user pointer.
struct Transfer
{
    QByteArrayView upload;
    qsizetype sent = 0;
    const S3Call *call = nullptr;
    int status = 0;
    QByteArray contentRange;
    QByteArray body;
    bool delivered = false; ///< the sink had bytes: the request cannot be tried again
    bool stopped = false; ///< by the sink, or a body longer than allowed

    static size_t onHeader(char *data, size_t size, size_t count, void *user)
    {
        auto *transfer = static_cast<Transfer *>(user);
        const size_t bytes = size * count;
        const QByteArray line(data, qsizetype(bytes));
        if (line.startsWith("HTTP/")) {
            // A new response (the final one after a 100 Continue).
            transfer->status = line.simplified().split(' ').value(1).toInt();
            transfer->contentRange.clear();
            transfer->body.clear();
        } else if (line.toLower().startsWith("content-range:")) {
            transfer->contentRange = line.mid(14).trimmed();
        }
        return bytes;
    }

    static size_t onBody(char *data, size_t size, size_t count, void *user)
    {
        auto *transfer = static_cast<Transfer *>(user);
        const size_t bytes = size * count;
        const bool success = transfer->status >= 200 && transfer->status < 300;
        if (success && transfer->call->sink) {
            transfer->delivered = true;
            if (!transfer->call->sink(transfer->status, transfer->contentRange,
                                      QByteArrayView(data, qsizetype(bytes)))) {
                transfer->stopped = true;
                return 0;
            }
            return bytes;
        }
        const qsizetype limit = success ? transfer->call->maxBody : kMaxErrorBytes;
        const qsizetype room = limit - transfer->body.size();
        if (qsizetype(bytes) > room) {
            if (success) {
                transfer->stopped = true;
                return 0;
            }
            transfer->body.append(data, std::max<qsizetype>(room, 0)); // the start tells enough
            return bytes;
        }
        transfer->body.append(data, qsizetype(bytes));
        return bytes;
    }

    static size_t onRead(char *buffer, size_t size, size_t count, void *user)
    {
        auto *transfer = static_cast<Transfer *>(user);
        const qsizetype bytes
            = std::min(qsizetype(size * count), transfer->upload.size() - transfer->sent);
        std::copy_n(transfer->upload.data() + transfer->sent, bytes, buffer);
        transfer->sent += bytes;
        return size_t(bytes);
    }

    /// libcurl rewinds when it sends again on a fresh connection (a kept-alive one had died).
    static int onSeek(void *user, curl_off_t offset, int origin)
    {
        auto *transfer = static_cast<Transfer *>(user);
        if (origin != SEEK_SET || offset < 0 || offset > transfer->upload.size())
            return CURL_SEEKFUNC_CANTSEEK;
        transfer->sent = qsizetype(offset);
        return CURL_SEEKFUNC_OK;
    }
};

bool transient(CURLcode code)
{
    return code == CURLE_GOT_NOTHING || code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR;
}

} // namespace

namespace s3 {

QString S3Call::what() const
{
    if (!key.isEmpty())
        return QString::fromLatin1(method) + u' ' + key;
    for (const auto &[name, value] : query) {
        if (name == "prefix")
            return u"LIST "_s + QString::fromUtf8(value);
    }
    return QString::fromLatin1(method) + u" bucket"_s;
}

Result<Listing> parseListing(const QByteArray &body)
{
    QXmlStreamReader reader(body);
    Listing listing;
    if (!reader.readNextStartElement() || reader.name() != u"ListBucketResult")
        return Error{ErrorCode::Io, u"the answer is not a ListBucketResult"_s};
    while (reader.readNextStartElement()) {
        if (reader.name() == u"Contents") {
            QString key;
            qint64 size = -1;
            while (reader.readNextStartElement()) {
                if (reader.name() == u"Key") {
                    key = reader.readElementText();
                } else if (reader.name() == u"Size") {
                    bool ok = false;
                    size = reader.readElementText().toLongLong(&ok);
                    if (!ok)
                        size = -1;
                } else {
                    reader.skipCurrentElement();
                }
            }
            if (key.isEmpty() || size < 0)
                return Error{ErrorCode::Io, u"the listing has an entry with no key or size"_s};
            listing.objects.append({key, size});
        } else if (reader.name() == u"IsTruncated") {
            listing.truncated = reader.readElementText() == u"true";
        } else if (reader.name() == u"NextContinuationToken") {
            listing.nextToken = reader.readElementText();
        } else {
            reader.skipCurrentElement();
        }
    }
    if (reader.hasError())
        return Error{ErrorCode::Io, u"unreadable listing: %1"_s.arg(reader.errorString())};
    return listing;
}

} // namespace s3

// Requests are signed here (AWS Signature Version 4 with QMessageAuthenticationCode), not with
// CURLOPT_AWS_SIGV4: libcurl 7.88's signer hashes only a CURLOPT_POSTFIELDS body (not an
// upload from a read callback), leaves x-amz-content-sha256 and the order and encoding of the
// query to its caller, adds an x-amz-date of its own and has changed from release to release.
// Here the canonical request is ours and the same on every libcurl, the stand-in in
// tests/support checks it byte for byte, and AWS's published examples check the stand-in.

S3BlobStore::Client::Client(S3Options options) : m_options(std::move(options))
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    const QUrl endpoint(m_options.endpoint);
    const bool secure = endpoint.scheme() == u"https";
    QString host = endpoint.host(QUrl::FullyEncoded);
    if (host.contains(u':'))
        host = u'[' + host + u']';
    const int port = endpoint.port();
    if (port != -1 && port != (secure ? 443 : 80))
        host += u':' + QString::number(port);
    m_host = host.toLatin1();
    m_origin = (secure ? "https://" : "http://") + m_host;
    m_bucketPath = '/' + uriEncode(m_options.bucket.toUtf8(), false);
}

S3BlobStore::Client::~Client()
{
    for (CURL *easy : m_idle)
        curl_easy_cleanup(easy);
}

QString S3BlobStore::Client::pieceKey(const QString &id, qint64 offset) const
{
    return piecePrefix(id) + QString::number(offset).rightJustified(kOffsetDigits, u'0');
}

Result<S3Reply> S3BlobStore::Client::send(const S3Call &call)
{
    QByteArray path = m_bucketPath;
    if (!call.key.isEmpty())
        path += '/' + uriEncode(call.key.toUtf8(), true);
    Headers query;
    for (const auto &[name, value] : call.query)
        query.append({uriEncode(name, false), uriEncode(value, false)});
    std::sort(query.begin(), query.end());
    QByteArray canonicalQuery;
    for (const auto &[name, value] : query)
        canonicalQuery += (canonicalQuery.isEmpty() ? "" : "&") + name + '=' + value;
    QByteArray url = m_origin + path;
    if (!canonicalQuery.isEmpty())
        url += '?' + canonicalQuery;
    const QByteArray payloadHash = sha256Hex(call.body);
    const QString what = call.what();

    CURL *easy = take();
    if (!easy)
        return Error{ErrorCode::Internal, u"S3 %1: libcurl cannot start"_s.arg(what)};
    Result<S3Reply> outcome = Error{ErrorCode::Internal, {}};
    for (int attempt = 1;; ++attempt) {
        const QList<QByteArray> headers = sign(call, path, canonicalQuery, payloadHash);
        CURLcode code = CURLE_OK;
        bool delivered = false;
        outcome = perform(easy, call, url, headers, what, &code, &delivered);
        const bool again = !delivered
            && (transient(code)
                || (outcome
                    && (outcome->status == 500 || outcome->status == 502 || outcome->status == 503
                        || outcome->status == 504)));
        if (!again || attempt == kAttempts)
            break;
        qCInfo(lcS3).noquote() << u"%1 failed (%2); trying again"_s.arg(
            what, outcome ? QString::number(outcome->status) : outcome.error().message);
        QThread::msleep(100UL << attempt);
    }
    give(easy);
    return outcome;
}

Error S3BlobStore::Client::failure(const S3Call &call, const S3Reply &reply) const
{
    const auto [code, message] = s3ErrorOf(reply.body);
    QString text = u"S3 %1: %2"_s.arg(call.what()).arg(reply.status);
    if (!code.isEmpty())
        text += u' ' + code;
    if (!message.isEmpty())
        text += u": "_s + message;
    const bool later = reply.status >= 500 || reply.status == 429;
    return Error{later ? ErrorCode::Unavailable : ErrorCode::Io, text};
}

Result<QList<Piece>> S3BlobStore::Client::pieces(const QString &id)
{
    const QString prefix = piecePrefix(id);
    QList<Piece> pieces;
    QString token;
    for (int page = 0; page < kMaxListingPages; ++page) {
        S3Call call{"GET", {}, {{"list-type", "2"}, {"prefix", prefix.toUtf8()}}};
        if (!token.isEmpty())
            call.query.emplaceBack("continuation-token", token.toUtf8());
        call.maxBody = kMaxListingBytes;
        const Result<S3Reply> reply = send(call);
        if (!reply)
            return reply.error();
        if (reply->status != 200)
            return failure(call, *reply);
        const Result<Listing> listing = parseListing(reply->body);
        if (!listing)
            return Error{ErrorCode::Io, u"S3 LIST %1: %2"_s.arg(prefix, listing.error().message)};
        for (const auto &[key, size] : listing->objects) {
            const QStringView digits = QStringView(key).mid(prefix.size());
            bool ok = key.startsWith(prefix) && digits.size() == kOffsetDigits
                && std::all_of(digits.begin(), digits.end(),
                               [](QChar c) { return c >= u'0' && c <= u'9'; });
            const qint64 offset = ok ? digits.toLongLong(&ok) : -1;
            if (!ok || offset < 0)
                return Error{ErrorCode::Corrupt,
                             u"S3 LIST %1: \"%2\" is not a piece of a blob"_s.arg(prefix, key)};
            pieces.append({offset, size, key});
        }
        if (!listing->truncated) {
            std::sort(pieces.begin(), pieces.end(),
                      [](const Piece &a, const Piece &b) { return a.offset < b.offset; });
            return pieces;
        }
        if (listing->nextToken.isEmpty() || listing->nextToken == token)
            return Error{
                ErrorCode::Io,
                u"S3 LIST %1: a truncated listing with no new continuation token"_s.arg(prefix)};
        token = listing->nextToken;
    }
    return Error{ErrorCode::Io, u"S3 LIST %1: too many pages"_s.arg(prefix)};
}

Result<void> S3BlobStore::Client::fetch(const Piece &piece, qint64 from, qint64 to,
                                        const std::function<void(QByteArrayView)> &take)
{
    S3Call call{"GET", piece.key};
    const bool whole = from == 0 && to == piece.size;
    if (!whole)
        call.headers.emplaceBack(
            "range", "bytes=" + QByteArray::number(from) + '-' + QByteArray::number(to - 1));
    qint64 at = -1; // the piece's offset of the next byte to come
    qint64 end = 0; // of the bytes that may come
    qint64 taken = 0;
    bool enough = false;
    QString wrong;
    call.sink = [&](int status, const QByteArray &contentRange, QByteArrayView bytes) {
        if (at < 0) {
            // 206: the bytes Content-Range says, from where we asked (more than asked is
            // taken too: s3rver answers bytes=0-0 with the whole object); 200: the whole
            // piece, from a server that ignores Range.
            at = 0;
            end = piece.size;
            if (status == 206) {
                static const QRegularExpression range(u"^bytes (\\d+)-(\\d+)/(\\d+|\\*)$"_s);
                const auto match = range.match(QString::fromLatin1(contentRange));
                at = match.hasMatch() ? match.captured(1).toLongLong() : -1;
                end = match.hasMatch() ? match.captured(2).toLongLong() + 1 : -1;
                if (at != from || end <= at || end > piece.size) {
                    wrong = u"it sent \"%1\" for bytes=%2-%3"_s.arg(
                        QString::fromLatin1(contentRange.left(100)), QString::number(from),
                        QString::number(to - 1));
                    return false;
                }
            }
        }
        const qint64 first = std::max(at, from);
        const qint64 last = std::min(at + bytes.size(), to);
        if (first < last) {
            take(bytes.sliced(first - at, last - first));
            taken += last - first;
        }
        at += bytes.size();
        if (at > end) {
            wrong = u"it sent more bytes than %1"_s.arg(status == 206 ? u"its Content-Range"_s
                                                                      : u"the piece holds"_s);
            return false;
        }
        if (taken == to - from && at < end) {
            enough = true; // the rest is not wanted: stop (and drop the connection)
            return false;
        }
        return true;
    };
    const Result<S3Reply> reply = send(call);
    if (!wrong.isEmpty())
        return Error{ErrorCode::Io, u"S3 GET %1: %2"_s.arg(piece.key, wrong)};
    if (enough)
        return {};
    if (!reply)
        return reply.error();
    if (reply->status == 404)
        return Error{ErrorCode::NotFound,
                     u"S3 GET %1: the piece is gone (the media was removed)"_s.arg(piece.key)};
    if (reply->status != 200 && reply->status != 206)
        return failure(call, *reply);
    if (taken != to - from)
        return Error{ErrorCode::Corrupt,
                     u"S3 GET %1: %2 bytes came where the listing promised %3"_s.arg(piece.key)
                         .arg(taken)
                         .arg(to - from)};
    return {};
}

CURL *S3BlobStore::Client::take()
{
    {
        const QMutexLocker lock(&m_mutex);
        if (!m_idle.empty()) {
            CURL *easy = m_idle.back();
            m_idle.pop_back();
            return easy;
        }
    }
    return curl_easy_init();
}

void S3BlobStore::Client::give(CURL *easy)
{
    {
        const QMutexLocker lock(&m_mutex);
        if (m_idle.size() < kMaxIdleHandles) {
            m_idle.push_back(easy);
            return;
        }
    }
    curl_easy_cleanup(easy);
}

QList<QByteArray> S3BlobStore::Client::sign(const S3Call &call, const QByteArray &path,
                                            const QByteArray &canonicalQuery,
                                            const QByteArray &payloadHash) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QByteArray date = now.toString(u"yyyyMMdd"_s).toLatin1();
    const QByteArray timestamp = now.toString(u"yyyyMMdd'T'HHmmss'Z'"_s).toLatin1();
    Headers headers = call.headers;
    headers.emplaceBack("host", m_host);
    headers.emplaceBack("x-amz-content-sha256", payloadHash);
    headers.emplaceBack("x-amz-date", timestamp);
    if (!m_options.sessionToken.isEmpty())
        headers.emplaceBack("x-amz-security-token", m_options.sessionToken.toUtf8());
    std::sort(headers.begin(), headers.end());
    QByteArray canonicalHeaders;
    QByteArray signedHeaders;
    for (const auto &[name, value] : headers) {
        canonicalHeaders += name + ':' + value.trimmed() + '\n';
        signedHeaders += (signedHeaders.isEmpty() ? "" : ";") + name;
    }
    const QByteArray canonicalRequest = call.method + '\n' + path + '\n' + canonicalQuery + '\n'
        + canonicalHeaders + '\n' + signedHeaders + '\n' + payloadHash;
    const QByteArray region = m_options.region.toLatin1();
    const QByteArray scope = date + '/' + region + "/s3/aws4_request";
    const QByteArray stringToSign
        = "AWS4-HMAC-SHA256\n" + timestamp + '\n' + scope + '\n' + sha256Hex(canonicalRequest);
    const QByteArray signingKey
        = hmac(hmac(hmac(hmac("AWS4" + m_options.secretKey.toUtf8(), date), region), "s3"),
               "aws4_request");
    const QByteArray signature = hmac(signingKey, stringToSign).toHex();

    QList<QByteArray> lines;
    for (const auto &[name, value] : headers)
        lines.append(QByteArray(name + ": " + value));
    lines.append(QByteArray("Authorization: AWS4-HMAC-SHA256 Credential="
                            + m_options.accessKey.toLatin1() + '/' + scope
                            + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature));
    if (call.method == "PUT")
        lines.append("Content-Type: application/octet-stream");
    return lines;
}

Result<S3Reply> S3BlobStore::Client::perform(CURL *easy, const S3Call &call, const QByteArray &url,
                                             const QList<QByteArray> &headerLines,
                                             const QString &what, CURLcode *code, bool *delivered)
{
    Transfer transfer;
    transfer.upload = call.body;
    transfer.call = &call;
    curl_slist *headers = nullptr;
    for (const QByteArray &line : headerLines)
        headers = curl_slist_append(headers, line.constData());
    char errorText[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(easy, CURLOPT_URL, url.constData());
    curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L); // the path as signed, dots and all
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     long(std::min(m_options.timeoutMs, kMaxConnectMs)));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(m_options.timeoutMs));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorText);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "tidings-relay");
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    if (call.method == "PUT") {
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Transfer::onRead);
        curl_easy_setopt(easy, CURLOPT_READDATA, &transfer);
        curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, &Transfer::onSeek);
        curl_easy_setopt(easy, CURLOPT_SEEKDATA, &transfer);
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(call.body.size()));
    } else if (call.method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (call.method != "GET") {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call.method.constData());
    }
    *code = curl_easy_perform(easy);
    const QString detail = errorText[0] ? QString::fromUtf8(errorText).trimmed()
                                        : QString::fromUtf8(curl_easy_strerror(*code));
    curl_easy_reset(easy); // nothing of this call's (on the stack) stays in the handle
    curl_slist_free_all(headers);
    *delivered = transfer.delivered;
    if (transfer.stopped)
        return Error{ErrorCode::Io, u"S3 %1: the answer is longer than it should be"_s.arg(what)};
    if (*code != CURLE_OK) {
        return Error{
            ErrorCode::Unavailable,
            u"S3 %1: no answer from %2: %3"_s.arg(what, QString::fromLatin1(m_origin), detail)};
    }
    return S3Reply{transfer.status, std::move(transfer.body)};
}

} // namespace tidings::relay
