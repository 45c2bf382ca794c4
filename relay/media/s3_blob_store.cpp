#include "media/s3_blob_store.h"

#include "media/s3_client_p.h"
#include "store/media_queries.h"

#include <QCryptographicHash>
#include <QList>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace tidings::relay {

using namespace Qt::StringLiterals;

using namespace s3;

namespace {

Result<S3Options> validated(S3Options options)
{
    const auto bad = [](const QString &why) {
        return Error{ErrorCode::BadRequest, u"S3 media storage: "_s + why};
    };
    const QUrl endpoint(options.endpoint, QUrl::StrictMode);
    const QString scheme = endpoint.scheme();
    if (!endpoint.isValid() || (scheme != u"http" && scheme != u"https")
        || endpoint.host().isEmpty() || !endpoint.userInfo().isEmpty() || endpoint.hasQuery()
        || endpoint.hasFragment() || (!endpoint.path().isEmpty() && endpoint.path() != u"/"))
        return bad(u"the endpoint must be http(s)://host[:port], not \"%1\""_s.arg(
            endpoint.toString(QUrl::RemoveUserInfo)));
    static const QRegularExpression bucketName(u"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$"_s);
    if (!bucketName.match(options.bucket).hasMatch())
        return bad(u"\"%1\" is not a bucket name"_s.arg(options.bucket));
    static const QRegularExpression regionName(u"^[A-Za-z0-9-]{1,64}$"_s);
    if (!regionName.match(options.region).hasMatch())
        return bad(u"\"%1\" is not a region"_s.arg(options.region));
    static const QRegularExpression accessKey(u"^[A-Za-z0-9._+=-]{1,256}$"_s);
    if (!accessKey.match(options.accessKey).hasMatch())
        return bad(u"the access key id is missing or not one"_s);
    if (options.secretKey.isEmpty())
        return bad(u"the secret access key is missing"_s);
    if (options.timeoutMs <= 0)
        return bad(u"the timeout must be positive"_s);
    if (options.freeBytes < 0)
        return bad(u"the free bytes must not be negative"_s);
    while (options.prefix.startsWith(u'/'))
        options.prefix.remove(0, 1);
    if (!options.prefix.isEmpty() && !options.prefix.endsWith(u'/'))
        options.prefix += u'/';
    if (options.prefix.toUtf8().size() > 512)
        return bad(u"the prefix is longer than 512 bytes"_s);
    return options;
}

Result<qint64> contiguousSize(const QList<Piece> &pieces)
{
    qint64 expected = 0;
    for (const Piece &piece : pieces) {
        if (piece.offset != expected)
            return Error{
                ErrorCode::Corrupt,
                u"S3 %1: the piece starts at byte %2 but the ones before end at %3"_s.arg(piece.key)
                    .arg(piece.offset)
                    .arg(expected)};
        expected += piece.size;
    }
    return expected;
}

Error notMediaId()
{
    return Error{ErrorCode::BadRequest, u"not a media id"_s};
}

} // namespace

Result<S3Options> parseS3Location(const QString &url, const QProcessEnvironment &environment)
{
    // The location is never quoted back: a misplaced secret would land in a log.
    const auto bad = [](const QString &why) {
        return Error{ErrorCode::BadRequest, u"the S3 media location %1"_s.arg(why)};
    };
    if (!url.startsWith(u"s3://"))
        return bad(u"must start with s3://"_s);
    const QStringView rest = QStringView(url).mid(5);
    if (rest.contains(u'#'))
        return bad(u"must not have a fragment (#)"_s);
    const qsizetype question = rest.indexOf(u'?');
    const QStringView location = question < 0 ? rest : rest.left(question);
    const QString query = question < 0 ? QString() : rest.mid(question + 1).toString();
    const qsizetype slash = location.indexOf(u'/');
    S3Options options;
    options.bucket = (slash < 0 ? location : location.left(slash)).toString();
    if (options.bucket.contains(u'@') || options.bucket.contains(u':'))
        return bad(u"must not carry keys or a port: s3://bucket/prefix?endpoint=…; the keys come "
                   "from the environment"_s);
    if (options.bucket.isEmpty())
        return bad(u"names no bucket (s3://bucket[/prefix])"_s);
    if (slash >= 0)
        options.prefix = QUrl::fromPercentEncoding(location.mid(slash + 1).toUtf8());
    QStringList seen;
    for (const auto &[name, value] : QUrlQuery(query).queryItems(QUrl::FullyDecoded)) {
        if (seen.contains(name))
            return bad(u"has %1 twice"_s.arg(name));
        seen.append(name);
        if (value.isEmpty())
            return bad(u"has an empty %1"_s.arg(name));
        if (name == u"endpoint")
            options.endpoint = value;
        else if (name == u"region")
            options.region = value;
        else
            return bad(u"has an unknown option \"%1\" (there are endpoint and region)"_s.arg(name));
    }
    if (options.endpoint.isEmpty())
        options.endpoint = u"https://s3.%1.amazonaws.com"_s.arg(options.region);

    const bool ours = environment.contains(u"TIDINGS_S3_ACCESS_KEY_ID"_s)
        || environment.contains(u"TIDINGS_S3_SECRET_ACCESS_KEY"_s);
    const QString source = ours ? u"TIDINGS_S3_"_s : u"AWS_"_s;
    options.accessKey = environment.value(source + u"ACCESS_KEY_ID"_s);
    options.secretKey = environment.value(source + u"SECRET_ACCESS_KEY"_s);
    options.sessionToken = environment.value(source + u"SESSION_TOKEN"_s);
    if (options.accessKey.isEmpty() || options.secretKey.isEmpty())
        return Error{ErrorCode::BadRequest,
                     u"S3 media storage needs %1ACCESS_KEY_ID and %1SECRET_ACCESS_KEY in the "
                     "environment (TIDINGS_S3_… first, else AWS_…)"_s.arg(source)};
    return validated(std::move(options));
}

S3BlobStore::S3BlobStore(std::unique_ptr<Client> client) : m_client(std::move(client)) { }

S3BlobStore::~S3BlobStore() = default;

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::open(S3Options options)
{
    Result<S3Options> checked = validated(std::move(options));
    if (!checked)
        return checked.error();
    return std::unique_ptr<S3BlobStore>(
        new S3BlobStore(std::make_unique<Client>(std::move(checked).value())));
}

Result<void> S3BlobStore::check()
{
    const S3Call call{
        "GET",
        {},
        {{"list-type", "2"}, {"max-keys", "1"}, {"prefix", m_client->options().prefix.toUtf8()}}};
    const Result<S3Reply> reply = m_client->send(call);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return m_client->failure(call, *reply);
    if (const Result<Listing> listing = parseListing(reply->body); !listing)
        return listing.error();
    return {};
}

Result<qint64> S3BlobStore::size(const QString &id)
{
    if (!sql::isMediaId(id))
        return notMediaId();
    const Result<QList<Piece>> pieces = m_client->pieces(id);
    if (!pieces)
        return pieces.error();
    return contiguousSize(*pieces);
}

Result<qint64> S3BlobStore::append(const QString &id, qint64 offset, QByteArrayView data, bool)
{
    // `sync` asks nothing more of S3: it answers a PUT once the object is stored durably.
    if (!sql::isMediaId(id))
        return notMediaId();
    const Result<qint64> current = size(id);
    if (!current)
        return current.error();
    if (*current != offset)
        return Error{ErrorCode::Conflict,
                     u"the upload stands at %1 bytes, not %2"_s.arg(*current).arg(offset)};
    if (data.isEmpty())
        return offset;
    S3Call call{"PUT", m_client->pieceKey(id, offset)};
    call.body = data;
    // Two nodes writing the same piece at once: the second is refused (412), not silently
    // replacing the first. A store that ignores the header behaves as before it.
    call.headers.emplaceBack("if-none-match", "*");
    const Result<S3Reply> reply = m_client->send(call);
    if (!reply)
        return reply.error();
    if (reply->status == 412)
        return Error{ErrorCode::Conflict,
                     u"another upload wrote the bytes at offset %1 first"_s.arg(offset)};
    if (reply->status != 200)
        return m_client->failure(call, *reply);
    return offset + data.size();
}

Result<QByteArray> S3BlobStore::read(const QString &id, qint64 offset, qint64 maxBytes)
{
    if (!sql::isMediaId(id))
        return notMediaId();
    if (offset < 0 || maxBytes < 0)
        return Error{ErrorCode::BadRequest, u"a negative offset or length"_s};
    const Result<QList<Piece>> pieces = m_client->pieces(id);
    if (!pieces)
        return pieces.error();
    if (pieces->isEmpty())
        return Error{ErrorCode::NotFound, u"media %1 is gone"_s.arg(id)};
    const Result<qint64> size = contiguousSize(*pieces);
    if (!size)
        return size.error();
    QByteArray bytes;
    if (offset >= *size || maxBytes == 0)
        return bytes;
    const qint64 end = maxBytes >= *size - offset ? *size : offset + maxBytes;
    bytes.reserve(end - offset);
    for (const Piece &piece : *pieces) {
        const qint64 pieceEnd = piece.offset + piece.size;
        if (pieceEnd <= offset || piece.offset >= end || piece.size == 0)
            continue;
        const Result<void> fetched
            = m_client->fetch(piece, std::max(offset, piece.offset) - piece.offset,
                              std::min(end, pieceEnd) - piece.offset,
                              [&bytes](QByteArrayView chunk) { bytes.append(chunk); });
        if (!fetched)
            return fetched.error();
    }
    return bytes;
}

Result<BlobDigest> S3BlobStore::digest(const QString &id, qsizetype headBytes)
{
    if (!sql::isMediaId(id))
        return notMediaId();
    const Result<QList<Piece>> pieces = m_client->pieces(id);
    if (!pieces)
        return pieces.error();
    const Result<qint64> size = contiguousSize(*pieces);
    if (!size)
        return size.error();
    BlobDigest digest;
    digest.size = *size;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const Piece &piece : *pieces) {
        if (piece.size == 0)
            continue;
        const Result<void> fetched
            = m_client->fetch(piece, 0, piece.size, [&](QByteArrayView chunk) {
                  hash.addData(chunk);
                  if (digest.head.size() < headBytes)
                      digest.head.append(chunk.first(
                          std::min<qsizetype>(chunk.size(), headBytes - digest.head.size())));
              });
        if (!fetched)
            return fetched.error();
    }
    digest.sha256 = hash.result().toHex();
    return digest;
}

Result<void> S3BlobStore::remove(const QString &id)
{
    if (!sql::isMediaId(id))
        return notMediaId();
    const Result<QList<Piece>> pieces = m_client->pieces(id);
    if (!pieces)
        return pieces.error();
    // The last piece first: a removal cut short leaves a shorter blob, not one with a gap.
    for (auto piece = pieces->crbegin(); piece != pieces->crend(); ++piece) {
        const S3Call call{"DELETE", piece->key};
        const Result<S3Reply> reply = m_client->send(call);
        if (!reply)
            return reply.error();
        if (reply->status != 204 && reply->status != 200 && reply->status != 404)
            return m_client->failure(call, *reply);
    }
    return {};
}

Result<qint64> S3BlobStore::freeBytes()
{
    return m_client->options().freeBytes;
}

} // namespace tidings::relay
