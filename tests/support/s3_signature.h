#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <utility>

namespace tidings::test {

/// The one key pair (and region) an S3 stand-in accepts.
struct S3Credentials
{
    QByteArray accessKey;
    QByteArray secretKey;
    QByteArray region = "us-east-1";
};

/// An HTTP request to an S3 endpoint, as it arrives or is about to be sent.
struct S3HttpRequest
{
    QByteArray method;
    QByteArray path; ///< as sent: percent-encoded, without the query
    QByteArray query; ///< as sent, without '?'
    QList<std::pair<QByteArray, QByteArray>> headers; ///< names in lower case
    QByteArray body;

    /// The values of a header, joined by ',' when it came more than once; empty when absent.
    QByteArray header(const QByteArray &lowerCaseName) const;
    bool hasHeader(const QByteArray &lowerCaseName) const;
    void setHeader(const QByteArray &lowerCaseName, const QByteArray &value);
};

// AWS Signature Version 4 as S3 documents it, written apart from relay/media/s3_blob_store.cpp
// so that the relay's signer and this one check each other (and AWS's examples check this one).

/// The path decoded, then every byte but A-Z a-z 0-9 - _ . ~ / encoded again.
QByteArray sigV4CanonicalUri(const QByteArray &rawPath);
/// Parameters decoded, encoded again (slashes too), sorted by name then value.
QByteArray sigV4CanonicalQuery(const QByteArray &rawQuery);
QByteArray sigV4CanonicalRequest(const S3HttpRequest &request,
                                 const QList<QByteArray> &signedHeaders,
                                 const QByteArray &payloadHash);
/// Hex HMAC-SHA256 of the string to sign for `canonicalRequest` at `amzDate`
/// (yyyyMMddTHHmmssZ).
QByteArray sigV4Signature(const QByteArray &canonicalRequest, const QByteArray &amzDate,
                          const S3Credentials &keys);

/// Adds x-amz-date, x-amz-content-sha256 (of the body) and an Authorization signing every
/// header the request has; it must have its host header.
void signS3Request(S3HttpRequest &request, const S3Credentials &keys,
                   const QDateTime &when = QDateTime::currentDateTimeUtc());

/// What S3 would answer about a request's signature: ok(), or a status and an S3 error code.
struct S3Verdict
{
    int status = 200;
    QByteArray code; ///< e.g. SignatureDoesNotMatch; empty when the request passes
    QString message;
    QByteArray canonicalRequest; ///< as computed here, for the error's details
    QByteArray stringToSign;

    bool ok() const { return code.isEmpty(); }
};

/// Checks a request strictly: an Authorization header (no presigned URLs), the access key,
/// region and service of its scope, x-amz-date within `maxSkewSeconds` of `now` and on the
/// scope's day, host and every x-amz-* header signed, x-amz-content-sha256 present, a hex
/// SHA-256 and equal to the body's, and the signature itself.
S3Verdict verifyS3Signature(const S3HttpRequest &request, const S3Credentials &keys,
                            const QDateTime &now, int maxSkewSeconds = 15 * 60);

} // namespace tidings::test
