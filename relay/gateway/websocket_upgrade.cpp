#include "gateway/websocket_upgrade.h"

#include "protocol/websocket_codec.h"

#include "gateway/http_connection.h"
#include "gateway/request_head.h"

namespace tidings::relay {

namespace {

const QByteArray kUpgradeRequiredBody = QByteArrayLiteral("this endpoint speaks WebSocket only\n");

UpgradeRequest refuseUpgrade(QByteArrayView status, QByteArrayView why,
                             QByteArrayView extraHeaders = {})
{
    QByteArray response = "HTTP/1.1 " + status.toByteArray()
        + "\r\nContent-Type: text/plain\r\nConnection: close\r\n" + extraHeaders.toByteArray()
        + "Content-Length: " + QByteArray::number(why.size() + 1) + "\r\n\r\n" + why.toByteArray()
        + '\n';
    return {UpgradeRequest::Kind::Refused, std::move(response), {}};
}

} // namespace

UpgradeRequest inspectRequest(QByteArrayView head, QByteArrayView path)
{
    // What does not parse is not an upgrade: the HttpConnection that gets it reads it with
    // the same parser and answers why.
    const ParsedHead parsed = parseRequestHead(head);
    if (!parsed.ok())
        return {};
    const HttpRequest &request = parsed.request;
    if (request.path != path || !request.headerHasToken("upgrade", "websocket"))
        return {};

    if (request.method != "GET" || request.version != "HTTP/1.1")
        return refuseUpgrade("400 Bad Request", "a WebSocket upgrade is a GET over HTTP/1.1");
    if (!request.headerHasToken("connection", "upgrade"))
        return refuseUpgrade("400 Bad Request", "'Connection: Upgrade' is missing");
    if (request.header("sec-websocket-version") != "13")
        return refuseUpgrade("426 Upgrade Required", "this server speaks WebSocket version 13",
                             "Sec-WebSocket-Version: 13\r\n");
    const QByteArray key = request.header("sec-websocket-key");
    const auto nonce = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (!nonce || nonce.decoded.size() != 16)
        return refuseUpgrade("400 Bad Request", "'Sec-WebSocket-Key' is not 16 bytes in base64");

    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + websocket::acceptKey(key) + "\r\n\r\n";
    return {UpgradeRequest::Kind::WebSocket, std::move(response),
            QString::fromUtf8(request.header("origin"))};
}

void answerUpgradeRequired(HttpConnection &connection)
{
    connection.respond({426, {{"Content-Type", "text/plain"}, {"Upgrade", "websocket"}}},
                       kUpgradeRequiredBody);
}

} // namespace tidings::relay
