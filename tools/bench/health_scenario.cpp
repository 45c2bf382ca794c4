#include "bench/health_scenario.h"

#include "bench/latency_stats.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace tidings::bench {

using namespace Qt::StringLiterals;

struct HealthScenario::State
{
    QNetworkAccessManager network;
    QElapsedTimer wallClock;
    LatencyStats latency;
    int issued = 0;
    int completed = 0;
    int errors = 0;
};

HealthScenario::HealthScenario(HealthScenarioOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_state(std::make_unique<State>())
{ }

HealthScenario::~HealthScenario() = default;

void HealthScenario::start()
{
    m_state->wallClock.start();
    const int initial = std::min(m_options.concurrency, m_options.requests);
    for (int i = 0; i < initial; ++i)
        issue();
}

void HealthScenario::issue()
{
    QUrl url = m_options.relay;
    url.setPath(u"/healthz"_s);
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = m_state->network.get(QNetworkRequest(url));
    ++m_state->issued;
    connect(reply, &QNetworkReply::finished, this, [this, reply, timer] {
        reply->deleteLater();
        if (reply->error() == QNetworkReply::NoError)
            m_state->latency.add(timer.nsecsElapsed() / 1000);
        else
            ++m_state->errors;
        ++m_state->completed;
        if (m_state->issued < m_options.requests) {
            issue();
        } else if (m_state->completed == m_options.requests) {
            const double seconds = static_cast<double>(m_state->wallClock.nsecsElapsed()) / 1e9;
            Q_EMIT finished(QJsonObject{
                {u"scenario"_s, u"health"_s},
                {u"requests"_s, m_options.requests},
                {u"concurrency"_s, m_options.concurrency},
                {u"errors"_s, m_state->errors},
                {u"seconds"_s, seconds},
                {u"requests_per_second"_s, seconds > 0 ? m_options.requests / seconds : 0.0},
                {u"latency_ms"_s, m_state->latency.toJson()},
            });
        }
    });
}

} // namespace tidings::bench
