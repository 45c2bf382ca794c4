// tidings-relay: parse the command line, build the relay, run it until SIGINT/SIGTERM.
#include "admin/admin_commands.h"
#include "config/relay_config.h"
#ifdef Q_OS_LINUX
#include "eventloop/epoll_event_dispatcher.h"
#endif
#include "ops/log_output.h"
#include "ops/shutdown_signals.h"
#include "server/relay_server.h"
#include "util/version.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace tidings;
using namespace tidings::relay;
using namespace Qt::StringLiterals;

namespace {

// Exit codes, documented in docs/operations.md.
constexpr int kExitFailure = 1; // could not start or run
constexpr int kExitUsage = 2; // bad command line or configuration

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "tidings-relay: error: %s\n", qPrintable(message));
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef __GLIBC__
    // glibc gives a thread's freed heap top back to the kernel (madvise) as soon as it passes
    // a small threshold, and the next allocation faults the pages in again: on the store
    // writer that cycle, once per transaction, was half of the relay's CPU at load
    // (docs/benchmarks.md, issue 15). Keep freed memory up to this much for reuse instead.
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
#ifdef Q_OS_UNIX
    // Everything the relay creates is its own alone: the database holds password hashes and
    // the key that signs media links, the media directory what users sent.
    ::umask(0077);
#endif
#ifdef Q_OS_LINUX
    // The dispatcher is fixed when the application object is made, before the command line
    // is parsed properly (which then validates --event-loop with the rest).
    if (eventLoopBeforeStart(argc, argv) == EventLoop::Epoll)
        QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
#endif
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tidings-relay"_s);
    QCoreApplication::setApplicationVersion(productVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Tidings relay: routes, stores and delivers chat messages.\n"
        "Settings come from flags, then TIDINGS_* environment variables, then the config file."_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    addRelayOptions(parser);
    const QCommandLineOption displayName(u"display-name"_s,
                                         u"Admin: display name for 'user add'."_s, u"text"_s);
    const QCommandLineOption passwordStdin(
        u"password-stdin"_s, u"Admin: read the password from the first line of stdin."_s);
    const QCommandLineOption targetStore(
        u"to"_s, u"Admin: the PostgreSQL store 'migrate-store' copies into."_s, u"url"_s);
    parser.addOptions({displayName, passwordStdin, targetStore});
    parser.addPositionalArgument(
        u"command"_s, u"An admin command (see below); none runs the relay."_s, u"[command]"_s);

    if (!parser.parse(QCoreApplication::arguments()))
        return fail(kExitUsage, parser.errorText() + u" (see --help)"_s);
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText() + u'\n' + adminUsage()), stdout);
        return 0;
    }
    if (parser.isSet(version))
        parser.showVersion();
    const QStringList words = parser.positionalArguments();
    if (!words.isEmpty() && !isAdminCommand(words.first()))
        return fail(kExitUsage, u"unexpected argument '%1' (see --help)"_s.arg(words.first()));

    auto config
        = resolveRelayConfig(configInputsFrom(parser, QProcessEnvironment::systemEnvironment()));
    if (!config)
        return fail(kExitUsage, config.error().message);
    if (!words.isEmpty()) {
        const AdminInvocation invocation{words, parser.value(displayName),
                                         parser.isSet(passwordStdin), parser.value(targetStore)};
        return runAdminCommand(invocation, *config, stdin, stdout, stderr);
    }
    installLogOutput(config->logFormat);

    ShutdownSignals shutdownSignals;
    RelayServer relay(*config);
    const auto port = relay.start();
    if (!port)
        return fail(kExitFailure, port.error().message);

    const QString scheme = config->tlsEnabled() ? u"https"_s : u"http"_s;
    QString host = config->listenAddress.toString();
    if (config->listenAddress.protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
#ifdef Q_OS_LINUX
    const char *eventLoop
        = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()) ? "epoll"
                                                                                     : "qt";
#else
    const char *eventLoop = "qt";
#endif
    std::printf("tidings-relay %s listening on %s://%s:%u (data: %s, event loop: %s)\n",
                qPrintable(productVersion()), qPrintable(scheme), qPrintable(host), unsigned(*port),
                qPrintable(config->dataDirectory), eventLoop);
    std::fflush(stdout);

    QObject::connect(&shutdownSignals, &ShutdownSignals::shutdownRequested, &app,
                     [&](int signalNumber) {
                         std::printf("tidings-relay: signal %d, shutting down\n", signalNumber);
                         std::fflush(stdout);
                         relay.stop();
                         QCoreApplication::quit();
                     });
    return app.exec();
}
