#include "ops/health_endpoints.h"

#include "util/metrics.h"
#include "util/version.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>

namespace tidings::relay {

using namespace Qt::StringLiterals;

void registerHealthEndpoints(QHttpServer &server, std::function<Readiness()> readiness)
{
    server.route(u"/healthz"_s, QHttpServerRequest::Method::Get, [] {
        return QHttpServerResponse(
            QJsonObject{{u"status"_s, u"ok"_s}, {u"version"_s, productVersion()}});
    });
    server.route(u"/readyz"_s, QHttpServerRequest::Method::Get, [readiness = std::move(readiness)] {
        const Readiness state = readiness();
        QJsonObject body = state.details;
        body.insert(u"status"_s, state.ready ? u"ready"_s : u"not_ready"_s);
        body.insert(u"version"_s, productVersion());
        return QHttpServerResponse(body,
                                   state.ready
                                       ? QHttpServerResponder::StatusCode::Ok
                                       : QHttpServerResponder::StatusCode::ServiceUnavailable);
    });
}

void registerMetricsEndpoint(QHttpServer &server, const MetricsRegistry &metrics)
{
    server.route(u"/metrics"_s, QHttpServerRequest::Method::Get, [&metrics] {
        return QHttpServerResponse("text/plain; version=0.0.4; charset=utf-8", metrics.render());
    });
}

} // namespace tidings::relay
