// An attachment object, typed (common/protocol/messages/attachment.h): it decodes what
// docs/protocol.md gives (message.send, "An attachment object describes one uploaded file"),
// refuses a missing or mistyped field naming it, keeps the members it does not know, and
// encodes to what decodes back to itself. The app reads every attachment through it.
#include "protocol/messages/attachment.h"
#include "protocol/messages/events.h"

#include "support/protocol_values.h"

#include <QtTest>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace Qt::StringLiterals;
using tidings::test::json;

namespace {

constexpr char kMedia[] = "9f86d081884c7d659a2feaa0c55ad015";

/// `fields` with "media" set to a real media id where it says "M".
QJsonObject withMedia(const char *fields)
{
    return json(QByteArray(fields)
                    .replace("\"M\"", QByteArray("\"" + QByteArray(kMedia) + "\""))
                    .constData());
}

} // namespace

class TestProtocolAttachment : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decoding_data()
    {
        QTest::addColumn<QJsonObject>("object");
        QTest::addColumn<bool>("unsent"); // decodeUnsent() rather than decode()
        QTest::addColumn<QString>("names"); // empty: decodes; else what the error names

        const auto ok = [](const char *name, const char *object, bool unsent = false) {
            QTest::newRow(name) << withMedia(object) << unsent << QString();
        };
        const auto bad
            = [](const char *name, const char *object, const char *names, bool unsent = false) {
                  QTest::newRow(name) << withMedia(object) << unsent << QString::fromLatin1(names);
              };

        // valid
        ok("media only", R"({"media":"M"})");
        ok("a picture as the relay stores it",
           R"({"media":"M","name":"cat.png","type":"image/png","size":5120,
               "sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
               "width":800,"height":600,"thumbnail":"/9j/4AAQ"})");
        ok("a video",
           R"({"media":"M","type":"video/webm","width":320,"height":240,"duration_ms":10000})");
        ok("members it does not know", R"({"media":"M","caption":"x","spoiler":true})");
        ok("nulls are absent", R"({"media":"M","name":null,"width":null})");
        ok("unsent, before its upload", R"({"name":"a.txt","type":"text/plain","size":5})", true);
        ok("unsent, uploaded", R"({"media":"M","name":"a.txt"})", true);

        // media
        bad("no media", R"({"name":"a.txt"})", "media");
        bad("media a number", R"({"media":5})", "media");
        bad("media not hex", R"({"media":"9F86D081884C7D659A2FEAA0C55AD015"})", "media");
        bad("media too short", R"({"media":"9f86"})", "media");
        bad("unsent media a number", R"({"media":5})", "media", true);
        // each other field, of the wrong type or out of range
        bad("name a number", R"({"media":"M","name":5})", "name");
        bad("name too long",
            QByteArray("{\"media\":\"M\",\"name\":\"" + QByteArray(1021, 'a') + "\"}").constData(),
            "name");
        bad("type a number", R"({"media":"M","type":1})", "type");
        bad("size a string", R"({"media":"M","size":"5"})", "size");
        bad("size negative", R"({"media":"M","size":-1})", "size");
        bad("sha256 a number", R"({"media":"M","sha256":1})", "sha256");
        bad("width a string", R"({"media":"M","width":"800"})", "width");
        bad("width too large", R"({"media":"M","width":1000001})", "width");
        bad("height negative", R"({"media":"M","height":-1})", "height");
        bad("height a fraction", R"({"media":"M","height":1.5})", "height");
        bad("duration a string", R"({"media":"M","duration_ms":"10s"})", "duration_ms");
        bad("thumbnail an object", R"({"media":"M","thumbnail":{}})", "thumbnail");
        bad("thumbnail too long",
            QByteArray("{\"media\":\"M\",\"thumbnail\":\"" + QByteArray(8193, 'a') + "\"}")
                .constData(),
            "thumbnail");
    }

    void decoding()
    {
        QFETCH(QJsonObject, object);
        QFETCH(bool, unsent);
        QFETCH(QString, names);
        const auto decode = unsent ? &Attachment::decodeUnsent : &Attachment::decode;
        const Result<Attachment> attachment = decode(object);
        if (names.isEmpty()) {
            QVERIFY2(attachment, qPrintable(attachment ? QString() : attachment.error().message));
            const Result<Attachment> again = decode(attachment->encode());
            QVERIFY2(again, qPrintable(again ? QString() : again.error().message));
            QCOMPARE(*again, *attachment);
            return;
        }
        QVERIFY2(!attachment, "decoded what it must refuse");
        QCOMPARE(attachment.error().code, ErrorCode::BadRequest);
        QVERIFY2(attachment.error().message.contains(u"'"_s + names + u"'"_s),
                 qPrintable(attachment.error().message));
    }

    void readsEveryField()
    {
        const auto attachment = Attachment::decode(withMedia(
            R"({"media":"M","name":"clip.webm","type":"video/webm","size":4096,"sha256":"ab",
                "width":320,"height":240,"duration_ms":9900,"thumbnail":"/9j/","caption":"hi"})"));
        QVERIFY(attachment);
        QCOMPARE(attachment->media, QString::fromLatin1(kMedia));
        QCOMPARE(attachment->name, u"clip.webm"_s);
        QCOMPARE(attachment->type, u"video/webm"_s);
        QCOMPARE(attachment->size, qint64(4096));
        QCOMPARE(attachment->sha256, u"ab"_s);
        QCOMPARE(attachment->width, 320);
        QCOMPARE(attachment->height, 240);
        QCOMPARE(attachment->durationMs, qint64(9900));
        QCOMPARE(attachment->thumbnail, u"/9j/"_s);
        QCOMPARE(attachment->others, json(R"({"caption":"hi"})"));
    }

    void encodesWhatItRead()
    {
        // Every member comes back as it was sent, the ones it does not know too.
        const QJsonObject sent = withMedia(
            R"({"media":"M","name":"cat.png","type":"image/png","size":5120,"sha256":"ab",
                "width":800,"height":600,"duration_ms":0,"thumbnail":"/9j/","spoiler":true,
                "crop":{"x":1}})");
        QJsonObject expected = sent;
        expected.remove(u"duration_ms"_s); // 0: not given
        QCOMPARE(Attachment::decode(sent).value().encode(), expected);
        QCOMPARE(Attachment::decodeUnsent(json(R"({"name":"a.txt"})")).value().encode(),
                 json(R"({"name":"a.txt"})"));
    }

    void attachmentsOfAMessage()
    {
        const auto state = MessageState::decode(
            withMedia(R"({"text":"","attachments":[{"media":"M","name":"a"},{"media":"M"}]})"));
        QVERIFY(state);
        const auto attachments = attachmentsOf(*state);
        QVERIFY(attachments);
        QCOMPARE(attachments->size(), 2);
        QCOMPARE(attachments->first().name, u"a"_s);
        QVERIFY(attachmentsOf(MessageState{}).value().isEmpty());

        const auto bad = MessageState::decode(
            withMedia(R"({"attachments":[{"media":"M"},{"media":"M","width":"wide"}]})"));
        QVERIFY(bad); // a message checks only that its attachments are objects
        const auto refused = attachmentsOf(*bad);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(u"'attachments'"_s)
                     && refused.error().message.contains(u"'width'"_s),
                 qPrintable(refused.error().message));
    }
};

QTEST_GUILESS_MAIN(TestProtocolAttachment)
#include "tst_protocol_attachment.moc"
