// Linking a device as typed values (common/protocol/messages/device_link.h): each request,
// result and event decodes what docs/protocol.md (sections 4 and 5, "End-to-end encryption:
// linking a device") allows, refuses what it does not with the code and the field named, and
// encodes to what decodes back to itself; and the spec names these types.
#include "protocol/messages/catalog.h"
#include "protocol/messages/device_link.h"
#include "protocol/messages/events.h"

#include "support/protocol_spec.h"
#include "support/protocol_values.h"

#include <QFile>
#include <QJsonArray>
#include <QtTest>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

const QString kOffer = u"5e0c9a2f4b7d41c8a3e6f0d2b9c1a784"_s;

/// Bytes that spell differently in base64 and base64url, in base64url.
QString base64url(qsizetype size)
{
    return QString::fromLatin1(QByteArray(size, char(0xff)).toBase64()).replace(u'/', u'_');
}

QJsonObject offerLink()
{
    return {{u"password"_s, u"correct horse"_s}, {u"ephemeral"_s, b64(32)}};
}

QJsonObject linkOffered()
{
    return {{u"offer"_s, kOffer}, {u"expires_at"_s, 1795000600000LL}};
}

QJsonObject linkFound()
{
    return {{u"offer"_s, kOffer},
            {u"ephemeral"_s, b64(32)},
            {u"device"_s, 2718281828LL},
            {u"expires_at"_s, 1795000600000LL}};
}

QJsonObject answerLink(const QJsonValue &box = b64(200, 2))
{
    return {{u"offer"_s, kOffer}, {u"ephemeral"_s, b64(32, 3)}, {u"box"_s, box}};
}

QJsonObject completeLink(const QJsonValue &box = b64(3000, 4))
{
    return {{u"offer"_s, kOffer}, {u"box"_s, box}};
}

QJsonObject cancelLink()
{
    return {{u"offer"_s, kOffer}};
}

/// Decodes `fields` as what `type` names and, when it decodes, checks that its encoding
/// decodes to the same value. The error, if any.
std::optional<Error> decodeAs(const QString &type, const QJsonObject &fields)
{
    if (type == QLatin1StringView(OfferLink::kType))
        return roundTrip<OfferLink>(fields);
    if (type == QLatin1StringView(FindLink::kType))
        return roundTrip<FindLink>(fields);
    if (type == QLatin1StringView(AnswerLink::kType))
        return roundTrip<AnswerLink>(fields);
    if (type == QLatin1StringView(CompleteLink::kType))
        return roundTrip<CompleteLink>(fields);
    if (type == QLatin1StringView(CancelLink::kType))
        return roundTrip<CancelLink>(fields);
    if (type == u"link.offer result")
        return roundTrip<LinkOffered>(fields);
    if (type == u"link.find result")
        return roundTrip<LinkFound>(fields);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

} // namespace

class TestProtocolDeviceLink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("code"); // empty: decodes
        QTest::addColumn<QString>("names"); // the fields the error names, comma-separated

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString() << QString();
        };
        const auto bad = [](const char *name, const char *type, const QJsonObject &fields,
                            const char *code, const char *names) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString::fromLatin1(code)
                                << QString::fromLatin1(names);
        };
        const qsizetype answerMost = AnswerLink::kMaxBoxBytes;
        const qsizetype completeMost = CompleteLink::kMaxBoxBytes;

        // link.offer
        ok("offer", "link.offer", offerLink());
        ok("offer password of 1 byte", "link.offer", with(offerLink(), u"password"_s, u"x"_s));
        ok("offer password of 1024 bytes", "link.offer",
           with(offerLink(), u"password"_s, QString(1024, u'x')));
        ok("offer password of 1024 bytes in 512 characters", "link.offer",
           with(offerLink(), u"password"_s, QString(512, u'é')));
        ok("offer password of spaces", "link.offer", with(offerLink(), u"password"_s, u"   "_s));
        ok("offer more fields", "link.offer", with(offerLink(), u"device"_s, 7));
        bad("offer no password", "link.offer", without(offerLink(), u"password"_s), "bad_request",
            "password");
        bad("offer password null", "link.offer", with(offerLink(), u"password"_s, QJsonValue()),
            "bad_request", "password");
        bad("offer password empty", "link.offer", with(offerLink(), u"password"_s, u""_s),
            "bad_request", "password");
        bad("offer password of 1025 bytes", "link.offer",
            with(offerLink(), u"password"_s, QString(1025, u'x')), "bad_request", "password");
        bad("offer password of 1026 bytes in 513 characters", "link.offer",
            with(offerLink(), u"password"_s, QString(513, u'é')), "bad_request", "password");
        bad("offer password number", "link.offer", with(offerLink(), u"password"_s, 1234),
            "bad_request", "password");
        bad("offer password array", "link.offer",
            with(offerLink(), u"password"_s, QJsonArray{u"pw"_s}), "bad_request", "password");
        bad("offer no ephemeral", "link.offer", without(offerLink(), u"ephemeral"_s), "bad_request",
            "ephemeral");
        bad("offer ephemeral null", "link.offer", with(offerLink(), u"ephemeral"_s, QJsonValue()),
            "bad_request", "ephemeral");
        bad("offer ephemeral number", "link.offer", with(offerLink(), u"ephemeral"_s, 32),
            "bad_request", "ephemeral");
        bad("offer ephemeral empty", "link.offer", with(offerLink(), u"ephemeral"_s, u""_s),
            "bad_request", "ephemeral");
        bad("offer ephemeral of 31 bytes", "link.offer", with(offerLink(), u"ephemeral"_s, b64(31)),
            "bad_request", "ephemeral");
        bad("offer ephemeral of 33 bytes", "link.offer", with(offerLink(), u"ephemeral"_s, b64(33)),
            "bad_request", "ephemeral");
        bad("offer ephemeral of 64 bytes", "link.offer", with(offerLink(), u"ephemeral"_s, b64(64)),
            "bad_request", "ephemeral");
        bad("offer ephemeral unpadded", "link.offer",
            with(offerLink(), u"ephemeral"_s, b64(32).chopped(1)), "bad_request", "ephemeral");
        bad("offer ephemeral stray bits", "link.offer",
            with(offerLink(), u"ephemeral"_s, strayBits(b64(32))), "bad_request", "ephemeral");
        bad("offer ephemeral base64url", "link.offer",
            with(offerLink(), u"ephemeral"_s, base64url(32)), "bad_request", "ephemeral");
        bad("offer ephemeral hex", "link.offer",
            with(offerLink(), u"ephemeral"_s, QString::fromLatin1(bytes(32).toHex())),
            "bad_request", "ephemeral");

        // link.find
        ok("find", "link.find", j("{}"));
        ok("find more fields", "link.find", j("{'offer':'x','device':0}"));

        // link.answer
        ok("answer", "link.answer", answerLink());
        ok("answer box of 1 byte", "link.answer", answerLink(b64(1)));
        ok("answer box of 2 bytes", "link.answer", answerLink(b64(2)));
        ok("answer box of 4 KiB", "link.answer", answerLink(b64(answerMost)));
        ok("answer box of 4 KiB - 1", "link.answer", answerLink(b64(answerMost - 1)));
        ok("answer box of 4 KiB - 2", "link.answer", answerLink(b64(answerMost - 2)));
        ok("answer offer of digits", "link.answer",
           with(answerLink(), u"offer"_s, QString(32, u'0')));
        ok("answer more fields", "link.answer", with(answerLink(), u"device"_s, 7));
        bad("answer no offer", "link.answer", without(answerLink(), u"offer"_s), "bad_request",
            "offer");
        bad("answer offer null", "link.answer", with(answerLink(), u"offer"_s, QJsonValue()),
            "bad_request", "offer");
        bad("answer offer empty", "link.answer", with(answerLink(), u"offer"_s, u""_s),
            "bad_request", "offer");
        bad("answer offer number", "link.answer", with(answerLink(), u"offer"_s, 5), "bad_request",
            "offer");
        bad("answer offer in upper case", "link.answer",
            with(answerLink(), u"offer"_s, kOffer.toUpper()), "bad_request", "offer");
        bad("answer offer of 31 digits", "link.answer",
            with(answerLink(), u"offer"_s, kOffer.chopped(1)), "bad_request", "offer");
        bad("answer offer of 33 digits", "link.answer",
            with(answerLink(), u"offer"_s, QString(kOffer + u"0"_s)), "bad_request", "offer");
        bad("answer offer not hex", "link.answer",
            with(answerLink(), u"offer"_s, QString(32, u'g')), "bad_request", "offer");
        bad("answer offer with a dash", "link.answer",
            with(answerLink(), u"offer"_s, QString(kOffer.left(31) + u"-"_s)), "bad_request",
            "offer");
        bad("answer no ephemeral", "link.answer", without(answerLink(), u"ephemeral"_s),
            "bad_request", "ephemeral");
        bad("answer ephemeral of 31 bytes", "link.answer",
            with(answerLink(), u"ephemeral"_s, b64(31)), "bad_request", "ephemeral");
        bad("answer ephemeral of 33 bytes", "link.answer",
            with(answerLink(), u"ephemeral"_s, b64(33)), "bad_request", "ephemeral");
        bad("answer ephemeral stray bits", "link.answer",
            with(answerLink(), u"ephemeral"_s, strayBits(b64(32))), "bad_request", "ephemeral");
        bad("answer no box", "link.answer", without(answerLink(), u"box"_s), "bad_request", "box");
        bad("answer box null", "link.answer", answerLink(QJsonValue()), "bad_request", "box");
        bad("answer box empty", "link.answer", answerLink(u""_s), "bad_request", "box");
        bad("answer box number", "link.answer", answerLink(12), "bad_request", "box");
        bad("answer box object", "link.answer", answerLink(QJsonObject()), "bad_request", "box");
        bad("answer box not base64", "link.answer", answerLink(u"%%%%"_s), "bad_request", "box");
        bad("answer box unpadded", "link.answer", answerLink(b64(100).chopped(2)), "bad_request",
            "box");
        bad("answer box stray bits", "link.answer", answerLink(strayBits(b64(100))), "bad_request",
            "box");
        bad("answer box with a newline", "link.answer",
            answerLink(QString(b64(99).left(20) + u"\n"_s + b64(99).mid(20))), "bad_request",
            "box");
        bad("answer box base64url", "link.answer", answerLink(base64url(30)), "bad_request", "box");
        bad("answer box of 4 KiB + 1", "link.answer", answerLink(b64(answerMost + 1)), "too_large",
            "box");
        bad("answer box of 4 KiB + 2", "link.answer", answerLink(b64(answerMost + 2)), "too_large",
            "box");
        bad("answer box of 4 KiB + 3", "link.answer", answerLink(b64(answerMost + 3)), "too_large",
            "box");
        bad("answer box of 64 KiB", "link.answer", answerLink(b64(completeMost)), "too_large",
            "box");
        bad("answer box of 1 MiB not base64", "link.answer", answerLink(QString(1024 * 1024, u'!')),
            "too_large", "box");

        // link.complete
        ok("complete", "link.complete", completeLink());
        ok("complete box of 1 byte", "link.complete", completeLink(b64(1)));
        ok("complete box of 64 KiB", "link.complete", completeLink(b64(completeMost)));
        ok("complete box of 64 KiB - 1", "link.complete", completeLink(b64(completeMost - 1)));
        ok("complete more fields", "link.complete", with(completeLink(), u"ephemeral"_s, 1));
        bad("complete no offer", "link.complete", without(completeLink(), u"offer"_s),
            "bad_request", "offer");
        bad("complete offer in upper case", "link.complete",
            with(completeLink(), u"offer"_s, kOffer.toUpper()), "bad_request", "offer");
        bad("complete offer of 31 digits", "link.complete",
            with(completeLink(), u"offer"_s, kOffer.chopped(1)), "bad_request", "offer");
        bad("complete offer array", "link.complete",
            with(completeLink(), u"offer"_s, QJsonArray{kOffer}), "bad_request", "offer");
        bad("complete no box", "link.complete", without(completeLink(), u"box"_s), "bad_request",
            "box");
        bad("complete box empty", "link.complete", completeLink(u""_s), "bad_request", "box");
        bad("complete box number", "link.complete", completeLink(1), "bad_request", "box");
        bad("complete box unpadded", "link.complete", completeLink(b64(3001).chopped(1)),
            "bad_request", "box");
        bad("complete box stray bits", "link.complete", completeLink(strayBits(b64(3001))),
            "bad_request", "box");
        bad("complete box not base64", "link.complete", completeLink(u"a b c d"_s), "bad_request",
            "box");
        bad("complete box of 64 KiB + 1", "link.complete", completeLink(b64(completeMost + 1)),
            "too_large", "box");
        bad("complete box of 64 KiB + 2", "link.complete", completeLink(b64(completeMost + 2)),
            "too_large", "box");
        bad("complete box of 64 KiB + 3", "link.complete", completeLink(b64(completeMost + 3)),
            "too_large", "box");
        bad("complete box of 1 MiB", "link.complete", completeLink(b64(1024 * 1024)), "too_large",
            "box");
        bad("complete box of 1 MiB not base64", "link.complete",
            completeLink(QString(1024 * 1024, u'!')), "too_large", "box");

        // link.cancel
        ok("cancel", "link.cancel", cancelLink());
        ok("cancel more fields", "link.cancel", with(cancelLink(), u"box"_s, u"x"_s));
        bad("cancel no offer", "link.cancel", j("{}"), "bad_request", "offer");
        bad("cancel offer null", "link.cancel", j("{'offer':null}"), "bad_request", "offer");
        bad("cancel offer empty", "link.cancel", j("{'offer':''}"), "bad_request", "offer");
        bad("cancel offer number", "link.cancel", j("{'offer':12}"), "bad_request", "offer");
        bad("cancel offer in upper case", "link.cancel",
            with(cancelLink(), u"offer"_s, kOffer.toUpper()), "bad_request", "offer");
        bad("cancel offer of 33 digits", "link.cancel",
            with(cancelLink(), u"offer"_s, QString(kOffer + u"a"_s)), "bad_request", "offer");
        bad("cancel offer with spaces", "link.cancel",
            with(cancelLink(), u"offer"_s, QString(u" "_s + kOffer.chopped(1))), "bad_request",
            "offer");
    }

    void requests()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, code);
        QFETCH(QString, names);
        expectOutcome(decodeAs(type, fields), code, names);
    }

    void replies_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("names"); // empty: decodes; else what the BadRequest names

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString();
        };
        const auto bad
            = [](const char *name, const char *type, const QJsonObject &fields, const char *names) {
                  QTest::newRow(name)
                      << QString::fromLatin1(type) << fields << QString::fromLatin1(names);
              };

        // link.offer's result
        ok("offered", "link.offer result", linkOffered());
        ok("offered expiring at 0", "link.offer result", with(linkOffered(), u"expires_at"_s, 0));
        ok("offered expiring at 2^53-1", "link.offer result",
           with(linkOffered(), u"expires_at"_s, 9007199254740991LL));
        ok("offered more fields", "link.offer result", with(linkOffered(), u"device"_s, 1));
        bad("offered without offer", "link.offer result", without(linkOffered(), u"offer"_s),
            "offer");
        bad("offered offer in upper case", "link.offer result",
            with(linkOffered(), u"offer"_s, kOffer.toUpper()), "offer");
        bad("offered offer number", "link.offer result", with(linkOffered(), u"offer"_s, 1),
            "offer");
        bad("offered without expires_at", "link.offer result",
            without(linkOffered(), u"expires_at"_s), "expires_at");
        bad("offered expiresAt spelled in camel case", "link.offer result",
            with(without(linkOffered(), u"expires_at"_s), u"expiresAt"_s, 1), "expires_at");
        bad("offered expires_at negative", "link.offer result",
            with(linkOffered(), u"expires_at"_s, -1), "expires_at");
        bad("offered expires_at fraction", "link.offer result",
            with(linkOffered(), u"expires_at"_s, 1.5), "expires_at");
        bad("offered expires_at text", "link.offer result",
            with(linkOffered(), u"expires_at"_s, u"1795000600000"_s), "expires_at");

        // link.find's result
        ok("found", "link.find result", linkFound());
        ok("found device 1", "link.find result", with(linkFound(), u"device"_s, 1));
        ok("found device 2^32-1", "link.find result", with(linkFound(), u"device"_s, 4294967295LL));
        ok("found more fields", "link.find result", with(linkFound(), u"user"_s, 1));
        bad("found without offer", "link.find result", without(linkFound(), u"offer"_s), "offer");
        bad("found offer of 31 digits", "link.find result",
            with(linkFound(), u"offer"_s, kOffer.chopped(1)), "offer");
        bad("found without ephemeral", "link.find result", without(linkFound(), u"ephemeral"_s),
            "ephemeral");
        bad("found ephemeral of 31 bytes", "link.find result",
            with(linkFound(), u"ephemeral"_s, b64(31)), "ephemeral");
        bad("found ephemeral of 33 bytes", "link.find result",
            with(linkFound(), u"ephemeral"_s, b64(33)), "ephemeral");
        bad("found ephemeral stray bits", "link.find result",
            with(linkFound(), u"ephemeral"_s, strayBits(b64(32))), "ephemeral");
        bad("found without device", "link.find result", without(linkFound(), u"device"_s),
            "device");
        bad("found device 0", "link.find result", with(linkFound(), u"device"_s, 0), "device");
        bad("found device negative", "link.find result", with(linkFound(), u"device"_s, -1),
            "device");
        bad("found device 2^32", "link.find result", with(linkFound(), u"device"_s, 4294967296LL),
            "device");
        bad("found device text", "link.find result", with(linkFound(), u"device"_s, u"7"_s),
            "device");
        bad("found without expires_at", "link.find result", without(linkFound(), u"expires_at"_s),
            "expires_at");
        bad("found expires_at negative", "link.find result", with(linkFound(), u"expires_at"_s, -1),
            "expires_at");
    }

    void replies()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, names);
        expectOutcome(decodeAs(type, fields), names.isEmpty() ? QString() : u"bad_request"_s,
                      names);
    }

    void offerIds_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::newRow("relay's") << kOffer << true;
        QTest::newRow("digits") << QString(32, u'9') << true;
        QTest::newRow("letters") << QString(32, u'f') << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("31") << kOffer.chopped(1) << false;
        QTest::newRow("33") << QString(kOffer + u"0"_s) << false;
        QTest::newRow("64") << QString(kOffer + kOffer) << false;
        QTest::newRow("upper case") << kOffer.toUpper() << false;
        QTest::newRow("one upper-case digit") << QString(u"A"_s + kOffer.mid(1)) << false;
        QTest::newRow("g") << QString(kOffer.left(31) + u"g"_s) << false;
        QTest::newRow("space") << QString(kOffer.left(31) + u" "_s) << false;
        QTest::newRow("full-width digit") << QString(kOffer.left(31) + QChar(0xff11)) << false;
        QTest::newRow("uuid") << u"5e0c9a2f-4b7d-41c8-a3e6-f0d2b9c1a784"_s << false;
    }

    void offerIds()
    {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(isLinkOfferId(id), valid);
    }

    void errorsSayWhatTheFieldMustBe()
    {
        QCOMPARE(OfferLink::decode(with(offerLink(), u"password"_s, u""_s)).error().message,
                 u"field 'password' must be a string of 1 to 1024 bytes"_s);
        QCOMPARE(OfferLink::decode(without(offerLink(), u"password"_s)).error().message,
                 u"field 'password' is required"_s);
        QCOMPARE(OfferLink::decode(with(offerLink(), u"ephemeral"_s, b64(31))).error().message,
                 u"field 'ephemeral' must be base64 of 32 bytes"_s);
        QCOMPARE(CancelLink::decode(j("{}")).error().message, u"field 'offer' is required"_s);
        QCOMPARE(CancelLink::decode(j("{'offer':'ABC'}")).error().message,
                 u"field 'offer' must be a link offer id (32 lower-case hex digits)"_s);
        QCOMPARE(AnswerLink::decode(answerLink(u""_s)).error().message,
                 u"field 'box' must be base64 of 1 to 4096 bytes"_s);
        const auto answer = AnswerLink::decode(answerLink(b64(AnswerLink::kMaxBoxBytes + 1)));
        QCOMPARE(answer.error().code, ErrorCode::TooLarge);
        QCOMPARE(answer.error().message, u"field 'box' must be base64 of 1 to 4096 bytes"_s);
        const auto complete
            = CompleteLink::decode(completeLink(b64(CompleteLink::kMaxBoxBytes + 1)));
        QCOMPARE(complete.error().code, ErrorCode::TooLarge);
        QCOMPARE(complete.error().message, u"field 'box' must be base64 of 1 to 65536 bytes"_s);
        QCOMPARE(LinkFound::decode(with(linkFound(), u"device"_s, 0)).error().message,
                 u"field 'device' must be an integer from 1 to 4294967295"_s);
        QCOMPARE(LinkOffered::decode(with(linkOffered(), u"expires_at"_s, -1)).error().message,
                 u"field 'expires_at' must be an integer from 0 to 9007199254740991"_s);
    }

    void fieldsAreCheckedInOrder()
    {
        // The first bad field is the one named, in the order the spec lists them.
        QVERIFY(OfferLink::decode(j("{'password':'','ephemeral':''}"))
                    .error()
                    .message.contains(u"'password'"_s));
        QVERIFY(AnswerLink::decode(j("{'offer':'x','ephemeral':'','box':''}"))
                    .error()
                    .message.contains(u"'offer'"_s));
        QVERIFY(AnswerLink::decode(with(answerLink(u""_s), u"ephemeral"_s, u""_s))
                    .error()
                    .message.contains(u"'ephemeral'"_s));
        QVERIFY(CompleteLink::decode(j("{'offer':'x','box':''}"))
                    .error()
                    .message.contains(u"'offer'"_s));
        QVERIFY(LinkFound::decode(j("{'device':0,'expires_at':-1}"))
                    .error()
                    .message.contains(u"'offer'"_s));
        QVERIFY(LinkFound::decode(with(without(linkFound(), u"ephemeral"_s), u"device"_s, 0))
                    .error()
                    .message.contains(u"'ephemeral'"_s));
        QVERIFY(LinkFound::decode(with(with(linkFound(), u"device"_s, 0), u"expires_at"_s, -1))
                    .error()
                    .message.contains(u"'device'"_s));
        // In order even when a later field is huge: the bad offer is named, not the box.
        QCOMPARE(
            AnswerLink::decode(with(answerLink(QString(1024 * 1024, u'A')), u"offer"_s, u"x"_s))
                .error()
                .code,
            ErrorCode::BadRequest);
    }

    void decodedValues()
    {
        // Bytes, not base64; the device id as the u32 it is.
        QCOMPARE(OfferLink::decode(offerLink()).value(),
                 (OfferLink{u"correct horse"_s, bytes(32)}));
        QCOMPARE(FindLink::decode(j("{}")).value(), FindLink{});
        QCOMPARE(LinkOffered::decode(linkOffered()).value(),
                 (LinkOffered{kOffer, 1795000600000LL}));
        QCOMPARE(LinkFound::decode(linkFound()).value(),
                 (LinkFound{kOffer, bytes(32), 2718281828u, 1795000600000LL}));
        QCOMPARE(LinkFound::decode(with(linkFound(), u"device"_s, 4294967295LL))->device,
                 0xffffffffu);
        QCOMPARE(AnswerLink::decode(answerLink()).value(),
                 (AnswerLink{kOffer, bytes(32, 3), bytes(200, 2)}));
        QCOMPARE(CompleteLink::decode(completeLink()).value(),
                 (CompleteLink{kOffer, bytes(3000, 4)}));
        QCOMPARE(CancelLink::decode(cancelLink()).value(), CancelLink{kOffer});
    }

    void encodingNamesWhatTheSpecNames()
    {
        // What goes on the wire: snake_case names, bytes in padded base64.
        const QByteArray key(32, '\0');
        const QString keyText = QString::fromLatin1(key.toBase64());
        QCOMPARE((OfferLink{u"pw"_s, key}.encode()),
                 (QJsonObject{{u"password"_s, u"pw"_s}, {u"ephemeral"_s, keyText}}));
        QCOMPARE(FindLink{}.encode(), QJsonObject());
        QCOMPARE((LinkOffered{kOffer, 9}.encode()),
                 (QJsonObject{{u"offer"_s, kOffer}, {u"expires_at"_s, 9}}));
        QCOMPARE((LinkFound{kOffer, key, 0xffffffffu, 9}.encode()),
                 (QJsonObject{{u"offer"_s, kOffer},
                              {u"ephemeral"_s, keyText},
                              {u"device"_s, 4294967295LL},
                              {u"expires_at"_s, 9}}));
        QCOMPARE(
            (AnswerLink{kOffer, key, QByteArray("\xff\xfe")}.encode()),
            (QJsonObject{{u"offer"_s, kOffer}, {u"ephemeral"_s, keyText}, {u"box"_s, u"//4="_s}}));
        QCOMPARE((CompleteLink{kOffer, QByteArray("\x01\x02\x03")}.encode()),
                 (QJsonObject{{u"offer"_s, kOffer}, {u"box"_s, u"AQID"_s}}));
        QCOMPARE(CancelLink{kOffer}.encode(), (QJsonObject{{u"offer"_s, kOffer}}));
        QCOMPARE(LinkFound::decode(linkFound())->encode(), linkFound());
        QCOMPARE(AnswerLink::decode(answerLink())->encode(), answerLink());
    }

    void theEventFramesNameTheirTypes()
    {
        // The events carry the fields of the requests of the same names, and decode with them.
        const AnswerLink answer{kOffer, bytes(32, 3), QByteArray("\xff\xfe")};
        QJsonObject frame = eventFrame(answer);
        QCOMPARE(frame, with(answer.encode(), u"type"_s, u"link.answer"_s));
        QCOMPARE(AnswerLink::decode(frame).value(), answer);

        const CompleteLink complete{kOffer, QByteArray("\x01\x02\x03")};
        frame = eventFrame(complete);
        QCOMPARE(frame,
                 (QJsonObject{{u"type"_s, u"link.complete"_s},
                              {u"offer"_s, kOffer},
                              {u"box"_s, u"AQID"_s}}));
        QCOMPARE(CompleteLink::decode(frame).value(), complete);

        const CancelLink cancel{kOffer};
        frame = eventFrame(cancel);
        QCOMPARE(frame, (QJsonObject{{u"type"_s, u"link.cancel"_s}, {u"offer"_s, kOffer}}));
        QCOMPARE(CancelLink::decode(frame).value(), cancel);
    }

    void theSpecNamesExactlyTheseTypes()
    {
        QFile file(qEnvironmentVariable("TIDINGS_SOURCE_DIR") + u"/docs/protocol.md"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString spec = QString::fromUtf8(file.readAll());
        // The requests are the headings from this subsection's own to the next end-to-end
        // encryption subsection or section 5.
        QCOMPARE(headings(spec, u"### End-to-end encryption: linking a device"_s,
                          u"### End-to-end encryption:"_s),
                 setOf(deviceLinkRequests()));
        QCOMPARE(deviceLinkRequests().size(), 5);
        // Its events are section 5's.
        QVERIFY(headings(spec, u"## 5. Events"_s, u"## "_s).contains(setOf(deviceLinkEvents())));
        QCOMPARE(deviceLinkEvents(),
                 (QStringList{u"link.answer"_s, u"link.complete"_s, u"link.cancel"_s}));
        // Both are in the catalog tst_protocol_spec holds against sections 4 and 5.
        QVERIFY(setOf(typedRequests()).contains(setOf(deviceLinkRequests())));
        QVERIFY(setOf(typedEvents()).contains(setOf(deviceLinkEvents())));
        // Section 6 has its limits.
        const QString limits = spec.mid(spec.indexOf(u"\n## 6. Limits"_s));
        QVERIFY(limits.contains(
            u"| open link offers per user | 1 | a new `link.offer` replaces the open one |"_s));
        QVERIFY(limits.contains(u"| a link offer's lifetime | 10 minutes |"_s));
        QVERIFY(limits.contains(u"| a `link.answer` `box` (decoded) | 4 KiB | `too_large` |"_s));
        QVERIFY(limits.contains(u"| a `link.complete` `box` (decoded) | 64 KiB | `too_large` |"_s));
        // docs/encryption.md keeps only a pointer.
        QFile design(qEnvironmentVariable("TIDINGS_SOURCE_DIR") + u"/docs/encryption.md"_s);
        QVERIFY(design.open(QIODevice::ReadOnly));
        QVERIFY(!QString::fromUtf8(design.readAll()).contains(u"\n### `link."_s));
    }

    void typesAreTheSpecs()
    {
        QCOMPARE(QLatin1StringView(OfferLink::kType), "link.offer"_L1);
        QCOMPARE(QLatin1StringView(FindLink::kType), "link.find"_L1);
        QCOMPARE(QLatin1StringView(AnswerLink::kType), "link.answer"_L1);
        QCOMPARE(QLatin1StringView(CompleteLink::kType), "link.complete"_L1);
        QCOMPARE(QLatin1StringView(CancelLink::kType), "link.cancel"_L1);
        QCOMPARE(AnswerLink::kMaxBoxBytes, 4 * 1024);
        QCOMPARE(CompleteLink::kMaxBoxBytes, 64 * 1024);
    }
};

QTEST_GUILESS_MAIN(TestProtocolDeviceLink)
#include "tst_protocol_device_link.moc"
