// What the relay's HTTP endpoints say, typed (common/protocol/messages/http_messages.h) and
// the report result (replies.h): each value decodes what docs/protocol.md (sections 4, 7
// and 8) gives, refuses a missing or mistyped field naming it, and encodes to what decodes
// back to itself. The app reads the health answer and every media API answer through these.
#include "protocol/messages/http_messages.h"
#include "protocol/messages/replies.h"

#include "support/protocol_values.h"

#include <QtTest>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace Qt::StringLiterals;
using tidings::test::json;

namespace {

template<typename T> std::optional<Error> roundTrip(const QJsonObject &fields)
{
    return test::answerRoundTripError(T::decode(fields));
}

std::optional<Error> decodeAs(const QString &type, const QJsonObject &fields)
{
    if (type == u"health")
        return roundTrip<Health>(fields);
    if (type == u"upload")
        return roundTrip<NewUpload>(fields);
    if (type == u"media")
        return roundTrip<MediaObject>(fields);
    if (type == u"link")
        return roundTrip<MediaLink>(fields);
    if (type == u"report")
        return roundTrip<ReportFiled>(fields);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

const char kId[] = "9f86d081884c7d659a2feaa0c55ad015";

} // namespace

class TestProtocolHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decoding_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("names"); // empty: decodes; else what the error names

        const auto ok = [](const char *name, const char *type, const char *fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << json(fields) << QString();
        };
        const auto bad
            = [](const char *name, const char *type, const char *fields, const char *names) {
                  QTest::newRow(name)
                      << QString::fromLatin1(type) << json(fields) << QString::fromUtf8(names);
              };

        ok("health", "health", R"({"status":"ok","version":"0.1.0"})");
        bad("health without version", "health", R"({"status":"ok"})", "version");
        bad("health version a number", "health", R"({"status":"ok","version":1})", "version");
        bad("health without status", "health", R"({"version":"0.1.0"})", "status");

        ok("upload", "upload",
           R"({"size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"hi.txt"})");
        ok("upload without name", "upload", R"({"size":0,"type":"image/png","sha256":""})");
        bad("upload size a string", "upload", R"({"size":"5","type":"text/plain","sha256":""})",
            "size");
        bad("upload size negative", "upload", R"({"size":-1,"type":"text/plain","sha256":""})",
            "size");
        bad("upload without type", "upload", R"({"size":5,"sha256":""})", "type");
        bad("upload name a number", "upload",
            R"({"size":5,"type":"text/plain","sha256":"","name":7})", "name");

        ok("created", "media",
           R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"hi.txt","state":"uploading","offset":0,"chunk_bytes":8388608})");
        ok("complete", "media",
           R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"","state":"complete"})");
        bad("media id short", "media",
            R"({"id":"9f86","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"complete"})",
            "id");
        bad("media id not hex", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad01Z","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"complete"})",
            "id");
        bad("media state unknown", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"done"})",
            "state");
        bad("media offset a string", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"uploading","offset":"0"})",
            "offset");
        bad("media chunk bytes zero", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"uploading","chunk_bytes":0})",
            "chunk_bytes");
        bad("media hash short", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf2","state":"complete"})",
            "sha256");

        ok("link", "link", R"({"url":"/v1/media/x?session=1&expires=2&sig=3","expires_at":2})");
        bad("link without url", "link", R"({"expires_at":2})", "url");
        bad("link expiry a string", "link", R"({"url":"/v1/media/x","expires_at":"soon"})",
            "expires_at");

        ok("report", "report", R"({"report":12})");
        bad("report without id", "report", R"({})", "report");
        bad("report id zero", "report", R"({"report":0})", "report");
    }

    void decoding()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, names);
        const std::optional<Error> error = decodeAs(type, fields);
        if (names.isEmpty()) {
            QVERIFY2(!error, qPrintable(error ? error->message : QString()));
            return;
        }
        QVERIFY2(error, "decoded what it must refuse");
        QCOMPARE(error->code, ErrorCode::BadRequest);
        QVERIFY2(error->message.contains(u"'"_s + names + u"'"_s), qPrintable(error->message));
    }

    void theMediaObjectSaysWhereTheUploadStands()
    {
        const auto created = decodeBody<MediaObject>(
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"hi.txt","state":"uploading","offset":3,"chunk_bytes":8})");
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
        QCOMPARE(created->id, QString::fromLatin1(kId));
        QCOMPARE(created->offset, std::optional<qint64>(3));
        QCOMPARE(created->chunkBytes, std::optional<qint64>(8));
        QVERIFY(!created->isComplete());
        // What the relay leaves out stays out: status and complete carry no chunk size.
        MediaObject complete = *created;
        complete.state = MediaObject::kComplete.toString();
        complete.offset.reset();
        complete.chunkBytes.reset();
        QVERIFY(complete.isComplete());
        QVERIFY(!complete.encode().contains(u"offset"_s));
        QVERIFY(!complete.encode().contains(u"chunk_bytes"_s));
    }

    void aBodyThatIsNoObjectIsRefused_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("html") << QByteArray("<html>502 Bad Gateway</html>");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("cut short") << QByteArray("{\"status\":\"ok\",\"vers");
    }

    void aBodyThatIsNoObjectIsRefused()
    {
        QFETCH(QByteArray, body);
        const auto health = decodeBody<Health>(body);
        QVERIFY(!health);
        QCOMPARE(health.error().code, ErrorCode::BadRequest);
    }

    void aLongBodyIsRefusedUnread()
    {
        // A relay (or whatever answers in its place) that sends megabytes is not parsed.
        QByteArray body = "{\"status\":\"ok\",\"version\":\"0.1.0\",\"pad\":\"";
        body.append(QByteArray(64 * 1024, 'x'));
        body.append("\"}");
        const auto health = decodeBody<Health>(body);
        QVERIFY(!health);
        QCOMPARE(health.error().code, ErrorCode::TooLarge);
        QVERIFY(objectOfBody(body, body.size()).ok());
    }

    void httpErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QString>("message");

        QTest::newRow("the relay's error")
            << QByteArray(
                   R"({"code":"too_large","message":"files on this relay have at most 5 bytes"})")
            << 413 << ErrorCode::TooLarge << u"files on this relay have at most 5 bytes"_s;
        QTest::newRow("the body's code wins over the status")
            << QByteArray(R"({"code":"conflict","message":"busy"})") << 400 << ErrorCode::Conflict
            << u"busy"_s;
        QTest::newRow("a proxy's page") << QByteArray("<html>Bad Gateway</html>") << 502
                                        << ErrorCode::Internal << u"the relay answered HTTP 502"_s;
        QTest::newRow("no body, not found")
            << QByteArray() << 404 << ErrorCode::NotFound << u"the relay answered HTTP 404"_s;
        QTest::newRow("an unknown code")
            << QByteArray(R"({"code":"teapot","message":"short and stout"})") << 429
            << ErrorCode::RateLimited << u"short and stout"_s;
        QTest::newRow("a message that is no string")
            << QByteArray(R"({"code":"forbidden","message":5})") << 403 << ErrorCode::Forbidden
            << u"the relay answered HTTP 403"_s;
    }

    void httpErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(ErrorCode, code);
        QFETCH(QString, message);
        const Error error = decodeHttpError(body, status);
        QCOMPARE(error.code, code);
        QCOMPARE(error.message, message);
        // What the relay sends decodes to the error it sent.
        const Error sent{ErrorCode::Unsupported, u"this relay does not accept image/tiff files"_s};
        const QByteArray encoded = QJsonDocument(encodeHttpError(sent)).toJson();
        QCOMPARE(decodeHttpError(encoded, 415).message, sent.message);
        QCOMPARE(decodeHttpError(encoded, 415).code, sent.code);
    }
};

QTEST_GUILESS_MAIN(TestProtocolHttp)
#include "tst_protocol_http.moc"
