#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace tidings::relay {

/// What the first request on a connection asks for, read from its head (request line and
/// headers, through the blank line).
struct UpgradeRequest
{
    enum class Kind {
        Http, ///< anything but a WebSocket upgrade of `path`: for the HTTP server
        WebSocket, ///< a valid upgrade: send `response` and speak WebSocket
        Refused, ///< an upgrade of `path` that is not valid: send `response` and close
    };
    Kind kind = Kind::Http;
    QByteArray response;
    QString origin;
};

/// Reads `head` with parseRequestHead(): a head that does not parse is Kind::Http (the
/// HttpConnection that gets it answers why).
UpgradeRequest inspectRequest(QByteArrayView head, QByteArrayView path);

class HttpConnection;

/// Answers a plain HTTP request for the WebSocket endpoint: 426 Upgrade Required.
void answerUpgradeRequired(HttpConnection &connection);

} // namespace tidings::relay
