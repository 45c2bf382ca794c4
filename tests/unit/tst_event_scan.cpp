// The loader's reading of event frames without a JSON parse (tools/bench/event_scan.h):
// it must read the relay's own frames as a parse would, and hand anything else back. And
// the ciphertext-shaped bodies of `throughput --ciphertext` (tools/bench/ciphertext_payload.h)
// that carry the send time for it.
#include "bench/ciphertext_payload.h"
#include "bench/event_scan.h"

#include <QtTest>

#include <limits>

using namespace tidings::bench;

namespace {

/// JSON written with ' for " (moc misreads raw strings with quotes in them).
QByteArray json(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

/// An encrypted message's event as the relay writes it: the body's members in key order.
QByteArray encryptedEvent(const QString &ciphertext)
{
    return json("{'type':'event','conversation':12,'seq':7,'kind':'encrypted','sender':4021,"
                "'time':1765000000000,'client_id':'r1-9','ciphertext':'")
        + ciphertext.toLatin1() + json("','device':2718281828}");
}

/// `bytes` as base64, for ciphertexts the loader did not make.
QByteArray base64Of(std::initializer_list<int> bytes)
{
    QByteArray raw;
    for (const int byte : bytes)
        raw.append(char(byte));
    return raw.toBase64();
}

} // namespace

class TestEventScan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsAMessageEventAsTheRelayWritesIt()
    {
        const auto event = scanEvent(
            json("{'type':'event','conversation':12,'seq':7,'kind':'message','sender':4021,"
                 "'time':1765000000000,'client_id':'r1-9','text':'123456789012'}"));
        QVERIFY(event);
        QVERIFY(event->message);
        QCOMPARE(event->sender, 4021);
        QCOMPARE(event->sentAt, 123456789012);
    }

    void anotherKindIsNotAMessage()
    {
        const auto event = scanEvent(
            json("{'type':'event','conversation':12,'seq':8,'kind':'receipt','sender':4021,"
                 "'time':1765000000000,'text':'5'}"));
        QVERIFY(event);
        QVERIFY(!event->message);
    }

    void theEventsOwnKindCountsNotOneInTheBody()
    {
        // The body's members come after the event's; a nested "kind" must not be read.
        const auto event = scanEvent(
            json("{'type':'event','conversation':1,'seq':2,'kind':'edit','sender':3,'time':4,"
                 "'attachments':[{'kind':'message'}],'text':'5'}"));
        QVERIFY(event);
        QVERIFY(!event->message);
    }

    void readsAnEncryptedMessageEventAsTheRelayWritesIt()
    {
        const CiphertextPayloads payloads;
        const auto event = scanEvent(encryptedEvent(payloads.make(123456789012, 0)));
        QVERIFY(event);
        QVERIFY(event->message);
        QVERIFY(event->encrypted);
        QCOMPARE(event->sender, 4021);
        QCOMPARE(event->sentAt, 123456789012);
    }

    void aPlaintextMessageIsNotEncrypted()
    {
        const auto event
            = scanEvent(json("{'type':'event','conversation':1,'seq':2,'kind':'message',"
                             "'sender':3,'time':4,'text':'5'}"));
        QVERIFY(event);
        QVERIFY(event->message);
        QVERIFY(!event->encrypted);
    }

    void anEncryptedEditIsNotAMessage()
    {
        const CiphertextPayloads payloads;
        const QByteArray frame
            = json("{'type':'event','conversation':1,'seq':9,'kind':'encrypted_edit','sender':3,"
                   "'time':4,'target_seq':7,'ciphertext':'")
            + payloads.make(5, 0).toLatin1() + json("','device':6}");
        const auto event = scanEvent(frame);
        QVERIFY(event);
        QVERIFY(!event->message);
    }

    void aCiphertextIsShapedAsTheAppsAndCarriesItsSendTime_data()
    {
        QTest::addColumn<qint64>("sentAt");
        QTest::addColumn<qint64>("index");
        QTest::newRow("the smallest") << qint64(1) << qint64(0);
        QTest::newRow("a loader's clock") << qint64(123456789012) << qint64(1);
        QTest::newRow("every byte used") << qint64(0x0102030405060708) << qint64(64);
        QTest::newRow("the largest") << std::numeric_limits<qint64>::max() << qint64(1000001);
    }

    void aCiphertextIsShapedAsTheAppsAndCarriesItsSendTime()
    {
        QFETCH(qint64, sentAt);
        QFETCH(qint64, index);
        const CiphertextPayloads payloads;
        const QString ciphertext = payloads.make(sentAt, index);
        // A ~50-byte text padded to 128, the header, the tag and the signature.
        QCOMPARE(ciphertext.size(), 292);
        const QByteArray bytes = QByteArray::fromBase64(
            ciphertext.toLatin1(),
            QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
        QCOMPARE(bytes.size(), CiphertextPayloads::kBytes);
        QCOMPARE(bytes.size(), 217);
        QCOMPARE(bytes.toBase64(), ciphertext.toLatin1()); // the one spelling the relay takes
        QCOMPARE(bytes.at(0), char(1)); // the format's version
        qint64 carried = 0;
        for (int i = 1; i < 9; ++i)
            carried = (carried << 8) | quint8(bytes.at(i));
        QCOMPARE(carried, sentAt);
        QCOMPARE(sentAtOfCiphertext(ciphertext.toLatin1()).value_or(0), sentAt);
    }

    void ciphertextsDifferPastTheirHeader()
    {
        const CiphertextPayloads payloads;
        const QString first = payloads.make(7, 0);
        const QString second = payloads.make(7, 1);
        QCOMPARE(first.left(CiphertextPayloads::kHeaderBase64),
                 second.left(CiphertextPayloads::kHeaderBase64));
        QVERIFY(first != second);
    }

    void aCiphertextWithNoSendTimeIsRefused_data()
    {
        QTest::addColumn<QByteArray>("ciphertext");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("short") << base64Of({1, 0, 0, 0, 0, 0});
        QTest::newRow("another version") << base64Of({2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0});
        QTest::newRow("time zero") << base64Of({1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        QTest::newRow("time negative") << base64Of({1, 0x80, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0});
        QTest::newRow("not base64") << QByteArray("AQAAAAAA\"AAAAAAAAA");
        QTest::newRow("padding in the header") << QByteArray("AQ==AAAAAAAAAAAA");
    }

    void aCiphertextWithNoSendTimeIsRefused()
    {
        QFETCH(QByteArray, ciphertext);
        QVERIFY(!sentAtOfCiphertext(ciphertext));
        QVERIFY(!scanEvent(encryptedEvent(QString::fromLatin1(ciphertext))));
    }

    void whatItCannotReadIsHandedBack_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::newRow("a result") << json("{'type':'result','id':'m1','seq':3}");
        QTest::newRow("members in another order")
            << json("{'kind':'message','type':'event','sender':1,'text':'2'}");
        QTest::newRow("a text that is not a number")
            << json("{'type':'event','kind':'message','sender':1,'text':'hello'}");
        QTest::newRow("digits then more")
            << json("{'type':'event','kind':'message','sender':1,'text':'12ab'}");
        QTest::newRow("no sender") << json("{'type':'event','kind':'message','text':'12'}");
        QTest::newRow("cut short")
            << json("{'type':'event','kind':'message','sender':1,'text':'12");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("encrypted with no ciphertext")
            << json("{'type':'event','kind':'encrypted','sender':1,'device':2}");
        QTest::newRow("encrypted, cut short")
            << json("{'type':'event','kind':'encrypted','sender':1,'ciphertext':'AQAAAA");
    }

    void whatItCannotReadIsHandedBack()
    {
        QFETCH(QByteArray, frame);
        QVERIFY(!scanEvent(frame));
    }
};

QTEST_APPLESS_MAIN(TestEventScan)
#include "tst_event_scan.moc"
