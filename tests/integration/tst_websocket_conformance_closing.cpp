// WebSocket conformance of the real relay, Autobahn|Testsuite sections 7, 9 and 10: the closing
// handshake, the relay's message limits, and the miscellaneous cases. websocket_conformance.h
// says how a case is run and judged.
#include "websocket_conformance.h"

#include <QtTest>

using namespace tidings::test;
using namespace tidings::test::websocket;
using namespace Qt::StringLiterals;

class TestWebSocketClosing : public QObject, public ConformanceRelay
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { start(); }
    void cleanup() { checkRunning(); }
    void cleanupTestCase() { stop(); }

    void closeHandling_data();
    void closeHandling() { run(); }
    void limits_data();
    void limits() { run(); }
    void miscellaneous_data();
    void miscellaneous() { run(); }
};

void TestWebSocketClosing::closeHandling_data()
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

void TestWebSocketClosing::limits_data()
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

void TestWebSocketClosing::miscellaneous_data()
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

QTEST_GUILESS_MAIN(TestWebSocketClosing)
#include "tst_websocket_conformance_closing.moc"
