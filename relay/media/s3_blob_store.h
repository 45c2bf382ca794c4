#pragma once

#include "media/blob_store.h"
#include "util/result.h"

#include <QString>

#include <limits>
#include <memory>

class QProcessEnvironment;

namespace tidings::relay {

/// Where an S3BlobStore keeps media and how it signs its requests.
struct S3Options
{
    QString endpoint; ///< "http(s)://host[:port]"; objects are at <endpoint>/<bucket>/<key>
    QString bucket;
    QString prefix; ///< put before every key ("media/"); open() adds the final '/'
    QString region = QStringLiteral("us-east-1");
    QString accessKey;
    QString secretKey; ///< never logged nor put in an error
    QString sessionToken; ///< only for temporary credentials
    int timeoutMs = 30000; ///< per request, connecting included
    qint64 freeBytes = std::numeric_limits<qint64>::max() / 4; ///< what freeBytes() reports
};

/// Reads `s3://bucket[/prefix][?endpoint=http://host:port][&region=name]`; the keys come from
/// TIDINGS_S3_ACCESS_KEY_ID and TIDINGS_S3_SECRET_ACCESS_KEY (TIDINGS_S3_SESSION_TOKEN), or
/// else from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN). Without an
/// endpoint, AWS's own for the region. BadRequest says what is wrong, never the secret.
Result<S3Options> parseS3Location(const QString &url, const QProcessEnvironment &environment);

/// Blobs as objects in an S3-compatible store, shared by every relay node that names the same
/// bucket and prefix. Objects cannot be appended to, so each append() is one object,
/// <prefix><id>/<offset as 16 decimal digits>, and a blob is its pieces read in order. Every
/// call is a few blocking HTTP requests with a timeout; calls may run on any threads at once.
class S3BlobStore final : public BlobStore
{
public:
    /// Checks the options (no request is made: see check()).
    static Result<std::unique_ptr<S3BlobStore>> open(S3Options options);
    ~S3BlobStore() override;

    /// Lists one key under the prefix: whether the endpoint, the bucket and the keys work.
    Result<void> check();

    Result<qint64> size(const QString &id) override;
    Result<qint64> append(const QString &id, qint64 offset, QByteArrayView data,
                          bool sync) override;
    Result<QByteArray> read(const QString &id, qint64 offset, qint64 maxBytes) override;
    Result<BlobDigest> digest(const QString &id, qsizetype headBytes) override;
    Result<void> remove(const QString &id) override;
    Result<qint64> freeBytes() override;

private:
    class Client;
    explicit S3BlobStore(std::unique_ptr<Client> client);

    std::unique_ptr<Client> m_client;
};

} // namespace tidings::relay
