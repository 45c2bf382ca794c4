#include "ops/health_endpoints.h"

#include "gateway/http_connection.h"
#include "gateway/http_gateway.h"
#include "protocol/messages/http_messages.h"
#include "util/metrics.h"
#include "util/version.h"

#include <QJsonDocument>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

/// GET and HEAD only; anything else is answered 405. Returns whether to go on.
bool readOnly(HttpConnection &connection)
{
    const QByteArray &method = connection.request().method;
    if (method == "GET" || method == "HEAD")
        return true;
    connection.respond({405, {{"Allow", "GET, HEAD"}, {"Content-Type", "text/plain"}}},
                       "GET or HEAD only\n");
    return false;
}

} // namespace

void registerHealthEndpoints(HttpGateway &gateway, std::function<Readiness()> readiness)
{
    gateway.addHttpRoute("/healthz", [](HttpConnection &connection) {
        if (!readOnly(connection))
            return;
        const protocol::messages::Health health{u"ok"_s, productVersion()};
        connection.respondJson(200, QJsonDocument(health.encode()).toJson(QJsonDocument::Compact));
    });
    gateway.addHttpRoute("/readyz", [readiness = std::move(readiness)](HttpConnection &connection) {
        if (!readOnly(connection))
            return;
        const Readiness state = readiness();
        QJsonObject body = state.details;
        body.insert(u"status"_s, state.ready ? u"ready"_s : u"not_ready"_s);
        body.insert(u"version"_s, productVersion());
        connection.respondJson(state.ready ? 200 : 503,
                               QJsonDocument(body).toJson(QJsonDocument::Compact));
    });
}

void registerMetricsEndpoint(HttpGateway &gateway, const MetricsRegistry &metrics)
{
    gateway.addHttpRoute("/metrics", [&metrics](HttpConnection &connection) {
        if (!readOnly(connection))
            return;
        connection.respond({200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}},
                           metrics.render());
    });
}

} // namespace tidings::relay
