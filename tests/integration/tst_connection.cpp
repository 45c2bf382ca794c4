// The client core's Connection against the real relay — and against servers that
// misbehave on purpose.
#include "core/connection.h"
#include "support/await.h"
#include "support/relay_process.h"

#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>
#include <QWebSocketServer>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

Connection::Options fastOptions()
{
    Connection::Options options;
    options.minimumBackoffMs = 50;
    options.maximumBackoffMs = 400;
    options.heartbeatMs = 500;
    options.requestTimeoutMs = 5000;
    return options;
}

ServerAddress local(quint16 port)
{
    return *ServerAddress::parse(u"127.0.0.1:%1"_s.arg(port));
}

} // namespace

class TestConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void registersAndReconnectsByItself()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        Connection connection(fastOptions());
        QSignalSpy tokens(&connection, &Connection::tokenChanged);
        QSignalSpy signedIn(&connection, &Connection::signedIn);
        connection.setServer(local(relay.port()));
        connection.start();
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), Connection::State::SignedOut, 10000);
        QCOMPARE(connection.welcome().value(u"version"_s).toInt(), 1);
        // Requests that need a session are refused by the relay, not by us.
        QCOMPARE(await(connection.request(u"conversations.list"_s)).error().code,
                 ErrorCode::Unauthorized);

        const auto registered = await(connection.signIn(
            u"register"_s, {{u"username"_s, u"ann"_s}, {u"password"_s, u"correct horse"_s}}));
        QVERIFY(registered.ok());
        QCOMPARE(connection.state(), Connection::State::Connected);
        QCOMPARE(tokens.count(), 1);
        QCOMPARE(connection.user().username, u"ann"_s);
        QVERIFY(connection.userId() > 0);

        // The relay restarts: the connection comes back, signed in, by itself.
        QSignalSpy states(&connection, &Connection::stateChanged);
        QCOMPARE(relay.stop(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), Connection::State::Offline, 10000);
        QCOMPARE(await(connection.request(u"ping"_s)).error().code, ErrorCode::Unavailable);
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), Connection::State::Connected, 15000);
        QCOMPARE(signedIn.count(), 2);
        QVERIFY(await(connection.request(u"ping"_s)).ok());

        // And after a crash too.
        relay.kill();
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), Connection::State::Offline, 10000);
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), Connection::State::Connected, 15000);
        connection.stop();
        QCOMPARE(connection.state(), Connection::State::Offline);
        QCOMPARE(relay.stop(), 0);
    }

    void anEndedSessionSignsOut()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        Connection phone(fastOptions()), laptop(fastOptions());
        for (Connection *c : {&phone, &laptop}) {
            c->setServer(local(relay.port()));
            c->start();
            QTRY_COMPARE_WITH_TIMEOUT(c->state(), Connection::State::SignedOut, 10000);
        }
        QVERIFY(
            await(phone.signIn(u"register"_s,
                               {{u"username"_s, u"ben"_s}, {u"password"_s, u"correct horse"_s}}))
                .ok());
        QVERIFY(
            await(laptop.signIn(u"login"_s,
                                {{u"username"_s, u"ben"_s}, {u"password"_s, u"correct horse"_s}}))
                .ok());
        QVERIFY(!phone.token().isEmpty());

        QSignalSpy ended(&phone, &Connection::sessionEnded);
        QVERIFY(await(laptop.request(u"sessions.revoke_others"_s)).ok());
        QVERIFY(ended.count() > 0 || ended.wait(10000)); // it may have come during the await
        QVERIFY(phone.token().isEmpty());
        // It reconnects, but without a session now.
        QTRY_COMPARE_WITH_TIMEOUT(phone.state(), Connection::State::SignedOut, 10000);

        // A stale token at start: signed out, told why.
        Connection stale(fastOptions());
        QSignalSpy staleEnded(&stale, &Connection::sessionEnded);
        stale.setServer(local(relay.port()));
        stale.setToken(QString(43, u'A'));
        stale.start();
        QVERIFY(staleEnded.count() > 0 || staleEnded.wait(10000));
        QCOMPARE(stale.state(), Connection::State::SignedOut);
        QCOMPARE(relay.stop(), 0);
    }

    void anIncompatibleRelayIsNotRetried()
    {
        // A server that answers every hello with "unsupported".
        QWebSocketServer server(u"old relay"_s, QWebSocketServer::NonSecureMode);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        int connections = 0;
        QList<QWebSocket *> sockets;
        connect(&server, &QWebSocketServer::newConnection, this, [&] {
            QWebSocket *socket = server.nextPendingConnection();
            sockets.append(socket);
            ++connections;
            connect(
                socket, &QWebSocket::textMessageReceived, socket, [socket](const QString &text) {
                    const QString id
                        = QJsonDocument::fromJson(text.toUtf8()).object().value(u"id"_s).toString();
                    socket->sendTextMessage(QString::fromUtf8(
                        QJsonDocument(
                            QJsonObject{
                                {u"type"_s, u"error"_s},
                                {u"id"_s, id},
                                {u"code"_s, u"unsupported"_s},
                                {u"message"_s,
                                 u"no common protocol version: this relay speaks version 7"_s}})
                            .toJson()));
                });
        });
        Connection connection(fastOptions());
        connection.setServer(local(server.serverPort()));
        connection.start();
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), Connection::State::Incompatible, 10000);
        QTest::qWait(1000); // time for retries that must not happen
        QCOMPARE(connections, 1);
        qDeleteAll(sockets);
    }

    void aSilentServerIsLeftAndRetriedWithBackoff()
    {
        // Accepts, upgrades, then never says anything (nor answers pings).
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        int connections = 0;
        QList<QTcpSocket *> sockets;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            QTcpSocket *socket = server.nextPendingConnection();
            sockets.append(socket);
            ++connections;
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                const QByteArray request = socket->readAll();
                if (request.startsWith("GET ")) {
                    socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
                                  "websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
                }
            });
        });
        Connection connection(fastOptions());
        connection.setServer(local(server.serverPort()));
        connection.start();
        // Heartbeat 500 ms: it gives up on each silent connection within ~1.25 s and retries.
        QTRY_VERIFY_WITH_TIMEOUT(connections >= 3, 15000);
        QVERIFY(connection.state() != Connection::State::Connected);
        connection.stop();
        qDeleteAll(sockets);
    }

    void backoffSpacesRetries()
    {
        // A port that refuses at once: retries must be spaced, not a busy loop.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        int attempts = 0;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            ++attempts;
            server.nextPendingConnection()->abort();
        });
        Connection::Options options = fastOptions();
        options.minimumBackoffMs = 100;
        options.maximumBackoffMs = 800;
        Connection connection(options);
        connection.setServer(local(server.serverPort()));
        connection.start();
        QTest::qWait(3000); // count what happens in three seconds
        connection.stop();
        // Waits of 50-100, 100-200, 200-400, then 400-800 ms each: 6 to 10 tries in 3 s.
        QVERIFY2(attempts >= 4 && attempts <= 12, qPrintable(QString::number(attempts)));
    }
};

QTEST_GUILESS_MAIN(TestConnection)
#include "tst_connection.moc"
