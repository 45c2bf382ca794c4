#pragma once

#include <QJsonObject>
#include <QObject>
#include <QUrl>

namespace tidings::bench {

struct HealthScenarioOptions
{
    QUrl relay; ///< e.g. http://127.0.0.1:8420
    int requests = 1000; ///< total GET /healthz
    int concurrency = 8; ///< requests in flight at once
};

/// The smallest real scenario: many GET /healthz against a running relay, measuring
/// throughput and latency of its HTTP path. Emits finished() with the result object.
class HealthScenario : public QObject
{
    Q_OBJECT

public:
    explicit HealthScenario(HealthScenarioOptions options, QObject *parent = nullptr);
    ~HealthScenario() override;

    void start();

Q_SIGNALS:
    void finished(const QJsonObject &result);

private:
    struct State;
    void issue();
    HealthScenarioOptions m_options;
    std::unique_ptr<State> m_state;
};

} // namespace tidings::bench
