// WebSocket conformance of the real relay, Autobahn|Testsuite sections 1–5: framing, pings and
// pongs, reserved bits, opcodes and fragmentation. websocket_conformance.h says how a case is
// run and judged.
#include "websocket_conformance.h"

#include <QtTest>

using namespace tidings::test;
using namespace tidings::test::websocket;
using namespace Qt::StringLiterals;

class TestWebSocketFraming : public QObject, public ConformanceRelay
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { start(); }
    void cleanup() { checkRunning(); }
    void cleanupTestCase() { stop(); }

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
};

void TestWebSocketFraming::framing_data()
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

void TestWebSocketFraming::pingsAndPongs_data()
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

void TestWebSocketFraming::reservedBits_data()
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

void TestWebSocketFraming::opcodes_data()
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

void TestWebSocketFraming::fragmentation_data()
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

QTEST_GUILESS_MAIN(TestWebSocketFraming)
#include "tst_websocket_conformance_framing.moc"
