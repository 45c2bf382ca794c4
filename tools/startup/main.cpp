// tidings-startup-bench: how fast the app starts and scrolls with a big local cache.
//
// Makes a profile whose local store holds --messages messages in --conversations direct
// conversations (the account signed in, its relay unreachable: the app shows its cache),
// then starts the real app on it --runs times and reads what it reports
// (TIDINGS_STARTUP_REPORT): the time from launch to the first paint of the conversation
// list, the resident memory once idle, and, on the last run, the time each step of
// scrolling back through the biggest conversation took to lay out and paint.
#include "core/chat_client.h"
#include "core/local_queries.h"
#include "core/local_store.h"
#include "core/token_store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace tidings;
using namespace tidings::app;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMe = 1;
const QString kServer = u"http://127.0.0.1:9"_s; // nothing listens: the app stays offline

/// Waits for `future` while the event loop runs (some continuations need it).
template<typename T> T waitFor(QFuture<T> future)
{
    QFutureWatcher<T> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!future.isFinished())
        loop.exec();
    return future.result();
}

qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}

bool seed(const QString &profile, int messages, int conversations)
{
    const QString data = profile + u"/data"_s;
    QDir().mkpath(data);
    const QString account = TokenStore::accountKey(u"bench"_s, kServer);
    {
        QSettings settings(profile + u"/tidings.ini"_s, QSettings::IniFormat);
        settings.setValue(u"account/server"_s, kServer);
        settings.setValue(u"account/username"_s, u"bench"_s);
        settings.setValue(u"account/signedIn"_s, true);
        settings.setValue(u"security/tokenStorage"_s, u"file"_s);
    }
    TokenStore::Options tokenOptions;
    tokenOptions.directory = data;
    TokenStore tokens(TokenStore::Backend::PlainFile, tokenOptions);
    const auto saved = waitFor(tokens.save(account, u"bench-token"_s));
    if (!saved) {
        std::fprintf(stderr, "cannot keep the token: %s\n", qPrintable(saved.error().message));
        return false;
    }

    LocalStore store(ChatClient::databasePathFor(data, account));
    const auto opened = store.open().future().result();
    if (!opened) {
        std::fprintf(stderr, "cannot open the store: %s\n", qPrintable(opened.error().message));
        return false;
    }
    auto setup = store.write<void>([conversations](QSqlDatabase &db) -> Result<void> {
        if (auto set = local::setAccountValue(db, u"user_id"_s, QString::number(kMe)); !set)
            return set;
        QJsonArray users{QJsonObject{{u"id"_s, kMe}, {u"username"_s, u"bench"_s}}};
        for (int c = 0; c < conversations; ++c)
            users.append(QJsonObject{{u"id"_s, 100 + c},
                                     {u"username"_s, u"friend%1"_s.arg(c)},
                                     {u"display_name"_s, u"Friend Number %1"_s.arg(c)}});
        return local::storeUsers(db, users);
    });
    if (!setup.future().result())
        return false;

    // Half the messages go to the last conversation (the most recently active: the one at
    // the top of the list, which the scroll run opens), the rest spread over the others.
    const int main = messages / 2;
    const int rest = conversations > 1 ? (messages - main) / (conversations - 1) : 0;
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - qint64(messages) * 60'000;
    qint64 clock = start;
    for (int c = 0; c < conversations; ++c) {
        const qint64 id = 1 + c;
        const qint64 other = 100 + c;
        const int count = c == conversations - 1 ? main : rest;
        const QJsonObject conversation{
            {u"id"_s, id},
            {u"kind"_s, u"direct"_s},
            {u"last_seq"_s, count + 1},
            {u"created_at"_s, start},
            {u"member_count"_s, 2},
            {u"members"_s,
             QJsonArray{QJsonObject{{u"user"_s, kMe}, {u"role"_s, u"member"_s}},
                        QJsonObject{{u"user"_s, other}, {u"role"_s, u"member"_s}}}},
            {u"me"_s,
             QJsonObject{{u"user"_s, kMe}, {u"role"_s, u"member"_s}, {u"joined_seq"_s, 1}}},
        };
        QList<QJsonObject> events;
        events.append({{u"conversation"_s, id},
                       {u"seq"_s, 1},
                       {u"kind"_s, u"created"_s},
                       {u"sender"_s, kMe},
                       {u"time"_s, clock},
                       {u"members"_s, QJsonArray{kMe, other}}});
        for (int m = 0; m < count; ++m) {
            clock += 30'000;
            const bool mine = m % 3 == 0;
            events.append({{u"conversation"_s, id},
                           {u"seq"_s, m + 2},
                           {u"kind"_s, u"message"_s},
                           {u"sender"_s, mine ? kMe : other},
                           {u"time"_s, clock},
                           {u"text"_s,
                            m % 7 == 0 ? u"A longer message, %1, that wraps over more than "
                                         u"one line in a bubble of ordinary width, as "
                                         u"people write when they explain something."_s.arg(m)
                                       : u"Message %1 of conversation %2"_s.arg(m).arg(c)}});
        }
        auto write = store.write<void>([conversation, events](QSqlDatabase &db) -> Result<void> {
            if (auto stored = local::storeConversation(db, conversation); !stored)
                return stored;
            for (const QJsonObject &event : events) {
                if (auto applied = local::applyEvent(db, event, kMe); !applied)
                    return applied.error();
            }
            return {};
        });
        const auto written = write.future().result();
        if (!written) {
            std::fprintf(stderr, "cannot seed: %s\n", qPrintable(written.error().message));
            return false;
        }
    }
    store.close();
    return true;
}

qint64 residentKb(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = std::min<qsizetype>(values.size() - 1, qsizetype(p * double(values.size())));
    return values.at(index);
}

struct Run
{
    qint64 firstPaintMs = -1;
    qint64 rssKb = -1;
    QList<double> steps;
    QList<double> intervals;
    int rows = 0;
};

Run runApp(const QString &app, const QString &profile, bool scroll, int idleMs,
           const QString &platform)
{
    Run run;
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"TIDINGS_STARTUP_REPORT"_s, u"1"_s);
    environment.insert(u"QT_QPA_PLATFORM"_s, platform);
    if (scroll) {
        environment.insert(u"TIDINGS_SCROLL_BENCH"_s, u"1"_s);
        environment.insert(u"TIDINGS_SCROLL_BENCH_DELAY_MS"_s, QString::number(idleMs + 500));
    }
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const qint64 launched = monotonicMs();
    process.start(app, {u"--profile"_s, profile});
    if (!process.waitForStarted(10000))
        return run;
    QByteArray buffered;
    QElapsedTimer sinceStart;
    sinceStart.start();
    bool measuredRss = false;
    qint64 paintedAt = 0;
    while (sinceStart.elapsed() < 180000) {
        process.waitForReadyRead(50);
        buffered += process.readAllStandardOutput();
        int newline;
        while ((newline = int(buffered.indexOf('\n'))) >= 0) {
            const QList<QByteArray> words = buffered.left(newline).split(' ');
            buffered.remove(0, newline + 1);
            if (words.first() == "first-paint" && words.size() > 1) {
                paintedAt = monotonicMs();
                run.firstPaintMs = words.at(1).toLongLong() - launched;
            } else if (words.first() == "scroll-step" && words.size() > 3) {
                run.steps.append(words.at(1).toDouble());
                run.rows = words.at(3).toInt();
                if (words.size() > 4)
                    run.intervals.append(words.at(4).toDouble());
            }
        }
        if (paintedAt > 0 && !measuredRss && monotonicMs() - paintedAt >= idleMs) {
            run.rssKb = residentKb(process.processId());
            measuredRss = true;
            if (!scroll)
                break;
        }
        if (process.state() == QProcess::NotRunning)
            break;
    }
    process.terminate();
    if (!process.waitForFinished(10000))
        process.kill();
    return run;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Cold start and scrolling of the Tidings app over a big cache."_s);
    parser.addHelpOption();
    const QCommandLineOption messagesOption(u"messages"_s, u"Cached messages (default 100000)."_s,
                                            u"count"_s, u"100000"_s);
    const QCommandLineOption conversationsOption(
        u"conversations"_s, u"Conversations (default 200)."_s, u"count"_s, u"200"_s);
    const QCommandLineOption runsOption(u"runs"_s, u"Starts to time (default 5)."_s, u"count"_s,
                                        u"5"_s);
    const QCommandLineOption idleOption(
        u"idle-ms"_s, u"How long after the first paint RSS is read (default 5000)."_s, u"ms"_s,
        u"5000"_s);
    const QCommandLineOption appOption(u"app"_s, u"The tidings binary (default: this build's)."_s,
                                       u"path"_s);
    const QCommandLineOption profileOption(
        u"profile"_s,
        u"Profile directory to make, or to reuse when it was made before (default: a temporary "
        u"one)."_s,
        u"directory"_s);
    const QCommandLineOption platformOption(u"platform"_s,
                                            u"Qt platform for the app (default offscreen)."_s,
                                            u"name"_s, u"offscreen"_s);
    parser.addOptions({messagesOption, conversationsOption, runsOption, idleOption, appOption,
                       profileOption, platformOption});
    parser.process(application);

    const QString app = parser.isSet(appOption)
        ? parser.value(appOption)
        : QDir(QCoreApplication::applicationDirPath()).filePath(u"../../app/tidings"_s);
    QTemporaryDir temporary;
    const QString profile
        = parser.isSet(profileOption) ? parser.value(profileOption) : temporary.path();
    const int messages = parser.value(messagesOption).toInt();
    const int conversations = std::max(1, parser.value(conversationsOption).toInt());
    if (parser.isSet(profileOption) && QFile::exists(profile + u"/tidings.ini"_s)) {
        std::printf("using the profile already made in %s\n", qPrintable(profile));
    } else {
        QElapsedTimer seeding;
        seeding.start();
        if (!seed(profile, messages, conversations))
            return 1;
        std::printf("seeded %d messages in %d conversations in %.1f s\n", messages, conversations,
                    double(seeding.elapsed()) / 1000);
    }

    const int runs = std::max(1, parser.value(runsOption).toInt());
    QList<double> paints;
    QList<double> rss;
    Run last;
    for (int i = 0; i < runs; ++i) {
        const bool scroll = i == runs - 1;
        const Run run = runApp(app, profile, scroll, parser.value(idleOption).toInt(),
                               parser.value(platformOption));
        if (run.firstPaintMs < 0) {
            std::fprintf(stderr, "run %d: the app did not paint its conversation list\n", i + 1);
            return 1;
        }
        std::printf("run %d: first paint %lld ms, idle RSS %.1f MB\n", i + 1,
                    static_cast<long long>(run.firstPaintMs), double(run.rssKb) / 1024);
        paints.append(double(run.firstPaintMs));
        rss.append(double(run.rssKb) / 1024);
        if (scroll)
            last = run;
        QThread::msleep(300);
    }
    std::printf("first paint: median %.0f ms, worst %.0f ms (%d runs)\n", percentile(paints, 0.5),
                percentile(paints, 1.0), runs);
    std::printf("idle RSS: median %.1f MB, worst %.1f MB\n", percentile(rss, 0.5),
                percentile(rss, 1.0));
    if (!last.steps.isEmpty()) {
        std::printf("scrolling: %lld steps of 120 px back through %d loaded rows: p50 %.2f ms, "
                    "p99 %.2f ms, max %.2f ms per step (layout + paint)\n",
                    static_cast<long long>(last.steps.size()), last.rows,
                    percentile(last.steps, 0.5), percentile(last.steps, 0.99),
                    percentile(last.steps, 1.0));
        std::printf("frame interval while scrolling (16 ms timer + event loop work): p50 %.0f ms, "
                    "p99 %.0f ms, max %.0f ms\n",
                    percentile(last.intervals, 0.5), percentile(last.intervals, 0.99),
                    percentile(last.intervals, 1.0));
    }
    return 0;
}
