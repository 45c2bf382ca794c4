#pragma once

#include <QJsonObject>

#include <functional>

namespace tidings {
class MetricsRegistry;
}

namespace tidings::relay {

class HttpGateway;

struct Readiness
{
    bool ready = false;
    QJsonObject details; ///< shown in the /readyz body (store, schema, sessions, …)
};

/// GET /healthz: 200 while the process serves HTTP at all (liveness).
/// GET /readyz: 200 when `readiness` says the relay can take traffic, else 503 (readiness).
/// Both answer JSON; neither needs authentication nor reveals anything private.
void registerHealthEndpoints(HttpGateway &gateway, std::function<Readiness()> readiness);

/// GET /metrics: `metrics` in Prometheus' text format (counts only, nothing private).
void registerMetricsEndpoint(HttpGateway &gateway, const MetricsRegistry &metrics);

} // namespace tidings::relay
