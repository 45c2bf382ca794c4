// The S3 blob store against tidings-s3-standin, a real process that checks every request's AWS
// Signature V4 strictly (AWS's own examples check the stand-in's checker): pieces appended,
// listed across pages, read across their boundaries and digested; an upload resumed through
// another store instance, as through another relay node; conflicts, removal, gaps; a wrong
// key, a stand-in that is gone or never answers; and tampered requests refused by the stand-in.
//
// With TIDINGS_TEST_S3_LOCATION=s3://bucket[/prefix]?endpoint=… (keys in the environment as
// for the relay), the store's tests run against that endpoint instead (docs/development.md,
// "S3-compatible storage"); those about the stand-in itself are skipped.
#include "media/s3_blob_store.h"
#include "support/file_helpers.h"
#include "support/s3_signature.h"
#include "support/s3_standin_process.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTimeZone>
#include <QtTest>

#include <limits>
#include <thread>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

const S3Credentials kKeys{"TIDINGSTESTKEY", "secret of the tidings tests/+=", "us-east-1"};
const QString kBucket = u"media"_s;
constexpr qint64 kMaxBytes = std::numeric_limits<qint64>::max();

QByteArray xmlCode(const QByteArray &xml)
{
    const qsizetype start = xml.indexOf("<Code>");
    const qsizetype end = xml.indexOf("</Code>");
    return start < 0 || end < start ? QByteArray() : xml.mid(start + 6, end - start - 6);
}

template<typename T> QString describe(const Result<T> &result)
{
    return result ? u"ok"_s : errorCodeName(result.error().code) + u": "_s + result.error().message;
}

/// The value, or T() and a warning saying why there is none: QCOMPARE fails, nothing asserts.
template<typename T> T got(const Result<T> &result)
{
    if (result)
        return *result;
    qWarning().noquote() << "no value:" << describe(result);
    return T();
}

/// The error's code name, or "ok".
template<typename T> QString codeOf(const Result<T> &result)
{
    return result ? u"ok"_s : errorCodeName(result.error().code);
}

template<typename T> QString messageOf(const Result<T> &result)
{
    return result ? u"ok"_s : result.error().message;
}

QString name(ErrorCode code)
{
    return errorCodeName(code);
}

struct RawReply
{
    int status = 0;
    QByteArray body;
};

} // namespace

class TestS3BlobStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<S3StandInProcess> m_standIn;
    S3Options m_options;
    bool m_external = false;

    static std::unique_ptr<S3BlobStore> open(const S3Options &options)
    {
        auto store = S3BlobStore::open(options);
        if (!store)
            qWarning().noquote() << store.error().message;
        return store ? std::move(store).value() : nullptr;
    }

    std::unique_ptr<S3StandInProcess> startAnotherStandIn(bool ignoreRangeEnds = false)
    {
        auto standIn
            = std::make_unique<S3StandInProcess>(QStringLiteral(TIDINGS_S3_STANDIN_BINARY));
        if (!standIn->start({kKeys, kBucket, 1000, ignoreRangeEnds}))
            qWarning().noquote() << standIn->lastError();
        return standIn;
    }

    /// The keys the stand-in holds for `id` (nothing to say against another endpoint).
    QStringList storedPieces(const QString &id) const
    {
        if (!m_standIn)
            return {};
        QStringList keys = m_standIn->keys(kBucket);
        keys.removeIf([&](const QString &key) { return !key.contains(id); });
        return keys;
    }

    QString pieceKey(const QString &id, qint64 offset) const
    {
        return m_options.prefix + id + u'/' + QString::number(offset).rightJustified(16, u'0');
    }

    /// A request to the endpoint, for `key` of the bucket, with a Host header as sent.
    S3HttpRequest requestFor(const QByteArray &method, const QString &key,
                             const QByteArray &body = {}) const
    {
        const QUrl endpoint(m_options.endpoint);
        S3HttpRequest request;
        request.method = method;
        request.path = '/' + kBucket.toUtf8() + '/' + QUrl::toPercentEncoding(key, "/");
        request.body = body;
        QByteArray host = endpoint.host().toLatin1();
        if (endpoint.port() != -1)
            host += ':' + QByteArray::number(endpoint.port());
        request.setHeader("host", host);
        return request;
    }

    S3Credentials keys() const
    {
        return {m_options.accessKey.toUtf8(), m_options.secretKey.toUtf8(),
                m_options.region.toUtf8()};
    }

    /// Sends `request` as it is, with QNetworkAccessManager (which adds headers of its own,
    /// unsigned, as any client may).
    static RawReply send(const QString &endpoint, const S3HttpRequest &request)
    {
        QByteArray target = endpoint.toLatin1() + request.path;
        if (!request.query.isEmpty())
            target += '?' + request.query;
        QNetworkRequest http(QUrl::fromEncoded(target, QUrl::StrictMode));
        for (const auto &[name, value] : request.headers) {
            if (name != "host")
                http.setRawHeader(name, value);
        }
        QNetworkAccessManager network;
        network.setProxy(QNetworkProxy::NoProxy);
        std::unique_ptr<QNetworkReply> reply(
            network.sendCustomRequest(http, request.method, request.body));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!reply->isFinished() && !finished.wait(10000))
            return {};
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                reply->readAll()};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        const QString location = qEnvironmentVariable("TIDINGS_TEST_S3_LOCATION");
        if (!location.isEmpty()) {
            const auto parsed = parseS3Location(location, QProcessEnvironment::systemEnvironment());
            QVERIFY2(parsed, qPrintable(describe(parsed)));
            m_options = *parsed;
            m_external = true;
            qInfo().noquote() << "testing against" << m_options.endpoint << "bucket"
                              << m_options.bucket;
        } else {
            m_standIn
                = std::make_unique<S3StandInProcess>(QStringLiteral(TIDINGS_S3_STANDIN_BINARY));
            // Pages of two keys: any blob of more than two pieces is listed with continuation
            // tokens.
            QVERIFY2(m_standIn->start({kKeys, kBucket, 2}), qPrintable(m_standIn->lastError()));
            m_options.endpoint = m_standIn->endpoint();
            m_options.bucket = kBucket;
            m_options.accessKey = QString::fromUtf8(kKeys.accessKey);
            m_options.secretKey = QString::fromUtf8(kKeys.secretKey);
        }
        // Each run in a prefix of its own, so that runs against one endpoint do not meet.
        m_options.prefix
            += u"tst-%1/"_s.arg(QRandomGenerator::global()->generate(), 8, 16, QChar(u'0'));
        m_options.timeoutMs = 10000;
    }

    void cleanup()
    {
        if (QTest::currentTestFailed() && m_standIn)
            qWarning().noquote() << "the stand-in's requests:\n" << m_standIn->log().right(4000);
    }

    void parsesLocations_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("environment");
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("bucket");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("accessKey");

        const QStringList ours{u"TIDINGS_S3_ACCESS_KEY_ID=ours"_s,
                               u"TIDINGS_S3_SECRET_ACCESS_KEY=our secret"_s};
        const QStringList aws{u"AWS_ACCESS_KEY_ID=aws"_s, u"AWS_SECRET_ACCESS_KEY=aws secret"_s};
        QTest::newRow("bucket only: AWS's endpoint")
            << u"s3://media"_s << ours << u"https://s3.us-east-1.amazonaws.com"_s << u"media"_s
            << u""_s << u"us-east-1"_s << u"ours"_s;
        QTest::newRow("endpoint, prefix, region")
            << u"s3://media/relay/blobs?endpoint=http://127.0.0.1:9000&region=eu-west-3"_s << ours
            << u"http://127.0.0.1:9000"_s << u"media"_s << u"relay/blobs/"_s << u"eu-west-3"_s
            << u"ours"_s;
        QTest::newRow("region names AWS's endpoint")
            << u"s3://media/x/?region=eu-central-1"_s << ours
            << u"https://s3.eu-central-1.amazonaws.com"_s << u"media"_s << u"x/"_s
            << u"eu-central-1"_s << u"ours"_s;
        QTest::newRow("a percent-encoded prefix")
            << u"s3://media/a%20b?endpoint=https://minio.example:9000"_s << ours
            << u"https://minio.example:9000"_s << u"media"_s << u"a b/"_s << u"us-east-1"_s
            << u"ours"_s;
        QTest::newRow("AWS_ keys when there are no TIDINGS_S3_ ones")
            << u"s3://media"_s << aws << u"https://s3.us-east-1.amazonaws.com"_s << u"media"_s
            << u""_s << u"us-east-1"_s << u"aws"_s;
        QTest::newRow("TIDINGS_S3_ keys before AWS_ ones")
            << u"s3://media"_s << ours + aws << u"https://s3.us-east-1.amazonaws.com"_s
            << u"media"_s << u""_s << u"us-east-1"_s << u"ours"_s;
    }

    void parsesLocations()
    {
        QFETCH(QString, url);
        QFETCH(QStringList, environment);
        QProcessEnvironment variables;
        for (const QString &variable : environment)
            variables.insert(variable.section(u'=', 0, 0), variable.section(u'=', 1));
        const auto parsed = parseS3Location(url, variables);
        QVERIFY2(parsed, qPrintable(describe(parsed)));
        QTEST(parsed->endpoint, "endpoint");
        QTEST(parsed->bucket, "bucket");
        QTEST(parsed->prefix, "prefix");
        QTEST(parsed->region, "region");
        QTEST(parsed->accessKey, "accessKey");
        QCOMPARE(parsed->secretKey.isEmpty(), false);
    }

    void refusesBadLocations_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("environment");
        QTest::addColumn<QString>("saying");

        const QStringList keys{u"TIDINGS_S3_ACCESS_KEY_ID=ours"_s,
                               u"TIDINGS_S3_SECRET_ACCESS_KEY=our secret"_s};
        QTest::newRow("not s3://") << u"https://media"_s << keys << u"s3://"_s;
        QTest::newRow("no bucket") << u"s3:///prefix"_s << keys << u"no bucket"_s;
        QTest::newRow("unknown option") << u"s3://media?timeout=5"_s << keys << u"timeout"_s;
        QTest::newRow("option twice")
            << u"s3://media?region=a&region=b"_s << keys << u"region twice"_s;
        QTest::newRow("empty region") << u"s3://media?region="_s << keys << u"empty region"_s;
        QTest::newRow("keys in the URL")
            << u"s3://KEY:SECRETINURL@media"_s << keys << u"environment"_s;
        QTest::newRow("not an HTTP endpoint")
            << u"s3://media?endpoint=ftp://127.0.0.1"_s << keys << u"endpoint"_s;
        QTest::newRow("an endpoint with a path")
            << u"s3://media?endpoint=http://127.0.0.1:9000/base"_s << keys << u"endpoint"_s;
        QTest::newRow("not a bucket name") << u"s3://-media"_s << keys << u"bucket name"_s;
        QTest::newRow("no keys") << u"s3://media"_s << QStringList() << u"AWS_ACCESS_KEY_ID"_s;
        QTest::newRow("our id with AWS's secret: not mixed")
            << u"s3://media"_s
            << QStringList{u"TIDINGS_S3_ACCESS_KEY_ID=ours"_s, u"AWS_ACCESS_KEY_ID=aws"_s,
                           u"AWS_SECRET_ACCESS_KEY=aws secret"_s}
            << u"TIDINGS_S3_SECRET_ACCESS_KEY"_s;
    }

    void refusesBadLocations()
    {
        QFETCH(QString, url);
        QFETCH(QStringList, environment);
        QFETCH(QString, saying);
        QProcessEnvironment variables;
        for (const QString &variable : environment)
            variables.insert(variable.section(u'=', 0, 0), variable.section(u'=', 1));
        const auto parsed = parseS3Location(url, variables);
        QVERIFY(!parsed);
        QCOMPARE(codeOf(parsed), name(ErrorCode::BadRequest));
        QVERIFY2(messageOf(parsed).contains(saying), qPrintable(messageOf(parsed)));
        QVERIFY(!messageOf(parsed).contains(u"secret"_s));
        QVERIFY(!messageOf(parsed).contains(u"SECRETINURL"_s));
    }

    void awsExamplesCheckTheStandInsChecker()
    {
        // The examples of "Signature Calculations for the Authorization Header" in the Amazon
        // S3 API reference (virtual-hosted, but signing does not care).
        const S3Credentials aws{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                "us-east-1"};
        const QByteArray host = "examplebucket.s3.amazonaws.com";
        const QByteArray date = "20130524T000000Z";
        const QByteArray nothing = sha256Hex({}).toLatin1();
        const QByteArray welcome = "Welcome to Amazon S3.";
        const QList<std::pair<S3HttpRequest, QByteArray>> examples{
            {{"GET",
              "/test.txt",
              {},
              {{"host", host},
               {"range", "bytes=0-9"},
               {"x-amz-content-sha256", nothing},
               {"x-amz-date", date}},
              {}},
             "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
            {{"PUT",
              "/test$file.text",
              {},
              {{"date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"host", host},
               {"x-amz-content-sha256", sha256Hex(welcome).toLatin1()},
               {"x-amz-date", date},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
              welcome},
             "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"},
            {{"GET",
              "/",
              "max-keys=2&prefix=J",
              {{"host", host}, {"x-amz-content-sha256", nothing}, {"x-amz-date", date}},
              {}},
             "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
        };
        const QDateTime then(QDate(2013, 5, 24), QTime(0, 0), QTimeZone::utc());
        for (auto [request, signature] : examples) {
            QList<QByteArray> names;
            for (const auto &header : request.headers)
                names.append(header.first);
            QCOMPARE(sigV4Signature(sigV4CanonicalRequest(request, names,
                                                          request.header("x-amz-content-sha256")),
                                    date, aws),
                     signature);
            const QByteArray credential = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/"
                                          "20130524/us-east-1/s3/aws4_request,SignedHeaders="
                + names.join(';') + ",Signature=";
            request.setHeader("authorization", credential + signature);
            QVERIFY(verifyS3Signature(request, aws, then.addSecs(14 * 60)).ok());
            QCOMPARE(verifyS3Signature(request, aws, then.addSecs(16 * 60)).code,
                     QByteArray("RequestTimeTooSkewed"));
            signature[10] = signature[10] == '0' ? '1' : '0';
            request.setHeader("authorization", credential + signature);
            QCOMPARE(verifyS3Signature(request, aws, then).code,
                     QByteArray("SignatureDoesNotMatch"));
        }
    }

    void appendsReadsAndDigestsAcrossPieces()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        QCOMPARE(got(store->size(id)), 0);
        QByteArray all;
        QStringList keys;
        quint32 seed = 1;
        for (const qsizetype length : {1000, 1, 70000, 4096, 17}) {
            const QByteArray piece = randomBytes(length, seed++);
            const auto reached = store->append(id, all.size(), piece, length == 17);
            QVERIFY2(reached, qPrintable(describe(reached)));
            keys.append(pieceKey(id, all.size()));
            all += piece;
            QCOMPARE(got(reached), all.size());
        }
        QCOMPARE(got(store->size(id)), all.size());
        if (m_standIn)
            QCOMPARE(storedPieces(id), keys);

        const qint64 total = all.size();
        const QList<std::pair<qint64, qint64>> reads{
            {0, total},    {0, kMaxBytes},  {990, 20}, {1000, 1},
            {1001, 70000}, {500, 75000},    {1000, 2}, {total - 5, 100},
            {total, 10},   {total + 7, 10}, {3, 0},    {71001, 4096}};
        for (const auto &[offset, length] : reads) {
            const auto bytes = store->read(id, offset, length);
            QVERIFY2(bytes, qPrintable(describe(bytes)));
            QCOMPARE(bytes->size(), all.mid(offset, length).size());
            QVERIFY2(*bytes == all.mid(offset, length),
                     qPrintable(u"read at %1 for %2"_s.arg(offset).arg(length)));
        }

        for (const qsizetype head : {0, 1500, 200000}) {
            const auto digest = store->digest(id, head);
            QVERIFY2(digest, qPrintable(describe(digest)));
            QCOMPARE(digest->size, total);
            QCOMPARE(digest->sha256, sha256Hex(all).toLatin1());
            QCOMPARE(digest->head, all.left(head));
        }
        QVERIFY(store->remove(id));
    }

    void anotherNodeResumesTheUpload()
    {
        const QString id = newMediaId();
        const QByteArray first = randomBytes(3000, 11);
        const QByteArray second = randomBytes(5000, 12);
        const QByteArray third = randomBytes(777, 13);
        {
            const auto node = open(m_options);
            QVERIFY(node);
            QVERIFY(node->append(id, 0, first, false));
            QVERIFY(node->append(id, first.size(), second, true));
        }
        const auto resuming = open(m_options); // what another relay node has
        QVERIFY(resuming);
        QCOMPARE(got(resuming->size(id)), first.size() + second.size());
        QVERIFY(resuming->append(id, first.size() + second.size(), third, true));

        const auto downloading = open(m_options); // and a third one
        QVERIFY(downloading);
        const QByteArray all = first + second + third;
        QCOMPARE(got(downloading->read(id, 0, kMaxBytes)), all);
        QCOMPARE(got(downloading->digest(id, 16)).sha256, sha256Hex(all).toLatin1());
        // A node that still believes in the old offset is told where the upload stands.
        const auto stale = open(m_options)->append(id, first.size() + second.size(), third, true);
        QCOMPARE(codeOf(stale), name(ErrorCode::Conflict));
        QVERIFY(downloading->remove(id));
    }

    void aWrongOffsetIsAConflict()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        const auto ahead = store->append(id, 5, "bytes", true);
        QCOMPARE(codeOf(ahead), name(ErrorCode::Conflict));
        QCOMPARE(got(store->size(id)), 0);
        QVERIFY(store->append(id, 0, "0123456789", true));
        for (const qint64 offset : {0, 9, 11}) {
            const auto wrong = store->append(id, offset, "more", true);
            QVERIFY(!wrong);
            QCOMPARE(codeOf(wrong), name(ErrorCode::Conflict));
            QVERIFY2(messageOf(wrong).contains(u"stands at 10 bytes"_s),
                     qPrintable(messageOf(wrong)));
        }
        QCOMPARE(got(store->size(id)), 10);
        QCOMPARE(got(store->append(id, 10, {}, true)), 10); // nothing to store
        if (m_standIn)
            QCOMPARE(storedPieces(id), QStringList{pieceKey(id, 0)});
        QVERIFY(store->remove(id));
    }

    void removeDeletesEveryPiece()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        const QString other = newMediaId();
        for (qint64 offset = 0; offset < 5 * 100; offset += 100)
            QVERIFY(store->append(id, offset, randomBytes(100, quint32(offset)), true));
        QVERIFY(store->append(other, 0, "another blob", true));

        const auto removed = store->remove(id);
        QVERIFY2(removed, qPrintable(describe(removed)));
        QCOMPARE(got(store->size(id)), 0);
        QCOMPARE(codeOf(store->read(id, 0, 10)), name(ErrorCode::NotFound));
        const auto empty = store->digest(id, 10);
        QCOMPARE(empty->size, 0);
        QCOMPARE(empty->sha256, sha256Hex({}).toLatin1());
        QVERIFY(store->remove(id)); // no error when there is nothing
        QVERIFY(store->remove(newMediaId()));
        QCOMPARE(got(store->read(other, 0, kMaxBytes)), QByteArray("another blob"));
        if (m_standIn) {
            QCOMPARE(storedPieces(id), QStringList());
            QCOMPARE(storedPieces(other).size(), 1);
        }
        QVERIFY(store->remove(other));
        QVERIFY(store->append(id, 0, "again from nothing", true)); // as after a bad SHA-256
        QCOMPARE(got(store->read(id, 0, kMaxBytes)), QByteArray("again from nothing"));
        QVERIFY(store->remove(id));
    }

    void aGapOrAStrangeKeyIsCorrupt()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        QVERIFY(store->append(id, 0, randomBytes(50, 5), true));
        // A piece at 100 where the blob ends at 50, written past the store.
        S3HttpRequest put = requestFor("PUT", pieceKey(id, 100), "ten bytes!");
        signS3Request(put, keys());
        QCOMPARE(send(m_options.endpoint, put).status, 200);

        const auto size = store->size(id);
        QCOMPARE(codeOf(size), name(ErrorCode::Corrupt));
        QVERIFY2(messageOf(size).contains(u"starts at byte 100"_s), qPrintable(messageOf(size)));
        QCOMPARE(codeOf(store->read(id, 0, 10)), name(ErrorCode::Corrupt));
        QCOMPARE(codeOf(store->digest(id, 10)), name(ErrorCode::Corrupt));
        QCOMPARE(codeOf(store->append(id, 50, "x", true)), name(ErrorCode::Corrupt));
        QVERIFY(store->remove(id)); // a broken blob can still go
        QCOMPARE(got(store->size(id)), 0);

        S3HttpRequest strange = requestFor("PUT", m_options.prefix + id + u"/notanoffset"_s, "?");
        signS3Request(strange, keys());
        QCOMPARE(send(m_options.endpoint, strange).status, 200);
        QCOMPARE(codeOf(store->size(id)), name(ErrorCode::Corrupt));
        S3HttpRequest remove = requestFor("DELETE", m_options.prefix + id + u"/notanoffset"_s);
        signS3Request(remove, keys());
        QCOMPARE(send(m_options.endpoint, remove).status, 204);
    }

    void aPieceOverOneMebibyte()
    {
        // libcurl sends such a body after "Expect: 100-continue".
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        const QByteArray small = randomBytes(10, 21);
        const QByteArray big = randomBytes(3 * 1024 * 1024 + 1, 22);
        QVERIFY(store->append(id, 0, small, false));
        const auto reached = store->append(id, small.size(), big, true);
        QVERIFY2(reached, qPrintable(describe(reached)));
        const QByteArray all = small + big;
        QCOMPARE(got(store->read(id, 5, 1024 * 1024)), all.mid(5, 1024 * 1024));
        QCOMPARE(got(store->digest(id, 0)).sha256, sha256Hex(all).toLatin1());
        QVERIFY(store->remove(id));
    }

    void oddCharactersInThePrefixAreSignedRight()
    {
        S3Options options = m_options;
        options.prefix += u"with space/ü+$=&?#%;,*'/"_s;
        const auto store = open(options);
        QVERIFY(store);
        const QString id = newMediaId();
        const auto appended = store->append(id, 0, "odd", true);
        QVERIFY2(appended, qPrintable(describe(appended)));
        QVERIFY(store->append(id, 3, " prefix", true));
        QVERIFY(store->append(id, 10, " works", true));
        QCOMPARE(got(store->size(id)), 16);
        QCOMPARE(got(store->read(id, 0, kMaxBytes)), QByteArray("odd prefix works"));
        if (m_standIn)
            QVERIFY(storedPieces(id).first().startsWith(options.prefix));
        QVERIFY(store->remove(id));
        QCOMPARE(got(store->size(id)), 0);
    }

    void manyThreadsShareOneStore()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        QMutex mutex;
        QStringList failures;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                const QString id = newMediaId();
                QByteArray all;
                QString failure;
                for (int i = 0; i < 5 && failure.isEmpty(); ++i) {
                    const QByteArray piece = randomBytes(3000 + i, quint32(100 * t + i));
                    if (const auto reached = store->append(id, all.size(), piece, i == 4); !reached)
                        failure = describe(reached);
                    all += piece;
                }
                if (failure.isEmpty()) {
                    const auto bytes = store->read(id, 0, kMaxBytes);
                    const auto digest = store->digest(id, 0);
                    if (!bytes || *bytes != all || !digest
                        || digest->sha256 != sha256Hex(all).toLatin1())
                        failure
                            = u"read back wrong: %1 %2"_s.arg(describe(bytes), describe(digest));
                }
                if (const auto removed = store->remove(id); !removed && failure.isEmpty())
                    failure = describe(removed);
                if (!failure.isEmpty()) {
                    const QMutexLocker lock(&mutex);
                    failures.append(failure);
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
    }

    void moreBytesThanAskedAreTakenByTheirContentRange()
    {
        // As from s3rver, which answers bytes=0-0 with the whole object.
        const auto standIn = startAnotherStandIn(true);
        QVERIFY(standIn->port());
        S3Options options = m_options;
        options.endpoint = standIn->endpoint();
        options.accessKey = QString::fromUtf8(kKeys.accessKey);
        options.secretKey = QString::fromUtf8(kKeys.secretKey);
        const auto store = open(options);
        QVERIFY(store);
        const QString id = newMediaId();
        const QByteArray first = randomBytes(100000, 31);
        const QByteArray second = randomBytes(10, 32);
        QVERIFY(store->append(id, 0, first, false));
        QVERIFY(store->append(id, first.size(), second, true));
        const QByteArray all = first + second;
        const QList<std::pair<qint64, qint64>> reads{{0, 1}, {1, 1}, {5, 3}, {99999, 2}, {7, 100}};
        for (const auto &[offset, length] : reads)
            QCOMPARE(got(store->read(id, offset, length)), all.mid(offset, length));
        QCOMPARE(got(store->size(id)), all.size()); // the connections cut short did no harm
    }

    void checkSaysWhetherTheBucketWorks()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const auto checked = store->check();
        QVERIFY2(checked, qPrintable(describe(checked)));
        S3Options elsewhere = m_options;
        elsewhere.bucket = u"no-such-bucket-of-tidings"_s;
        const auto missing = open(elsewhere)->check();
        QVERIFY(!missing);
        QCOMPARE(codeOf(missing), name(ErrorCode::Io));
        QVERIFY2(messageOf(missing).contains(u"404"_s), qPrintable(messageOf(missing)));
        QVERIFY2(messageOf(missing).contains(u"NoSuchBucket"_s), qPrintable(messageOf(missing)));
    }

    void freeBytesIsTheFigureConfigured()
    {
        QCOMPARE(got(open(m_options)->freeBytes()), std::numeric_limits<qint64>::max() / 4);
        S3Options options = m_options;
        options.freeBytes = 12345;
        QCOMPARE(got(open(options)->freeBytes()), 12345);
    }

    void aWrongKeyIsAClearErrorAndChangesNothing()
    {
        const QString id = newMediaId();
        S3Options wrong = m_options;
        wrong.secretKey = u"not the secret of the tests"_s;
        const auto store = open(wrong);
        QVERIFY(store);
        const auto appended = store->append(id, 0, "refused bytes", true);
        QVERIFY(!appended);
        const QString message = messageOf(appended);
        QCOMPARE(codeOf(appended), name(ErrorCode::Io));
        QVERIFY2(message.contains(u": 403 SignatureDoesNotMatch"_s), qPrintable(message));
        QVERIFY2(message.startsWith(u"S3 LIST "_s + m_options.prefix + id), qPrintable(message));
        QVERIFY(!message.contains(wrong.secretKey));
        QVERIFY(!message.contains(m_options.secretKey));
        for (const QString &other : {messageOf(store->size(id)), messageOf(store->read(id, 0, 1)),
                                     messageOf(store->digest(id, 1)), messageOf(store->remove(id)),
                                     messageOf(store->check())})
            QVERIFY2(other.contains(u": 403 SignatureDoesNotMatch"_s), qPrintable(other));

        S3Options stranger = m_options;
        stranger.accessKey = u"SOMEONEELSE"_s;
        const auto unknown = open(stranger)->size(id);
        QVERIFY2(messageOf(unknown).contains(u"403 InvalidAccessKeyId"_s),
                 qPrintable(messageOf(unknown)));

        QCOMPARE(got(open(m_options)->size(id)), 0); // nothing was stored
        if (m_standIn)
            QCOMPARE(storedPieces(id), QStringList());
    }

    void theStandInRefusesTamperedRequests_data()
    {
        QTest::addColumn<QString>("tampering");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("code");
        QTest::newRow("none") << u"none"_s << 200 << QByteArray();
        QTest::newRow("signature") << u"signature"_s << 403 << QByteArray("SignatureDoesNotMatch");
        QTest::newRow("body") << u"body"_s << 400 << QByteArray("XAmzContentSHA256Mismatch");
        QTest::newRow("body and its hash")
            << u"body and its hash"_s << 403 << QByteArray("SignatureDoesNotMatch");
        QTest::newRow("key") << u"key"_s << 403 << QByteArray("SignatureDoesNotMatch");
        QTest::newRow("query") << u"query"_s << 403 << QByteArray("SignatureDoesNotMatch");
        QTest::newRow("signed header")
            << u"signed header"_s << 403 << QByteArray("SignatureDoesNotMatch");
        QTest::newRow("unsigned x-amz header")
            << u"unsigned x-amz header"_s << 403 << QByteArray("AccessDenied");
        QTest::newRow("20 minutes old")
            << u"20 minutes old"_s << 403 << QByteArray("RequestTimeTooSkewed");
        QTest::newRow("access key") << u"access key"_s << 403 << QByteArray("InvalidAccessKeyId");
        QTest::newRow("region") << u"region"_s << 400 << QByteArray("AuthorizationHeaderMalformed");
        QTest::newRow("no authorization")
            << u"no authorization"_s << 403 << QByteArray("AccessDenied");
    }

    void theStandInRefusesTamperedRequests()
    {
        if (!m_standIn)
            QSKIP("about the stand-in");
        QFETCH(QString, tampering);
        QFETCH(int, status);
        QFETCH(QByteArray, code);
        const QString key = m_options.prefix + u"raw/"_s + tampering;
        S3HttpRequest request = requestFor("PUT", key, "signed bytes");
        S3Credentials signer = kKeys;
        QDateTime when = QDateTime::currentDateTimeUtc();
        if (tampering == u"20 minutes old")
            when = when.addSecs(-20 * 60);
        else if (tampering == u"access key")
            signer.accessKey = "SOMEONEELSE";
        else if (tampering == u"region")
            signer.region = "eu-west-1";
        signS3Request(request, signer, when);

        if (tampering == u"signature") {
            QByteArray authorization = request.header("authorization");
            authorization.back() = authorization.back() == 'a' ? 'b' : 'a';
            request.setHeader("authorization", authorization);
        } else if (tampering == u"body") {
            request.body = "other bytes";
        } else if (tampering == u"body and its hash") {
            request.body = "other bytes";
            request.setHeader("x-amz-content-sha256", sha256Hex(request.body).toLatin1());
        } else if (tampering == u"key") {
            request.path += "-changed";
        } else if (tampering == u"query") {
            request.query = "acl=";
        } else if (tampering == u"signed header") {
            // A second later (earlier at the day's last second: the scope names the day).
            const QDateTime later = when.addSecs(when.time() >= QTime(23, 59, 59) ? -1 : 1);
            request.setHeader("x-amz-date", later.toString(u"yyyyMMdd'T'HHmmss'Z'"_s).toLatin1());
        } else if (tampering == u"unsigned x-amz header") {
            request.headers.emplaceBack("x-amz-meta-note", "added after signing");
        } else if (tampering == u"no authorization") {
            request.headers.removeIf(
                [](const auto &header) { return header.first == "authorization"; });
        }

        const RawReply reply = send(m_options.endpoint, request);
        QCOMPARE(reply.status, status);
        QCOMPARE(xmlCode(reply.body), code);
        QCOMPARE(m_standIn->keys(kBucket).contains(key), status == 200);
        if (status == 403 && code == "SignatureDoesNotMatch")
            QVERIFY(reply.body.contains("<CanonicalRequest>")); // S3 says what it computed
    }

    void theStandInBoundsRequestBodies()
    {
        if (!m_standIn)
            QSKIP("about the stand-in");
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_standIn->port());
        QVERIFY(socket.waitForConnected(10000));
        // Refused on the head alone, before a byte of the body.
        socket.write("PUT /media/big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                     + QByteArray::number(64 * 1024 * 1024 + 1) + "\r\n\r\n");
        QByteArray answer;
        while (!answer.contains("</Error>") && socket.waitForReadyRead(10000))
            answer += socket.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 400 "), answer.constData());
        QCOMPARE(xmlCode(answer.mid(answer.indexOf("\r\n\r\n") + 4)), QByteArray("EntityTooLarge"));
    }

    void aStandInThatIsGoneIsUnavailableAtOnce()
    {
        const auto standIn = startAnotherStandIn();
        QVERIFY(standIn->port());
        S3Options options = m_options;
        options.endpoint = standIn->endpoint();
        options.accessKey = QString::fromUtf8(kKeys.accessKey);
        options.secretKey = QString::fromUtf8(kKeys.secretKey);
        options.timeoutMs = 5000;
        const auto store = open(options);
        QVERIFY(store);
        const QString id = newMediaId();
        QVERIFY(store->append(id, 0, "before", true)); // a kept-alive connection
        standIn->kill();

        QElapsedTimer timer;
        timer.start();
        const auto size = store->size(id);
        QVERIFY(!size);
        QCOMPARE(codeOf(size), name(ErrorCode::Unavailable));
        QVERIFY2(messageOf(size).contains(u"no answer from " + options.endpoint),
                 qPrintable(messageOf(size)));
        const auto appended = store->append(id, 6, "after", true);
        QCOMPARE(codeOf(appended), name(ErrorCode::Unavailable));
        QVERIFY2(timer.elapsed() < options.timeoutMs, qPrintable(QString::number(timer.elapsed())));
    }

    void aStandInThatNeverAnswersTimesOut()
    {
        const auto standIn = startAnotherStandIn();
        QVERIFY(standIn->port());
        S3Options options = m_options;
        options.endpoint = standIn->endpoint();
        options.accessKey = QString::fromUtf8(kKeys.accessKey);
        options.secretKey = QString::fromUtf8(kKeys.secretKey);
        options.timeoutMs = 1000;
        const auto store = open(options);
        QVERIFY(store);
        const QString id = newMediaId();
        QVERIFY(store->append(id, 0, "before", true));
        QVERIFY(standIn->pause()); // it takes connections and bytes, and says nothing

        QElapsedTimer timer;
        timer.start();
        const auto appended = store->append(id, 6, "after", true);
        const qint64 elapsed = timer.elapsed();
        QVERIFY(!appended);
        QCOMPARE(codeOf(appended), name(ErrorCode::Unavailable));
        QVERIFY2(messageOf(appended).contains(u"timed out"_s, Qt::CaseInsensitive),
                 qPrintable(messageOf(appended)));
        QVERIFY2(elapsed < 5 * options.timeoutMs, qPrintable(QString::number(elapsed)));
        QVERIFY(standIn->resume());
        QCOMPARE(got(store->size(id)), 6); // and all is well once it answers again
    }
};

QTEST_GUILESS_MAIN(TestS3BlobStore)
#include "tst_s3_blob_store.moc"
