// The relay's WebSocket layer without sockets: framing (RFC 6455) and the upgrade request.
#include "gateway/websocket_upgrade.h"
#include "protocol/websocket_codec.h"

#include <QtTest>

using namespace tidings;
using namespace Qt::StringLiterals;
using namespace tidings::websocket;
using Kind = MessageReader::Message::Kind;
using Role = MessageReader::Role;

namespace {

constexpr quint32 kMask = 0x37fa213d;

QByteArray clientFrame(Opcode opcode, QByteArrayView payload, bool final = true)
{
    QByteArray frame = encodeFrame(opcode, payload, kMask);
    if (!final)
        frame[0] = char(frame[0] & 0x7F);
    return frame;
}

/// Feeds `bytes` in pieces of `step` bytes and collects every message.
QList<MessageReader::Message> readAll(QByteArrayView bytes, qsizetype step = 0, qint64 max = 1024,
                                      Role role = Role::Server)
{
    MessageReader reader(role, max);
    QList<MessageReader::Message> messages;
    const qsizetype piece = step > 0 ? step : std::max<qsizetype>(bytes.size(), 1);
    for (qsizetype at = 0; at < bytes.size(); at += piece) {
        reader.append(bytes.sliced(at, std::min(piece, bytes.size() - at)));
        while (auto message = reader.next())
            messages.append(*message);
    }
    return messages;
}

MessageReader::Message only(const QList<MessageReader::Message> &messages)
{
    if (messages.size() != 1)
        qWarning() << messages.size() << "messages instead of one";
    return messages.value(0);
}

QByteArray head(QByteArrayView lines)
{
    return lines.toByteArray() + "\r\n";
}

const QByteArray kUpgrade = "GET /ws HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\n"
                            "Connection: keep-alive, Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n";

} // namespace

class TestWebSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theAcceptKeyIsTheRfcs()
    {
        // RFC 6455, section 1.3.
        QCOMPARE(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void framesOfEverySizeRoundTrip_data()
    {
        QTest::addColumn<int>("size");
        for (int size : {0, 1, 125, 126, 127, 65535, 65536, 70000})
            QTest::addRow("%d bytes", size) << size;
    }

    void framesOfEverySizeRoundTrip()
    {
        QFETCH(int, size);
        QByteArray payload(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            payload[i] = char('a' + i % 26);
        // Header: 2 bytes, then 2 or 8 more for the length, then the mask.
        const QByteArray frame = clientFrame(Opcode::Text, payload);
        const int lengthBytes = size < 126 ? 0 : size < 65536 ? 2 : 8;
        QCOMPARE(frame.size(), 2 + lengthBytes + 4 + size);

        const auto message = only(readAll(frame, 0, 100000));
        QCOMPARE(message.kind, Kind::Text);
        QCOMPARE(message.payload, payload);
        // Byte by byte: the same message, once.
        if (size < 1000)
            QCOMPARE(only(readAll(frame, 1, 100000)).payload, payload);

        // What a server sends is unmasked, and a client reads it back.
        const QByteArray fromServer = encodeFrame(Opcode::Text, payload);
        QCOMPARE(fromServer.size(), 2 + lengthBytes + size);
        QCOMPARE(only(readAll(fromServer, 0, 100000, Role::Client)).payload, payload);
    }

    void fragmentsJoinAndControlFramesComeBetween()
    {
        const QByteArray text = "h\xc3\xa9llo"; // "héllo": é split across two fragments
        QByteArray stream = clientFrame(Opcode::Text, text.first(2), false);
        stream += clientFrame(Opcode::Ping, "p");
        stream += clientFrame(Opcode::Continuation, text.sliced(2, 1), false);
        stream += clientFrame(Opcode::Continuation, text.sliced(3));
        stream += clientFrame(Opcode::Binary, "\x00\x01");
        stream += clientFrame(Opcode::Pong, "");
        for (qsizetype step : {qsizetype(0), qsizetype(1), qsizetype(3)}) {
            const auto messages = readAll(stream, step);
            QCOMPARE(messages.size(), 4);
            QCOMPARE(messages[0].kind, Kind::Ping);
            QCOMPARE(messages[0].payload, QByteArray("p"));
            QCOMPARE(messages[1].kind, Kind::Text);
            QCOMPARE(messages[1].payload, text);
            QCOMPARE(messages[2].kind, Kind::Binary);
            QCOMPARE(messages[3].kind, Kind::Pong);
        }
    }

    void aCloseEndsTheStream()
    {
        QByteArray stream = clientFrame(Opcode::Close, closePayload(4001, "bye"));
        stream += clientFrame(Opcode::Text, "after the close");
        auto message = only(readAll(stream));
        QCOMPARE(message.kind, Kind::Close);
        QCOMPARE(message.closeCode, quint16(4001));
        QCOMPARE(message.payload, QByteArray("bye"));

        message = only(readAll(clientFrame(Opcode::Close, "")));
        QCOMPARE(message.closeCode, close::kNoStatus);
    }

    void aCloseReasonIsCutBetweenCharacters()
    {
        const QByteArray reason = QString(u"é"_s.repeated(100)).toUtf8(); // 200 bytes
        const QByteArray payload = closePayload(1000, reason);
        QVERIFY(payload.size() <= 125);
        QCOMPARE(payload.size(), 2 + 122); // 61 whole characters; the 62nd would not fit
        QVERIFY(QUtf8StringView(payload.sliced(2)).isValidUtf8());
    }

    void violationsEndTheStreamWithTheirCode_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<int>("code");
        QTest::addColumn<bool>("client"); // read as a client does
        const bool server = false;
        QByteArray unmasked = encodeFrame(Opcode::Text, "hi");
        QTest::addRow("unmasked client frame") << unmasked << 1002 << server;
        QTest::addRow("masked server frame") << clientFrame(Opcode::Text, "hi") << 1002 << true;
        QByteArray reserved = clientFrame(Opcode::Text, "hi");
        reserved[0] = char(reserved[0] | 0x40);
        QTest::addRow("reserved bit") << reserved << 1002 << server;
        QByteArray unknown = clientFrame(Opcode::Text, "hi");
        unknown[0] = char(0x83);
        QTest::addRow("unknown opcode") << unknown << 1002 << server;
        QTest::addRow("fragmented ping") << clientFrame(Opcode::Ping, "x", false) << 1002 << server;
        QTest::addRow("long ping")
            << clientFrame(Opcode::Ping, QByteArray(126, 'x')) << 1002 << server;
        QTest::addRow("stray continuation")
            << clientFrame(Opcode::Continuation, "x") << 1002 << server;
        QTest::addRow("message inside a message")
            << clientFrame(Opcode::Text, "a", false) + clientFrame(Opcode::Text, "b") << 1002
            << server;
        QTest::addRow("invalid UTF-8") << clientFrame(Opcode::Text, "\xc3\x28") << 1007 << server;
        QTest::addRow("UTF-8 cut at the end")
            << clientFrame(Opcode::Text, "\xc3", false) + clientFrame(Opcode::Continuation, "")
            << 1007 << server;
        QTest::addRow("one-byte close") << clientFrame(Opcode::Close, "\x03") << 1002 << server;
        QTest::addRow("close code 1005")
            << clientFrame(Opcode::Close, closePayload(1005, "")) << 1002 << server;
        QTest::addRow("close code 999")
            << clientFrame(Opcode::Close, closePayload(999, "")) << 1002 << server;
        QTest::addRow("close reason not UTF-8")
            << clientFrame(Opcode::Close, closePayload(1000, "\xff")) << 1007 << server;
        QTest::addRow("message over the limit")
            << clientFrame(Opcode::Text, QByteArray(1025, 'x')) << 1009 << server;
        QTest::addRow("fragments over the limit")
            << clientFrame(Opcode::Text, QByteArray(600, 'x'), false)
                + clientFrame(Opcode::Continuation, QByteArray(600, 'x'))
            << 1009 << server;
        QByteArray huge("\x81\xff\x80\x00\x00\x00\x00\x00\x00\x00", 10); // top bit of 64
        QTest::addRow("length with top bit") << huge << 1002 << server;
    }

    void violationsEndTheStreamWithTheirCode()
    {
        QFETCH(QByteArray, stream);
        QFETCH(int, code);
        QFETCH(bool, client);
        const auto message = only(readAll(QByteArray(stream + clientFrame(Opcode::Text, "more")), 0,
                                          1024, client ? Role::Client : Role::Server));
        QCOMPARE(message.kind, Kind::Violation);
        QCOMPARE(int(message.closeCode), code);
        QVERIFY(!message.payload.isEmpty()); // says why
    }

    void aTooBigMessageIsRefusedBeforeItsBytesArrive()
    {
        // Only the header of a 1 GiB frame: refused at once, nothing buffered for it.
        MessageReader reader(Role::Server, 1024);
        reader.append(QByteArray("\x81\xff\x00\x00\x00\x00\x40\x00\x00\x00", 10));
        const auto message = reader.next();
        QVERIFY(message);
        QCOMPARE(message->closeCode, close::kTooBig);
        QCOMPARE(reader.buffered(), 0);
    }

    void anUpgradeIsRecognised()
    {
        const auto request = relay::inspectRequest(
            head(QByteArray(kUpgrade + "Origin: https://app.example.org\r\n")), "/ws");
        QCOMPARE(request.kind, relay::UpgradeRequest::Kind::WebSocket);
        QCOMPARE(request.origin, u"https://app.example.org"_s);
        QVERIFY(request.response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
        QVERIFY(
            request.response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        QVERIFY(request.response.endsWith("\r\n\r\n"));

        // Header names in any case, a query string, no Origin.
        QByteArray lower = kUpgrade.toLower();
        lower.replace("get /ws http/1.1", "GET /ws?v=1 HTTP/1.1");
        lower.replace("dghlihnhbxbszsbub25jzq==", "dGhlIHNhbXBsZSBub25jZQ==");
        const auto other = relay::inspectRequest(head(lower), "/ws");
        QCOMPARE(other.kind, relay::UpgradeRequest::Kind::WebSocket);
        QVERIFY(other.origin.isEmpty());
    }

    void otherRequestsAreServedAsHttp()
    {
        using relay::UpgradeRequest;
        QCOMPARE(relay::inspectRequest(head("GET /healthz HTTP/1.1\r\nHost: x\r\n"), "/ws").kind,
                 UpgradeRequest::Kind::Http);
        QCOMPARE(relay::inspectRequest(head("GET /ws HTTP/1.1\r\nHost: x\r\n"), "/ws").kind,
                 UpgradeRequest::Kind::Http); // answered 426 by the HTTP route
        QByteArray elsewhere = kUpgrade;
        elsewhere.replace("/ws", "/other");
        QCOMPARE(relay::inspectRequest(head(elsewhere), "/ws").kind, UpgradeRequest::Kind::Http);
        QCOMPARE(relay::inspectRequest(head("garbage\r\n"), "/ws").kind,
                 UpgradeRequest::Kind::Http); // the HTTP server says 400
    }

    void badUpgradesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("status");
        auto variant = [](QByteArrayView from, QByteArrayView to) {
            QByteArray copy = kUpgrade;
            return head(copy.replace(from.toByteArray(), to.toByteArray()));
        };
        QTest::addRow("POST") << variant("GET ", "POST ") << QByteArray("400");
        QTest::addRow("HTTP/1.0") << variant("HTTP/1.1", "HTTP/1.0") << QByteArray("400");
        QTest::addRow("no Connection: Upgrade")
            << variant("keep-alive, Upgrade", "keep-alive") << QByteArray("400");
        QTest::addRow("version 8") << variant("Version: 13", "Version: 8") << QByteArray("426");
        QTest::addRow("short key")
            << variant("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=") << QByteArray("400");
        QTest::addRow("key not base64")
            << variant("dGhlIHNhbXBsZSBub25jZQ==", "!!!!") << QByteArray("400");
    }

    void badUpgradesAreRefused()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, status);
        const auto refused = relay::inspectRequest(request, "/ws");
        QCOMPARE(refused.kind, relay::UpgradeRequest::Kind::Refused);
        QVERIFY2(refused.response.startsWith(QByteArray("HTTP/1.1 " + status)),
                 refused.response.constData());
        QVERIFY(refused.response.contains("Connection: close\r\n"));
        if (status == "426")
            QVERIFY(refused.response.contains("Sec-WebSocket-Version: 13\r\n"));
    }
};

QTEST_APPLESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
