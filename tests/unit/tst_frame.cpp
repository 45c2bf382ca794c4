#include "protocol/frame.h"
#include "protocol/json_writer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <limits>

using namespace tidings;
using namespace tidings::protocol;
using namespace Qt::StringLiterals;

class TestFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesWellFormedFrames_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("id");
        QTest::addColumn<QJsonObject>("fields");

        QTest::newRow("request") << QByteArray(R"({"type":"send","id":"r1","text":"hi"})")
                                 << u"send"_s << u"r1"_s << QJsonObject{{u"text"_s, u"hi"_s}};
        QTest::newRow("event without id")
            << QByteArray(R"({"type":"typing"})") << u"typing"_s << QString() << QJsonObject{};
        QTest::newRow("dotted type") << QByteArray(R"({"type":"group.add","id":"7"})")
                                     << u"group.add"_s << u"7"_s << QJsonObject{};
        QTest::newRow("unknown members are kept")
            << QByteArray(R"({"type":"x","future":[1,2],"n":null})") << u"x"_s << QString()
            << QJsonObject{{u"future"_s, QJsonArray{1, 2}}, {u"n"_s, QJsonValue::Null}};
        QTest::newRow("utf-8 text") << QByteArray(R"({"type":"send","id":"é","text":"日本 🎉"})")
                                    << u"send"_s << u"é"_s << QJsonObject{{u"text"_s, u"日本 🎉"_s}};
        QTest::newRow("whitespace around")
            << QByteArray(" \n{\"type\":\"a\"}\n ") << u"a"_s << QString() << QJsonObject{};
    }

    void decodesWellFormedFrames()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, type);
        QFETCH(QString, id);
        QFETCH(QJsonObject, fields);

        const auto frame = decodeFrame(bytes, 1024);
        QVERIFY2(frame.ok(), frame.ok() ? "" : qPrintable(frame.error().message));
        QCOMPARE(frame->type, type);
        QCOMPARE(frame->id, id);
        QCOMPARE(frame->fields, fields);
    }

    void rejectsMalformedFrames_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QString>("mentions");

        QTest::newRow("empty") << QByteArray() << ErrorCode::BadRequest << u"JSON"_s;
        QTest::newRow("not json") << QByteArray("hello") << ErrorCode::BadRequest << u"JSON"_s;
        QTest::newRow("truncated")
            << QByteArray(R"({"type":"send")") << ErrorCode::BadRequest << u"JSON"_s;
        QTest::newRow("array") << QByteArray(R"([{"type":"send"}])") << ErrorCode::BadRequest
                               << u"object"_s;
        QTest::newRow("string") << QByteArray(R"("send")") << ErrorCode::BadRequest << u"JSON"_s;
        QTest::newRow("no type") << QByteArray(R"({"id":"1"})") << ErrorCode::BadRequest
                                 << u"type"_s;
        QTest::newRow("type is number")
            << QByteArray(R"({"type":5})") << ErrorCode::BadRequest << u"type"_s;
        QTest::newRow("type is null")
            << QByteArray(R"({"type":null})") << ErrorCode::BadRequest << u"type"_s;
        QTest::newRow("empty type")
            << QByteArray(R"({"type":""})") << ErrorCode::BadRequest << u"type"_s;
        QTest::newRow("upper-case type")
            << QByteArray(R"({"type":"Send"})") << ErrorCode::BadRequest << u"type"_s;
        QTest::newRow("type with space")
            << QByteArray(R"({"type":"a b"})") << ErrorCode::BadRequest << u"type"_s;
        QTest::newRow("type too long") << (QByteArray(R"({"type":")") + QByteArray(65, 'a') + "\"}")
                                       << ErrorCode::BadRequest << u"type"_s;
        QTest::newRow("id is number")
            << QByteArray(R"({"type":"a","id":1})") << ErrorCode::BadRequest << u"id"_s;
        QTest::newRow("id is object")
            << QByteArray(R"({"type":"a","id":{}})") << ErrorCode::BadRequest << u"id"_s;
        QTest::newRow("empty id") << QByteArray(R"({"type":"a","id":""})") << ErrorCode::BadRequest
                                  << u"id"_s;
        QTest::newRow("id too long")
            << (QByteArray(R"({"type":"a","id":")") + QByteArray(65, 'x') + "\"}")
            << ErrorCode::BadRequest << u"id"_s;
        QTest::newRow("invalid utf-8") << QByteArray("{\"type\":\"a\",\"t\":\"\xff\xfe\"}")
                                       << ErrorCode::BadRequest << u"JSON"_s;
        QTest::newRow("too large")
            << (QByteArray(R"({"type":"a","t":")") + QByteArray(2000, 'x') + "\"}")
            << ErrorCode::TooLarge << u"1024"_s;
    }

    void rejectsMalformedFrames()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(ErrorCode, code);
        QFETCH(QString, mentions);

        const auto frame = decodeFrame(bytes, 1024);
        QVERIFY(!frame.ok());
        QCOMPARE(frame.error().code, code);
        QVERIFY2(frame.error().message.contains(mentions), qPrintable(frame.error().message));
    }

    void aRefusedFrameStillNamesItsId()
    {
        QString id;
        QVERIFY(!decodeFrame(R"({"id":"r9","type":7})", 1024, &id));
        QCOMPARE(id, u"r9"_s);
        id.clear();
        QVERIFY(!decodeFrame(R"({"id":"r9"})", 1024, &id));
        QCOMPARE(id, u"r9"_s);
        id.clear();
        QVERIFY(!decodeFrame(R"({"id":9,"type":"x"})", 1024, &id));
        QVERIFY(id.isEmpty()); // not a valid id: nothing to name
        QVERIFY(!decodeFrame(R"({"id":"r9",)", 1024, &id));
        QVERIFY(id.isEmpty()); // not JSON: no id can be read
    }

    void deepNestingIsRejectedNotACrash()
    {
        const QByteArray bytes
            = "{\"type\":\"a\",\"x\":" + QByteArray(5000, '[') + QByteArray(5000, ']') + "}";
        const auto frame = decodeFrame(bytes, bytes.size());
        QVERIFY(!frame.ok());
        QCOMPARE(frame.error().code, ErrorCode::BadRequest);
    }

    void encodeThenDecodeIsIdentity()
    {
        Frame frame;
        frame.type = u"send"_s;
        frame.id = u"req-9"_s;
        frame.fields = QJsonObject{{u"conversation"_s, u"c1"_s},
                                   {u"text"_s, u"line\n\"quoted\""_s},
                                   {u"n"_s, 3},
                                   {u"list"_s, QJsonArray{true, QJsonValue::Null}}};
        const QByteArray bytes = encodeFrame(frame);
        QVERIFY(!bytes.contains('\n')); // compact: one frame, one line
        const auto decoded = decodeFrame(bytes, 1 << 20);
        QVERIFY(decoded.ok());
        QCOMPARE(*decoded, frame);
    }

    void aLeadingByteOrderMarkSurvives()
    {
        // Qt reads a string that opens with a raw U+FEFF without it: it goes escaped.
        Frame frame;
        frame.type = u"send"_s;
        frame.fields = QJsonObject{{u"\uFEFFkey"_s, u"\uFEFFtext"_s}};
        const QByteArray bytes = encodeFrame(frame);
        QVERIFY(bytes.contains("\\ufeff"));
        const auto decoded = decodeFrame(bytes, 1 << 20);
        QVERIFY(decoded.ok());
        QCOMPARE(*decoded, frame);
    }

    void aRawByteOrderMarkDoesNotHideAName()
    {
        // Raw, Qt would look "\uFEFFid" up as itself and hand it out as "id".
        const auto decoded
            = decodeFrame("{\"type\":\"send\",\"\xEF\xBB\xBFid\":\"\xEF\xBB\xBFx\"}", 1 << 20);
        QVERIFY(decoded.ok());
        QVERIFY(decoded->id.isEmpty());
        QCOMPARE(decoded->fields.keys(), QStringList{u"\uFEFFid"_s});
        QCOMPARE(decoded->fields.value(u"\uFEFFid"_s).toString(), u"\uFEFFx"_s);
        QCOMPARE(decodeFrame(encodeFrame(*decoded), 1 << 20).value(), *decoded);
    }

    void eventsEncodeWithoutId()
    {
        Frame frame;
        frame.type = u"presence"_s;
        const QJsonObject object = QJsonDocument::fromJson(encodeFrame(frame)).object();
        QVERIFY(!object.contains(u"id"_s));
        QCOMPARE(object.value(u"type"_s).toString(), u"presence"_s);
    }

    void jsonWriterWritesWhatQtWrites_data()
    {
        QTest::addColumn<QJsonObject>("object");
        QString controls;
        for (char16_t c = 0; c < 0x20; ++c)
            controls.append(QChar(c));
        QTest::newRow("empty") << QJsonObject{};
        QTest::newRow("escapes") << QJsonObject{{u"s"_s, u"quote \" back \\ slash / end"_s},
                                                {u"controls"_s, QString(controls + u"\u007f"_s)}};
        QTest::newRow("unicode") << QJsonObject{
            {u"t"_s, u"日本 🎉 é"_s}, {u"kéy \"x\""_s, u"v"_s}, {u"ascii after"_s, u"é\nplain"_s}};
        QTest::newRow("numbers") << QJsonObject{{u"zero"_s, 0},
                                                {u"negative"_s, -42},
                                                {u"big"_s, qint64(9007199254740993)},
                                                {u"min"_s, std::numeric_limits<qint64>::min() + 1},
                                                {u"fraction"_s, 0.1},
                                                {u"integral double"_s, 3.0},
                                                {u"tiny"_s, -1.5e-300},
                                                {u"huge"_s, 1e300}};
        QTest::newRow("non-finite")
            << QJsonObject{{u"inf"_s, std::numeric_limits<double>::infinity()},
                           {u"nan"_s, std::numeric_limits<double>::quiet_NaN()}};
        QTest::newRow("nested") << QJsonObject{
            {u"a"_s,
             QJsonArray{1, u"two"_s, QJsonArray{}, QJsonObject{}, true, false, QJsonValue::Null}},
            {u"o"_s, QJsonObject{{u"x"_s, QJsonObject{{u"y"_s, QJsonArray{QJsonObject{}}}}}}}};
    }

    void jsonWriterWritesWhatQtWrites()
    {
        // Byte for byte what QJsonDocument writes, so that no peer can tell the difference.
        QFETCH(QJsonObject, object);
        QCOMPARE(json::encode(object), QJsonDocument(object).toJson(QJsonDocument::Compact));
    }

    void encodedFramesPutTheirOwnTypeAndIdFirst()
    {
        Frame frame;
        frame.type = u"result"_s;
        frame.id = u"r\"1"_s;
        frame.fields = {{u"type"_s, u"spoof"_s}, {u"id"_s, u"spoof"_s}, {u"a"_s, 1}};
        QCOMPARE(encodeFrame(frame), QByteArray("{\"type\":\"result\",\"id\":\"r\\\"1\",\"a\":1}"));
        frame.id.clear();
        QCOMPARE(encodeFrame(frame), QByteArray(R"({"type":"result","a":1,"id":"spoof"})"));
        frame.fields = {};
        QCOMPARE(encodeFrame(frame), QByteArray(R"({"type":"result"})"));
    }

    void errorFrameCarriesCodeAndMessage()
    {
        const Frame frame = errorFrame(u"r2"_s, Error{ErrorCode::RateLimited, u"slow down"_s});
        const QJsonObject object = QJsonDocument::fromJson(encodeFrame(frame)).object();
        QCOMPARE(object.value(u"type"_s).toString(), u"error"_s);
        QCOMPARE(object.value(u"id"_s).toString(), u"r2"_s);
        QCOMPARE(object.value(u"code"_s).toString(), u"rate_limited"_s);
        QCOMPARE(object.value(u"message"_s).toString(), u"slow down"_s);
    }
};

QTEST_GUILESS_MAIN(TestFrame)
#include "tst_frame.moc"
