#pragma once

#include <QJsonObject>

#include <vector>

namespace tidings::bench {

/// Collects latency samples (microseconds) and reports percentiles by the nearest-rank
/// method: p(q) is the smallest sample with at least q of all samples at or below it.
class LatencyStats
{
public:
    void add(qint64 microseconds)
    {
        m_samples.push_back(microseconds);
        m_sorted = false;
    }
    qsizetype count() const { return static_cast<qsizetype>(m_samples.size()); }

    /// q in (0, 1]; 0 when there are no samples.
    qint64 percentile(double q) const;
    qint64 max() const;

    /// {"p50": ms, "p90": ms, "p99": ms, "p999": ms, "max": ms} in milliseconds.
    QJsonObject toJson() const;

private:
    mutable std::vector<qint64> m_samples;
    mutable bool m_sorted = false;
    void sort() const;
};

} // namespace tidings::bench
