#include "gateway/websocket_upgrade.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>

namespace tidings::relay {

namespace {

const QByteArray kUpgradeRequiredBody = QByteArrayLiteral("this endpoint speaks WebSocket only\n");

} // namespace

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)

void enableWebSocketUpgrade(QHttpServer &server, const QString &path)
{
    server.addWebSocketUpgradeVerifier(&server, [path](const QHttpServerRequest &request) {
        return request.url().path() == path ? QHttpServerWebSocketUpgradeResponse::accept()
                                            : QHttpServerWebSocketUpgradeResponse::passToNext();
    });
    server.route(path, [](const QHttpServerRequest &) {
        QHttpServerResponse response(QByteArrayLiteral("text/plain"), kUpgradeRequiredBody,
                                     QHttpServerResponse::StatusCode::UpgradeRequired);
        QHttpHeaders headers = response.headers();
        headers.append(QHttpHeaders::WellKnownHeader::Upgrade, "websocket");
        response.setHeaders(std::move(headers));
        return response;
    });
}

#else

void enableWebSocketUpgrade(QHttpServer &server, const QString &path)
{
    // Qt 6.4 upgrades a request only when a route accepted it and wrote nothing.
    server.route(path, [](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        const bool upgrade
            = request.value(QByteArrayLiteral("upgrade")).compare("websocket", Qt::CaseInsensitive)
            == 0;
        if (!upgrade) {
            responder.write(kUpgradeRequiredBody,
                            {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain")},
                             {QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket")}},
                            QHttpServerResponder::StatusCode::UpgradeRequired);
        }
    });
}

#endif

} // namespace tidings::relay
