// tidings-bench: the load generator. `tidings-bench <scenario> [options]`; each scenario
// prints one JSON line on stdout and a readable table on stderr.
#include "bench/health_scenario.h"
#include "bench/report.h"
#include "util/version.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

using namespace tidings;
using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tidings-bench"_s);
    QCoreApplication::setApplicationVersion(productVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Tidings load generator.\n\nScenarios:\n"
        "  health   GET /healthz many times; HTTP throughput and latency of a running relay"_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addPositionalArgument(u"scenario"_s, u"The scenario to run."_s);
    const QCommandLineOption url(u"url"_s, u"Relay base URL (default http://127.0.0.1:8420)."_s,
                                 u"url"_s, u"http://127.0.0.1:8420"_s);
    const QCommandLineOption requests(u"requests"_s, u"Requests to send (default 1000)."_s,
                                      u"count"_s, u"1000"_s);
    const QCommandLineOption concurrency(u"concurrency"_s, u"Requests in flight (default 8)."_s,
                                         u"count"_s, u"8"_s);
    parser.addOptions({url, requests, concurrency});

    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "tidings-bench: error: %s (see --help)\n",
                     qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(help))
        parser.showHelp(0);
    if (parser.isSet(version))
        parser.showVersion();

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || positional.first() != u"health") {
        std::fprintf(stderr, "tidings-bench: error: name one scenario: health (see --help)\n");
        return 2;
    }

    bench::HealthScenarioOptions options;
    options.relay = QUrl(parser.value(url));
    bool requestsOk = false;
    bool concurrencyOk = false;
    options.requests = parser.value(requests).toInt(&requestsOk);
    options.concurrency = parser.value(concurrency).toInt(&concurrencyOk);
    if (!options.relay.isValid() || options.relay.scheme().isEmpty() || !requestsOk
        || options.requests < 1 || !concurrencyOk || options.concurrency < 1) {
        std::fprintf(stderr, "tidings-bench: error: invalid --url, --requests or --concurrency\n");
        return 2;
    }

    bench::HealthScenario scenario(options);
    int exitCode = 0;
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
