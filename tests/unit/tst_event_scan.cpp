// The loader's reading of event frames without a JSON parse (tools/bench/event_scan.h):
// it must read the relay's own frames as a parse would, and hand anything else back.
#include "bench/event_scan.h"

#include <QtTest>

using namespace tidings::bench;

namespace {

/// JSON written with ' for " (moc misreads raw strings with quotes in them).
QByteArray json(const char *text)
{
    return QByteArray(text).replace('\'', '"');
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
    }

    void whatItCannotReadIsHandedBack()
    {
        QFETCH(QByteArray, frame);
        QVERIFY(!scanEvent(frame));
    }
};

QTEST_APPLESS_MAIN(TestEventScan)
#include "tst_event_scan.moc"
