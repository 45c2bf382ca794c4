// Fuzzes what the media API (relay/media/media_api.cpp) reads from a request: the head,
// the media id in the path, Range (and the Content-Range written for it), Upload-Offset,
// a signed link's query, the JSON description of a new upload (with the file name it
// cleans) and the type check on an upload's first bytes.
//
// Input: an HTTP request, head and body (a body alone when there is no head to parse).
#include "fuzz_check.h"

#include "gateway/request_head.h"
#include "media/content_type.h"
#include "media/media_api.h"
#include "protocol/file_names.h"
#include "store/media_queries.h"

#include <cstdint>

using namespace tidings;
using namespace tidings::relay;
using namespace Qt::StringLiterals;

namespace {

constexpr std::size_t kMaxInputBytes = 128 * 1024;
constexpr qsizetype kMaxHeadBytes = 16 * 1024 + 4;

void checkRange(const QByteArray &header, qint64 size)
{
    const ByteRange range = byteRange(header, size);
    switch (range.status) {
    case 200:
        FUZZ_CHECK(range.first == 0 && range.last == size - 1);
        break;
    case 206: {
        FUZZ_CHECK(range.first >= 0 && range.first <= range.last && range.last < size);
        // What serve() writes for it.
        const QByteArray contentRange = "bytes " + QByteArray::number(range.first) + '-'
            + QByteArray::number(range.last) + '/' + QByteArray::number(size);
        FUZZ_CHECK(!contentRange.contains('\n'));
        break;
    }
    case 416:
        break;
    default:
        FUZZ_CHECK(false);
    }
}

void checkDescription(const QByteArray &body, const MediaOptions &options)
{
    const auto description = readUploadDescription(body, options);
    if (!description) {
        FUZZ_CHECK(!description.error().message.isEmpty());
        return;
    }
    FUZZ_CHECK(description->size >= 0 && description->size <= options.maxFileBytes);
    FUZZ_CHECK(media::typeAllowed(description->type, options.allowedTypes));
    FUZZ_CHECK(media::canonicalType(description->type).ok());
    FUZZ_CHECK(description->sha256.size() == 64);
    const QString &name = description->name;
    // cleanFileName's promises: no folders, no hidden files, nothing invisible.
    FUZZ_CHECK(!name.isEmpty() && name.size() <= 255);
    FUZZ_CHECK(!name.contains(u'/') && !name.contains(u'\\') && !name.startsWith(u'.'));
    for (const QChar c : name)
        FUZZ_CHECK(c.unicode() >= 0x20 && c.category() != QChar::Other_Format);
    protocol::mayRunPrograms(name);
}

void checkType(const QString &declared, const QByteArray &body)
{
    const auto canonical = media::canonicalType(declared);
    if (!canonical) {
        FUZZ_CHECK(canonical.error().code == ErrorCode::BadRequest);
        return;
    }
    const auto verified
        = media::verifyType(*canonical, body.first(std::min(body.size(), media::kSniffBytes)));
    if (verified)
        FUZZ_CHECK(media::canonicalType(*verified).ok());
    else
        FUZZ_CHECK(verified.error().code == ErrorCode::Unsupported);
    media::servedInline(*canonical);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data),
                           qsizetype(std::min(size, kMaxInputBytes)));
    MediaOptions narrow;
    narrow.maxFileBytes = 1000;
    narrow.allowedTypes = {u"image/*"_s, u"application/pdf"_s};

    const qsizetype end = input.first(std::min(input.size(), kMaxHeadBytes)).indexOf("\r\n\r\n");
    const ParsedHead parsed
        = end < 0 ? ParsedHead{} : parseRequestHead(QByteArrayView(input).first(end + 4));
    if (end < 0 || !parsed.ok()) {
        checkDescription(input, MediaOptions{});
        return 0;
    }
    const HttpRequest &request = parsed.request;
    const QByteArray body = input.sliced(end + 4);

    // The route: /v1/media/<id>[/<action>].
    const QByteArray prefix = MediaApi::path() + '/';
    if (request.path.startsWith(prefix)) {
        const QList<QByteArray> parts = request.path.sliced(prefix.size()).split('/');
        sql::isMediaId(QString::fromLatin1(parts.first()));
    }
    const QByteArray range = request.header("range");
    for (const qint64 fileSize : {qint64(0), qint64(1), qint64(1000), qint64(1) << 40})
        checkRange(range, fileSize);
    bool offsetOk = false;
    request.header("upload-offset").toLongLong(&offsetOk);
    for (const char *item : {"sig", "user", "expires"})
        request.queryItem(item).toLongLong();

    checkDescription(body, MediaOptions{});
    checkDescription(body, narrow);
    checkType(QString::fromLatin1(request.header("content-type")), body);
    return 0;
}
