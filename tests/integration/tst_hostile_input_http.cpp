// HTTP connections under hostile input: bodies nobody reads and heads past 16 KiB, on any
// request of a connection, cost the relay no memory; a trickle keeps nothing open; a refusal
// reaches the client however much of its body is still coming. (The first head of a
// connection: tst_hostile_input_heads.)
#include "hostile_input_fixture.h"
#include "support/raw_tcp_client.h"
#include "support/relay_process.h"

#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestHostileInputHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void httpBuffersNothingBig()
    {
        // Outside the WebSocket: bodies nobody reads and heads past 16 KiB, on any request
        // of a connection, cost the relay no memory; a trickle does not keep a connection.
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const auto connectTo
            = [&relay](QTcpSocket &socket) { return connectSocket(socket, relay.port()); };
        QTest::qWait(500);
        const qint64 idle = residentKiB(relay.processId());
        QVERIFY(idle > 0);

        // A trickle: the second request's head, a byte a second, is cut off at the
        // keep-alive limit (15 s from the first answer), not kept for as long as it lasts.
        QTcpSocket trickle;
        QVERIFY(connectTo(trickle));
        trickle.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readUntil(trickle, answered).startsWith("HTTP/1.1 200 "));
        QElapsedTimer trickling;
        trickling.start();
        QTimer dribble;
        connect(&dribble, &QTimer::timeout, &trickle, [&trickle] {
            if (trickle.state() == QAbstractSocket::ConnectedState)
                trickle.write("x");
        });
        dribble.start(1000);

        // Each of these clients sends as fast as the relay takes it until the answer comes,
        // then reads the answer and the relay's close (not a reset: the relay lingers).
        // 256 MiB declared on a health check: answered, the body thrown away unread, closed.
        {
            RawTcpClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send(
                "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n\r\n"));
            const QByteArray reply = client.floodUntilAnswered(QByteArray(1024 * 1024, 'b'), 256);
            QVERIFY2(reply.startsWith("HTTP/1.1 405 "), reply.left(200).constData());
            QCOMPARE(client.end(), RawTcpClient::End::Closed);
        }
        // Chunked: refused before any of it is read.
        {
            RawTcpClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send(
                "POST /readyz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
            const QByteArray reply
                = client.floodUntilAnswered("100000\r\n" + QByteArray(0x100000, 'c') + "\r\n", 64);
            QVERIFY2(reply.startsWith("HTTP/1.1 411 "), reply.left(200).constData());
            QCOMPARE(client.end(), RawTcpClient::End::Closed);
        }
        // A huge head on the second request of a kept-alive connection: 431 at 16 KiB.
        {
            RawTcpClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
            const QByteArray metrics = client.readResponse();
            QVERIFY2(metrics.startsWith("HTTP/1.1 200 "), metrics.left(300).constData());
            QVERIFY(client.send("GET /healthz HTTP/1.1\r\nX-Padding: "));
            const QByteArray reply = client.floodUntilAnswered(QByteArray(1024 * 1024, 'h'), 128);
            QVERIFY2(reply.startsWith("HTTP/1.1 431 "), reply.left(300).constData());
            QCOMPARE(client.end(), RawTcpClient::End::Closed);
        }
        const qint64 after = residentKiB(relay.processId());
        QVERIFY2(after - idle < 32 * 1024,
                 qPrintable(u"resident memory went from %1 to %2 KiB"_s.arg(idle).arg(after)));

        // Unknown paths are 404 with a JSON error; a healthy client is served meanwhile.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write("GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            const QByteArray replies = readUntil(socket, closed);
            QVERIFY2(replies.startsWith("HTTP/1.1 404 "), replies.constData());
            QVERIFY(replies.contains(R"("error":"not_found")"));
            QVERIFY(replies.contains("HTTP/1.1 200 "));
        }

        QVERIFY(readUntil(trickle, closed, 30000).isEmpty());
        QCOMPARE(trickle.state(), QAbstractSocket::UnconnectedState);
        QVERIFY2(trickling.elapsed() < 25000, qPrintable(QString::number(trickling.elapsed())));
        QCOMPARE(relay.stop(), 0);
    }

    void aRefusalOutlivesTheBodyStillComing()
    {
        // A client learns that the relay will not read its body only when it reads the
        // answer; until it looks (curl, between two writes) it goes on sending. What it sent
        // meanwhile must not make the relay reset the connection, or the client's next write
        // fails and it never sees the answer (curl: "Send failure: Broken pipe", no 405).
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        // 48 MiB sent without a look at the answer: more than the socket buffers between the
        // two can hold (Linux lets them grow to 32 + 4 MiB here), so the relay must have read
        // it and thrown it away.
        const QByteArray body(48 * 1024 * 1024, 'b');
        // A request head refused on an HTTP connection, with the body behind it.
        {
            RawTcpClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send(
                "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n\r\n"));
            QVERIFY(client.send(body));
            const QByteArray reply = client.readResponse();
            QVERIFY2(reply.startsWith("HTTP/1.1 405 "), reply.left(200).constData());
            QVERIFY(client.readUntil(closed).isEmpty());
            QCOMPARE(client.end(), RawTcpClient::End::Closed);
        }
        // The first head of a connection, refused by the gateway itself (past 8 KiB).
        {
            RawTcpClient client;
            QVERIFY(client.connectTo(relay.port()));
            QVERIFY(client.send("GET /healthz HTTP/1.1\r\nX-Padding: "));
            QVERIFY(client.send(body));
            const QByteArray reply = client.readResponse();
            QVERIFY2(reply.startsWith("HTTP/1.1 431 "), reply.left(200).constData());
            QVERIFY(client.readUntil(closed).isEmpty());
            QCOMPARE(client.end(), RawTcpClient::End::Closed);
        }
        // The relay serves on.
        RawTcpClient healthy;
        QVERIFY(healthy.connectTo(relay.port()));
        QVERIFY(healthy.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
        QVERIFY(healthy.readResponse().startsWith("HTTP/1.1 200 "));
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHostileInputHttp)
#include "tst_hostile_input_http.moc"
