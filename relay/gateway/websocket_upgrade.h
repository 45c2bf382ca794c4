#pragma once

#include <QString>

class QHttpServer;

namespace tidings::relay {

/// Makes `server` hand WebSocket upgrade requests for `path` to its newWebSocketConnection
/// signal, and answer plain HTTP requests for `path` with 426 Upgrade Required.
///
/// QtHttpServer changed how upgrades are accepted (Qt 6.4: a route that writes nothing;
/// Qt 6.8: upgrade verifiers), so this is the only place that knows.
void enableWebSocketUpgrade(QHttpServer &server, const QString &path);

} // namespace tidings::relay
