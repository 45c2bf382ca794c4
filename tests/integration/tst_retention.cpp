// retention-days: old message content is erased, the log keeps its seqs; store-sync.
#include "support/protocol_client.h"
#include "support/relay_process.h"

#include <QDateTime>
#include <QJsonArray>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestRetention : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void oldContentIsErasedSeqsStay()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        qint64 direct = 0;
        {
            ProtocolClient alice, bob;
            QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
            const qint64 bobId = bob.signUp(relay.webSocketUrl(), u"bob"_s);
            direct = alice.openDirect(bobId);
            for (int i = 0; i < 3; ++i)
                alice.request(u"message.send"_s,
                              {{u"conversation"_s, direct},
                               {u"client_id"_s, u"m%1"_s.arg(i)},
                               {u"text"_s, u"text %1"_s.arg(i)}});
            alice.request(u"message.edit"_s,
                          {{u"conversation"_s, direct},
                           {u"client_id"_s, u"e"_s},
                           {u"seq"_s, 2},
                           {u"text"_s, u"edited"_s}});
        }
        QCOMPARE(relay.stop(), 0);

        // Age the first two messages and the edit by 40 days.
        const qint64 fortyDaysAgo
            = QDateTime::currentMSecsSinceEpoch() - qint64(40) * 24 * 3600 * 1000;
        QVERIFY2(
            relay.execOnStore(
                u"UPDATE events SET created_at = %1 WHERE seq IN (2, 3, 5)"_s.arg(fortyDaysAgo))
                > 0,
            qPrintable(relay.lastError()));

        QVERIFY2(relay.start({u"--retention-days"_s, u"30"_s}), qPrintable(relay.lastError()));
        ProtocolClient bob;
        QVERIFY(bob.signIn(relay.webSocketUrl(), u"bob"_s));
        const auto log = [&] {
            return bob.request(u"history"_s, {{u"conversation"_s, direct}})
                .value(u"events"_s)
                .toArray();
        };
        QTRY_VERIFY_WITH_TIMEOUT(log().at(1).toObject().value(u"expired"_s).toBool(), 10000);

        const QJsonArray events = log();
        QCOMPARE(events.size(), 5); // every seq is still there: sync stays gap-free
        for (qsizetype i = 0; i < events.size(); ++i)
            QCOMPARE(events.at(i).toObject().value(u"seq"_s).toInteger(), i + 1);
        QCOMPARE(events.at(0).toObject().value(u"kind"_s).toString(), u"created"_s);
        for (const int old : {1, 2, 4}) {
            const QJsonObject event = events.at(old).toObject();
            QCOMPARE(event.value(u"expired"_s).toBool(), true);
            QVERIFY(!event.contains(u"text"_s));
        }
        QCOMPARE(events.at(3).toObject().value(u"text"_s).toString(), u"text 2"_s); // recent: kept
        QCOMPARE(relay.stop(), 0);
    }

    void storeSyncSetting()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--store-sync"_s, u"normal"_s}), qPrintable(relay.lastError()));
        ProtocolClient alice;
        QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
        QCOMPARE(relay.stop(), 0);
        const auto refused = RelayProcess::runToExit(
            {u"--data-dir"_s, relay.dataDirectory(), u"--store-sync"_s, u"sometimes"_s});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY(refused.standardError.contains("store-sync"));
    }
};

QTEST_GUILESS_MAIN(TestRetention)
#include "tst_retention.moc"
