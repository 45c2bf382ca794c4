// The app and the load generator as users run them: --help, --version, bad input, and the
// health scenario against the real relay.
#include "support/relay_process.h"
#include "support/test_paths.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &arguments, bool withoutDisplay = false)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (withoutDisplay) {
        // As on a server: no display at all, not even the offscreen platform.
        environment.remove(u"QT_QPA_PLATFORM"_s);
        environment.remove(u"DISPLAY"_s);
        environment.remove(u"WAYLAND_DISPLAY"_s);
    }
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    Run result;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

} // namespace

class TestCommandLines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appHelpAndVersionNeedNoDisplay()
    {
        Run result = run(appBinary(), {u"--version"_s}, true);
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out.trimmed(), QByteArray("tidings " TIDINGS_VERSION));

        result = run(appBinary(), {u"--help"_s}, true);
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains("--server"));
        QVERIFY2(result.out.startsWith("Usage: tidings [options]"), result.out.constData());

        result = run(appBinary(), {u"--bogus"_s}, true);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.startsWith("tidings: error: ") && result.err.contains("bogus"),
                 result.err.constData());
    }

    void benchHelpVersionAndBadInput()
    {
        Run result = run(benchBinary(), {u"--version"_s});
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains(TIDINGS_VERSION));

        result = run(benchBinary(), {u"--help"_s});
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains("health"));

        result = run(benchBinary(), {u"no-such-scenario"_s});
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains("scenario"));

        result = run(benchBinary(), {u"health"_s, u"--requests"_s, u"many"_s});
        QCOMPARE(result.exitCode, 2);
    }

    void benchHealthScenarioAgainstTheRelay()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        const Run result = run(benchBinary(),
                               {u"health"_s, u"--url"_s, relay.httpUrl().toString(),
                                u"--requests"_s, u"200"_s, u"--concurrency"_s, u"4"_s});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        // One JSON line on stdout, for scripts.
        const QJsonObject report = QJsonDocument::fromJson(result.out.trimmed()).object();
        QCOMPARE(report.value(u"scenario"_s).toString(), u"health"_s);
        QCOMPARE(report.value(u"requests"_s).toInt(), 200);
        QCOMPARE(report.value(u"errors"_s).toInt(), 0);
        QVERIFY(report.value(u"requests_per_second"_s).toDouble() > 0);
        const QJsonObject latency = report.value(u"latency_ms"_s).toObject();
        QVERIFY(latency.value(u"p50"_s).toDouble() > 0);
        QVERIFY(latency.value(u"p99"_s).toDouble() >= latency.value(u"p50"_s).toDouble());
        QVERIFY(latency.value(u"max"_s).toDouble() >= latency.value(u"p99"_s).toDouble());
        QCOMPARE(relay.stop(), 0);
    }

    void benchHoldsConnectionsOverSeveralProcesses()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const Run result
            = run(benchBinary(),
                  {u"connections"_s, u"--url"_s, relay.httpUrl().toString(), u"--connections"_s,
                   u"30"_s, u"--hold"_s, u"1"_s, u"--processes"_s, u"2"_s, u"--sources"_s, u"2"_s,
                   u"--relay-pid"_s, QString::number(relay.processId())});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QList<QByteArray> lines = result.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 1); // one JSON line, nothing else on stdout
        const QJsonObject report = QJsonDocument::fromJson(lines.first()).object();
        QCOMPARE(report.value(u"scenario"_s).toString(), u"connections"_s);
        QCOMPARE(report.value(u"processes"_s).toInt(), 2);
        QCOMPARE(report.value(u"established"_s).toInt(), 30);
        QCOMPARE(report.value(u"open_at_end"_s).toInt(), 30);
        QCOMPARE(report.value(u"errors"_s).toInt(), 0);
        QVERIFY(report.value(u"relay_rss_mb_held"_s).toDouble() > 0);
        QVERIFY(report.contains(u"relay_kb_per_connection"_s));
        // The users exist now: a second run signs them in instead.
        const Run again = run(benchBinary(),
                              {u"connections"_s, u"--url"_s, relay.httpUrl().toString(),
                               u"--connections"_s, u"30"_s, u"--hold"_s, u"1"_s});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(
            QJsonDocument::fromJson(again.out.trimmed()).object().value(u"established"_s).toInt(),
            30);
        QCOMPARE(relay.stop(), 0);
    }

    void benchThroughputCountsEveryMessage()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const Run result
            = run(benchBinary(),
                  {u"throughput"_s, u"--url"_s, relay.httpUrl().toString(), u"--connections"_s,
                   u"16"_s, u"--pairs"_s, u"5"_s, u"--rate"_s, u"100"_s, u"--hold"_s, u"2"_s});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject report = QJsonDocument::fromJson(result.out.trimmed()).object();
        QCOMPARE(report.value(u"scenario"_s).toString(), u"throughput"_s);
        QCOMPARE(report.value(u"pairs"_s).toInt(), 5);
        const qint64 sent = report.value(u"sent"_s).toInteger();
        QVERIFY2(sent >= 150, qPrintable(QString::number(sent))); // ~100/s for 2 s
        QCOMPARE(report.value(u"acked"_s).toInteger(), sent);
        QCOMPARE(report.value(u"received"_s).toInteger(), sent);
        QCOMPARE(report.value(u"loss"_s).toInteger(), 0);
        QVERIFY(report.value(u"latency_ms"_s).toObject().value(u"p50"_s).toDouble() > 0);

        // Bad combinations are refused before anything starts.
        const Run bad = run(benchBinary(),
                            {u"throughput"_s, u"--url"_s, relay.httpUrl().toString(),
                             u"--connections"_s, u"4"_s, u"--pairs"_s, u"5"_s});
        QCOMPARE(bad.exitCode, 2);
        QCOMPARE(relay.stop(), 0);
    }

    void benchThroughputStepsUpToTheHighestCleanRate()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const QStringList common{
            u"throughput"_s,    u"--step"_s, u"--url"_s,   relay.httpUrl().toString(),
            u"--connections"_s, u"8"_s,      u"--pairs"_s, u"4"_s,
            u"--rate"_s,        u"20"_s,     u"--hold"_s,  u"1"_s};
        // A generous bound: both steps pass, 20 then 30 msg/s.
        const Run result = run(
            benchBinary(), common + QStringList{u"--steps"_s, u"2"_s, u"--max-p99"_s, u"5000"_s});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QJsonObject report = QJsonDocument::fromJson(result.out.trimmed()).object();
        QCOMPARE(report.value(u"scenario"_s).toString(), u"throughput-step"_s);
        QJsonArray steps = report.value(u"steps"_s).toArray();
        QCOMPARE(steps.size(), 2);
        QCOMPARE(steps.at(0).toObject().value(u"rate"_s).toDouble(), 20.0);
        QCOMPARE(steps.at(1).toObject().value(u"rate"_s).toDouble(), 30.0);
        QVERIFY(steps.at(1).toObject().value(u"passed"_s).toBool());
        QCOMPARE(report.value(u"best_rate"_s).toDouble(), 30.0);

        // A bound no delivery can meet: the first step fails, and that is an error.
        const Run impossible = run(benchBinary(), common + QStringList{u"--max-p99"_s, u"0.001"_s});
        QCOMPARE(impossible.exitCode, 1);
        report = QJsonDocument::fromJson(impossible.out.trimmed()).object();
        steps = report.value(u"steps"_s).toArray();
        QCOMPARE(steps.size(), 1);
        QVERIFY(!steps.at(0).toObject().value(u"passed"_s).toBool());
        QCOMPARE(report.value(u"best_rate"_s).toDouble(), 0.0);
        QCOMPARE(relay.stop(), 0);
    }

    void benchFanoutTimesEveryMessageToItsLastMember()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const Run result = run(benchBinary(),
                               {u"fanout"_s, u"--url"_s, relay.httpUrl().toString(), u"--group"_s,
                                u"12"_s, u"--rate"_s, u"10"_s, u"--hold"_s, u"2"_s});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject report = QJsonDocument::fromJson(result.out.trimmed()).object();
        QCOMPARE(report.value(u"scenario"_s).toString(), u"fanout"_s);
        QCOMPARE(report.value(u"group_size"_s).toInt(), 12);
        const qint64 sent = report.value(u"sent"_s).toInteger();
        QVERIFY2(sent >= 15, qPrintable(QString::number(sent))); // ~10/s for 2 s
        QCOMPARE(report.value(u"acked"_s).toInteger(), sent);
        QCOMPARE(report.value(u"deliveries"_s).toInteger(), sent * 11); // to each other member
        QCOMPARE(report.value(u"messages_to_all"_s).toInteger(), sent);
        QCOMPARE(report.value(u"loss"_s).toInteger(), 0);
        const QJsonObject last = report.value(u"last_member_ms"_s).toObject();
        const QJsonObject each = report.value(u"delivery_ms"_s).toObject();
        QVERIFY(last.value(u"p50"_s).toDouble() > 0);
        QVERIFY(last.value(u"p50"_s).toDouble() >= each.value(u"p50"_s).toDouble());

        const Run bad = run(benchBinary(),
                            {u"fanout"_s, u"--url"_s, relay.httpUrl().toString(), u"--group"_s,
                             u"12"_s, u"--connections"_s, u"5"_s});
        QCOMPARE(bad.exitCode, 2);
        QCOMPARE(relay.stop(), 0);
    }

    void benchStormBringsEveryConnectionBack()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const Run result = run(benchBinary(),
                               {u"storm"_s, u"--url"_s, relay.httpUrl().toString(),
                                u"--connections"_s, u"20"_s, u"--hold"_s, u"20"_s});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject report = QJsonDocument::fromJson(result.out.trimmed()).object();
        QCOMPARE(report.value(u"scenario"_s).toString(), u"storm"_s);
        QCOMPARE(report.value(u"storm_clients"_s).toInt(), 20);
        QCOMPARE(report.value(u"storm_back"_s).toInt(), 20); // resumed with their tokens, synced
        QCOMPARE(report.value(u"storm_refused"_s).toInt(), 0);
        QVERIFY(report.value(u"storm_back_s"_s).toDouble() > 0);
        QCOMPARE(report.value(u"errors"_s).toInt(), 0);
        QCOMPARE(relay.stop(), 0);
    }

    void benchSeedsHistoryAndTimesPagesUnderWriteLoad()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        // The pairs' direct conversations come from a throughput run.
        const QStringList pairs{u"--connections"_s, u"8"_s,  u"--pairs"_s, u"4"_s,
                                u"--rate"_s,        u"40"_s, u"--hold"_s,  u"1"_s};
        const Run made
            = run(benchBinary(),
                  QStringList{u"throughput"_s, u"--url"_s, relay.httpUrl().toString()} + pairs);
        QVERIFY2(made.exitCode == 0, made.err.constData());
        QCOMPARE(relay.stop(), 0);

        const Run seeded
            = run(benchBinary(),
                  {u"seed"_s, u"--data-dir"_s, relay.dataDirectory(), u"--messages"_s, u"2002"_s});
        QVERIFY2(seeded.exitCode == 0, seeded.err.constData());
        const QJsonObject seed = QJsonDocument::fromJson(seeded.out.trimmed()).object();
        QCOMPARE(seed.value(u"messages"_s).toInteger(), 2002);
        QCOMPARE(seed.value(u"conversations"_s).toInt(), 4);

        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const Run result = run(benchBinary(),
                               QStringList{u"history"_s, u"--url"_s, relay.httpUrl().toString(),
                                           u"--history-rate"_s, u"50"_s}
                                   + pairs);
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject report = QJsonDocument::fromJson(result.out.trimmed()).object();
        QCOMPARE(report.value(u"scenario"_s).toString(), u"history"_s);
        const qint64 requests = report.value(u"history_requests"_s).toInteger();
        QVERIFY2(requests >= 25, qPrintable(QString::number(requests))); // ~50/s for 1 s
        QCOMPARE(report.value(u"history_pages"_s).toInteger(), requests);
        // Every conversation holds 500 seeded messages and more: full pages of 50.
        QCOMPARE(report.value(u"history_events_per_page"_s).toDouble(), 50.0);
        QVERIFY(report.value(u"history_ms"_s).toObject().value(u"p50"_s).toDouble() > 0);
        QCOMPARE(report.value(u"errors"_s).toInt(), 0);
        QCOMPARE(relay.stop(), 0);

        // A directory with no relay store is refused, and nothing is made there.
        QTemporaryDir empty;
        const Run refused = run(
            benchBinary(), {u"seed"_s, u"--data-dir"_s, empty.path(), u"--messages"_s, u"10"_s});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY(QJsonDocument::fromJson(refused.out.trimmed())
                    .object()
                    .value(u"error"_s)
                    .toString()
                    .contains(u"no relay store"_s));
        QVERIFY(QDir(empty.path()).isEmpty());
    }

    void benchReportsErrorsWhenNothingListens()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const QUrl url = relay.httpUrl();
        QCOMPARE(relay.stop(), 0); // now nothing listens there

        const Run result = run(benchBinary(),
                               {u"health"_s, u"--url"_s, url.toString(), u"--requests"_s, u"5"_s});
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(QJsonDocument::fromJson(result.out.trimmed()).object().value(u"errors"_s).toInt(),
                 5);

        const Run refused = run(benchBinary(),
                                {u"connections"_s, u"--url"_s, url.toString(), u"--connections"_s,
                                 u"7"_s, u"--hold"_s, u"1"_s});
        QCOMPARE(refused.exitCode, 1);
        const QJsonObject report = QJsonDocument::fromJson(refused.out.trimmed()).object();
        QCOMPARE(report.value(u"failed"_s).toInt(), 7);
        QCOMPARE(report.value(u"established"_s).toInt(), 0);
        QVERIFY(!report.value(u"error_samples"_s).toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCommandLines)
#include "tst_command_lines.moc"
