#include "gateway/websocket_upgrade.h"

#include "protocol/websocket_codec.h"

#include "gateway/http_connection.h"

#include <QList>

namespace tidings::relay {

namespace {

const QByteArray kUpgradeRequiredBody = QByteArrayLiteral("this endpoint speaks WebSocket only\n");

QList<QByteArrayView> split(QByteArrayView text, QByteArrayView separator)
{
    QList<QByteArrayView> parts;
    qsizetype start = 0;
    for (qsizetype at; (at = text.indexOf(separator, start)) >= 0; start = at + separator.size())
        parts.append(text.sliced(start, at - start));
    parts.append(text.sliced(start));
    return parts;
}

struct Header
{
    QByteArrayView name;
    QByteArrayView value;
};

bool hasToken(const QList<Header> &headers, QByteArrayView name, QByteArrayView token)
{
    for (const Header &header : headers) {
        if (header.name.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        for (QByteArrayView item : split(header.value, ",")) {
            if (item.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

QByteArrayView value(const QList<Header> &headers, QByteArrayView name)
{
    for (const Header &header : headers) {
        if (header.name.compare(name, Qt::CaseInsensitive) == 0)
            return header.value;
    }
    return {};
}

UpgradeRequest refuse(QByteArrayView status, QByteArrayView why, QByteArrayView extraHeaders = {})
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
    QList<QByteArrayView> lines = split(head, "\r\n");
    lines.removeIf([](QByteArrayView line) { return line.isEmpty(); });
    if (lines.isEmpty())
        return {};
    const QList<QByteArrayView> requestLine = split(lines.first(), " ");
    if (requestLine.size() != 3)
        return {}; // the HTTP server answers what it cannot parse
    QByteArrayView target = requestLine[1];
    if (const qsizetype query = target.indexOf('?'); query >= 0)
        target = target.first(query);

    QList<Header> headers;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon <= 0)
            return {};
        headers.append({lines[i].first(colon).trimmed(), lines[i].sliced(colon + 1).trimmed()});
    }
    if (target != path || !hasToken(headers, "upgrade", "websocket"))
        return {};

    if (requestLine[0] != "GET" || requestLine[2] != "HTTP/1.1")
        return refuse("400 Bad Request", "a WebSocket upgrade is a GET over HTTP/1.1");
    if (!hasToken(headers, "connection", "upgrade"))
        return refuse("400 Bad Request", "'Connection: Upgrade' is missing");
    if (value(headers, "sec-websocket-version") != "13")
        return refuse("426 Upgrade Required", "this server speaks WebSocket version 13",
                      "Sec-WebSocket-Version: 13\r\n");
    const QByteArrayView key = value(headers, "sec-websocket-key");
    const auto nonce = QByteArray::fromBase64Encoding(key.toByteArray(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
    if (!nonce || nonce.decoded.size() != 16)
        return refuse("400 Bad Request", "'Sec-WebSocket-Key' is not 16 bytes in base64");

    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + websocket::acceptKey(key) + "\r\n\r\n";
    return {UpgradeRequest::Kind::WebSocket, std::move(response),
            QString::fromUtf8(value(headers, "origin"))};
}

void answerUpgradeRequired(HttpConnection &connection)
{
    connection.respond({426, {{"Content-Type", "text/plain"}, {"Upgrade", "websocket"}}},
                       kUpgradeRequiredBody);
}

} // namespace tidings::relay
