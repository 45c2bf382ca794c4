// DESIGN.md §2 against the real relay: what was acked survives kill -9, retries never
// double, and an offline member gets every message, in order, with no gaps.
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QtTest>

#include <memory>
#include <vector>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QJsonObject sendFields(qint64 conversation, const QString &clientId, const QString &text)
{
    return {{u"conversation"_s, conversation}, {u"client_id"_s, clientId}, {u"text"_s, text}};
}

bool gapFree(const QList<QJsonObject> &log)
{
    for (qsizetype i = 0; i < log.size(); ++i) {
        if (log.at(i).value(u"seq"_s).toInteger() != i + 1)
            return false;
    }
    return true;
}

} // namespace

class TestDeliveryContract : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void sameIdThreeTimesIncludingAfterARestart()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        ProtocolClient alice, bob;
        QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
        const qint64 bobId = bob.signUp(relay.webSocketUrl(), u"bob"_s);
        const qint64 direct = alice.openDirect(bobId);

        const QJsonObject first
            = alice.request(u"message.send"_s, sendFields(direct, u"msg-1"_s, u"original"_s));
        QVERIFY(ok(first));
        const qint64 seq = first.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
        const QJsonObject changed
            = alice.request(u"message.send"_s, sendFields(direct, u"msg-1"_s, u"changed body"_s));
        QCOMPARE(changed.value(u"event"_s).toObject().value(u"seq"_s).toInteger(), seq);
        QCOMPARE(changed.value(u"duplicate"_s).toBool(), true);

        // A graceful restart, then a crash and another restart: the same answer each time.
        for (const bool crash : {false, true}) {
            if (crash)
                relay.kill();
            else
                QCOMPARE(relay.stop(), 0);
            QVERIFY2(relay.start(), qPrintable(relay.lastError()));
            ProtocolClient again;
            QVERIFY(again.signIn(relay.webSocketUrl(), u"alice"_s));
            const QJsonObject retry
                = again.request(u"message.send"_s, sendFields(direct, u"msg-1"_s, u"original"_s));
            QVERIFY(ok(retry));
            QCOMPARE(retry.value(u"event"_s).toObject().value(u"seq"_s).toInteger(), seq);
            QCOMPARE(retry.value(u"event"_s).toObject().value(u"text"_s).toString(), u"original"_s);
            QCOMPARE(retry.value(u"duplicate"_s).toBool(), true);
            const QList<QJsonObject> log = again.wholeHistory(direct);
            QCOMPARE(log.size(), 2); // "created" and the one message
            QVERIFY(gapFree(log));
        }
        QCOMPARE(relay.stop(), 0);
    }

    void whatWasAckedSurvivesKillDashNine()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        ProtocolClient alice, bob;
        QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
        const qint64 bobId = bob.signUp(relay.webSocketUrl(), u"bob"_s);
        const qint64 direct = alice.openDirect(bobId);

        for (int round = 0; round < 5; ++round) {
            // A burst in flight at once (so the relay batches commits), then SIGKILL at the
            // moment the last ack arrives; more frames are still on their way in.
            QStringList ids;
            for (int i = 0; i < 60; ++i)
                ids.append(alice.post(u"message.send"_s,
                                      sendFields(direct, u"r%1-%2"_s.arg(round).arg(i),
                                                 u"round %1 #%2"_s.arg(round).arg(i))));
            QSet<QString> acked;
            for (int i = 0; i < 40; ++i) {
                const QJsonObject reply = alice.reply(ids.at(i));
                QVERIFY(ok(reply));
                acked.insert(reply.value(u"event"_s).toObject().value(u"client_id"_s).toString());
            }
            relay.kill();
            QVERIFY2(relay.start(), qPrintable(relay.lastError()));

            QVERIFY(alice.signIn(relay.webSocketUrl(), u"alice"_s));
            const QList<QJsonObject> log = alice.wholeHistory(direct);
            QVERIFY(gapFree(log));
            QSet<QString> stored;
            for (const QJsonObject &event : log) {
                if (event.value(u"kind"_s) == u"message"_s) {
                    const QString clientId = event.value(u"client_id"_s).toString();
                    QVERIFY2(!stored.contains(clientId), "a message was stored twice");
                    stored.insert(clientId);
                    // Whole or absent, never half: text and id belong together.
                    QCOMPARE(event.value(u"text"_s).toString(),
                             u"round %1 #%2"_s.arg(clientId.section(u'-', 0, 0).mid(1))
                                 .arg(clientId.section(u'-', 1)));
                }
            }
            for (const QString &clientId : std::as_const(acked))
                QVERIFY2(stored.contains(clientId), qPrintable(u"acked but lost: "_s + clientId));

            // The client retries what it never saw acked: each lands exactly once.
            for (int i = 40; i < 60; ++i) {
                const QJsonObject retry
                    = alice.request(u"message.send"_s,
                                    sendFields(direct, u"r%1-%2"_s.arg(round).arg(i),
                                               u"round %1 #%2"_s.arg(round).arg(i)));
                QVERIFY(ok(retry));
            }
            const QList<QJsonObject> after = alice.wholeHistory(direct);
            QVERIFY(gapFree(after));
            int thisRound = 0;
            for (const QJsonObject &event : after)
                thisRound += event.value(u"client_id"_s).toString().startsWith(u"r%1-"_s.arg(round))
                    ? 1
                    : 0;
            QCOMPARE(thisRound, 60);
        }
        QCOMPARE(relay.stop(), 0);
    }

    void ackedSurvivesKillDashNineAtThousandsPerSecond()
    {
        // Four senders pipeline 1,000 messages each, as fast as the relay takes them, so
        // that each group commit holds many message writes (they run without savepoints);
        // SIGKILL lands once half of them are acked, with the rest in flight.
        RelayProcess relay;
        const QStringList fast{u"--message-rate"_s, u"100000"_s, u"--frame-rate"_s, u"100000"_s};
        QVERIFY2(relay.start(fast), qPrintable(relay.lastError()));
        constexpr int kPairs = 4;
        constexpr int kPerSender = 1000;
        std::vector<std::unique_ptr<ProtocolClient>> senders;
        QList<qint64> conversations;
        for (int p = 0; p < kPairs; ++p) {
            senders.push_back(std::make_unique<ProtocolClient>());
            ProtocolClient receiver;
            QVERIFY(senders.back()->signUp(relay.webSocketUrl(), u"sender%1"_s.arg(p)));
            const qint64 receiverId = receiver.signUp(relay.webSocketUrl(), u"receiver%1"_s.arg(p));
            QVERIFY(receiverId > 0);
            conversations.append(senders.back()->openDirect(receiverId));
        }
        const auto clientId = [](int pair, int i) { return u"p%1-%2"_s.arg(pair).arg(i); };
        const auto text = [](int pair, int i) { return u"pair %1 #%2"_s.arg(pair).arg(i); };

        QList<QStringList> ids(kPairs);
        for (int i = 0; i < kPerSender; ++i) {
            for (int p = 0; p < kPairs; ++p)
                ids[p].append(
                    senders[p]->post(u"message.send"_s,
                                     sendFields(conversations.at(p), clientId(p, i), text(p, i))));
        }
        QSet<QString> acked;
        for (int i = 0; i < kPerSender / 2; ++i) {
            for (int p = 0; p < kPairs; ++p) {
                const QJsonObject reply = senders[p]->reply(ids[p].at(i));
                QVERIFY(ok(reply));
                acked.insert(reply.value(u"event"_s).toObject().value(u"client_id"_s).toString());
            }
        }
        relay.kill();
        QVERIFY2(relay.start(fast), qPrintable(relay.lastError()));

        for (int p = 0; p < kPairs; ++p) {
            ProtocolClient &sender = *senders[p];
            QVERIFY(sender.signIn(relay.webSocketUrl(), u"sender%1"_s.arg(p)));
            const QList<QJsonObject> log = sender.wholeHistory(conversations.at(p));
            QVERIFY(gapFree(log));
            QSet<QString> stored;
            for (const QJsonObject &event : log) {
                if (event.value(u"kind"_s) != u"message"_s)
                    continue;
                const QString id = event.value(u"client_id"_s).toString();
                QVERIFY2(!stored.contains(id), "a message was stored twice");
                stored.insert(id);
                QCOMPARE(event.value(u"text"_s).toString(), text(p, id.section(u'-', 1).toInt()));
            }
            for (int i = 0; i < kPerSender; ++i) {
                if (acked.contains(clientId(p, i)))
                    QVERIFY2(stored.contains(clientId(p, i)),
                             qPrintable(u"acked but lost: "_s + clientId(p, i)));
            }

            // Retrying all of it, pipelined again, lands each message exactly once.
            QStringList retries;
            for (int i = 0; i < kPerSender; ++i)
                retries.append(
                    sender.post(u"message.send"_s,
                                sendFields(conversations.at(p), clientId(p, i), text(p, i))));
            int duplicates = 0;
            for (const QString &retry : std::as_const(retries)) {
                const QJsonObject reply = sender.reply(retry);
                QVERIFY(ok(reply));
                duplicates += reply.value(u"duplicate"_s).toBool() ? 1 : 0;
            }
            QCOMPARE(duplicates, int(stored.size()));
            const QList<QJsonObject> after = sender.wholeHistory(conversations.at(p));
            QVERIFY(gapFree(after));
            QCOMPARE(after.size(), kPerSender + 1); // "created" and every message once
        }
        QCOMPARE(relay.stop(), 0);
    }

    void offlineMemberGetsFiveThousandInOrder()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        ProtocolClient alice, carol;
        QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
        const qint64 carolId = carol.signUp(relay.webSocketUrl(), u"carol"_s);
        QVERIFY(carolId);
        carol.close();

        QList<qint64> conversations;
        for (int c = 0; c < 20; ++c) {
            const QJsonObject created = alice.request(
                u"group.create"_s,
                {{u"title"_s, u"Room %1"_s.arg(c)}, {u"members"_s, QJsonArray{carolId}}});
            conversations.append(
                created.value(u"conversation"_s).toObject().value(u"id"_s).toInteger());
        }
        // 5,000 messages, pipelined 250 at a time.
        for (int start = 0; start < 5000; start += 250) {
            QStringList ids;
            for (int i = start; i < start + 250; ++i)
                ids.append(alice.post(
                    u"message.send"_s,
                    sendFields(conversations.at(i % 20), u"m%1"_s.arg(i), u"message %1"_s.arg(i))));
            for (const QString &id : std::as_const(ids))
                QVERIFY(ok(alice.reply(id)));
        }

        ProtocolClient back;
        QVERIFY(back.signIn(relay.webSocketUrl(), u"carol"_s));
        QHash<qint64, qint64> cursors;
        QHash<qint64, qint64> lastSeen;
        QSet<QString> messages;
        bool more = true;
        int pages = 0;
        while (more) {
            QJsonArray cursorArray;
            for (auto it = cursors.cbegin(); it != cursors.cend(); ++it)
                cursorArray.append(
                    QJsonObject{{u"conversation"_s, it.key()}, {u"seq"_s, it.value()}});
            const QJsonObject page = back.request(u"sync"_s, {{u"cursors"_s, cursorArray}});
            QVERIFY(ok(page));
            const QJsonArray events = page.value(u"events"_s).toArray();
            QVERIFY(events.size() <= 500); // bounded pages
            for (const QJsonValue &value : events) {
                const QJsonObject event = value.toObject();
                const qint64 conversation = event.value(u"conversation"_s).toInteger();
                const qint64 seq = event.value(u"seq"_s).toInteger();
                QCOMPARE(seq, lastSeen.value(conversation) + 1); // in order, no gap, no repeat
                lastSeen.insert(conversation, seq);
                if (event.value(u"kind"_s) == u"message"_s) {
                    QVERIFY(!messages.contains(event.value(u"client_id"_s).toString()));
                    messages.insert(event.value(u"client_id"_s).toString());
                }
            }
            const QJsonArray newCursors = page.value(u"cursors"_s).toArray();
            for (const QJsonValue &cursor : newCursors)
                cursors.insert(cursor.toObject().value(u"conversation"_s).toInteger(),
                               cursor.toObject().value(u"seq"_s).toInteger());
            more = page.value(u"more"_s).toBool();
            QVERIFY(++pages < 100);
        }
        QCOMPARE(messages.size(), 5000);
        for (const qint64 conversation : std::as_const(conversations))
            QCOMPARE(lastSeen.value(conversation), 1 + 250); // "created" + 250 messages each
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDeliveryContract)
#include "tst_delivery_contract.moc"
