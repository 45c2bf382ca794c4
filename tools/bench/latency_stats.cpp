#include "bench/latency_stats.h"

#include <algorithm>
#include <cmath>

namespace tidings::bench {

using namespace Qt::StringLiterals;

void LatencyStats::sort() const
{
    if (!m_sorted) {
        std::sort(m_samples.begin(), m_samples.end());
        m_sorted = true;
    }
}

qint64 LatencyStats::percentile(double q) const
{
    if (m_samples.empty())
        return 0;
    sort();
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(m_samples.size())));
    return m_samples[std::clamp<size_t>(rank, 1, m_samples.size()) - 1];
}

qint64 LatencyStats::max() const
{
    if (m_samples.empty())
        return 0;
    sort();
    return m_samples.back();
}

QJsonObject LatencyStats::toJson() const
{
    auto ms = [](qint64 us) { return static_cast<double>(us) / 1000.0; };
    return QJsonObject{
        {u"p50"_s, ms(percentile(0.50))},
        {u"p90"_s, ms(percentile(0.90))},
        {u"p99"_s, ms(percentile(0.99))},
        {u"p999"_s, ms(percentile(0.999))},
        {u"max"_s, ms(max())},
    };
}

} // namespace tidings::bench
