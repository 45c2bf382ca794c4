#include "bench/latency_stats.h"

#include <QtTest>

using namespace tidings::bench;
using namespace Qt::StringLiterals;

class TestLatencyStats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyIsZero()
    {
        LatencyStats stats;
        QCOMPARE(stats.percentile(0.5), 0);
        QCOMPARE(stats.max(), 0);
    }

    void nearestRankPercentiles()
    {
        LatencyStats stats;
        for (int i = 100; i >= 1; --i) // unsorted on purpose
            stats.add(i);
        QCOMPARE(stats.count(), 100);
        QCOMPARE(stats.percentile(0.50), 50);
        QCOMPARE(stats.percentile(0.90), 90);
        QCOMPARE(stats.percentile(0.99), 99);
        QCOMPARE(stats.percentile(0.999), 100);
        QCOMPARE(stats.percentile(1.0), 100);
        QCOMPARE(stats.max(), 100);
        stats.add(1000); // adding after a read re-sorts
        QCOMPARE(stats.max(), 1000);
        QCOMPARE(stats.percentile(0.001), 1); // rank ceil(0.101) = 1
    }

    void jsonIsInMilliseconds()
    {
        LatencyStats stats;
        stats.add(1500);
        const QJsonObject json = stats.toJson();
        QCOMPARE(json.value(u"p50"_s).toDouble(), 1.5);
        QCOMPARE(json.value(u"max"_s).toDouble(), 1.5);
        QVERIFY(json.contains(u"p999"_s));
    }
};

QTEST_GUILESS_MAIN(TestLatencyStats)
#include "tst_latency_stats.moc"
