// A WebSocketConnection served on an I/O thread, over a socket pair: what the core is
// handed, how a peer that sends too fast is slowed, and how closes end.
#include "gateway/io_threads.h"
#include "gateway/websocket_connection.h"
#include "protocol/websocket_codec.h"

#include <QtTest>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace tidings;
using namespace tidings::relay;
using namespace Qt::StringLiterals;

namespace {

QByteArray clientFrame(websocket::Opcode opcode, QByteArrayView payload)
{
    return websocket::encodeFrame(opcode, payload, 0x1234abcd);
}

/// The peer's end of the pair: non-blocking writes and reads with a deadline.
class Peer
{
public:
    explicit Peer(int descriptor) : m_descriptor(descriptor)
    {
        ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK);
    }
    ~Peer()
    {
        if (m_descriptor >= 0)
            ::close(m_descriptor);
    }

    /// Writes what the kernel takes now; the count.
    qint64 write(QByteArrayView bytes)
    {
        const ssize_t sent = ::send(m_descriptor, bytes.data(), size_t(bytes.size()), MSG_NOSIGNAL);
        return sent < 0 ? 0 : sent;
    }
    /// Reads until `enough` or the end (true) or the deadline.
    bool readUntil(QByteArray &into, const std::function<bool()> &enough, int timeoutMs,
                   bool *ended = nullptr)
    {
        QDeadlineTimer deadline(timeoutMs);
        char chunk[4096];
        while (!enough()) {
            const ssize_t read = ::recv(m_descriptor, chunk, sizeof chunk, 0);
            if (read > 0) {
                into.append(chunk, read);
                continue;
            }
            if (read == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                if (ended)
                    *ended = true;
                return enough();
            }
            if (deadline.hasExpired())
                return false;
            QTest::qWait(5);
        }
        return true;
    }

private:
    int m_descriptor;
};

struct Pair
{
    int relaySide = -1;
    int peerSide = -1;
};

Pair socketPair()
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        qFatal("socketpair failed");
    return {fds[0], fds[1]};
}

std::unique_ptr<WebSocketConnection> connectionOn(int descriptor, IoThread thread)
{
    WebSocketConnection::Upgrade upgrade;
    upgrade.source.descriptor = descriptor;
    upgrade.response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
    return std::make_unique<WebSocketConnection>(std::move(upgrade), thread, 256 * 1024);
}

} // namespace

class TestWebSocketConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aPeerThatSendsFasterThanTheCoreHandlesIsSlowed()
    {
        IoThreads threads(1, {});
        const Pair pair = socketPair();
        Peer peer(pair.peerSide);
        auto connection = connectionOn(pair.relaySide, threads.next());
        QList<QByteArray> received;
        connect(connection.get(), &WebSocketConnection::textReceived, this,
                [&received](const QByteArray &text) { received.append(text); });
        connection->start();

        // The core does not run its loop: the wire may hand over about 1 MiB, then stops
        // reading, and the peer's writes stop being taken. Without that bound it would
        // read all 64 MiB.
        const QByteArray message(1000, 'x');
        const QByteArray frame = clientFrame(websocket::Opcode::Text, message);
        qint64 written = 0;
        int frames = 0;
        QElapsedTimer stalled;
        stalled.start();
        while (written < 64 * 1024 * 1024 && stalled.elapsed() < 2000) {
            const qint64 sent = peer.write(frame);
            if (sent == frame.size()) {
                written += sent;
                ++frames;
                stalled.restart();
            } else if (sent > 0) { // finish the frame, whatever it takes
                QByteArrayView rest = QByteArrayView(frame).sliced(sent);
                while (!rest.isEmpty()) {
                    rest = rest.sliced(peer.write(rest));
                    QThread::msleep(1);
                }
                written += frame.size();
                ++frames;
            } else {
                QThread::msleep(1); // the kernel's buffers are full
            }
        }
        QVERIFY2(written < 16 * 1024 * 1024, qPrintable(u"%1 bytes taken"_s.arg(written)));

        // The core catches up: every message arrives, in order, and reading resumed.
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), frames, 20000);
        QCOMPARE(received.first(), message);
        QCOMPARE(peer.write(frame), frame.size());
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), frames + 1, 5000);
    }

    void aBrokenFrameIsAnsweredWithACloseAndAnOrderlyEnd()
    {
        IoThreads threads(1, {});
        const Pair pair = socketPair();
        Peer peer(pair.peerSide);
        auto connection = connectionOn(pair.relaySide, threads.next());
        QSignalSpy gone(connection.get(), &WebSocketConnection::disconnected);
        connection->start();

        // Unmasked: a protocol error. More bytes follow that the relay will not read.
        peer.write(websocket::encodeFrame(websocket::Opcode::Text, "unmasked"));
        peer.write(clientFrame(websocket::Opcode::Text, QByteArray(10000, 'y')));
        QByteArray answer;
        bool ended = false;
        // A close frame with code 1002 (and a reason) after the 101.
        const auto closed = [&answer] {
            const qsizetype at = answer.indexOf("\r\n\r\n");
            return at > 0 && answer.size() >= at + 8 && answer[at + 4] == char(0x88)
                && answer.mid(at + 6, 2) == QByteArray("\x03\xea", 2);
        };
        QVERIFY(peer.readUntil(answer, closed, 5000, &ended));
        QVERIFY(answer.startsWith("HTTP/1.1 101"));
        // The relay's side is shut for writing (an end, not a reset), and it closes once
        // the peer does.
        peer.readUntil(
            answer, [] { return false; }, 5000, &ended);
        QVERIFY(ended);
        QCOMPARE(gone.count(), 0);
        ::shutdown(pair.peerSide, SHUT_WR);
        QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 5000);
    }

    void aPeerThatNeverAnswersTheCloseIsDropped()
    {
        IoThreads threads(1, {});
        const Pair pair = socketPair();
        Peer peer(pair.peerSide);
        auto connection = connectionOn(pair.relaySide, threads.next());
        QSignalSpy gone(connection.get(), &WebSocketConnection::disconnected);
        connection->start();
        connection->sendText("last words");
        connection->close(4001, u"bye"_s);

        QByteArray answer;
        QVERIFY(peer.readUntil(
            answer, [&] { return answer.contains("bye"); }, 5000));
        QVERIFY(answer.indexOf("last words") < answer.indexOf("bye")); // in order
        // The peer never sends its close: dropped after 5 s.
        QVERIFY(!gone.wait(3000));
        QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 5000);
    }

    void aConnectionNeverStartedLetsItsSocketGo()
    {
        const Pair pair = socketPair();
        Peer peer(pair.peerSide);
        {
            IoThreads threads(1, {});
            auto connection = connectionOn(pair.relaySide, threads.next());
        }
        QByteArray nothing;
        bool ended = false;
        peer.readUntil(
            nothing, [] { return false; }, 2000, &ended);
        QVERIFY(ended);
        QVERIFY(nothing.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestWebSocketConnection)
#include "tst_websocket_connection.moc"
