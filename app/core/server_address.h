#pragma once

#include "util/result.h"

#include <QUrl>

namespace tidings::app {

/// Where a relay lives, from what a user types: "chat.example.org", "localhost:8420",
/// "https://chat.example.org/", "ws://10.0.0.2:8420". A bare host means HTTPS on 443,
/// except localhost and loopback addresses, which mean plain HTTP on 8420 (the relay's
/// zero-config default).
class ServerAddress
{
public:
    static Result<ServerAddress> parse(const QString &input);

    /// Base URL for HTTP requests, e.g. "https://chat.example.org" (no trailing slash).
    QUrl httpUrl() const { return m_http; }
    /// The WebSocket endpoint, e.g. "wss://chat.example.org/ws".
    QUrl webSocketUrl() const;
    /// A URL for an HTTP path on the relay, e.g. endpoint("/healthz").
    QUrl endpoint(const QString &path) const;
    /// The canonical text form, what the app remembers and shows.
    QString toString() const { return m_http.toString(); }

    friend bool operator==(const ServerAddress &, const ServerAddress &) = default;

private:
    QUrl m_http;
};

} // namespace tidings::app
