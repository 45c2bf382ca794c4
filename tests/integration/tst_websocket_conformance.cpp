// WebSocket conformance of the real relay, case by case after the Autobahn|Testsuite
// (sections 1–7, 9 and 10; each row is named by its case number). The relay is no echo
// server: a message it takes is answered with an `error` (`bad_request`, as it is no request),
// which shows the frame was accepted. A case RFC 6455 lets pass must leave the connection
// usable; a case it fails must end with the close code the RFC requires (1002 protocol
// error, 1007 invalid payload, 1009 too big) and the TCP connection with it. Rows named
// "RFC …" are what the Autobahn client cannot send (unmasked frames), or rules past its
// case list; Autobahn's sizes beyond the relay's message limit are scaled to that limit.
#include "support/protocol_client.h"
#include "support/raw_websocket.h"
#include "support/relay_process.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <QUtf8StringView>

#include <functional>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 10000;
/// docs/operations.md: `max-frame-bytes` (its default, which the relay runs with here), and
/// the limit until a connection signs in.
constexpr qsizetype kMaxMessageBytes = 262144;
constexpr qsizetype kSignedOutMessageBytes = 16 * 1024;

enum class Stage { Connected, SaidHello, SignedIn };

/// Bytes a case writes: at once, or in pieces of `chop` bytes, each a write of its own.
struct Write
{
    QByteArray bytes;
    int chop = 0;
    int pongsFirst = 0; ///< before writing, wait until this many pongs have come
};

struct ConformanceCase
{
    Stage stage = Stage::SignedIn;
    QList<Write> writes;
    /// What the relay must answer: pongs (their payloads, in order) and messages (each with
    /// an `error` without an id). When the case ends in a close, messages sent before it may
    /// go unanswered (the relay may fail the connection, or answer a close, before it has
    /// answered them: RFC 6455 5.5.1, 7.1.7), so `answers` is then a maximum.
    QByteArrayList pongs;
    int answers = 0;
    /// 0: the connection must stay usable; else the code of the relay's close frame.
    int closeCode = 0;
};

} // namespace

Q_DECLARE_METATYPE(ConformanceCase)

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

QByteArray frame(int opcode, const QByteArray &payload, bool final = true, int reservedBits = 0)
{
    return RawFrame{opcode, payload, final, reservedBits}.encode();
}
QByteArray text(const QByteArray &payload, bool final = true)
{
    return frame(1, payload, final);
}
QByteArray binary(const QByteArray &payload, bool final = true)
{
    return frame(2, payload, final);
}
QByteArray continuation(const QByteArray &payload, bool final)
{
    return frame(0, payload, final);
}
QByteArray ping(const QByteArray &payload = {})
{
    return frame(9, payload);
}
QByteArray pong(const QByteArray &payload = {})
{
    return frame(10, payload);
}
QByteArray closePayload(int code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + QByteArray(1, char(code & 0xff)) + reason;
}
QByteArray closeFrame(int code, const QByteArray &reason = {})
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
              const QByteArrayList &pongs = {}, Stage stage = Stage::SignedIn)
{
    QTest::newRow(name.constData()) << ConformanceCase{stage, writes, pongs, answers, 0};
}

/// A case that ends with the relay's close frame with `code`: a failure, or the closing
/// handshake the client began. The pings before the end must be answered, nothing after it.
void closes(const QByteArray &name, const QList<Write> &writes, int code, int answersAtMost = 0,
            const QByteArrayList &pongs = {}, Stage stage = Stage::SignedIn)
{
    QTest::newRow(name.constData()) << ConformanceCase{stage, writes, pongs, answersAtMost, code};
}

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

class TestWebSocketConformance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup() { QVERIFY(m_relay.isRunning()); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void framing_data();
    void framing() { run(); }
    void pingsAndPongs_data();
    void pingsAndPongs() { run(); }
    void reservedBits_data();
    void reservedBits() { run(); }
    void opcodes_data();
    void opcodes() { run(); }
    void fragmentation_data();
    void fragmentation() { run(); }
    void utf8_data();
    void utf8() { run(); }
    void closeHandling_data();
    void closeHandling() { run(); }
    void limits_data();
    void limits() { run(); }
    void miscellaneous_data();
    void miscellaneous() { run(); }

private:
    void run();
    /// Says hello and signs in as far as `stage`.
    bool reach(RawWebSocket &socket, Stage stage);

    RelayProcess m_relay;
    QByteArray m_token;
};

void TestWebSocketConformance::initTestCase()
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

bool TestWebSocketConformance::reach(RawWebSocket &socket, Stage stage)
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

void TestWebSocketConformance::run()
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

void TestWebSocketConformance::framing_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    const qsizetype sizes[] = {0, 125, 126, 127, 128, 65535, 65536};
    for (const int opcode : {1, 2}) {
        const QByteArray kind = opcode == 1 ? "text" : "binary";
        const char fill = opcode == 1 ? '*' : '\xfe';
        int number = 1;
        for (const qsizetype size : sizes) {
            accepted("1." + QByteArray::number(opcode) + '.' + QByteArray::number(number++) + ' '
                         + kind + ", " + QByteArray::number(size) + "-byte payload",
                     atOnce({frame(opcode, QByteArray(size, fill))}), 1);
        }
        accepted("1." + QByteArray::number(opcode) + ".8 " + kind
                     + ", 65536-byte payload in chops of 997 bytes",
                 chopped({frame(opcode, QByteArray(65536, fill))}, 997), 1);
    }
}

void TestWebSocketConformance::pingsAndPongs_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    const QByteArray binaryPayload = hex("00fffefdfcfb00ff");
    accepted("2.1 ping without payload", atOnce({ping()}), 0, {""});
    accepted("2.2 ping with a small text payload", atOnce({ping("Hello, world!")}), 0,
             {"Hello, world!"});
    accepted("2.3 ping with a small binary payload", atOnce({ping(binaryPayload)}), 0,
             {binaryPayload});
    const QByteArray longest(125, '\xfe');
    accepted("2.4 ping with 125-byte payload", atOnce({ping(longest)}), 0, {longest});
    closes("2.5 ping with 126-byte payload", atOnce({ping(QByteArray(126, '\xfe'))}), 1002);
    accepted("2.6 ping with 125-byte payload in one-byte chops", chopped({ping(longest)}, 1), 0,
             {longest});
    accepted("2.7 unsolicited pong without payload", atOnce({pong()}), 0);
    accepted("2.8 unsolicited pong with payload", atOnce({pong("unsolicited pong payload")}), 0);
    accepted("2.9 unsolicited pong, then ping",
             atOnce({pong("unsolicited pong payload"), ping("ping payload")}), 0, {"ping payload"});
    QByteArrayList pings;
    QByteArrayList payloads;
    for (int i = 0; i < 10; ++i) {
        payloads.append("payload-" + QByteArray::number(i));
        pings.append(ping(payloads.last()));
    }
    accepted("2.10 ten pings with payload", atOnce(pings), 0, payloads);
    accepted("2.11 ten pings with payload in one-byte chops", chopped(pings, 1), 0, payloads);
}

void TestWebSocketConformance::reservedBits_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    const QByteArray hello = "Hello, world!";
    closes("3.1 text with RSV = 1", atOnce({frame(1, hello, true, 1)}), 1002);
    closes("3.2 text, then text with RSV = 2, then ping",
           atOnce({text(hello), frame(1, hello, true, 2), ping()}), 1002, 1);
    closes("3.3 text, then text with RSV = 3, then ping, frame by frame",
           oneByOne({text(hello), frame(1, hello, true, 3), ping()}), 1002, 1);
    closes("3.4 text, then text with RSV = 4, then ping, in one-byte chops",
           chopped({text(hello), frame(1, hello, true, 4), ping()}, 1), 1002, 1);
    closes("3.5 binary with RSV = 5", atOnce({frame(2, hex("00fffefdfcfb00ff"), true, 5)}), 1002);
    closes("3.6 ping with RSV = 6", atOnce({frame(9, hex("00fffefdfcfb00ff"), true, 6)}), 1002);
    closes("3.7 close with RSV = 7", atOnce({frame(8, closePayload(1000), true, 7)}), 1002);
}

void TestWebSocketConformance::opcodes_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    const QByteArray payload = "reserved opcode payload";
    for (const auto &[section, first] : {std::pair{1, 3}, std::pair{2, 11}}) {
        const QByteArray prefix = "4." + QByteArray::number(section) + '.';
        const QByteArray kind = section == 1 ? "non-control" : "control";
        closes(prefix + "1 reserved " + kind + " opcode " + QByteArray::number(first),
               atOnce({frame(first, {})}), 1002);
        closes(prefix + "2 reserved " + kind + " opcode " + QByteArray::number(first + 1)
                   + " with payload",
               atOnce({frame(first + 1, payload)}), 1002);
        closes(prefix + "3 text, then reserved opcode " + QByteArray::number(first + 2)
                   + ", then ping",
               atOnce({text("Hello, world!"), frame(first + 2, {}), ping()}), 1002, 1);
        for (int i = 3; i <= 4; ++i) {
            closes(prefix + QByteArray::number(i + 1) + " text, then reserved opcode "
                       + QByteArray::number(first + i) + " with payload, then ping",
                   atOnce({text("Hello, world!"), frame(first + i, payload), ping()}), 1002, 1);
        }
    }
}

void TestWebSocketConformance::fragmentation_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    closes("5.1 ping fragmented into 2 fragments",
           atOnce({frame(9, "fragment1", false), continuation("fragment2", true)}), 1002);
    closes("5.2 pong fragmented into 2 fragments",
           atOnce({frame(10, "fragment1", false), continuation("fragment2", true)}), 1002);
    const QByteArrayList two = {text("fragment1", false), continuation("fragment2", true)};
    accepted("5.3 text in 2 fragments", atOnce(two), 1);
    accepted("5.4 text in 2 fragments, frame by frame", oneByOne(two), 1);
    accepted("5.5 text in 2 fragments, in one-byte chops", chopped(two, 1), 1);
    const QByteArrayList withPing
        = {text("fragment1", false), ping("ping payload"), continuation("fragment2", true)};
    accepted("5.6 text in 2 fragments with a ping between", atOnce(withPing), 1, {"ping payload"});
    accepted("5.7 text in 2 fragments with a ping between, frame by frame", oneByOne(withPing), 1,
             {"ping payload"});
    accepted("5.8 text in 2 fragments with a ping between, in one-byte chops", chopped(withPing, 1),
             1, {"ping payload"});
    for (const bool final : {true, false}) {
        const QByteArrayList orphan
            = {continuation("non-continuation payload", final), text("Hello, world!")};
        const int first = final ? 9 : 12;
        const QByteArray what = QByteArray(" continuation with FIN ") + (final ? "set" : "clear")
            + " and nothing to continue, then text";
        closes("5." + QByteArray::number(first) + what, atOnce(orphan), 1002);
        closes("5." + QByteArray::number(first + 1) + what + ", frame by frame", oneByOne(orphan),
               1002);
        closes("5." + QByteArray::number(first + 2) + what + ", in one-byte chops",
               chopped(orphan, 1), 1002);
    }
    closes("5.15 fragmented text with continuation after final",
           atOnce({text("fragment1", false), continuation("fragment2", true),
                   continuation("fragment3", false), text("fragment4")}),
           1002, 1);
    for (const bool final : {false, true}) {
        QByteArrayList frames;
        for (int i = 0; i < 2; ++i)
            frames << continuation("fragment1", final) << text("fragment2", false)
                   << continuation("fragment3", true);
        closes(QByteArray(final ? "5.17" : "5.16") + " twice: continuation with FIN "
                   + (final ? "set" : "clear") + " and nothing to continue, then 2 fragments",
               atOnce(frames), 1002);
    }
    closes("5.18 text in 2 fragments, both with opcode text",
           atOnce({text("fragment1", false), text("fragment2")}), 1002);
    // The first ping must be answered before the message is complete: the rest is sent
    // once its pong has come.
    const QByteArrayList firstPart
        = {text("fragment1", false), continuation("fragment2", false), ping("pongme 1!")};
    const QByteArrayList secondPart
        = {continuation("fragment3", false), continuation("fragment4", false), ping("pongme 2!"),
           continuation("fragment5", true)};
    accepted("5.19 text in 5 fragments with 2 pings between, the first answered at once",
             atOnce(firstPart) + QList<Write>{Write{secondPart.join(), 0, 1}}, 1,
             {"pongme 1!", "pongme 2!"});
    QList<Write> frameByFrame = oneByOne(firstPart) + oneByOne(secondPart);
    frameByFrame[firstPart.size()].pongsFirst = 1;
    accepted("5.20 as 5.19, frame by frame", frameByFrame, 1, {"pongme 1!", "pongme 2!"});
}

void TestWebSocketConformance::utf8_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    accepted("6.1.1 text, empty payload", atOnce({text({})}), 1);
    accepted("6.1.2 text in 3 empty fragments",
             atOnce({text({}, false), continuation({}, false), continuation({}, true)}), 1);
    accepted("6.1.3 text in 3 fragments, the first and last empty",
             atOnce({text({}, false), continuation("middle frame payload", false),
                     continuation({}, true)}),
             1);
    const QByteArray hello
        = "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!";
    const QByteArray kosme = hex("cebae1bdb9cf83cebcceb5");
    accepted("6.2.1 valid UTF-8 text in one frame", atOnce({text(hello)}), 1);
    accepted("6.2.2 valid UTF-8 text in 2 fragments split on a code point boundary",
             atOnce({text(hello.left(15), false), continuation(hello.mid(15), true)}), 1);
    accepted("6.2.3 valid UTF-8 text in one-byte fragments", atOnce(fragments(1, hello, 1)), 1);
    accepted("6.2.4 valid UTF-8 text (kosme) in one-byte fragments", atOnce(fragments(1, kosme, 1)),
             1);
    const QByteArray invalid = kosme + hex("eda080") + "edited";
    closes("6.3.1 invalid UTF-8 (a surrogate) in one frame", atOnce({text(invalid)}), 1007);
    closes("6.3.2 invalid UTF-8 (a surrogate) in one-byte fragments",
           atOnce(fragments(1, invalid, 1)), 1007);
    // 6.4: the invalid part comes in the second of three parts. Failing at once is not
    // required (RFC 6455 8.1 speaks of the message), so all three go out.
    const QByteArrayList parts641 = {kosme, hex("f4908080"), "edited"};
    const QByteArrayList parts642 = {kosme + hex("f4"), hex("90"), hex("8080") + "edited"};
    for (const auto &[number, parts] : {std::pair{1, parts641}, std::pair{2, parts642}}) {
        closes("6.4." + QByteArray::number(number)
                   + " invalid UTF-8 (past U+10FFFF) in 3 fragments, the second one invalid",
               oneByOne({text(parts[0], false), continuation(parts[1], false),
                         continuation(parts[2], true)}),
               1007);
        const QByteArray whole = parts.join();
        closes("6.4." + QByteArray::number(number + 2) + " as 6.4." + QByteArray::number(number)
                   + " in 3 chops of one frame",
               cutFrame(text(whole), whole.size(),
                        {parts[0].size(), parts[0].size() + parts[1].size()}),
               1007);
    }

    // 6.5–6.23: Markus Kuhn's UTF-8 decoder test, each sequence a message of one frame.
    struct Group
    {
        const char *title;
        QList<std::pair<bool, QByteArray>> sequences;
    };
    QList<Group> groups;
    groups.append({"valid UTF-8",
                   {{true, "hello$world"},
                    {true, "hello" + hex("c2a2") + "world"},
                    {true, "hello" + hex("e282ac") + "world"},
                    {true, "hello" + hex("f0a4ada2") + "world"},
                    {true, kosme}}});
    Group prefixes{"prefix of valid UTF-8", {}};
    for (qsizetype i = 1; i <= kosme.size(); ++i)
        prefixes.sequences.append({QUtf8StringView(kosme.left(i)).isValidUtf8(), kosme.left(i)});
    groups.append(prefixes);
    groups.append({"first sequence of a length",
                   {{true, QByteArray(1, '\0')},
                    {true, hex("c280")},
                    {true, hex("e0a080")},
                    {true, hex("f0908080")}}});
    groups.append({"first sequence of 5 or 6 bytes",
                   {{false, hex("f888808080")}, {false, hex("fc8480808080")}}});
    groups.append(
        {"last sequence of a length",
         {{true, hex("7f")}, {true, hex("dfbf")}, {true, hex("efbfbf")}, {true, hex("f48fbfbf")}}});
    groups.append(
        {"last sequence of 4 to 6 bytes, past U+10FFFF",
         {{false, hex("f7bfbfbf")}, {false, hex("fbbfbfbfbf")}, {false, hex("fdbfbfbfbfbf")}}});
    groups.append({"boundary",
                   {{true, hex("ed9fbf")},
                    {true, hex("ee8080")},
                    {true, hex("efbfbd")},
                    {true, hex("f48fbfbf")},
                    {false, hex("f4908080")}}});
    QByteArray continuations;
    for (int byte = 0x80; byte < 0xbf; ++byte)
        continuations.append(char(byte));
    groups.append({"unexpected continuation bytes",
                   {{false, hex("80")},
                    {false, hex("bf")},
                    {false, hex("80bf")},
                    {false, hex("80bf80")},
                    {false, hex("80bf80bf")},
                    {false, hex("80bf80bf80")},
                    {false, hex("80bf80bf80bf")},
                    {false, continuations}}});
    Group lonely{"lonely start bytes", {}};
    for (const auto &[from, to] :
         {std::pair{0xc0, 0xdf}, std::pair{0xe0, 0xef}, std::pair{0xf0, 0xf7},
          std::pair{0xf8, 0xfb}, std::pair{0xfc, 0xfd}}) {
        QByteArray bytes;
        for (int byte = from; byte < to; ++byte)
            bytes.append(char(byte)).append(' ');
        lonely.sequences.append({false, bytes});
    }
    groups.append(lonely);
    const QByteArrayList incomplete
        = {hex("c0"), hex("e080"), hex("f08080"), hex("f8808080"), hex("fc80808080"),
           hex("df"), hex("efbf"), hex("f7bfbf"), hex("fbbfbfbf"), hex("fdbfbfbfbf")};
    Group missing{"last continuation byte missing", {}};
    for (const QByteArray &bytes : incomplete)
        missing.sequences.append({false, bytes});
    groups.append(missing);
    groups.append({"incomplete sequences concatenated", {{false, incomplete.join()}}});
    groups.append(
        {"impossible bytes", {{false, hex("fe")}, {false, hex("ff")}, {false, hex("fefeffff")}}});
    groups.append({"overlong slash",
                   {{false, hex("c0af")},
                    {false, hex("e080af")},
                    {false, hex("f08080af")},
                    {false, hex("f8808080af")},
                    {false, hex("fc80808080af")}}});
    groups.append({"longest overlong",
                   {{false, hex("c1bf")},
                    {false, hex("e09fbf")},
                    {false, hex("f08fbfbf")},
                    {false, hex("f887bfbfbf")},
                    {false, hex("fc83bfbfbfbf")}}});
    groups.append({"overlong NUL",
                   {{false, hex("c080")},
                    {false, hex("e08080")},
                    {false, hex("f0808080")},
                    {false, hex("f880808080")},
                    {false, hex("fc8080808080")}}});
    groups.append({"single UTF-16 surrogate",
                   {{false, hex("eda080")},
                    {false, hex("edadbf")},
                    {false, hex("edae80")},
                    {false, hex("edafbf")},
                    {false, hex("edb080")},
                    {false, hex("edbe80")},
                    {false, hex("edbfbf")}}});
    Group paired{"paired UTF-16 surrogates", {}};
    for (const char *high : {"eda080", "edadbf", "edae80", "edafbf"})
        for (const char *low : {"edb080", "edbfbf"})
            paired.sequences.append({false, hex(high) + hex(low)});
    groups.append(paired);
    Group nonCharacters{"non-character (valid UTF-8)",
                        {{true, hex("efbfbe")}, {true, hex("efbfbf")}}};
    for (const char lead : {'\xf0', '\xf1', '\xf2', '\xf3', '\xf4'}) {
        for (const char second : {'\x8f', '\x9f', '\xaf', '\xbf'}) {
            if (lead == '\xf4' && second != '\x8f')
                continue; // past U+10FFFF
            if (lead == '\xf0' && second == '\x8f')
                continue; // overlong
            for (const char last : {'\xbe', '\xbf'})
                nonCharacters.sequences.append(
                    {true, QByteArray(1, lead) + second + '\xbf' + last});
        }
    }
    groups.append(nonCharacters);
    Group specials{"Unicode special (valid UTF-8)", {}};
    for (const char last : {'\xb9', '\xba', '\xbb', '\xbc', '\xbd', '\xbe', '\xbf'})
        specials.sequences.append({true, hex("efbf") + last});
    groups.append(specials);

    int section = 5;
    for (const Group &group : std::as_const(groups)) {
        int number = 1;
        for (const auto &[valid, bytes] : group.sequences) {
            const QByteArray name = "6." + QByteArray::number(section) + '.'
                + QByteArray::number(number++) + ' ' + group.title + ": "
                + bytes.left(24).toHex(' ') + (bytes.size() > 24 ? " ..." : "");
            if (valid)
                accepted(name, atOnce({text(bytes)}), 1);
            else
                closes(name, atOnce({text(bytes)}), 1007);
        }
        ++section;
    }
}

void TestWebSocketConformance::closeHandling_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    const QByteArray normal = closeFrame(1000);
    closes("7.1.1 text, then close", atOnce({text("Hello World!"), normal}), 1000, 1);
    closes("7.1.2 two close frames", atOnce({normal, normal}), 1000);
    closes("7.1.3 ping after close", atOnce({normal, ping("Hello World!")}), 1000);
    closes("7.1.4 text after close", atOnce({normal, text("Hello World!")}), 1000);
    closes("7.1.5 first fragment, close, last fragment",
           atOnce({text("fragment1", false), normal, continuation("fragment2", true)}), 1000);
    QByteArray big = QByteArray("BAsd7&jh23").repeated(kMaxMessageBytes / 10 + 1);
    big.truncate(kMaxMessageBytes);
    closes("7.1.6 256 KiB text, text, close, ping",
           atOnce({text(big), text("Hello World!"), normal, ping()}), 1000, 2);
    closes("7.3.1 close without payload", atOnce({frame(8, {})}), 1000);
    closes("7.3.2 close with a one-byte payload", atOnce({frame(8, "a")}), 1002);
    closes("7.3.3 close with code 1000 and no reason", atOnce({normal}), 1000);
    closes("7.3.4 close with code 1000 and a reason", atOnce({closeFrame(1000, "Hello World!")}),
           1000);
    closes("7.3.5 close with a reason of 123 bytes (the most)",
           atOnce({closeFrame(1000, QByteArray(123, '*'))}), 1000);
    closes("7.3.6 close with a reason of 124 bytes (too long)",
           atOnce({closeFrame(1000, QByteArray(124, '*'))}), 1002);
    closes("7.5.1 close with a reason that is not UTF-8",
           atOnce({closeFrame(1000, hex("cebae1bdb9cf83cebcceb5eda080") + "edited")}), 1007);
    int number = 1;
    for (const int code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
        closes("7.7." + QByteArray::number(number++) + " close with valid code "
                   + QByteArray::number(code),
               atOnce({closeFrame(code)}), code);
    }
    // Registered with IANA since RFC 6455 (service restart, try again later, bad gateway).
    for (const int code : {1012, 1013, 1014}) {
        closes("7.7 (IANA) close with valid code " + QByteArray::number(code),
               atOnce({closeFrame(code)}), code);
    }
    number = 1;
    for (const int code : {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999}) {
        closes("7.9." + QByteArray::number(number++) + " close with invalid code "
                   + QByteArray::number(code),
               atOnce({closeFrame(code)}), 1002);
    }
    closes("7.9 (RFC 7.4.1) close with code 1015, which is never sent", atOnce({closeFrame(1015)}),
           1002);
    closes("7.13.1 close with code 5000", atOnce({closeFrame(5000)}), 1002);
    closes("7.13.2 close with code 65535", atOnce({closeFrame(65535)}), 1002);
}

void TestWebSocketConformance::limits_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    // Autobahn goes up to 16 MiB; the relay takes 256 KiB at most (kMaxMessageBytes), so
    // the sizes are scaled to that, and each size past it must close with 1009 — as soon as
    // the header says so: past 1 MiB only the header and 64 KiB are sent.
    const auto message
        = [](int opcode, qsizetype size) { return QByteArray(size, opcode == 1 ? '*' : '\xfe'); };
    const auto declared = [&message](int opcode, qsizetype size) {
        return RawFrame{opcode, message(opcode, 65536), true, 0, true, quint64(size)}.encode();
    };
    for (const int opcode : {1, 2}) {
        const QByteArray kind = opcode == 1 ? "text" : "binary";
        const QByteArray prefix = "9." + QByteArray::number(opcode) + '.';
        accepted(prefix + "1 " + kind + " of 64 KiB",
                 atOnce({frame(opcode, message(opcode, 65536))}), 1);
        accepted(prefix + "2 " + kind + " of 256 KiB, the relay's limit",
                 atOnce({frame(opcode, message(opcode, kMaxMessageBytes))}), 1);
        closes(prefix + "3 " + kind + " of 1 MiB, over the limit",
               atOnce({frame(opcode, message(opcode, 1 << 20))}), 1009);
        closes(prefix + "4 " + kind + " of 4 MiB, over the limit",
               atOnce({declared(opcode, 4 << 20)}), 1009);
        closes(prefix + "5 " + kind + " of 8 MiB, over the limit",
               atOnce({declared(opcode, 8 << 20)}), 1009);
        closes(prefix + "6 " + kind + " of 16 MiB, over the limit",
               atOnce({declared(opcode, 16 << 20)}), 1009);
        closes("9." + QByteArray::number(opcode) + " " + kind + " one byte over the limit",
               atOnce({frame(opcode, message(opcode, kMaxMessageBytes + 1))}), 1009);
    }
    for (const int opcode : {1, 2}) {
        const QByteArray kind = opcode == 1 ? "text" : "binary";
        const QByteArray prefix = "9." + QByteArray::number(opcode + 2) + '.';
        int number = 1;
        for (const qsizetype size : {64, 256, 1024, 4096, 16384, 65536, 262144}) {
            accepted(prefix + QByteArray::number(number++) + ' ' + kind
                         + " of 256 KiB (the limit) in fragments of " + QByteArray::number(size)
                         + " bytes",
                     atOnce(fragments(opcode, message(opcode, kMaxMessageBytes), size)), 1);
        }
        closes("9." + QByteArray::number(opcode + 2) + ' ' + kind
                   + " one byte over the limit in fragments of 1 KiB",
               atOnce(fragments(opcode, message(opcode, kMaxMessageBytes + 1), 1024)), 1009);
    }
    for (const int opcode : {1, 2}) {
        const QByteArray kind = opcode == 1 ? "text" : "binary";
        const QByteArray prefix = "9." + QByteArray::number(opcode + 4) + '.';
        int number = 1;
        for (const int chop : {64, 128, 256, 512, 1024, 2048}) {
            accepted(prefix + QByteArray::number(number++) + ' ' + kind + " of 256 KiB in chops of "
                         + QByteArray::number(chop) + " bytes",
                     chopped({frame(opcode, message(opcode, kMaxMessageBytes))}, chop), 1);
        }
    }
    for (const int opcode : {1, 2}) {
        const QByteArray kind = opcode == 1 ? "text" : "binary";
        const QByteArray prefix = "9." + QByteArray::number(opcode + 6) + '.';
        int number = 1;
        for (const qsizetype size : {0, 16, 64, 256, 1024, 4096}) {
            QByteArrayList frames;
            for (int i = 0; i < 1000; ++i)
                frames.append(frame(opcode, message(opcode, size)));
            accepted(prefix + QByteArray::number(number++) + " 1000 " + kind + " messages of "
                         + QByteArray::number(size) + " bytes",
                     atOnce(frames), 1000);
        }
    }

    // Until a connection signs in, the relay takes 16 KiB at most.
    const QByteArray atLimit(kSignedOutMessageBytes, '*');
    const QByteArray overLimit(kSignedOutMessageBytes + 1, '*');
    for (const Stage stage : {Stage::Connected, Stage::SaidHello}) {
        const QByteArray when = stage == Stage::Connected ? "9 before hello: " : "9 after hello: ";
        accepted(when + "text of 16 KiB, the limit until signed in", atOnce({text(atLimit)}), 1, {},
                 stage);
        closes(when + "text of 16 KiB + 1", atOnce({text(overLimit)}), 1009, 0, {}, stage);
        closes(when + "binary of 16 KiB + 1", atOnce({binary(overLimit)}), 1009, 0, {}, stage);
        closes(when + "text of 16 KiB + 1 in fragments of 1 KiB",
               atOnce(fragments(1, overLimit, 1024)), 1009, 0, {}, stage);
        closes(when + "text declared 16 MiB", atOnce({declared(1, 16 << 20)}), 1009, 0, {}, stage);
    }
    accepted("9 signed in: text of 16 KiB + 1", atOnce({text(overLimit)}), 1);
}

void TestWebSocketConformance::miscellaneous_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    accepted("10.1.1 text of 64 KiB in fragments of 1300 bytes",
             atOnce(fragments(1, QByteArray(65536, '*'), 1300)), 1);
    // What the Autobahn client cannot send: it always masks (RFC 6455 5.1: a server must
    // close on an unmasked frame).
    const auto unmasked = [](int opcode, const QByteArray &payload, bool final = true) {
        return RawFrame{opcode, payload, final, 0, false}.encode();
    };
    closes("RFC 5.1 unmasked text", atOnce({unmasked(1, "Hello, world!")}), 1002);
    closes("RFC 5.1 unmasked binary", atOnce({unmasked(2, hex("00ff"))}), 1002);
    closes("RFC 5.1 unmasked ping", atOnce({unmasked(9, "ping payload")}), 1002);
    closes("RFC 5.1 unmasked close", atOnce({unmasked(8, closePayload(1000))}), 1002);
    closes("RFC 5.1 masked first fragment, unmasked continuation",
           atOnce({text("fragment1", false), unmasked(0, "fragment2")}), 1002);
    closes("RFC 5.2 continuation with RSV1",
           atOnce({text("fragment1", false), frame(0, "fragment2", true, 4)}), 1002);
    closes("RFC 5.2 64-bit length with its top bit set",
           atOnce({RawFrame{2, "x", true, 0, true, (quint64(1) << 63) | 1}.encode()}), 1002);
    accepted("RFC 5.5 ping between fragments of binary",
             atOnce({binary("fragment1", false), ping("between"), continuation("fragment2", true)}),
             1, {"between"});
}

QTEST_GUILESS_MAIN(TestWebSocketConformance)
#include "tst_websocket_conformance.moc"
