// tidings-bench: the load generator. `tidings-bench <scenario> [options]`; each scenario
// prints one JSON line on stdout and a readable table on stderr.
#include "bench/connections_scenario.h"
#include "bench/health_scenario.h"
#include "bench/report.h"
#include "bench/seed.h"
#ifdef Q_OS_LINUX
#include "eventloop/epoll_event_dispatcher.h"
#endif
#include "util/version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

using namespace tidings;
using namespace Qt::StringLiterals;

namespace {

int usage(const QString &message)
{
    std::fprintf(stderr, "tidings-bench: error: %s (see --help)\n", qPrintable(message));
    return 2;
}

/// Runs `processes` copies of this program, each with its share of the connections (and
/// the active pairs all in the first), sums what they report and adds the relay's memory
/// once all of them hold their connections.
int runSpread(const QStringList &arguments, const bench::ConnectionsScenarioOptions &options,
              int processes)
{
    const int perProcess = (options.connections + processes - 1) / processes;
    std::vector<std::unique_ptr<QProcess>> children;
    int holding = 0;
    int finished = 0;
    QList<QJsonObject> reports;
    const qint64 rssBefore = bench::processRssBytes(options.relayPid);
    qint64 rssHeld = 0;
    for (int i = 0; i < processes; ++i) {
        const int first = i * perProcess;
        const int count = std::min(perProcess, options.connections - first);
        if (count <= 0)
            break;
        QStringList childArguments = arguments;
        childArguments << u"--connections"_s << QString::number(count) << u"--first-index"_s
                       << QString::number(options.firstIndex + first) << u"--source-offset"_s
                       << QString::number(i) << u"--processes"_s << u"1"_s << u"--child"_s;
        if (i > 0) { // the active pairs all live in the first process: exact latency figures
            childArguments[0] = u"connections"_s;
            const qsizetype pairsAt = childArguments.indexOf(u"--pairs"_s);
            if (pairsAt >= 0)
                childArguments.remove(pairsAt, 4); // --pairs n --rate r
        }
        auto child = std::make_unique<QProcess>();
        child->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QProcess *process = child.get();
        QObject::connect(process, &QProcess::readyReadStandardOutput, process, [&, process] {
            while (process->canReadLine()) {
                const QByteArray line = process->readLine().trimmed();
                if (line == "holding") {
                    if (++holding == int(children.size()))
                        rssHeld = bench::processRssBytes(options.relayPid);
                } else if (line.startsWith('{')) {
                    reports.append(QJsonDocument::fromJson(line).object());
                }
            }
        });
        QObject::connect(process, &QProcess::finished, process, [&] {
            if (++finished == int(children.size()))
                QCoreApplication::quit();
        });
        process->start(QCoreApplication::applicationFilePath(), childArguments);
        children.push_back(std::move(child));
    }
    QCoreApplication::exec();

    QJsonObject total{
        {u"scenario"_s, options.pairs > 0 && options.rate > 0 ? u"throughput"_s : u"connections"_s},
        {u"processes"_s, int(children.size())}};
    for (const QString &key : {u"connections"_s, u"established"_s, u"failed"_s, u"dropped"_s,
                               u"open_at_end"_s, u"errors"_s}) {
        qint64 sum = 0;
        for (const QJsonObject &report : std::as_const(reports))
            sum += report.value(key).toInteger();
        total.insert(key, sum);
    }
    double setup = 0;
    double loaderCpu = 0;
    for (const QJsonObject &report : std::as_const(reports)) {
        setup = std::max(setup, report.value(u"setup_s"_s).toDouble());
        loaderCpu += report.value(u"loader_cpu_s"_s).toDouble();
    }
    total.insert(u"setup_s"_s, setup);
    total.insert(u"loader_cpu_s"_s, loaderCpu);
    total.insert(u"hold_s"_s, options.holdSeconds);
    if (options.relayPid > 0 && rssHeld > 0) {
        total.insert(u"relay_rss_mb_before"_s, double(rssBefore) / (1024.0 * 1024.0));
        total.insert(u"relay_rss_mb_held"_s, double(rssHeld) / (1024.0 * 1024.0));
        const qint64 established = total.value(u"established"_s).toInteger();
        if (established > 0)
            total.insert(u"relay_kb_per_connection"_s,
                         double(rssHeld - rssBefore) / 1024.0 / double(established));
    }
    // The pairs' process, whichever order the reports came in.
    const auto pairs
        = std::find_if(reports.cbegin(), reports.cend(),
                       [](const QJsonObject &report) { return report.contains(u"latency_ms"_s); });
    if (pairs != reports.cend()) {
        for (const QString &key :
             {u"pairs"_s, u"ciphertext"_s, u"rate"_s, u"sent"_s, u"acked"_s, u"received"_s,
              u"loss"_s, u"throughput_msg_s"_s, u"latency_ms"_s})
            total.insert(key, pairs->value(key));
    }
    if (reports.size() != int(children.size()))
        total.insert(u"errors"_s, total.value(u"errors"_s).toInteger() + 1);
    bench::printReport(total);
    return total.value(u"errors"_s).toInteger() == 0 ? 0 : 1;
}

/// Runs one connections-based scenario to its end and returns its report.
QJsonObject runScenario(const bench::ConnectionsScenarioOptions &options)
{
    QJsonObject report;
    QEventLoop loop;
    bench::ConnectionsScenario scenario(options);
    QObject::connect(&scenario, &bench::ConnectionsScenario::finished, &loop,
                     [&](const QJsonObject &result) {
                         report = result;
                         loop.quit();
                     });
    // Started from the loop: a scenario that ends at once still finds it running.
    QTimer::singleShot(0, &scenario, &bench::ConnectionsScenario::start);
    loop.exec();
    return report;
}

/// throughput --step: runs at --rate, then `factor` times faster each step, until a step
/// loses or doubles a message, errs or its p99 passes `maxP99Ms`; reports every step (with
/// the relay's CPU per message when --relay-pid is given) and the best rate.
QJsonObject stepThroughput(bench::ConnectionsScenarioOptions options, double maxP99Ms, int maxSteps,
                           double factor)
{
    QJsonArray steps;
    double best = 0;
    for (int i = 0; i < maxSteps; ++i) {
        const QJsonObject report = runScenario(options);
        const double p99 = report.value(u"latency_ms"_s).toObject().value(u"p99"_s).toDouble();
        const bool passed = report.value(u"errors"_s).toInteger() == 0
            && report.value(u"loss"_s).toInteger() == 0
            && report.value(u"duplicates"_s).toInteger() == 0 && p99 <= maxP99Ms;
        steps.append(QJsonObject{{u"rate"_s, options.rate},
                                 {u"throughput_msg_s"_s, report.value(u"throughput_msg_s"_s)},
                                 {u"p50_ms"_s, report.value(u"latency_ms"_s)[u"p50"_s]},
                                 {u"p99_ms"_s, p99},
                                 {u"loss"_s, report.value(u"loss"_s)},
                                 {u"duplicates"_s, report.value(u"duplicates"_s)},
                                 {u"errors"_s, report.value(u"errors"_s)},
                                 {u"relay_us_per_msg"_s, report.value(u"relay_us_per_msg"_s)},
                                 {u"passed"_s, passed}});
        std::fprintf(stderr, "tidings-bench: %.0f msg/s: p99 %.1f ms, relay %.1f us/msg, %s\n",
                     options.rate, p99, report.value(u"relay_us_per_msg"_s).toDouble(),
                     passed ? "passed" : "failed");
        if (!passed)
            break;
        best = options.rate;
        options.rate = std::round(options.rate * factor);
    }
    return {{u"scenario"_s, u"throughput-step"_s},
            {u"max_p99_ms"_s, maxP99Ms},
            {u"connections"_s, options.connections},
            {u"pairs"_s, options.pairs},
            {u"steps"_s, steps},
            {u"step_factor"_s, factor},
            {u"best_rate"_s, best},
            // No passing step at all is a failed measurement.
            {u"errors"_s, best > 0 ? 0 : 1}};
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef Q_OS_LINUX
    // The loader holds thousands of idle connections too: the same reason as the relay's.
    QCoreApplication::setEventDispatcher(new relay::EpollEventDispatcher);
#endif
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tidings-bench"_s);
    QCoreApplication::setApplicationVersion(productVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Tidings load generator.\n\nScenarios:\n"
        "  health       GET /healthz many times; HTTP throughput and latency\n"
        "  connections  hold N signed-in WebSocket connections; what they cost the relay\n"
        "  throughput   messages between active pairs while the other connections idle;\n"
        "               end-to-end latency, loss; --step finds the highest clean rate;\n"
        "               --ciphertext sends end-to-end-encrypted-shaped messages instead\n"
        "  fanout       one group of --group members, all online; --rate messages per\n"
        "               second to it; time to the last member (relay: --max-group-members)\n"
        "  storm        all connections drop at once and come back together: reconnect,\n"
        "               resume the session (auth), sync; time until all are back\n"
        "  history      throughput's pairs sending, and --history-rate requests per second\n"
        "               for the latest 50 entries of their conversations; page latency\n"
        "  seed         (relay stopped) add --messages messages to the store in --data-dir,\n"
        "               spread over its direct conversations, for history\n"
        "Users bench0, bench1, … are registered on first use (password bench-password-1):\n"
        "start the relay with --password-cost minimum and high --sign-in-rate/--message-rate."_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addPositionalArgument(u"scenario"_s, u"The scenario to run."_s);
    const QCommandLineOption url(u"url"_s, u"Relay base URL (default http://127.0.0.1:8420)."_s,
                                 u"url"_s, u"http://127.0.0.1:8420"_s);
    const QCommandLineOption requests(u"requests"_s, u"health: requests to send (default 1000)."_s,
                                      u"count"_s, u"1000"_s);
    const QCommandLineOption concurrency(
        u"concurrency"_s,
        u"health: requests in flight; others: connections being set up (default 8 / 64)."_s,
        u"count"_s);
    const QCommandLineOption connections(
        u"connections"_s, u"Connections to open and hold (default 1000)."_s, u"count"_s, u"1000"_s);
    const QCommandLineOption hold(u"hold"_s, u"Seconds to hold them, and to send (default 10)."_s,
                                  u"seconds"_s, u"10"_s);
    const QCommandLineOption sources(
        u"sources"_s,
        u"Spread connections over this many source addresses 127.0.0.1… (default 1)."_s, u"count"_s,
        u"1"_s);
    QCommandLineOption sourceOffset(u"source-offset"_s, u"(internal)"_s, u"n"_s, u"0"_s);
    sourceOffset.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption child(u"child"_s, u"(internal) run as one of several processes"_s);
    child.setFlags(QCommandLineOption::HiddenFromHelp);
    const QCommandLineOption processes(
        u"processes"_s, u"Spread connections over this many processes (default 1)."_s, u"count"_s,
        u"1"_s);
    const QCommandLineOption firstIndex(u"first-index"_s, u"Index of the first user (default 0)."_s,
                                        u"n"_s, u"0"_s);
    const QCommandLineOption prefix(u"prefix"_s, u"Username prefix (default bench)."_s, u"text"_s,
                                    u"bench"_s);
    const QCommandLineOption pairs(u"pairs"_s, u"throughput: active pairs (default 100)."_s,
                                   u"count"_s, u"100"_s);
    const QCommandLineOption rate(u"rate"_s,
                                  u"throughput: messages per second in total (default 1000)."_s,
                                  u"per-second"_s, u"1000"_s);
    const QCommandLineOption group(u"group"_s, u"fanout: members of the group (default 1000)."_s,
                                   u"count"_s, u"1000"_s);
    const QCommandLineOption historyRate(u"history-rate"_s,
                                         u"history: page requests per second (default 200)."_s,
                                         u"per-second"_s, u"200"_s);
    const QCommandLineOption dataDir(u"data-dir"_s, u"seed: the relay's data directory."_s,
                                     u"path"_s);
    const QCommandLineOption messages(u"messages"_s, u"seed: messages to add (default 1000000)."_s,
                                      u"count"_s, u"1000000"_s);
    const QCommandLineOption step(
        u"step"_s,
        u"throughput: from --rate up, --step-factor times faster per step, to the highest "
        "rate with no loss, no duplicate and p99 within --max-p99."_s);
    const QCommandLineOption stepFactor(
        u"step-factor"_s, u"throughput --step: rate multiplier per step (default 1.5)."_s, u"x"_s,
        u"1.5"_s);
    const QCommandLineOption maxSteps(u"steps"_s,
                                      u"throughput --step: at most this many steps (default 12)."_s,
                                      u"count"_s, u"12"_s);
    const QCommandLineOption maxP99(
        u"max-p99"_s, u"throughput --step: the p99 bound (default 10)."_s, u"ms"_s, u"10"_s);
    const QCommandLineOption ciphertext(
        u"ciphertext"_s,
        u"throughput: each user publishes an identity and registers a device after signing in "
        "(before the timed part; on a rerun it replaces the earlier run's identity with "
        "\"reset\"), and the pairs send "
        "ciphertext of a ~50-byte text's size (217 bytes, 292 in base64) instead of text. The "
        "relay's e2e must be optional (the default) or required. A conversation that took "
        "ciphertext refuses plaintext from then on: A/B on fresh data directories."_s);
    const QCommandLineOption relayPid(u"relay-pid"_s,
                                      u"The relay's process id, to report its memory and CPU."_s,
                                      u"pid"_s, u"0"_s);
    parser.addOptions({url,          requests,    concurrency, connections, hold,      sources,
                       sourceOffset, processes,   firstIndex,  prefix,      pairs,     rate,
                       group,        historyRate, dataDir,     messages,    step,      maxSteps,
                       maxP99,       stepFactor,  relayPid,    child,       ciphertext});

    if (!parser.parse(QCoreApplication::arguments()))
        return usage(parser.errorText());
    if (parser.isSet(help))
        parser.showHelp(0);
    if (parser.isSet(version))
        parser.showVersion();

    const QStringList positional = parser.positionalArguments();
    const QString scenarioName = positional.value(0);
    if (positional.size() != 1
        || !QStringList{u"health"_s, u"connections"_s, u"throughput"_s, u"fanout"_s, u"storm"_s,
                        u"history"_s, u"seed"_s}
                .contains(scenarioName))
        return usage(u"name one scenario: health, connections, throughput, fanout, storm, "
                     "history or seed"_s);
    if (scenarioName == u"seed") {
        bench::SeedOptions options;
        options.dataDirectory = parser.value(dataDir);
        bool ok = false;
        options.messages = parser.value(messages).toLongLong(&ok);
        if (options.dataDirectory.isEmpty() || !ok || options.messages < 1)
            return usage(u"seed needs --data-dir and --messages ≥ 1"_s);
        const QJsonObject result = bench::seedHistory(options);
        bench::printReport(result);
        return result.value(u"errors"_s).toInt() == 0 ? 0 : 1;
    }
    const QUrl relay(parser.value(url));
    if (!relay.isValid() || relay.scheme().isEmpty())
        return usage(u"invalid --url"_s);

    const auto number = [&](const QCommandLineOption &option, qint64 minimum, qint64 maximum,
                            qint64 fallback) -> std::optional<qint64> {
        if (!parser.isSet(option) && option.defaultValues().isEmpty())
            return fallback;
        bool ok = false;
        const qint64 value = parser.value(option).toLongLong(&ok);
        if (!ok || value < minimum || value > maximum)
            return std::nullopt;
        return value;
    };

    int exitCode = 0;
    if (scenarioName == u"health") {
        bench::HealthScenarioOptions options;
        options.relay = relay;
        const auto count = number(requests, 1, 100000000, 1000);
        const auto inFlight = number(concurrency, 1, 100000, 8);
        if (!count || !inFlight)
            return usage(u"invalid --requests or --concurrency"_s);
        options.requests = int(*count);
        options.concurrency = int(*inFlight);
        bench::HealthScenario scenario(options);
        QObject::connect(&scenario, &bench::HealthScenario::finished, &app,
                         [&](const QJsonObject &result) {
                             bench::printReport(result);
                             exitCode = result.value(u"errors"_s).toInt() == 0 ? 0 : 1;
                             QCoreApplication::quit();
                         });
        scenario.start();
        app.exec();
        return exitCode;
    }

    bench::ConnectionsScenarioOptions options;
    options.host = QHostAddress(relay.host() == u"localhost" ? u"127.0.0.1"_s : relay.host());
    options.port = quint16(relay.port(8420));
    const auto count = number(connections, 0, 10000000, 1000);
    const auto seconds = number(hold, 1, 86400, 10);
    const auto setup = number(concurrency, 1, 100000, 64);
    const auto sourceCount = number(sources, 1, 250, 1);
    const auto offset = number(sourceOffset, 0, 1000000, 0);
    const auto processCount = number(processes, 1, 64, 1);
    const auto first = number(firstIndex, 0, 100000000, 0);
    const auto pairCount = number(pairs, 0, 1000000, 100);
    const auto pid = number(relayPid, 0, std::numeric_limits<int>::max(), 0);
    const auto groupSize = number(group, 2, 1000000, 1000);
    bool rateOk = false;
    const double perSecond = parser.value(rate).toDouble(&rateOk);
    if (options.host.isNull() || !count || !seconds || !setup || !sourceCount || !offset
        || !processCount || !first || !pairCount || !pid || !groupSize || !rateOk || perSecond < 0)
        return usage(u"invalid option value"_s);
    options.connections = int(*count);
    options.holdSeconds = int(*seconds);
    options.setupConcurrency = int(*setup);
    for (int i = 0; i < *sourceCount; ++i) {
        // 127.0.0.1, 127.0.0.2, …: each pair of addresses has its own ephemeral ports.
        const int host = 1 + int((*offset * *sourceCount + i) % 250);
        options.sources.append(QHostAddress(u"127.0.0.%1"_s.arg(host)));
    }
    options.prefix = parser.value(prefix);
    options.firstIndex = int(*first);
    options.relayPid = *pid;
    options.announceHolding = parser.isSet(child);
    options.ciphertext = parser.isSet(ciphertext);
    // The other processes of a spread throughput run are `connections` children: their users
    // register devices too.
    if (options.ciphertext && scenarioName != u"throughput"
        && !(scenarioName == u"connections" && parser.isSet(child)))
        return usage(u"--ciphertext is for throughput"_s);
    if (scenarioName == u"throughput" || scenarioName == u"history") {
        options.pairs = int(*pairCount);
        options.rate = perSecond;
        if (scenarioName == u"history") {
            bool ok = false;
            options.historyRate = parser.value(historyRate).toDouble(&ok);
            if (!ok || options.historyRate <= 0)
                return usage(u"history needs --history-rate > 0"_s);
        }
        if (options.pairs < 1 || options.rate <= 0 || options.connections < 2 * options.pairs)
            return usage(
                u"throughput needs --pairs ≥ 1, --rate > 0 and --connections ≥ 2 × pairs"_s);
    } else if (scenarioName == u"fanout") {
        options.groupSize = int(*groupSize);
        options.rate = perSecond;
        if (!parser.isSet(connections))
            options.connections = options.groupSize;
        if (options.rate <= 0 || options.connections < options.groupSize)
            return usage(u"fanout needs --rate > 0 and --connections ≥ --group"_s);
    } else if (scenarioName == u"storm") {
        options.storm = true;
    }
    if (parser.isSet(step) && scenarioName != u"throughput")
        return usage(u"--step is for throughput"_s);
    if (*processCount > 1
        && (options.storm || options.groupSize > 0 || options.historyRate > 0
            || parser.isSet(step)))
        return usage(
            u"fanout, storm, history and --step run in one process (up to ~19,000 connections)"_s);

    if (*processCount > 1) {
        const qint64 firstShare = (options.connections + *processCount - 1) / *processCount;
        if (scenarioName == u"throughput" && firstShare < 2 * qint64(options.pairs))
            return usage(u"the first process holds all the pairs: --connections / --processes "
                         "must be ≥ 2 × pairs"_s);
        QStringList arguments{scenarioName,
                              u"--url"_s,
                              parser.value(url),
                              u"--hold"_s,
                              QString::number(options.holdSeconds),
                              u"--concurrency"_s,
                              QString::number(options.setupConcurrency),
                              u"--sources"_s,
                              QString::number(*sourceCount),
                              u"--prefix"_s,
                              options.prefix,
                              u"--relay-pid"_s,
                              QString::number(options.relayPid)};
        if (options.ciphertext)
            arguments << u"--ciphertext"_s;
        if (scenarioName == u"throughput")
            arguments << u"--pairs"_s << QString::number(options.pairs) << u"--rate"_s
                      << QString::number(options.rate);
        return runSpread(arguments, options, int(*processCount));
    }

    if (parser.isSet(step)) {
        bool ok = false;
        const double bound = parser.value(maxP99).toDouble(&ok);
        if (!ok || bound <= 0)
            return usage(u"invalid --max-p99"_s);
        const auto stepCount = number(maxSteps, 1, 100, 12);
        if (!stepCount)
            return usage(u"invalid --steps"_s);
        const double factor = parser.value(stepFactor).toDouble(&ok);
        if (!ok || factor <= 1.0 || factor > 10.0)
            return usage(u"invalid --step-factor: more than 1, at most 10"_s);
        const QJsonObject result = stepThroughput(options, bound, int(*stepCount), factor);
        bench::printReport(result);
        return result.value(u"errors"_s).toInteger() == 0 ? 0 : 1;
    }
    const QJsonObject result = runScenario(options);
    bench::printReport(result);
    return result.value(u"errors"_s).toInteger() == 0 ? 0 : 1;
}
