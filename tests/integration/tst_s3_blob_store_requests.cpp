// The S3 blob store's requests: locations parsed and refused, AWS Signature V4 after AWS's
// own examples (which check the stand-in's checker), a wrong key, tampered and oversized
// requests refused by the stand-in, and a stand-in that is gone or never answers. With
// TIDINGS_TEST_S3_LOCATION set, the tests about the stand-in itself are skipped.
#include "s3_blob_store_fixture.h"

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

class TestS3BlobStoreRequests : public QObject, public S3StoreFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setUp(); }

    void cleanup() { logWhenFailed(); }

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

QTEST_GUILESS_MAIN(TestS3BlobStoreRequests)
#include "tst_s3_blob_store_requests.moc"
