#pragma once

// What the S3 blob store tests (tst_s3_blob_store_blobs, tst_s3_blob_store_requests) share:
// the store on tidings-s3-standin, a real process that checks every request's AWS Signature V4
// strictly, or on the endpoint TIDINGS_TEST_S3_LOCATION names (docs/development.md,
// "S3-compatible storage"); and requests to it as raw as a test needs them.

#include "media/s3_blob_store.h"
#include "support/s3_signature.h"
#include "support/s3_standin_process.h"

#include <QByteArray>
#include <QDebug>
#include <QString>
#include <QStringList>

#include <limits>
#include <memory>

namespace tidings::test {

using relay::S3BlobStore;
using relay::S3Options;

inline const S3Credentials kKeys{"TIDINGSTESTKEY", "secret of the tidings tests/+=", "us-east-1"};
inline const QString kBucket = QStringLiteral("media");
inline constexpr qint64 kMaxBytes = std::numeric_limits<qint64>::max();

/// The <Code> of an S3 error document, or empty.
QByteArray xmlCode(const QByteArray &xml);

template<typename T> inline QString describe(const Result<T> &result)
{
    return result
        ? QStringLiteral("ok")
        : errorCodeName(result.error().code) + QStringLiteral(": ") + result.error().message;
}

/// The value, or T() and a warning saying why there is none: QCOMPARE fails, nothing asserts.
template<typename T> inline T got(const Result<T> &result)
{
    if (result)
        return *result;
    qWarning().noquote() << "no value:" << describe(result);
    return T();
}

/// The error's code name, or "ok".
template<typename T> inline QString codeOf(const Result<T> &result)
{
    return result ? QStringLiteral("ok") : errorCodeName(result.error().code);
}

template<typename T> inline QString messageOf(const Result<T> &result)
{
    return result ? QStringLiteral("ok") : result.error().message;
}

/// The error code's name.
QString name(ErrorCode code);

struct RawReply
{
    int status = 0;
    QByteArray body;
};

/// The store's settings and, unless TIDINGS_TEST_S3_LOCATION says otherwise, the stand-in.
class S3StoreFixture
{
protected:
    std::unique_ptr<S3StandInProcess> m_standIn;
    S3Options m_options;
    bool m_external = false;

    /// For initTestCase(): the endpoint to test, and a prefix of this run's own.
    void setUp();
    /// For cleanup(): the stand-in's requests when the test failed.
    void logWhenFailed();

    static std::unique_ptr<S3BlobStore> open(const S3Options &options);
    std::unique_ptr<S3StandInProcess> startAnotherStandIn(bool ignoreRangeEnds = false);
    /// The keys the stand-in holds for `id` (nothing to say against another endpoint).
    QStringList storedPieces(const QString &id) const;
    QString pieceKey(const QString &id, qint64 offset) const;
    /// A request to the endpoint, for `key` of the bucket, with a Host header as sent.
    S3HttpRequest requestFor(const QByteArray &method, const QString &key,
                             const QByteArray &body = {}) const;
    S3Credentials keys() const;
    /// Sends `request` as it is, with QNetworkAccessManager (which adds headers of its own,
    /// unsigned, as any client may).
    static RawReply send(const QString &endpoint, const S3HttpRequest &request);
};

} // namespace tidings::test
