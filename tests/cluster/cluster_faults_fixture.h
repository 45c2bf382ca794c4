#pragma once

// What the cluster fault tests (tst_cluster_faults_load, tst_cluster_faults_store) share:
// steady load from SteadySender clients and the checks of what they were told, PostgreSQL's
// own programs, and users on the nodes of a cluster.

#include "steady_sender.h"
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"
#include "support/test_account.h"

#include <QDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include <unistd.h>

namespace tidings::test {

using Clock = SteadySender::Clock;

// Whether the relay and the rest of the product run under the sanitizers (the test's own code
// is compiled without them either way).
#if defined(TIDINGS_SANITIZED)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// The node-kill case's load: 20 senders (10 pairs, both members sending) at 100 messages a
// second each, 2,000 in all. Built with ASan and UBSan (the ci preset), three nodes and the
// test took ~450 msg/s at best on this project's 2-core machine, so that build asks for 400.
// The optimised build reaches the full rate (1,988 of 2,000 msg/s, December 2026, once
// group commits locked their rows in order and a message took one round trip).
inline constexpr double kPerSenderPerSecond = kSanitized ? 20 : 100;

using Senders = std::vector<std::unique_ptr<SteadySender>>;
using Headers = TestAccount::Headers;
using Account = TestAccount;

inline qint64 msSince(Clock::time_point from, Clock::time_point to = Clock::now())
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

inline int totalAcked(const Senders &senders)
{
    int total = 0;
    for (const auto &sender : senders)
        total += int(sender->acked().size());
    return total;
}

inline int totalUnacked(const Senders &senders)
{
    int total = 0;
    for (const auto &sender : senders)
        total += sender->unacked();
    return total;
}

inline bool allSignedIn(const Senders &senders)
{
    return std::all_of(senders.cbegin(), senders.cend(),
                       [](const auto &sender) { return sender->isSignedIn(); });
}

inline bool allCreated(const Senders &senders, int count)
{
    return std::all_of(senders.cbegin(), senders.cend(),
                       [&](const auto &sender) { return sender->created() >= count; });
}

/// Nothing unexpected in any sender, and what they retried (e.g. "84 × unavailable").
inline QString problemsOf(const Senders &senders, QString *retried)
{
    QMap<QString, int> counts;
    QStringList problems;
    for (const auto &sender : senders) {
        problems += sender->problems();
        for (auto it = sender->retriedErrors().cbegin(); it != sender->retriedErrors().cend(); ++it)
            counts[it.key()] += it.value();
    }
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts << QStringLiteral("%1 × %2").arg(it.value()).arg(it.key());
    *retried = parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
    return problems.join(u'\n');
}

/// Feeds every sender `perSecond` new messages a second, evenly, while it lives: a steady
/// load whatever the relay's pace (what it does not take yet waits in the outboxes).
class Pace
{
public:
    Pace(const Senders &senders, double perSecond) : m_senders(senders), m_perSecond(perSecond)
    {
        m_timer.setInterval(10);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
        m_started = Clock::now();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    Clock::time_point started() const { return m_started; }

private:
    void tick()
    {
        const int due = int(m_perSecond * double(msSince(m_started)) / 1000.0);
        for (const auto &sender : m_senders)
            sender->add(std::max(0, due - sender->created()));
    }

    const Senders &m_senders;
    const double m_perSecond;
    QTimer m_timer;
    Clock::time_point m_started;
};

/// Checks one conversation's whole log against what its senders were told: seqs 1, 2, 3, …
/// with no gap, each message once, every message acked and there with the seq and text of
/// its ack, nothing that no sender sent. Returns what is wrong, or "".
inline QString checkLog(const QList<QJsonObject> &log, const QList<const SteadySender *> &senders)
{
    QHash<QString, std::pair<qint64, QString>> stored; // client_id → seq, text
    for (qsizetype i = 0; i < log.size(); ++i) {
        const QJsonObject &event = log.at(i);
        const qint64 seq = event.value(QStringLiteral("seq")).toInteger();
        if (seq != i + 1)
            return QStringLiteral("seq %1 where %2 belongs: a gap").arg(seq).arg(i + 1);
        if (event.value(QStringLiteral("kind")).toString() != u"message")
            continue;
        const QString clientId = event.value(QStringLiteral("client_id")).toString();
        if (stored.contains(clientId))
            return QStringLiteral("%1 stored twice (seqs %2 and %3)")
                .arg(clientId)
                .arg(stored.value(clientId).first)
                .arg(seq);
        stored.insert(clientId, {seq, event.value(QStringLiteral("text")).toString()});
    }
    qsizetype expected = 0;
    for (const SteadySender *sender : senders) {
        expected += sender->created();
        for (int n = 0; n < sender->created(); ++n) {
            const QString clientId = sender->clientId(n);
            const auto ack = sender->acked().constFind(clientId);
            if (ack == sender->acked().cend())
                return QStringLiteral("%1 was never acked").arg(clientId);
            const auto found = stored.constFind(clientId);
            if (found == stored.cend())
                return QStringLiteral("%1 acked (seq %2) but not stored")
                    .arg(clientId)
                    .arg(ack.value());
            if (found->first != ack.value())
                return QStringLiteral("%1 acked with seq %2, stored at %3")
                    .arg(clientId)
                    .arg(ack.value())
                    .arg(found->first);
            if (found->second != sender->text(n))
                return QStringLiteral("%1 stored with text '%2'").arg(clientId, found->second);
        }
    }
    if (stored.size() != expected)
        return QStringLiteral("%1 messages stored, %2 sent").arg(stored.size()).arg(expected);
    return {};
}

/// The newest PostgreSQL's programs (initdb, pg_ctl, …), as services.sh finds them.
inline QString postgresBin()
{
    QStringList versions
        = QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(),
              [](const QString &a, const QString &b) { return a.toInt() < b.toInt(); });
    return versions.isEmpty() ? QString()
                              : QStringLiteral("/usr/lib/postgresql/%1/bin").arg(versions.last());
}

/// Runs `program` with `arguments` to its end; true when it exits 0.
inline bool run(const QString &program, const QStringList &arguments, QString *output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    const bool finished = process.waitForFinished(120000);
    *output = QString::fromLocal8Bit(process.readAll());
    return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

/// pg_ctl as services.sh runs it: as the `postgres` user when we are root.
inline bool pgCtl(const QStringList &arguments, QString *output)
{
    const QString pgCtl = postgresBin() + QStringLiteral("/pg_ctl");
    if (::geteuid() == 0)
        return run(QStringLiteral("runuser"),
                   QStringList{QStringLiteral("-u"), QStringLiteral("postgres"),
                               QStringLiteral("--"), pgCtl}
                       + arguments,
                   output);
    return run(pgCtl, arguments, output);
}

/// A conversation's seqs a session has seen, and the client's cursor over them.
struct SeenLog
{
    QSet<qint64> seqs;
    QHash<QString, qint64> messages; // client_id → seq

    void add(const QJsonObject &event)
    {
        const qint64 seq = event.value(QStringLiteral("seq")).toInteger();
        seqs.insert(seq);
        if (event.value(QStringLiteral("kind")).toString() == u"message")
            messages.insert(event.value(QStringLiteral("client_id")).toString(), seq);
    }
    /// The last seq with none missing before it: where a client's `sync` starts.
    qint64 cursor() const
    {
        qint64 seq = 0;
        while (seqs.contains(seq + 1))
            ++seq;
        return seq;
    }
};

/// Users and their conversations on the nodes of a cluster test.
class ClusterFaultsFixture
{
protected:
    /// A new user named `base` plus a number, signed up through `url`.
    Account signUp(const QUrl &url, const QString &base)
    {
        return Account::signUp(url, QStringLiteral("%1%2").arg(base).arg(++m_users));
    }

    static qint64 openDirect(Account &from, const Account &to)
    {
        return from.client->openDirect(to.id);
    }

    /// `sync` from `cursor` in `conversation` until `more` is false, into `seen`.
    static bool syncInto(ProtocolClient &client, qint64 conversation, SeenLog &seen)
    {
        qint64 cursor = seen.cursor();
        for (int pages = 0; pages < 1000; ++pages) {
            const QJsonObject page = client.request(
                QStringLiteral("sync"),
                {{QStringLiteral("cursors"),
                  QJsonArray{QJsonObject{{QStringLiteral("conversation"), conversation},
                                         {QStringLiteral("seq"), cursor}}}}});
            if (!ok(page))
                return false;
            const QJsonArray events = page.value(QStringLiteral("events")).toArray();
            for (const QJsonValue &event : events) {
                if (event.toObject().value(QStringLiteral("conversation")).toInteger()
                    == conversation)
                    seen.add(event.toObject());
            }
            const QJsonArray cursors = page.value(QStringLiteral("cursors")).toArray();
            for (const QJsonValue &value : cursors) {
                if (value.toObject().value(QStringLiteral("conversation")).toInteger()
                    == conversation)
                    cursor = value.toObject().value(QStringLiteral("seq")).toInteger();
            }
            if (!page.value(QStringLiteral("more")).toBool())
                return true;
        }
        return false;
    }

    int m_users = 0;
    QString m_bus;
};

} // namespace tidings::test
