#include "util/metrics.h"

#include <algorithm>
#include <cmath>

namespace tidings {

namespace {

QByteArray number(double value)
{
    if (value == double(qint64(value)) && std::abs(value) < 1e15)
        return QByteArray::number(qint64(value));
    return QByteArray::number(value, 'g', 12);
}

QByteArray withLabels(const QByteArray &name, const QByteArray &labels,
                      const QByteArray &extra = {})
{
    QByteArray all = labels;
    if (!extra.isEmpty())
        all += (all.isEmpty() ? "" : ",") + extra;
    return all.isEmpty() ? name : name + '{' + all + '}';
}

} // namespace

Histogram::Histogram(QList<double> upperBounds)
    : m_bounds(std::move(upperBounds)),
      m_counts(std::make_unique<std::atomic<quint64>[]>(size_t(m_bounds.size()) + 1))
{
    std::sort(m_bounds.begin(), m_bounds.end());
}

void Histogram::observe(double value)
{
    const auto bucket
        = std::lower_bound(m_bounds.cbegin(), m_bounds.cend(), value) - m_bounds.cbegin();
    m_counts[size_t(bucket)].fetch_add(1, std::memory_order_relaxed);
    const QMutexLocker lock(&m_sumMutex);
    m_sum += value;
}

QList<quint64> Histogram::cumulativeCounts() const
{
    QList<quint64> counts;
    quint64 total = 0;
    for (qsizetype i = 0; i <= m_bounds.size(); ++i) {
        total += m_counts[size_t(i)].load(std::memory_order_relaxed);
        counts.append(total);
    }
    return counts;
}

double Histogram::sum() const
{
    const QMutexLocker lock(&m_sumMutex);
    return m_sum;
}

MetricsRegistry::Series &MetricsRegistry::add(const QByteArray &name, const QByteArray &help,
                                              const QByteArray &type, const QByteArray &labels)
{
    const QMutexLocker lock(&m_mutex);
    m_series.push_back(Series{name, help, type, labels, nullptr, nullptr, nullptr});
    return m_series.back();
}

Counter &MetricsRegistry::counter(const QByteArray &name, const QByteArray &help,
                                  const QByteArray &labels)
{
    Series &series = add(name, help, "counter", labels);
    series.counter = std::make_unique<Counter>();
    return *series.counter;
}

Histogram &MetricsRegistry::histogram(const QByteArray &name, const QByteArray &help,
                                      QList<double> upperBounds, const QByteArray &labels)
{
    Series &series = add(name, help, "histogram", labels);
    series.histogram = std::make_unique<Histogram>(std::move(upperBounds));
    return *series.histogram;
}

void MetricsRegistry::gauge(const QByteArray &name, const QByteArray &help,
                            std::function<double()> read)
{
    add(name, help, "gauge", {}).gauge = std::move(read);
}

QByteArray MetricsRegistry::render() const
{
    const QMutexLocker lock(&m_mutex);
    // Families in name order; the series of one family together.
    std::vector<const Series *> ordered;
    for (const Series &series : m_series)
        ordered.push_back(&series);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Series *a, const Series *b) { return a->name < b->name; });
    QByteArray text;
    QByteArray family;
    for (const Series *series : ordered) {
        if (series->name != family) {
            family = series->name;
            text += "# HELP " + family + ' ' + series->help + '\n';
            text += "# TYPE " + family + ' ' + series->type + '\n';
        }
        if (series->counter) {
            text += withLabels(family, series->labels) + ' '
                + QByteArray::number(series->counter->value()) + '\n';
        } else if (series->gauge) {
            text += withLabels(family, series->labels) + ' ' + number(series->gauge()) + '\n';
        } else if (series->histogram) {
            const QList<double> bounds = series->histogram->upperBounds();
            const QList<quint64> counts = series->histogram->cumulativeCounts();
            for (qsizetype i = 0; i < bounds.size(); ++i)
                text += withLabels(family + "_bucket", series->labels,
                                   "le=\"" + number(bounds[i]) + '"')
                    + ' ' + QByteArray::number(counts[i]) + '\n';
            text += withLabels(family + "_bucket", series->labels, "le=\"+Inf\"") + ' '
                + QByteArray::number(counts.last()) + '\n';
            text += withLabels(family + "_sum", series->labels) + ' '
                + number(series->histogram->sum()) + '\n';
            text += withLabels(family + "_count", series->labels) + ' '
                + QByteArray::number(counts.last()) + '\n';
        }
    }
    return text;
}

} // namespace tidings
