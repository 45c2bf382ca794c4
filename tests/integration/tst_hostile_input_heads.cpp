// The accept path, before a connection is anything: the head of its first request is read
// strictly (byte by byte, too large, the wrong WebSocket version, plain HTTP on the same
// port), within a time limit that silence or a trickle does not stretch, holding at most
// 8 KiB however much is sent; one address cannot take every slot.
#include "hostile_input_fixture.h"
#include "support/raw_tcp_client.h"
#include "support/relay_process.h"

#include <QtTest>

#include <future>
#include <memory>
#include <vector>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

/// One masked client frame (opcode 1 text, 8 close, 9 ping), small payloads only.
QByteArray maskedFrame(int opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    frame.append(char(0x80 | payload.size()));
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

const QByteArray kUpgradeHead
    = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";

} // namespace

class TestHostileInputHeads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void theAcceptPathReadsHeadsStrictly()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const auto connectTo
            = [&relay](QTcpSocket &socket) { return connectSocket(socket, relay.port()); };
        // A connection that never sends its head is dropped after 10 s (checked last).
        QTcpSocket silent;
        QVERIFY(connectTo(silent));
        silent.write("GET /ws HTTP/1.1\r\n");
        QElapsedTimer silentFor;
        silentFor.start();
        // So is an HTTP connection kept open after its answer, after 15 s of silence.
        QTcpSocket keptAlive;
        QVERIFY(connectTo(keptAlive));
        keptAlive.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readUntil(keptAlive, [](const QByteArray &bytes) {
                    return bytes.contains("\r\n\r\n");
                }).startsWith("HTTP/1.1 200 "));
        // The limit counts from the connection, so nothing stretches it: neither saying
        // nothing at all, nor a head that comes a byte at a time and never ends (checked last).
        QTcpSocket mute;
        QVERIFY(connectTo(mute));
        auto trickling = std::make_shared<RawTcpClient>();
        QVERIFY(trickling->connectTo(relay.port()));
        const QByteArray endless = "GET /ws HTTP/1.1\r\nX-Padding: " + QByteArray(8000, 't');
        std::future<RawTcpClient::End> trickled
            = std::async(std::launch::async,
                         [trickling, endless] { return trickling->trickle(endless, 250, 60000); });

        // A head that dribbles in byte by byte, with a frame right behind it: upgraded,
        // and the frame answered.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            const QByteArray hello
                = maskedFrame(1, R"({"type":"hello","id":"h","versions":[1],"client":"raw"})");
            for (qsizetype i = 0; i + 1 < kUpgradeHead.size(); ++i) {
                socket.write(kUpgradeHead.mid(i, 1));
                socket.waitForBytesWritten(1000);
                if (i % 16 == 0)
                    QTest::qWait(1);
            }
            socket.write(kUpgradeHead.right(1) + hello);
            const QByteArray reply = readUntil(
                socket, [](const QByteArray &bytes) { return bytes.contains(R"("id":"h")"); });
            QVERIFY2(reply.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), reply.constData());
            QVERIFY(reply.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
            QVERIFY(reply.contains(R"("type":"result")"));

            // A ping is answered with its payload; a close with the same code, and the
            // relay ends the connection.
            socket.write(maskedFrame(9, "are you there"));
            QVERIFY(readUntil(socket, [](const QByteArray &bytes) {
                        return bytes.contains("are you there");
                    }).startsWith(QByteArray("\x8a\x0d", 2)));
            socket.write(maskedFrame(8, QByteArray("\x0f\xa0", 2) + "done")); // 4000
            QCOMPARE(readUntil(socket, closed).left(4), QByteArray("\x88\x02\x0f\xa0", 4));
            QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
        }

        // A head that never ends is cut off at 8 KiB.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write("GET /ws HTTP/1.1\r\nX-Padding: " + QByteArray(9000, 'x'));
            QVERIFY(readUntil(socket, closed).startsWith("HTTP/1.1 431 "));
        }

        // A wrong WebSocket version is told which one to speak.
        {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write(QByteArray(kUpgradeHead).replace("Version: 13", "Version: 8"));
            const QByteArray reply = readUntil(socket, closed);
            QVERIFY2(reply.startsWith("HTTP/1.1 426 "), reply.constData());
            QVERIFY(reply.contains("Sec-WebSocket-Version: 13\r\n"));
        }

        // Plain HTTP on the same port, the whole request in one packet: the HTTP server
        // gets it whole (the head was only looked at).
        for (const char *request : {"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                    "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"}) {
            QTcpSocket socket;
            QVERIFY(connectTo(socket));
            socket.write(request);
            const QByteArray reply = readUntil(
                socket, [](const QByteArray &bytes) { return bytes.contains("\r\n\r\n"); });
            QVERIFY2(reply.startsWith(QByteArray(request).contains("healthz") ? "HTTP/1.1 200 "
                                                                              : "HTTP/1.1 426 "),
                     reply.constData());
        }

        QVERIFY(silent.state() == QAbstractSocket::ConnectedState);
        QVERIFY(readUntil(silent, closed, 15000).isEmpty());
        QCOMPARE(silent.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(silentFor.elapsed() >= 9000);
        QCOMPARE(keptAlive.state(), QAbstractSocket::ConnectedState);
        readUntil(keptAlive, closed, 15000);
        QCOMPARE(keptAlive.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(silentFor.elapsed() >= 14000);
        QVERIFY(readUntil(mute, closed, 15000).isEmpty());
        QCOMPARE(mute.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(trickled.get() != RawTcpClient::End::Open);
        QCOMPARE(relay.stop(), 0);
    }

    void oneAddressCannotTakeEverySlot()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--max-connections-per-address"_s, u"12"_s,
                              u"--max-pending-per-address"_s, u"4"_s}),
                 qPrintable(relay.lastError()));
        const auto connectFrom = [&relay](QTcpSocket &socket, const char *source) {
            return connectSocket(socket, relay.port(), QString::fromLatin1(source));
        };
        const auto healthy = [&](const char *source) {
            QTcpSocket socket;
            if (!connectFrom(socket, source))
                return false;
            socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return readUntil(socket, closed).startsWith("HTTP/1.1 200 ");
        };
        // Connections that say nothing: four are waited for, the fifth is closed at once.
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 4; ++i) {
            held.push_back(std::make_unique<QTcpSocket>());
            QVERIFY(connectFrom(*held.back(), "127.0.0.1"));
        }
        QTest::qWait(200);
        {
            QTcpSocket fifth;
            QVERIFY(connectFrom(fifth, "127.0.0.1"));
            QVERIFY(readUntil(fifth, closed, 5000).isEmpty());
            QCOMPARE(fifth.state(), QAbstractSocket::UnconnectedState);
        }
        QVERIFY(healthy("127.0.0.2")); // others are served meanwhile
        // Once they have asked for something they no longer wait, but still count: with
        // kept-alive HTTP and WebSockets, twelve in all, and the thirteenth is refused.
        for (auto &socket : held) {
            socket->write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            QVERIFY(readUntil(*socket, answered).startsWith("HTTP/1.1 200 "));
        }
        while (held.size() < 12) {
            held.push_back(std::make_unique<QTcpSocket>());
            QVERIFY(connectFrom(*held.back(), "127.0.0.1"));
            if (held.size() % 2 == 0) {
                held.back()->write(kUpgradeHead);
                QVERIFY(readUntil(*held.back(), answered).startsWith("HTTP/1.1 101 "));
            } else {
                held.back()->write("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
                QVERIFY(readUntil(*held.back(), answered).startsWith("HTTP/1.1 200 "));
            }
        }
        QVERIFY(!healthy("127.0.0.1"));
        QVERIFY(healthy("127.0.0.3"));
        // One goes (a WebSocket): its place is free again.
        held.back()->abort();
        held.pop_back();
        QTRY_VERIFY(healthy("127.0.0.1"));
        QCOMPARE(relay.stop(), 0);
    }

    void headsThatNeverEndCostLittle()
    {
        // Until its first head is judged a connection is anyone's: however many there are
        // and however much each sends, the relay holds at most 8 KiB of head for each (then
        // answers 431 and throws the rest away as it comes), for at most the head's time limit.
        RelayProcess relay;
        // ASan holds freed memory back (a quarantine of 256 MB) and resident memory counts
        // it; with a small one, resident memory is what the relay keeps.
        QProcessEnvironment &environment = relay.environment();
        const QString sanitizer = environment.value(u"ASAN_OPTIONS"_s);
        environment.insert(u"ASAN_OPTIONS"_s,
                           sanitizer + (sanitizer.isEmpty() ? u""_s : u":"_s)
                               + u"quarantine_size_mb=1"_s);
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const auto served = [&relay] {
            RawTcpClient client;
            return client.connectTo(relay.port())
                && client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                && client.readResponse().startsWith("HTTP/1.1 200 ");
        };
        QVERIFY(served()); // the idle relay has served a connection once
        const qint64 idle = residentKiB(relay.processId());
        QVERIFY(idle > 0);
        // As much of a first head as may come, all but its end; 100 connections from each
        // address, within the 128 waiting connections one address may have.
        const QByteArray unended = "GET /ws HTTP/1.1\r\nX-Padding: " + QByteArray(8000, 'p');
        QVERIFY(unended.size() < 8 * 1024);
        const auto source = [](int i) { return u"127.0.0.%1"_s.arg(2 + i / 100); };

        // 400 of them waiting at once: each costs the relay its head and a socket (under
        // 64 KiB with a sanitizer's overhead), and is dropped at the time limit.
        {
            constexpr int kWaiting = 400;
            std::vector<std::unique_ptr<RawTcpClient>> waiting;
            for (int i = 0; i < kWaiting; ++i) {
                waiting.push_back(std::make_unique<RawTcpClient>());
                QVERIFY(waiting.back()->connectTo(relay.port(), source(i)));
                QVERIFY(waiting.back()->send(unended));
            }
            QVERIFY(served());
            const qint64 held = residentKiB(relay.processId());
            QVERIFY2(held - idle < kWaiting * 64,
                     qPrintable(u"%1 waiting heads took the relay from %2 to %3 KiB"_s.arg(kWaiting)
                                    .arg(idle)
                                    .arg(held)));
            for (const auto &client : waiting) {
                QVERIFY(client->readUntil(closed, 30000).isEmpty());
                QVERIFY(client->end() != RawTcpClient::End::Open);
            }
        }

        // 64 at once sending 1 MiB each past the limit, a quarter at a time in turn: all are
        // answered 431 and closed, and at no moment did the relay hold what they sent.
        const qint64 peakBefore = peakResidentKiB(relay.processId());
        {
            constexpr int kFlooding = 64;
            const QByteArray slice(256 * 1024, 'p');
            std::vector<std::unique_ptr<RawTcpClient>> flooding;
            for (int i = 0; i < kFlooding; ++i) {
                flooding.push_back(std::make_unique<RawTcpClient>());
                QVERIFY(flooding.back()->connectTo(relay.port(), source(i)));
                QVERIFY(flooding.back()->send(unended));
            }
            for (int round = 0; round < 4; ++round) {
                for (const auto &client : flooding)
                    QVERIFY(client->send(slice));
            }
            for (const auto &client : flooding) {
                const QByteArray reply = client->readResponse();
                QVERIFY2(reply.startsWith("HTTP/1.1 431 "), reply.left(200).constData());
                QVERIFY(client->readUntil(closed).isEmpty());
                QCOMPARE(client->end(), RawTcpClient::End::Closed);
            }
        }
        const qint64 peakAfter = peakResidentKiB(relay.processId());
        QVERIFY2(peakAfter - peakBefore < 16 * 1024,
                 qPrintable(u"64 MiB past the limit took the relay's peak from %1 to %2 KiB"_s
                                .arg(peakBefore)
                                .arg(peakAfter)));
        QVERIFY(served());
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHostileInputHeads)
#include "tst_hostile_input_heads.moc"
