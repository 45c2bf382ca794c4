#include "websocket_conformance.h"

#include "support/protocol_client.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QtTest>
#include <QUtf8StringView>

#include <functional>

using namespace Qt::StringLiterals;

namespace tidings::test::websocket {

namespace {

/// What the relay sent during one case.
struct Received
{
    QByteArrayList pongs;
    int answers = 0;
    bool probeAnswered = false;
    int closeCode = 0; ///< of the relay's close frame (1005: one without a code); 0: none yet
    QByteArray closeReason;
    int afterClose = 0; ///< frames after the close frame
    QStringList wrong; ///< what the relay must not send
    bool ended = false; ///< the TCP connection is gone

    bool over() const { return closeCode != 0 || ended; }
    QString describe() const
    {
        return u"close %1 (%2), %3 pongs, %4 answers, ended: %5; wrong: %6"_s.arg(
            QString::number(closeCode), QString::fromUtf8(closeReason),
            QString::number(pongs.size()), QString::number(answers), ended ? u"yes"_s : u"no"_s,
            wrong.join(u"; "_s));
    }
};

/// Sorts one frame from the relay into `received`.
void take(const RawWebSocket::Frame &frame, Received &received)
{
    if (received.closeCode != 0) {
        ++received.afterClose;
        return;
    }
    if (frame.masked || (frame.firstByte & 0x70) || !(frame.firstByte & 0x80))
        received.wrong.append(
            u"a frame with header byte 0x%1, masked: %2"_s.arg(frame.firstByte, 2, 16, QChar(u'0'))
                .arg(frame.masked));
    switch (frame.opcode) {
    case 0xA:
        received.pongs.append(frame.payload);
        return;
    case 0x9: // a heartbeat: none comes within a case (they start after 30 s of silence)
        return;
    case 0x8:
        received.closeCode = frame.payload.size() >= 2
            ? (quint8(frame.payload.at(0)) << 8) | quint8(frame.payload.at(1))
            : 1005;
        received.closeReason = frame.payload.mid(2);
        if (frame.payload.size() == 1 || !QUtf8StringView(received.closeReason).isValidUtf8())
            received.wrong.append(u"a malformed close frame"_s);
        return;
    case 0x1: {
        const QJsonObject reply = QJsonDocument::fromJson(frame.payload).object();
        if (reply.value(u"id"_s) == u"probe"_s)
            received.probeAnswered = true;
        else if (reply.value(u"type"_s) == u"error"_s
                 && ProtocolClient::errorCode(reply) == u"bad_request"_s
                 && !reply.contains(u"id"_s))
            ++received.answers;
        else
            received.wrong.append(QString::fromUtf8(frame.payload.left(200)));
        return;
    }
    default:
        received.wrong.append(u"a frame with opcode %1"_s.arg(frame.opcode));
    }
}

/// Reads what the relay sends until `done`, or the connection ends; false after the timeout.
bool readUntil(RawWebSocket &socket, Received &received, const std::function<bool()> &done)
{
    const QDeadlineTimer deadline(kTimeoutMs);
    while (!done()) {
        const auto frame
            = socket.nextFrame(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
        if (!frame) {
            if (socket.socket().state() == QAbstractSocket::ConnectedState)
                return false;
            received.ended = true;
            return done();
        }
        take(*frame, received);
    }
    return true;
}

void send(RawWebSocket &socket, const Write &write)
{
    const qsizetype chop = write.chop > 0 ? write.chop : write.bytes.size();
    for (qsizetype at = 0; at < write.bytes.size(); at += chop) {
        if (socket.socket().state() != QAbstractSocket::ConnectedState)
            return; // the relay has ended it: the rest does not matter
        socket.write(write.bytes.mid(at, chop));
    }
}

} // namespace

QByteArray frame(int opcode, const QByteArray &payload, bool final, int reservedBits)
{
    return RawFrame{opcode, payload, final, reservedBits}.encode();
}
QByteArray text(const QByteArray &payload, bool final)
{
    return frame(1, payload, final);
}
QByteArray binary(const QByteArray &payload, bool final)
{
    return frame(2, payload, final);
}
QByteArray continuation(const QByteArray &payload, bool final)
{
    return frame(0, payload, final);
}
QByteArray ping(const QByteArray &payload)
{
    return frame(9, payload);
}
QByteArray pong(const QByteArray &payload)
{
    return frame(10, payload);
}
QByteArray closePayload(int code, const QByteArray &reason)
{
    return QByteArray(1, char(code >> 8)) + QByteArray(1, char(code & 0xff)) + reason;
}
QByteArray closeFrame(int code, const QByteArray &reason)
{
    return frame(8, closePayload(code, reason));
}
QByteArray hex(const char *digits)
{
    return QByteArray::fromHex(digits);
}

/// `payload` as one message of `opcode` in frames of at most `size` bytes.
QByteArrayList fragments(int opcode, const QByteArray &payload, qsizetype size)
{
    QByteArrayList frames;
    for (qsizetype at = 0; at < payload.size() || frames.isEmpty(); at += size)
        frames.append(frame(frames.isEmpty() ? opcode : 0, payload.mid(at, size),
                            at + size >= payload.size()));
    return frames;
}

// How a case's frames go out (Autobahn's "in one chop", "frame by frame", "in chops").
QList<Write> atOnce(const QByteArrayList &frames)
{
    return {Write{frames.join()}};
}
QList<Write> oneByOne(const QByteArrayList &frames)
{
    QList<Write> writes;
    for (const QByteArray &bytes : frames)
        writes.append(Write{bytes});
    return writes;
}
QList<Write> chopped(const QByteArrayList &frames, int size)
{
    return {Write{frames.join(), size}};
}
/// One frame in writes cut at `cuts` (offsets into its payload).
QList<Write> cutFrame(const QByteArray &frame, qsizetype payloadSize, QList<qsizetype> cuts)
{
    const qsizetype header = frame.size() - payloadSize;
    QList<Write> writes;
    qsizetype from = 0;
    cuts.append(payloadSize);
    for (const qsizetype cut : std::as_const(cuts)) {
        const qsizetype to = header + cut;
        writes.append(Write{frame.mid(from, to - from)});
        from = to;
    }
    return writes;
}

/// A case RFC 6455 lets pass: `answers` messages answered, `pongs` sent, and the connection
/// still usable after it.
void accepted(const QByteArray &name, const QList<Write> &writes, int answers,
              const QByteArrayList &pongs, Stage stage)
{
    QTest::newRow(name.constData()) << ConformanceCase{stage, writes, pongs, answers, 0};
}

/// A case that ends with the relay's close frame with `code`: a failure, or the closing
/// handshake the client began. The pings before the end must be answered, nothing after it.
void closes(const QByteArray &name, const QList<Write> &writes, int code, int answersAtMost,
            const QByteArrayList &pongs, Stage stage)
{
    QTest::newRow(name.constData()) << ConformanceCase{stage, writes, pongs, answersAtMost, code};
}

void ConformanceRelay::start()
{
    QStandardPaths::setTestModeEnabled(true);
    // Every case signs in on a connection of its own, and 9.7/9.8 send 1000 messages:
    // neither the sign-in rate nor the frame budget is what this test is about.
    QVERIFY2(m_relay.start({u"--sign-in-rate"_s, u"1000000"_s, u"--frame-rate"_s, u"1000000"_s}),
             qPrintable(m_relay.lastError()));
    ProtocolClient client;
    QVERIFY(client.open(m_relay.webSocketUrl()));
    m_token = client.registerUser(u"autobahn"_s).value(u"token"_s).toString().toUtf8();
    QVERIFY(!m_token.isEmpty());
}

void ConformanceRelay::checkRunning()
{
    QVERIFY(m_relay.isRunning());
}

void ConformanceRelay::stop()
{
    QCOMPARE(m_relay.stop(), 0);
}

bool ConformanceRelay::reach(RawWebSocket &socket, Stage stage)
{
    const auto request = [&socket](const QByteArray &json, const QString &id) {
        socket.sendText(json);
        const QJsonObject reply = QJsonDocument::fromJson(socket.nextText(kTimeoutMs)).object();
        return reply.value(u"id"_s) == id && ProtocolClient::isOk(reply);
    };
    if (stage == Stage::Connected)
        return true;
    if (!request(R"({"type":"hello","id":"hello","versions":[1]})", u"hello"_s))
        return false;
    return stage == Stage::SaidHello
        || request(R"({"type":"auth","id":"auth","token":")" + m_token + R"("})", u"auth"_s);
}

void ConformanceRelay::run()
{
    QFETCH(ConformanceCase, testCase);
    RawWebSocket socket;
    QVERIFY(socket.open(m_relay.port()));
    QVERIFY(reach(socket, testCase.stage));

    Received received;
    for (const Write &write : std::as_const(testCase.writes)) {
        if (write.pongsFirst > 0) {
            QVERIFY2(readUntil(socket, received,
                               [&] {
                                   return received.pongs.size() >= write.pongsFirst
                                       || received.over();
                               })
                         && !received.over(),
                     qPrintable(received.describe()));
        }
        send(socket, write);
    }

    if (testCase.closeCode == 0) {
        // Still usable: a request and a ping are answered, after everything sent before.
        socket.sendText(R"({"type":"ping","id":"probe"})");
        socket.sendFrame(9, "probe");
        QVERIFY2(readUntil(socket, received,
                           [&] {
                               return received.over()
                                   || (received.probeAnswered && received.pongs.endsWith("probe"));
                           })
                     && !received.over(),
                 qPrintable(received.describe()));
        QVERIFY2(received.wrong.isEmpty(), qPrintable(received.describe()));
        QCOMPARE(received.pongs, testCase.pongs + QByteArrayList{"probe"});
        QCOMPARE(received.answers, testCase.answers);
        // And it ends with a clean closing handshake.
        socket.sendFrame(8, closePayload(1000));
        QVERIFY2(readUntil(socket, received, [&] { return received.over(); }),
                 qPrintable(received.describe()));
        QCOMPARE(received.closeCode, 1000);
    } else {
        QVERIFY2(readUntil(socket, received, [&] { return received.over(); }),
                 qPrintable(u"the relay neither closed nor ended the connection: "_s
                            + received.describe()));
        QVERIFY2(received.closeCode == testCase.closeCode,
                 qPrintable(u"expected close code %1, got "_s.arg(testCase.closeCode)
                            + received.describe()));
        QVERIFY2(received.wrong.isEmpty(), qPrintable(received.describe()));
        QCOMPARE(received.pongs, testCase.pongs);
        QVERIFY2(received.answers <= testCase.answers, qPrintable(received.describe()));
    }
    // Nothing after the close frame, and the relay ends the TCP connection.
    QVERIFY2(readUntil(socket, received, [&] { return received.ended; }),
             qPrintable(received.describe()));
    QCOMPARE(received.afterClose, 0);
    QVERIFY(socket.waitForDisconnected(kTimeoutMs));
}

} // namespace tidings::test::websocket
