// The cluster under steady load when its parts fail, every one a real process: a relay node
// killed behind HAProxy, Redis killed and started again. What was acked is never lost or
// doubled, and clients find their way back by themselves.
#include "cluster_faults_fixture.h"
#include "haproxy_process.h"
#include "steady_sender.h"
#include "support/file_helpers.h"
#include "support/http_helpers.h"
#include "support/protocol_client.h"
#include "support/redis_process.h"
#include "support/relay_process.h"
#include "support/s3_standin_process.h"
#include "support/test_account.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <array>
#include <memory>
#include <vector>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace tidings::test;

class TestClusterFaultsLoad : public QObject, public ClusterFaultsFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_bus = RelayProcess::clusterService(u"redis.url"_s);
        if (m_bus.isEmpty())
            QSKIP("the cluster fixture's servers are not running (ctest -L cluster starts them)");
    }

    void nodeKilledUnderLoadBehindHaproxy()
    {
        if (HaproxyProcess::binary().isEmpty())
            QSKIP("haproxy is not installed (tools/deps.sh test installs it)");
        constexpr int kPairs = 10;
        constexpr int kSeconds = 10; // of sending; the kill comes after a third of them
        const int perSender = int(kPerSenderPerSecond * kSeconds);
        std::array<RelayProcess, 3> nodes;
        const QStringList cluster{u"--store"_s, nodes[0].storeUrl(), u"--bus"_s, m_bus};
        QList<quint16> ports;
        for (RelayProcess &node : nodes) {
            QVERIFY2(node.start(cluster), qPrintable(node.lastError()));
            ports << node.port();
        }
        HaproxyProcess proxy(QStringLiteral(TIDINGS_HAPROXY_CONFIG));
        QVERIFY2(proxy.start(ports), qPrintable(proxy.lastError()));
        const QUrl url = proxy.webSocketUrl();

        // Everyone signs up through HAProxy; then their senders take over with the tokens.
        Senders senders;
        QHash<qint64, QList<const SteadySender *>> byConversation;
        QHash<qint64, QString> readerTokens;
        for (int p = 0; p < kPairs; ++p) {
            Account first = signUp(url, u"first"_s);
            Account second = signUp(url, u"second"_s);
            QVERIFY(first.id > 0 && second.id > 0);
            const qint64 direct = openDirect(first, second);
            QVERIFY(direct > 0);
            for (const Account *account : {&first, &second}) {
                senders.push_back(
                    std::make_unique<SteadySender>(url, account->token, direct, account->name));
                // A short pipeline: under more load than the nodes take, what waits in
                // their queues (and delays a sign-in behind it) stays bounded.
                senders.back()->setWindow(16);
                byConversation[direct].append(senders.back().get());
            }
            readerTokens.insert(direct, first.token);
        }
        for (const auto &sender : senders)
            sender->connectToRelay();
        QTRY_VERIFY_WITH_TIMEOUT(allSignedIn(senders), 30000);

        Pace pace(senders, kPerSenderPerSecond);
        QTRY_VERIFY_WITH_TIMEOUT(allCreated(senders, perSender / 3), 60000);
        QVERIFY(totalAcked(senders) > 0);

        // SIGKILL the middle node; its clients come back through HAProxy to the others.
        QList<int> lostBefore;
        for (const auto &sender : senders)
            lostBefore << sender->connectionsLost();
        const auto dropped = [&] {
            QList<const SteadySender *> list;
            for (size_t i = 0; i < senders.size(); ++i) {
                if (senders[i]->connectionsLost() > lostBefore.at(qsizetype(i)))
                    list << senders[i].get();
            }
            return list;
        };
        const Clock::time_point killedAt = Clock::now();
        nodes[1].kill();
        QTRY_VERIFY_WITH_TIMEOUT(!dropped().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(allSignedIn(senders), 30000);
        // From the kill to each dropped client's first sign-in through HAProxy after its loss.
        QList<qint64> reconnectMs;
        for (const SteadySender *sender : dropped()) {
            for (const Clock::time_point signIn : sender->signIns()) {
                if (signIn > sender->lastLoss()) {
                    reconnectMs << msSince(killedAt, signIn);
                    break;
                }
            }
        }
        QCOMPARE(reconnectMs.size(), dropped().size());
        std::sort(reconnectMs.begin(), reconnectMs.end());
        qInfo("node killed: its %lld clients signed in again through HAProxy %lld ms (first), "
              "%lld ms (median), %lld ms (last) after the kill",
              qint64(reconnectMs.size()), reconnectMs.first(),
              reconnectMs.at(reconnectMs.size() / 2), reconnectMs.last());
        QVERIFY2(reconnectMs.last() <= 5000,
                 qPrintable(u"a client signed in again only %1 ms after the kill"_s.arg(
                     reconnectMs.last())));

        // The rest of the load; then every outbox empties.
        QTRY_VERIFY_WITH_TIMEOUT(allCreated(senders, perSender), 60000);
        pace.stop();
        QTRY_COMPARE_WITH_TIMEOUT(totalUnacked(senders), 0, 400000);
        const qint64 elapsedMs = msSince(pace.started());
        QString retried;
        const QString problems = problemsOf(senders, &retried);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        qInfo("%d messages acked in %lld ms: %.0f msg/s asked for, %.0f msg/s reached; "
              "error replies retried: %s",
              totalAcked(senders), elapsedMs, kPerSenderPerSecond * double(senders.size()),
              totalAcked(senders) * 1000.0 / double(elapsedMs), qPrintable(retried));
        QCOMPARE(proxy.nodeStates().value(u"node2"_s), u"DOWN"_s);

        // Every acked message is in its conversation's log exactly once, with no gap.
        for (auto it = byConversation.cbegin(); it != byConversation.cend(); ++it) {
            ProtocolClient reader;
            QVERIFY(reader.open(url) && reader.hello());
            QVERIFY(ok(reader.request(u"auth"_s, {{u"token"_s, readerTokens.value(it.key())}})));
            const QString wrong = checkLog(reader.wholeHistory(it.key()), it.value());
            QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
        }
        for (const auto &sender : senders)
            sender->close();
        proxy.stop();
    }

    // b. Redis killed (SIGKILL) and started again on its port while users on two nodes chat.
    void redisRestartedDuringLoad()
    {
        if (RedisProcess::serverBinary().isEmpty())
            QSKIP("redis-server is not installed");
        RedisProcess redis; // its own: the fixture's is shared with other tests
        QVERIFY2(redis.start(), qPrintable(redis.lastError()));
        RelayProcess a, b;
        const QStringList cluster{u"--store"_s, a.storeUrl(), u"--bus"_s, redis.url()};
        QVERIFY2(a.start(cluster), qPrintable(a.lastError()));
        QVERIFY2(b.start(cluster), qPrintable(b.lastError()));

        // Two pairs, each with one member on each node; both members send.
        Account ann = signUp(a.webSocketUrl(), u"ann"_s);
        Account ben = signUp(b.webSocketUrl(), u"ben"_s);
        Account cat = signUp(b.webSocketUrl(), u"cat"_s);
        Account dan = signUp(a.webSocketUrl(), u"dan"_s);
        QVERIFY(ann.id > 0 && ben.id > 0 && cat.id > 0 && dan.id > 0);
        const qint64 watched = openDirect(ann, ben);
        const qint64 other = openDirect(cat, dan);
        QVERIFY(watched > 0 && other > 0);
        Senders senders;
        const auto addSender = [&](const RelayProcess &node, const Account &account, qint64 id) {
            senders.push_back(std::make_unique<SteadySender>(node.webSocketUrl(), account.token, id,
                                                             account.name));
        };
        addSender(a, ann, watched);
        addSender(b, ben, watched);
        addSender(b, cat, other);
        addSender(a, dan, other);

        // Ben's phone, also on node B, hears of ann's messages (from node A) over the bus.
        ProtocolClient phone;
        QVERIFY(phone.signIn(b.webSocketUrl(), ben.name) == ben.id);
        SeenLog seen;
        QVERIFY(syncInto(phone, watched, seen));

        for (const auto &sender : senders)
            sender->connectToRelay();
        QTRY_VERIFY_WITH_TIMEOUT(allSignedIn(senders), 30000);
        Pace pace(senders, 25); // 100 msg/s in all
        QTRY_VERIFY_WITH_TIMEOUT(totalAcked(senders) >= 100, 60000);

        redis.kill();
        // Messages still commit with the bus gone.
        const int ackedWithoutBus = totalAcked(senders);
        QTRY_VERIFY_WITH_TIMEOUT(totalAcked(senders) >= ackedWithoutBus + 100, 60000);
        const Clock::time_point restartedAt = Clock::now();
        QVERIFY2(redis.start(), qPrintable(redis.lastError()));
        // The nodes reconnect and tell their sessions that they may have missed something.
        const QJsonObject resync = phone.next(u"resync"_s, 30000);
        QVERIFY2(!resync.isEmpty(), "no resync after the bus came back");
        qInfo("resync arrived %lld ms after Redis was started again", msSince(restartedAt));
        const int ackedAfterResync = totalAcked(senders);
        QTRY_VERIFY_WITH_TIMEOUT(totalAcked(senders) >= ackedAfterResync + 100, 60000);
        pace.stop();
        QTRY_COMPARE_WITH_TIMEOUT(totalUnacked(senders), 0, 120000);
        QString retried;
        const QString problems = problemsOf(senders, &retried);
        QVERIFY2(problems.isEmpty(), qPrintable(problems));

        // Nothing acked is lost or doubled.
        QString wrong
            = checkLog(ann.client->wholeHistory(watched), {senders[0].get(), senders[1].get()});
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
        wrong = checkLog(cat.client->wholeHistory(other), {senders[2].get(), senders[3].get()});
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong));

        // The phone, as the app does on `resync`: what came live, then `sync` from its
        // cursor, holds every message of the conversation.
        const QList<QJsonObject> live = phone.takeEvents();
        int liveMessages = 0;
        for (const QJsonObject &event : live) {
            if (event.value(u"type"_s).toString() == u"event"
                && event.value(u"conversation"_s).toInteger() == watched) {
                seen.add(event);
                liveMessages += event.value(u"kind"_s).toString() == u"message" ? 1 : 0;
            }
        }
        const qint64 cursorBeforeSync = seen.cursor();
        QVERIFY(syncInto(phone, watched, seen));
        for (const SteadySender *sender : {senders[0].get(), senders[1].get()}) {
            for (auto it = sender->acked().cbegin(); it != sender->acked().cend(); ++it)
                QVERIFY2(seen.messages.value(it.key()) == it.value(),
                         qPrintable(u"the phone never got "_s + it.key()));
        }
        QCOMPARE(seen.cursor(), qint64(seen.seqs.size()));
        qInfo("the phone got %d of %lld messages live, its sync began at seq %lld of %lld",
              liveMessages, qint64(seen.messages.size()), cursorBeforeSync,
              qint64(seen.seqs.size()));
        for (const auto &sender : senders)
            sender->close();
    }

    // c. PostgreSQL stopped under a running relay, then started again.
};

QTEST_GUILESS_MAIN(TestClusterFaultsLoad)
#include "tst_cluster_faults_load.moc"
