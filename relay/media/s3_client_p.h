#pragma once

#include "media/s3_blob_store.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMutex>
#include <QString>

#include <curl/curl.h>

#include <functional>
#include <utility>
#include <vector>

// Shared by s3_client.cpp (signing and sending requests) and s3_blob_store.cpp (the blob
// operations made of them); not part of the relay's API.
namespace tidings::relay {

namespace s3 {

constexpr qsizetype kMaxErrorBytes = 64 * 1024; ///< kept of an error's body

using Headers = QList<std::pair<QByteArray, QByteArray>>;

/// One request: what is signed and sent, and where a successful answer's body goes.
struct S3Call
{
    explicit S3Call(QByteArray verb, QString name = {}, Headers parameters = {})
        : method(std::move(verb)), key(std::move(name)), query(std::move(parameters))
    { }

    QByteArray method;
    QString key; ///< empty: the bucket itself
    Headers query; ///< not encoded
    QByteArrayView body;
    Headers headers; ///< lower-case names; signed
    /// Takes the body of a 2xx answer as it comes (status, Content-Range, bytes); false stops
    /// the transfer. Without it, the body is kept in the reply, up to maxBody.
    std::function<bool(int, const QByteArray &, QByteArrayView)> sink;
    qsizetype maxBody = kMaxErrorBytes;

    /// "PUT <key>", "LIST <prefix>": what error messages say was asked.
    QString what() const;
};

struct S3Reply
{
    int status = 0;
    QByteArray body; ///< of an error, or of a success without a sink
};

struct Piece
{
    qint64 offset = 0;
    qint64 size = 0;
    QString key;
};

struct Listing
{
    QList<std::pair<QString, qint64>> objects; ///< key, size
    bool truncated = false;
    QString nextToken;
};

Result<Listing> parseListing(const QByteArray &body);

} // namespace s3

/// Signs and sends requests with a pool of libcurl handles, each used by one thread at a time
/// (s3_client.cpp says why the signing is ours).
class S3BlobStore::Client
{
public:
    explicit Client(S3Options options);
    ~Client();

    const S3Options &options() const { return m_options; }

    QString piecePrefix(const QString &id) const { return m_options.prefix + id + u'/'; }

    QString pieceKey(const QString &id, qint64 offset) const;

    /// Sends `call`, again after an answer that says "try again". A reply is any HTTP answer;
    /// an error means none came (Unavailable) or the body was refused.
    Result<s3::S3Reply> send(const s3::S3Call &call);

    /// The error for an answer that is not the one expected.
    Error failure(const s3::S3Call &call, const s3::S3Reply &reply) const;

    /// Every piece of `id`, by offset, as listed (with continuation tokens past 1,000).
    Result<QList<s3::Piece>> pieces(const QString &id);

    /// Bytes [from, to) of a piece, handed to `take` as they come.
    Result<void> fetch(const s3::Piece &piece, qint64 from, qint64 to,
                       const std::function<void(QByteArrayView)> &take);

private:
    CURL *take();

    /// Kept for the next call: its connection stays open for it.
    void give(CURL *easy);

    /// The request's headers with x-amz-date, x-amz-content-sha256 and Authorization.
    QList<QByteArray> sign(const s3::S3Call &call, const QByteArray &path,
                           const QByteArray &canonicalQuery, const QByteArray &payloadHash) const;

    Result<s3::S3Reply> perform(CURL *easy, const s3::S3Call &call, const QByteArray &url,
                                const QList<QByteArray> &headerLines, const QString &what,
                                CURLcode *code, bool *delivered);

    const S3Options m_options;
    QByteArray m_host; ///< the Host header, as signed
    QByteArray m_origin;
    QByteArray m_bucketPath;
    QMutex m_mutex;
    std::vector<CURL *> m_idle;
};

} // namespace tidings::relay
