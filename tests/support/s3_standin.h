#pragma once

#include "support/s3_signature.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

class QTcpServer;
class QTcpSocket;

namespace tidings::test {

/// A small S3-compatible server for tests (tidings-s3-standin runs it as a process):
/// path-style HTTP/1.1 on 127.0.0.1 with keep-alive and Expect: 100-continue, objects as files
/// in a directory, and AWS Signature Version 4 checked strictly on every request (see
/// verifyS3Signature). It serves PUT (with If-None-Match: *), GET (with one Range), HEAD and
/// DELETE of objects; ListObjectsV2 (prefix, max-keys, start-after, continuation-token);
/// HEAD, PUT and DELETE of buckets. Anything else gets 501 NotImplemented, not a guess.
class S3StandIn : public QObject
{
public:
    struct Options
    {
        QString directory; ///< one subdirectory per bucket, one file per object
        S3Credentials credentials;
        QStringList buckets; ///< created when missing
        qint64 maxBodyBytes = 64 * 1024 * 1024;
        int maxKeysPerPage = 1000; ///< lower it to make listings page
        /// Answers bytes=a-b as bytes=a- (206 to the object's end), as s3rver 3.7 does for
        /// bytes=0-0: clients must take the bytes Content-Range says.
        bool ignoreRangeEnds = false;
        bool log = false; ///< one line per request on stderr
    };

    /// One answer (public for the helpers that build them).
    struct Reply;

    explicit S3StandIn(Options options, QObject *parent = nullptr);
    ~S3StandIn() override;

    /// Creates the buckets and listens on 127.0.0.1:`port` (0: a free one).
    bool listen(quint16 port = 0);
    quint16 port() const;
    QString errorString() const { return m_error; }

    /// Object files are named by the key percent-encoded ('/' and '.' too): the key of one.
    static QString keyOfFileName(const QString &fileName);

private:
    class Connection;

    Reply handle(const S3HttpRequest &request);
    Reply bucketRequest(const S3HttpRequest &request, const QString &bucket,
                        const QList<std::pair<QByteArray, QByteArray>> &query);
    Reply objectRequest(const S3HttpRequest &request, const QString &bucket, const QByteArray &key);
    Reply listObjects(const QString &bucket, const QList<std::pair<QByteArray, QByteArray>> &query);
    QString bucketPath(const QString &bucket) const;

    Options m_options;
    QTcpServer *m_server = nullptr;
    QString m_error;
    quint64 m_requests = 0;
};

} // namespace tidings::test
