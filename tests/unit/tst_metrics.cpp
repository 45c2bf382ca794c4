// MetricsRegistry: what /metrics shows, in Prometheus' text format.
#include "util/metrics.h"

#include <QtTest>

using namespace tidings;

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rendersCountersGaugesAndHistograms()
    {
        MetricsRegistry metrics;
        Counter &sentA = metrics.counter("t_sent_total", "Sent.", "provider=\"a\"");
        Counter &sentB = metrics.counter("t_sent_total", "Sent.", "provider=\"b\"");
        Histogram &latency = metrics.histogram("t_latency_seconds", "Latency.", {1, 0.1}, {});
        double level = 2.5;
        metrics.gauge("t_level", "Level.", [&level] { return level; });

        sentA.add();
        sentA.add(2);
        latency.observe(0.05);
        latency.observe(0.5);
        latency.observe(7);

        const QByteArray text = metrics.render();
        const QByteArray expected = "# HELP t_latency_seconds Latency.\n"
                                    "# TYPE t_latency_seconds histogram\n"
                                    "t_latency_seconds_bucket{le=\"0.1\"} 1\n"
                                    "t_latency_seconds_bucket{le=\"1\"} 2\n"
                                    "t_latency_seconds_bucket{le=\"+Inf\"} 3\n"
                                    "t_latency_seconds_sum 7.55\n"
                                    "t_latency_seconds_count 3\n"
                                    "# HELP t_level Level.\n"
                                    "# TYPE t_level gauge\n"
                                    "t_level 2.5\n"
                                    "# HELP t_sent_total Sent.\n"
                                    "# TYPE t_sent_total counter\n"
                                    "t_sent_total{provider=\"a\"} 3\n"
                                    "t_sent_total{provider=\"b\"} 0\n";
        QCOMPARE(text, expected);
        QCOMPARE(sentB.value(), 0u);

        level = 4; // gauges are read when rendered
        QVERIFY(metrics.render().contains("t_level 4\n"));
    }

    void histogramLabelsAndBoundaries()
    {
        MetricsRegistry metrics;
        Histogram &h = metrics.histogram("t_h", "H.", {1}, "kind=\"x\"");
        h.observe(1); // on the bound: counted in it
        const QByteArray text = metrics.render();
        QVERIFY2(text.contains("t_h_bucket{kind=\"x\",le=\"1\"} 1\n"), text.constData());
        QVERIFY(text.contains("t_h_count{kind=\"x\"} 1\n"));
    }

    void countsFromManyThreads()
    {
        MetricsRegistry metrics;
        Counter &counter = metrics.counter("t_total", "T.");
        QList<QThread *> threads;
        for (int i = 0; i < 4; ++i)
            threads.append(QThread::create([&counter] {
                for (int n = 0; n < 10000; ++n)
                    counter.add();
            }));
        for (QThread *thread : threads)
            thread->start();
        for (QThread *thread : threads) {
            thread->wait();
            delete thread;
        }
        QCOMPARE(counter.value(), 40000u);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
