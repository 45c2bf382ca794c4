// The relay's one request-head parser (relay/gateway/request_head.h), without sockets: the
// heads real clients send, each malformation refused with its status and reason, the size
// limits, and the WebSocket upgrade reading heads through the same parser.
#include "gateway/request_head.h"
#include "gateway/websocket_upgrade.h"

#include <QtTest>

using namespace tidings;
using relay::HeadScan;
using relay::HttpRequest;
using relay::ParsedHead;

namespace {

using Fields = QList<std::pair<QByteArray, QByteArray>>;

/// What Qt's QWebSocket (6.4) sends to open ws://127.0.0.1:8420/ws.
const QByteArray kQtWebSocket = "GET /ws HTTP/1.1\r\n"
                                "Host: 127.0.0.1:8420\r\n"
                                "Upgrade: websocket\r\n"
                                "Connection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n"
                                "\r\n";

/// What a browser (Chromium) sends from a page of another origin.
const QByteArray kBrowserWebSocket
    = "GET /ws?v=1 HTTP/1.1\r\n"
      "Host: relay.example.org\r\n"
      "Connection: Upgrade\r\n"
      "Pragma: no-cache\r\n"
      "Cache-Control: no-cache\r\n"
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36\r\n"
      "Upgrade: websocket\r\n"
      "Origin: https://app.example.org\r\n"
      "Sec-WebSocket-Version: 13\r\n"
      "Accept-Encoding: gzip, deflate, br\r\n"
      "Accept-Language: en-US,en;q=0.9\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
      "\r\n";

/// What curl sends for `curl http://127.0.0.1:8420/healthz`.
const QByteArray kCurl = "GET /healthz HTTP/1.1\r\n"
                         "Host: 127.0.0.1:8420\r\n"
                         "User-Agent: curl/7.88.1\r\n"
                         "Accept: */*\r\n"
                         "\r\n";

/// A head with `count` fields named X-Field-<n>.
QByteArray headWithFields(int count)
{
    QByteArray head = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < count; ++i)
        head += "X-Field-" + QByteArray::number(i) + ": " + QByteArray::number(i) + "\r\n";
    return head + "\r\n";
}

} // namespace

class TestRequestHead : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validHeadsAreRead_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("version");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<Fields>("fields");
        QTest::addColumn<qint64>("contentLength");
        QTest::addColumn<bool>("keepAlive");

        QTest::addRow("the shortest")
            << QByteArray("GET / HTTP/1.1\r\n\r\n") << QByteArray("GET") << QByteArray("HTTP/1.1")
            << QByteArray("/") << QByteArray() << Fields{} << qint64(0) << true;
        QTest::addRow("Qt's QWebSocket")
            << kQtWebSocket << QByteArray("GET") << QByteArray("HTTP/1.1") << QByteArray("/ws")
            << QByteArray()
            << Fields{{"host", "127.0.0.1:8420"},
                      {"upgrade", "websocket"},
                      {"connection", "Upgrade"},
                      {"sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="},
                      {"sec-websocket-version", "13"}}
            << qint64(0) << true;
        QTest::addRow("curl") << kCurl << QByteArray("GET") << QByteArray("HTTP/1.1")
                              << QByteArray("/healthz") << QByteArray()
                              << Fields{{"host", "127.0.0.1:8420"},
                                        {"user-agent", "curl/7.88.1"},
                                        {"accept", "*/*"}}
                              << qint64(0) << true;
        QTest::addRow("a media upload")
            << QByteArray("PATCH /v1/media/9f86d081 HTTP/1.1\r\nHost: x\r\n"
                          "Authorization: Bearer abc\r\nUpload-Offset: 0\r\n"
                          "Content-Length: 200000\r\nExpect: 100-continue\r\n\r\n")
            << QByteArray("PATCH") << QByteArray("HTTP/1.1") << QByteArray("/v1/media/9f86d081")
            << QByteArray()
            << Fields{{"host", "x"},
                      {"authorization", "Bearer abc"},
                      {"upload-offset", "0"},
                      {"content-length", "200000"},
                      {"expect", "100-continue"}}
            << qint64(200000) << true;
        QTest::addRow("a query, the same Content-Length twice")
            << QByteArray("POST /v1/media?sig=a%2Fb&x HTTP/1.1\r\nContent-Length: 5\r\n"
                          "Content-Length: 5\r\n\r\n")
            << QByteArray("POST") << QByteArray("HTTP/1.1") << QByteArray("/v1/media")
            << QByteArray("sig=a%2Fb&x") << Fields{{"content-length", "5"}, {"content-length", "5"}}
            << qint64(5) << true;
        QTest::addRow("Connection: close")
            << QByteArray("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n") << QByteArray("GET")
            << QByteArray("HTTP/1.1") << QByteArray("/") << QByteArray()
            << Fields{{"connection", "Close"}} << qint64(0) << false;
        QTest::addRow("close in a second Connection field")
            << QByteArray(
                   "GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: te, close\r\n\r\n")
            << QByteArray("GET") << QByteArray("HTTP/1.1") << QByteArray("/") << QByteArray()
            << Fields{{"connection", "keep-alive"}, {"connection", "te, close"}} << qint64(0)
            << false;
        QTest::addRow("HTTP/1.0") << QByteArray("HEAD /healthz HTTP/1.0\r\n\r\n")
                                  << QByteArray("HEAD") << QByteArray("HTTP/1.0")
                                  << QByteArray("/healthz") << QByteArray() << Fields{} << qint64(0)
                                  << false;
        QTest::addRow("HTTP/1.0 keep-alive")
            << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") << QByteArray("GET")
            << QByteArray("HTTP/1.0") << QByteArray("/") << QByteArray()
            << Fields{{"connection", "Keep-Alive"}} << qint64(0) << true;
        QTest::addRow("names in any case, values trimmed, tabs and UTF-8 kept")
            << QByteArray("GET / HTTP/1.1\r\nX-MiXeD:\t  a\tb  \r\nX-Empty:\r\n"
                          "X-Name: J\xc3\xbcrgen\r\n\r\n")
            << QByteArray("GET") << QByteArray("HTTP/1.1") << QByteArray("/") << QByteArray()
            << Fields{{"x-mixed", "a\tb"}, {"x-empty", ""}, {"x-name", "J\xc3\xbcrgen"}}
            << qint64(0) << true;
        Fields most;
        for (int i = 0; i < relay::kMaxHeaderFields; ++i)
            most.append({"x-field-" + QByteArray::number(i), QByteArray::number(i)});
        QTest::addRow("the most fields")
            << headWithFields(relay::kMaxHeaderFields) << QByteArray("GET")
            << QByteArray("HTTP/1.1") << QByteArray("/") << QByteArray() << most << qint64(0)
            << true;
    }

    void validHeadsAreRead()
    {
        QFETCH(QByteArray, head);
        const ParsedHead parsed = relay::parseRequestHead(head);
        QVERIFY2(parsed.ok(), parsed.why.constData());
        QCOMPARE(parsed.status, 0);
        QVERIFY(parsed.why.isEmpty());
        const HttpRequest &request = parsed.request;
        QTEST(request.method, "method");
        QTEST(request.version, "version");
        QTEST(request.path, "path");
        QTEST(request.query, "query");
        QTEST(request.headers, "fields");
        QTEST(request.contentLength, "contentLength");
        QTEST(request.keepAlive, "keepAlive");
    }

    void browsersAreRead()
    {
        const ParsedHead parsed = relay::parseRequestHead(kBrowserWebSocket);
        QVERIFY2(parsed.ok(), parsed.why.constData());
        QCOMPARE(parsed.request.path, QByteArray("/ws"));
        QCOMPARE(parsed.request.query, QByteArray("v=1"));
        QCOMPARE(parsed.request.headers.size(), qsizetype(12));
        QCOMPARE(parsed.request.header("origin"), QByteArray("https://app.example.org"));
        QVERIFY(parsed.request.keepAlive);
    }

    void malformedHeadsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("why");

        const QByteArray noEnd = "the head does not end with an empty line";
        const QByteArray bare = "a bare CR or LF in the head";
        const QByteArray requestLine = "malformed request line";
        const QByteArray version = "only HTTP/1.1 is spoken here";
        const QByteArray field = "malformed header field";
        const QByteArray control = "a control character in a header field";
        const QByteArray notNumber = "Content-Length is not a number";
        const QByteArray chunked = "send the body with a Content-Length, not chunked";

        QTest::addRow("nothing") << QByteArray() << 400 << noEnd;
        QTest::addRow("no empty line") << QByteArray("GET / HTTP/1.1\r\n") << 400 << noEnd;
        QTest::addRow("ends with bare LFs") << QByteArray("GET / HTTP/1.1\n\n") << 400 << noEnd;
        QTest::addRow("only the empty line")
            << QByteArray("\r\n\r\n") << 400 << QByteArray("empty request");
        QTest::addRow("an empty line first") << QByteArray("\r\nGET / HTTP/1.1\r\n\r\n") << 400
                                             << QByteArray("an empty line inside the head");
        QTest::addRow("a bare LF between lines")
            << QByteArray("GET / HTTP/1.1\nHost: x\r\n\r\n") << 400 << bare;
        QTest::addRow("bare LFs throughout")
            << QByteArray("GET / HTTP/1.1\nHost: x\n\r\n\r\n") << 400 << bare;
        QTest::addRow("a bare CR in a value")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n") << 400 << bare;
        QTest::addRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << 400 << requestLine;
        QTest::addRow("a tab for a space")
            << QByteArray("GET\t/ HTTP/1.1\r\n\r\n") << 400 << requestLine;
        QTest::addRow("no version") << QByteArray("GET /\r\n\r\n") << 400 << requestLine;
        QTest::addRow("a word") << QByteArray("garbage\r\n\r\n") << 400 << requestLine;
        QTest::addRow("a method that is no token")
            << QByteArray("GE(T / HTTP/1.1\r\n\r\n") << 400 << requestLine;
        QTest::addRow("an absolute target")
            << QByteArray("GET http://x/ HTTP/1.1\r\n\r\n") << 400 << requestLine;
        QTest::addRow("an asterisk")
            << QByteArray("OPTIONS * HTTP/1.1\r\n\r\n") << 400 << requestLine;
        QTest::addRow("a control character in the target")
            << QByteArray("GET /a\x01z HTTP/1.1\r\n\r\n") << 400 << requestLine;
        QTest::addRow("NUL in the target")
            << QByteArray("GET /a#z HTTP/1.1\r\n\r\n").replace('#', '\0') << 400 << requestLine;
        QTest::addRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 505 << version;
        QTest::addRow("HTTP/1.2") << QByteArray("GET / HTTP/1.2\r\n\r\n") << 505 << version;
        QTest::addRow("lower-case version")
            << QByteArray("GET / http/1.1\r\n\r\n") << 505 << version;
        QTest::addRow("one field too many") << headWithFields(relay::kMaxHeaderFields + 1) << 431
                                            << QByteArray("too many header fields");
        QTest::addRow("space before the colon")
            << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400 << field;
        QTest::addRow("a folded line")
            << QByteArray("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n") << 400 << field;
        QTest::addRow("a tab-folded line")
            << QByteArray("GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n") << 400 << field;
        QTest::addRow("no name") << QByteArray("GET / HTTP/1.1\r\n: x\r\n\r\n") << 400 << field;
        QTest::addRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost x\r\n\r\n") << 400 << field;
        QTest::addRow("a space in the name")
            << QByteArray("GET / HTTP/1.1\r\nHo st: x\r\n\r\n") << 400 << field;
        QTest::addRow("a control character in a value")
            << QByteArray("GET / HTTP/1.1\r\nX-A: a\x01z\r\n\r\n") << 400 << control;
        QTest::addRow("DEL in a value")
            << QByteArray("GET / HTTP/1.1\r\nX-A: a\x7f\r\n\r\n") << 400 << control;
        QTest::addRow("NUL in a value")
            << QByteArray("GET / HTTP/1.1\r\nX-A: a#z\r\n\r\n").replace('#', '\0') << 400
            << control;
        QTest::addRow("chunked") << QByteArray(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                 << 411 << chunked;
        QTest::addRow("any Transfer-Encoding, before a Content-Length that conflicts")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
                          "Transfer-Encoding: identity\r\n\r\n")
            << 411 << chunked;
        QTest::addRow("Content-Lengths that differ")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")
            << 400 << QByteArray("conflicting Content-Length fields");
        for (const char *length :
             {"-1", "+5", "5x", "0x10", "", "5, 5", "1 2", "99999999999999999999"}) {
            QTest::addRow("Content-Length '%s'", length) << QByteArray(
                "POST / HTTP/1.1\r\nContent-Length: " + QByteArray(length) + "\r\n\r\n")
                                                         << 400 << notNumber;
        }
    }

    void malformedHeadsAreRefused()
    {
        QFETCH(QByteArray, head);
        const ParsedHead parsed = relay::parseRequestHead(head);
        QVERIFY(!parsed.ok());
        QTEST(parsed.status, "status");
        QTEST(parsed.why, "why");
        QCOMPARE(parsed.request.contentLength, qint64(0));
    }

    void aRefusalKeepsTheMethodRead()
    {
        // A HEAD request is answered without a body, refused or not.
        const ParsedHead parsed
            = relay::parseRequestHead("HEAD / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        QCOMPARE(parsed.status, 411);
        QCOMPARE(parsed.request.method, QByteArray("HEAD"));
    }

    void anUpgradeIsReadByTheSameParser_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addRow("a bare LF")
            << QByteArray("Upgrade: websocket\r\n") << QByteArray("Upgrade: websocket\n");
        QTest::addRow("space before the colon")
            << QByteArray("Upgrade: websocket") << QByteArray("Upgrade : websocket");
        QTest::addRow("a folded line")
            << QByteArray("Connection: Upgrade\r\n") << QByteArray("Connection:\r\n Upgrade\r\n");
        QTest::addRow("an empty line first") << QByteArray("GET ") << QByteArray("\r\nGET ");
        QTest::addRow("a control character")
            << QByteArray("Host: 127.0.0.1") << QByteArray("Host: 127.0.0.1\x01");
        QTest::addRow("chunked") << QByteArray("Host:")
                                 << QByteArray("Transfer-Encoding: x\r\nHost:");
    }

    void anUpgradeIsReadByTheSameParser()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        // The heads of real clients upgrade.
        for (const QByteArray &head : {kQtWebSocket, kBrowserWebSocket}) {
            const auto upgrade = relay::inspectRequest(head, "/ws");
            QCOMPARE(upgrade.kind, relay::UpgradeRequest::Kind::WebSocket);
        }
        // What the parser refuses is no upgrade: it goes to the HTTP connection, which
        // answers with the parser's refusal.
        const QByteArray head = QByteArray(kQtWebSocket).replace(from, to);
        QVERIFY(head != kQtWebSocket);
        QVERIFY(!relay::parseRequestHead(head).ok());
        QCOMPARE(relay::inspectRequest(head, "/ws").kind, relay::UpgradeRequest::Kind::Http);
    }

    void fieldsAreLookedUp()
    {
        const ParsedHead parsed = relay::parseRequestHead(
            "GET /v1/media/x?sig=a%2Fb&exp=12&flag&empty= HTTP/1.1\r\n"
            "Connection: keep-alive\r\nConnection: UPGRADE , te\r\nX-A: first\r\nX-A: second\r\n"
            "\r\n");
        QVERIFY2(parsed.ok(), parsed.why.constData());
        const HttpRequest &request = parsed.request;
        QCOMPARE(request.header("x-a"), QByteArray("first"));
        QVERIFY(request.header("x-b").isEmpty());
        QVERIFY(request.headerHasToken("connection", "upgrade"));
        QVERIFY(request.headerHasToken("connection", "Keep-Alive"));
        QVERIFY(request.headerHasToken("connection", "te"));
        QVERIFY(!request.headerHasToken("connection", "close"));
        QVERIFY(!request.headerHasToken("upgrade", "websocket"));
        QCOMPARE(request.queryItem("sig"), QByteArray("a/b"));
        QCOMPARE(request.queryItem("exp"), QByteArray("12"));
        QVERIFY(request.queryItem("flag").isEmpty());
        QVERIFY(request.queryItem("empty").isEmpty());
        QVERIFY(request.queryItem("missing").isEmpty());
    }

    void theEndOfAHeadIsFound_data()
    {
        QTest::addColumn<QByteArray>("received");
        QTest::addColumn<qsizetype>("maxBytes");
        QTest::addColumn<HeadScan::State>("state");
        QTest::addColumn<qsizetype>("length");

        const QByteArray small = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"; // 27 bytes
        QTest::addRow("nothing yet")
            << QByteArray() << qsizetype(64) << HeadScan::State::Incomplete << qsizetype(0);
        QTest::addRow("a line") << QByteArray("GET / HTTP/1.1\r\n") << qsizetype(64)
                                << HeadScan::State::Incomplete << qsizetype(0);
        QTest::addRow("all but the last byte")
            << small.chopped(1) << qsizetype(64) << HeadScan::State::Incomplete << qsizetype(0);
        QTest::addRow("whole") << small << qsizetype(64) << HeadScan::State::Complete
                               << small.size();
        QTest::addRow("with a body behind it") << QByteArray(small + "body bytes") << qsizetype(64)
                                               << HeadScan::State::Complete << small.size();
        QTest::addRow("two requests, the first") << QByteArray(small + small) << qsizetype(64)
                                                 << HeadScan::State::Complete << small.size();
        QTest::addRow("exactly the limit")
            << small << small.size() << HeadScan::State::Complete << small.size();
        QTest::addRow("a byte past the limit")
            << small << small.size() - 1 << HeadScan::State::TooLarge << qsizetype(0);
        QTest::addRow("the end straddles the limit")
            << QByteArray(small + "more") << small.size() - 2 << HeadScan::State::TooLarge
            << qsizetype(0);
        QTest::addRow("the limit reached without an end")
            << QByteArray(64, 'x') << qsizetype(64) << HeadScan::State::TooLarge << qsizetype(0);
        QTest::addRow("just under the limit without an end")
            << QByteArray(63, 'x') << qsizetype(64) << HeadScan::State::Incomplete << qsizetype(0);
        QTest::addRow("a first head of 9000 bytes")
            << QByteArray("GET /ws HTTP/1.1\r\nX-Padding: " + QByteArray(9000, 'x'))
            << relay::kMaxFirstRequestHeadBytes << HeadScan::State::TooLarge << qsizetype(0);
        const QByteArray large
            = "GET / HTTP/1.1\r\nX-Padding: " + QByteArray(12000, 'x') + "\r\n\r\n";
        QTest::addRow("a later head of 12 KB")
            << large << relay::kMaxRequestHeadBytes << HeadScan::State::Complete << large.size();
    }

    void theEndOfAHeadIsFound()
    {
        QFETCH(QByteArray, received);
        QFETCH(qsizetype, maxBytes);
        const HeadScan scan = relay::scanRequestHead(received, maxBytes);
        QTEST(scan.state, "state");
        QTEST(scan.length, "length");
        if (scan.state == HeadScan::State::Complete)
            QVERIFY(relay::parseRequestHead(QByteArrayView(received).first(scan.length)).ok());
    }

    void theLimitsStayBounded()
    {
        QVERIFY(relay::kMaxFirstRequestHeadBytes <= relay::kMaxRequestHeadBytes);
        QCOMPARE(relay::kMaxFirstRequestHeadBytes, qsizetype(8 * 1024));
        QCOMPARE(relay::kMaxRequestHeadBytes, qsizetype(16 * 1024));
        QCOMPARE(relay::kMaxHeaderFields, 100);
        // A scan never needs more than the limit: the caller peeks that much and no more.
        const QByteArray endless(relay::kMaxRequestHeadBytes, 'x');
        QCOMPARE(relay::scanRequestHead(endless, relay::kMaxRequestHeadBytes).state,
                 HeadScan::State::TooLarge);
    }
};

QTEST_APPLESS_MAIN(TestRequestHead)
#include "tst_request_head.moc"
