#include "chat/rate_limiter.h"

#include <cmath>

namespace tidings::relay {

RateLimiter::RateLimiter(qsizetype maxKeys) : m_maxKeys(maxKeys)
{
    m_clock.start();
}

double RateLimiter::refilled(const Bucket &bucket, qint64 nowMs) const
{
    const double elapsed = static_cast<double>(nowMs - bucket.updatedMs) / 1000.0;
    return std::min(bucket.rule.burst, bucket.tokens + elapsed * bucket.rule.perSecond);
}

qint64 RateLimiter::take(const QString &key, const Rule &rule)
{
    const qint64 now = m_clock.elapsed();
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxKeys)
            return 1000;
        it = m_buckets.insert(key, Bucket{rule.burst, now, rule});
    }
    Bucket &bucket = *it;
    bucket.tokens = refilled(bucket, now);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return 0;
    }
    return static_cast<qint64>(std::ceil((1.0 - bucket.tokens) / rule.perSecond * 1000.0));
}

void RateLimiter::prune()
{
    const qint64 now = m_clock.elapsed();
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (refilled(*it, now) >= it->rule.burst)
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace tidings::relay
