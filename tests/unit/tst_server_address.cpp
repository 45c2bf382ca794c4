#include "core/server_address.h"

#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace Qt::StringLiterals;

class TestServerAddress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesWhatUsersType_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("http");
        QTest::addColumn<QString>("webSocket");

        QTest::newRow("bare host is https")
            << u"chat.example.org"_s << u"https://chat.example.org"_s
            << u"wss://chat.example.org/ws"_s;
        QTest::newRow("trailing slash and spaces")
            << u"  https://chat.example.org/ "_s << u"https://chat.example.org"_s
            << u"wss://chat.example.org/ws"_s;
        QTest::newRow("localhost defaults to 8420")
            << u"localhost"_s << u"http://localhost:8420"_s << u"ws://localhost:8420/ws"_s;
        QTest::newRow("loopback with port")
            << u"127.0.0.1:9000"_s << u"http://127.0.0.1:9000"_s << u"ws://127.0.0.1:9000/ws"_s;
        QTest::newRow("explicit http keeps port 80")
            << u"http://localhost"_s << u"http://localhost"_s << u"ws://localhost/ws"_s;
        QTest::newRow("ws url") << u"ws://10.0.0.2:8420/ws"_s << u"http://10.0.0.2:8420"_s
                                << u"ws://10.0.0.2:8420/ws"_s;
        QTest::newRow("wss url") << u"wss://chat.example.org/ws"_s << u"https://chat.example.org"_s
                                 << u"wss://chat.example.org/ws"_s;
        QTest::newRow("path prefix behind a proxy")
            << u"https://example.org/tidings/"_s << u"https://example.org/tidings"_s
            << u"wss://example.org/tidings/ws"_s;
        QTest::newRow("host case") << u"Chat.Example.ORG"_s << u"https://chat.example.org"_s
                                   << u"wss://chat.example.org/ws"_s;
        QTest::newRow("ipv6 loopback")
            << u"[::1]:8420"_s << u"http://[::1]:8420"_s << u"ws://[::1]:8420/ws"_s;
        QTest::newRow("query dropped")
            << u"https://chat.example.org/?x=1#y"_s << u"https://chat.example.org"_s
            << u"wss://chat.example.org/ws"_s;
    }

    void parsesWhatUsersType()
    {
        QFETCH(QString, input);
        QFETCH(QString, http);
        QFETCH(QString, webSocket);
        const auto address = ServerAddress::parse(input);
        QVERIFY2(address.ok(), address.ok() ? "" : qPrintable(address.error().message));
        QCOMPARE(address->toString(), http);
        QCOMPARE(address->webSocketUrl().toString(), webSocket);
        QCOMPARE(address->endpoint(u"/healthz"_s).toString(), http + u"/healthz"_s);
        // Canonical form parses to itself.
        QCOMPARE(ServerAddress::parse(address->toString())->toString(), http);
    }

    void rejectsWhatIsNotAnAddress_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("empty") << u""_s << u"Enter"_s;
        QTest::newRow("blank") << u"   "_s << u"Enter"_s;
        QTest::newRow("ftp") << u"ftp://example.org"_s << u"ftp://"_s;
        QTest::newRow("credentials") << u"https://bob:pw@example.org"_s << u"password"_s;
        QTest::newRow("no host") << u"https://"_s << u"not a server address"_s;
        QTest::newRow("spaces inside") << u"chat example org"_s << u"not a server address"_s;
    }

    void rejectsWhatIsNotAnAddress()
    {
        QFETCH(QString, input);
        QFETCH(QString, mentions);
        const auto address = ServerAddress::parse(input);
        QVERIFY(!address.ok());
        QCOMPARE(address.error().code, ErrorCode::BadRequest);
        QVERIFY2(address.error().message.contains(mentions), qPrintable(address.error().message));
    }
};

QTEST_GUILESS_MAIN(TestServerAddress)
#include "tst_server_address.moc"
