#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

namespace tidings {

/// A count that only goes up (Prometheus "counter"). Safe from any thread.
class Counter
{
public:
    void add(quint64 n = 1) { m_value.fetch_add(n, std::memory_order_relaxed); }
    quint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<quint64> m_value{0};
};

/// Observations in cumulative buckets (Prometheus "histogram"). Safe from any thread.
class Histogram
{
public:
    explicit Histogram(QList<double> upperBounds);
    void observe(double value);

    QList<double> upperBounds() const { return m_bounds; }
    /// Cumulative counts per bound, then the total count.
    QList<quint64> cumulativeCounts() const;
    double sum() const;

private:
    QList<double> m_bounds;
    std::unique_ptr<std::atomic<quint64>[]> m_counts; // per bucket, plus +Inf
    mutable QMutex m_sumMutex;
    double m_sum = 0;
};

/// What /metrics shows, in Prometheus' text format. Metrics are registered once, at start;
/// a series is a family name plus an optional label set such as `provider="fcm"`. Counter
/// names end in "_total".
class MetricsRegistry
{
public:
    Counter &counter(const QByteArray &name, const QByteArray &help, const QByteArray &labels = {});
    Histogram &histogram(const QByteArray &name, const QByteArray &help, QList<double> upperBounds,
                         const QByteArray &labels = {});
    /// A value read when /metrics is rendered, on the thread that renders it.
    void gauge(const QByteArray &name, const QByteArray &help, std::function<double()> read);

    QByteArray render() const;

private:
    struct Series
    {
        QByteArray name;
        QByteArray help;
        QByteArray type;
        QByteArray labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Histogram> histogram;
        std::function<double()> gauge;
    };
    Series &add(const QByteArray &name, const QByteArray &help, const QByteArray &type,
                const QByteArray &labels);

    mutable QMutex m_mutex;
    std::deque<Series> m_series;
};

} // namespace tidings
