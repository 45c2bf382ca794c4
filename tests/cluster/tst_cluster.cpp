// Several relay nodes on one PostgreSQL store and one Redis bus (the `cluster` fixture's real
// servers, tests/cluster/services.sh): users on different nodes chat as if on one.
#include "support/e2e_keys.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"

#include <QFile>
#include <QJsonArray>
#include <QSet>
#include <QtTest>

using namespace Qt::StringLiterals;
using tidings::test::ProtocolClient;
using tidings::test::RelayProcess;

class TestCluster : public QObject
{
    Q_OBJECT

    static bool ok(const QJsonObject &reply) { return ProtocolClient::isOk(reply); }

    QString name(const QString &base) { return u"%1%2"_s.arg(base).arg(++m_users); }

    qint64 openDirect(ProtocolClient &client, qint64 other)
    {
        return client.request(u"direct.open"_s, {{u"user"_s, other}})
            .value(u"conversation"_s)
            .toObject()
            .value(u"id"_s)
            .toInteger();
    }

    RelayProcess m_a, m_b;
    int m_users = 0;

private Q_SLOTS:
    void initTestCase()
    {
        const QString bus = RelayProcess::clusterService(u"redis.url"_s);
        if (bus.isEmpty())
            QSKIP("the cluster fixture's servers are not running (ctest -L cluster starts them)");
        // Both nodes on node A's database: one store, two relays.
        const QString store = m_a.storeUrl();
        const QStringList cluster{u"--store"_s, store, u"--bus"_s, bus};
        QVERIFY2(m_a.start(cluster), qPrintable(m_a.lastError()));
        QVERIFY2(m_b.start(cluster), qPrintable(m_b.lastError()));
    }

    void usersOnDifferentNodesChat()
    {
        ProtocolClient alice, bob, carol;
        const qint64 aliceId = alice.signUp(m_a.webSocketUrl(), name(u"alice"_s));
        const qint64 bobId = bob.signUp(m_b.webSocketUrl(), name(u"bob"_s));
        const qint64 carolId = carol.signUp(m_a.webSocketUrl(), name(u"carol"_s));
        QVERIFY(aliceId > 0 && bobId > 0 && carolId > 0);

        // 1:1 from node A to node B, and the receipt back.
        const qint64 direct = openDirect(alice, bobId);
        QVERIFY(direct > 0);
        bob.takeEvents();
        const QJsonObject sent = alice.request(
            u"message.send"_s,
            {{u"conversation"_s, direct}, {u"client_id"_s, u"x1"_s}, {u"text"_s, u"hi from A"_s}});
        QVERIFY(ok(sent));
        const qint64 seq = sent.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
        const QJsonObject received = bob.next(u"event"_s);
        QCOMPARE(received.value(u"text"_s).toString(), u"hi from A"_s);
        QCOMPARE(received.value(u"seq"_s).toInteger(), seq);
        QVERIFY(ok(bob.request(u"receipt"_s, {{u"conversation"_s, direct}, {u"read_seq"_s, seq}})));
        const QJsonObject receipt = alice.next(u"receipt"_s);
        QCOMPARE(receipt.value(u"user"_s).toInteger(), bobId);
        QCOMPARE(receipt.value(u"read_seq"_s).toInteger(), seq);

        // Typing crosses too, and ends.
        bob.sendEvent(u"typing"_s, {{u"conversation"_s, direct}});
        const QJsonObject typing = alice.next(u"typing"_s);
        QCOMPARE(typing.value(u"user"_s).toInteger(), bobId);
        QCOMPARE(typing.value(u"typing"_s).toBool(), true);
        bob.sendEvent(u"typing"_s, {{u"conversation"_s, direct}, {u"typing"_s, false}});
        QCOMPARE(alice.next(u"typing"_s).value(u"typing"_s).toBool(), false);

        // A group with members on both nodes: each message reaches every member once.
        const QJsonObject group = bob.request(
            u"group.create"_s,
            {{u"title"_s, u"both nodes"_s}, {u"members"_s, QJsonArray{aliceId, carolId}}});
        QVERIFY2(ok(group), qPrintable(group.value(u"message"_s).toString()));
        const qint64 id = group.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();
        alice.takeEvents();
        carol.takeEvents();
        bob.takeEvents();
        QVERIFY(ok(carol.request(
            u"message.send"_s,
            {{u"conversation"_s, id}, {u"client_id"_s, u"g1"_s}, {u"text"_s, u"hello all"_s}})));
        QCOMPARE(alice.next(u"event"_s).value(u"text"_s).toString(), u"hello all"_s);
        QCOMPARE(bob.next(u"event"_s).value(u"text"_s).toString(), u"hello all"_s);
        QVERIFY(!alice.receives(u"event"_s, 300)); // once, not once per node

        // A member removed through node B hears nothing more through node A.
        QVERIFY(
            ok(bob.request(u"group.remove"_s, {{u"conversation"_s, id}, {u"user"_s, carolId}})));
        QCOMPARE(carol.next(u"event"_s).value(u"kind"_s).toString(), u"member_removed"_s);
        QVERIFY(ok(alice.request(
            u"message.send"_s,
            {{u"conversation"_s, id}, {u"client_id"_s, u"g2"_s}, {u"text"_s, u"after"_s}})));
        QCOMPARE(bob.next(u"event"_s).value(u"text"_s).toString(), u"after"_s);
        QVERIFY(!carol.receives(u"event"_s, 500));
    }

    void aNodeSeesWhatAnotherChangedAtTheNextMessage()
    {
        // Each node's writer keeps a conversation's members and blocks in memory between
        // messages: what another node changed meanwhile counts from the very next one.
        ProtocolClient alice, bob, carol;
        const qint64 aliceId = alice.signUp(m_a.webSocketUrl(), name(u"alice"_s));
        const qint64 bobId = bob.signUp(m_b.webSocketUrl(), name(u"bob"_s));
        const qint64 carolId = carol.signUp(m_a.webSocketUrl(), name(u"carol"_s));
        QVERIFY(aliceId > 0 && bobId > 0 && carolId > 0);
        const auto send = [](ProtocolClient &client, qint64 conversation, const QString &id) {
            return client.request(
                u"message.send"_s,
                {{u"conversation"_s, conversation}, {u"client_id"_s, id}, {u"text"_s, id}});
        };

        const QJsonObject group = bob.request(
            u"group.create"_s,
            {{u"title"_s, u"remembered"_s}, {u"members"_s, QJsonArray{aliceId, carolId}}});
        QVERIFY(ok(group));
        const qint64 id = group.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();
        QVERIFY(ok(send(carol, id, u"c1"_s)));
        QVERIFY(ok(send(carol, id, u"c2"_s))); // node A now remembers Carol as a member
        QVERIFY(
            ok(bob.request(u"group.remove"_s, {{u"conversation"_s, id}, {u"user"_s, carolId}})));
        QCOMPARE(ProtocolClient::errorCode(send(carol, id, u"c3"_s)), u"forbidden"_s);
        QVERIFY(ok(send(alice, id, u"a1"_s)));

        const qint64 direct = openDirect(alice, bobId);
        QVERIFY(direct > 0);
        QVERIFY(ok(send(alice, direct, u"d1"_s))); // node A: no block between them
        QVERIFY(ok(bob.request(u"user.block"_s, {{u"user"_s, aliceId}})));
        QCOMPARE(ProtocolClient::errorCode(send(alice, direct, u"d2"_s)), u"forbidden"_s);
        QVERIFY(ok(bob.request(u"user.unblock"_s, {{u"user"_s, aliceId}})));
        QVERIFY(ok(send(alice, direct, u"d3"_s)));

        // The refusals took no seq: the logs stay gap-free.
        for (const qint64 conversation : {id, direct}) {
            qint64 expected = 0;
            for (const QJsonObject &event : bob.wholeHistory(conversation)) {
                const qint64 seq = event.value(u"seq"_s).toInteger();
                if (expected > 0)
                    QCOMPARE(seq, expected + 1);
                expected = seq;
            }
            QVERIFY(expected > 0);
        }
    }

    void appendsFromEveryNodeStayGapFree()
    {
        // Four writers, two per node, into one group at once: every ack has its own seq,
        // the log has no gap and holds each client id once.
        constexpr int kWriters = 4;
        constexpr int kEach = 60;
        std::array<ProtocolClient, kWriters> writers;
        QList<qint64> ids;
        for (int i = 0; i < kWriters; ++i) {
            const qint64 id
                = writers[i].signUp((i % 2 ? m_b : m_a).webSocketUrl(), name(u"writer"_s));
            QVERIFY(id > 0);
            ids << id;
        }
        QJsonArray others;
        for (int i = 1; i < kWriters; ++i)
            others.append(ids[i]);
        const QJsonObject group = writers[0].request(
            u"group.create"_s, {{u"title"_s, u"race"_s}, {u"members"_s, others}});
        QVERIFY(ok(group));
        const qint64 conversation
            = group.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();

        QList<std::pair<int, QString>> pending; // writer, request id
        for (int n = 0; n < kEach; ++n) {
            for (int i = 0; i < kWriters; ++i) {
                pending.append({i,
                                writers[i].post(u"message.send"_s,
                                                {{u"conversation"_s, conversation},
                                                 {u"client_id"_s, u"w%1-%2"_s.arg(i).arg(n)},
                                                 {u"text"_s, u"m"_s}})});
            }
        }
        QSet<qint64> ackedSeqs;
        for (const auto &[writer, requestId] : pending) {
            const QJsonObject reply = writers[writer].reply(requestId);
            QVERIFY2(ok(reply), qPrintable(reply.value(u"message"_s).toString()));
            const qint64 seq = reply.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
            QVERIFY2(!ackedSeqs.contains(seq), "two acks with one seq");
            ackedSeqs.insert(seq);
        }
        const QList<QJsonObject> log = writers[1].wholeHistory(conversation);
        QSet<QString> clientIds;
        qint64 expected = 0;
        for (const QJsonObject &event : log) {
            const qint64 seq = event.value(u"seq"_s).toInteger();
            if (expected > 0)
                QCOMPARE(seq, expected + 1);
            expected = seq;
            if (event.value(u"kind"_s).toString() != u"message")
                continue;
            const QString clientId = event.value(u"client_id"_s).toString();
            QVERIFY2(!clientIds.contains(clientId), qPrintable(clientId));
            clientIds.insert(clientId);
            QVERIFY(ackedSeqs.contains(seq));
        }
        QCOMPARE(clientIds.size(), kWriters * kEach);
    }

    void aBurstIntoOneChatKeepsTheContract()
    {
        // A node's writer sends a batch's messages to PostgreSQL in one round trip, each
        // guessing its seq; another node's appends, a repeated client id and a block that
        // lands mid-burst must still give one seq per message, no gap, no double.
        ProtocolClient alice, bob;
        const qint64 aliceId = alice.signUp(m_a.webSocketUrl(), name(u"alice"_s));
        const qint64 bobId = bob.signUp(m_b.webSocketUrl(), name(u"bob"_s));
        QVERIFY(aliceId > 0 && bobId > 0);
        const qint64 direct = openDirect(alice, bobId);
        QVERIFY(direct > 0);
        const auto message = [&](const QString &clientId) {
            return QJsonObject{
                {u"conversation"_s, direct}, {u"client_id"_s, clientId}, {u"text"_s, clientId}};
        };
        QVERIFY(ok(alice.request(u"message.send"_s, message(u"warm"_s)))); // cached on A

        constexpr int kBurst = 150;
        QList<std::pair<QString, QString>> fromAlice; // client id, request id
        QList<QString> fromBob;
        QString blockId;
        QHash<QString, QJsonObject> early; // replies read before the block was sent
        for (int n = 0; n < kBurst; ++n) {
            const QString clientId = u"a%1"_s.arg(n);
            fromAlice.append({clientId, alice.post(u"message.send"_s, message(clientId))});
            if (n % 10 == 5) // the same message again, as after a lost ack
                fromAlice.append({clientId, alice.post(u"message.send"_s, message(clientId))});
            if (n % 3 == 0)
                fromBob.append(bob.post(u"message.send"_s, message(u"b%1"_s.arg(n))));
            if (n == kBurst / 2) {
                // Alice's first message is in before the block is sent, so the block cannot
                // win the race against all of them (on a busy machine it could): the rest of
                // her burst is still in flight when it lands.
                const QString firstId = fromAlice.first().second;
                early.insert(firstId, alice.reply(firstId));
                QVERIFY(ok(early.value(firstId)));
                blockId = bob.post(u"user.block"_s, {{u"user"_s, aliceId}});
            }
        }

        QHash<QString, qint64> seqOf; // Alice's acked client id → seq
        QSet<qint64> acked;
        for (const auto &[clientId, requestId] : fromAlice) {
            const QJsonObject reply
                = early.contains(requestId) ? early.take(requestId) : alice.reply(requestId);
            if (!ok(reply)) {
                QCOMPARE(ProtocolClient::errorCode(reply), u"forbidden"_s);
                continue;
            }
            const qint64 seq = reply.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
            QVERIFY(seq > 0);
            if (seqOf.contains(clientId)) {
                QCOMPARE(seq, seqOf.value(clientId)); // a repeat gets the first answer
                continue;
            }
            QVERIFY2(!acked.contains(seq), "two acks with one seq");
            seqOf.insert(clientId, seq);
            acked.insert(seq);
        }
        int fromBobAcked = 0;
        for (const QString &requestId : fromBob) {
            const QJsonObject reply = bob.reply(requestId);
            if (!ok(reply)) { // a block stops both ways
                QCOMPARE(ProtocolClient::errorCode(reply), u"forbidden"_s);
                continue;
            }
            ++fromBobAcked;
            const qint64 seq = reply.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
            QVERIFY2(!acked.contains(seq), "two acks with one seq");
            acked.insert(seq);
        }
        // Once Bob's block is in, Alice's later messages are refused: none slips past it.
        QVERIFY(ok(bob.reply(blockId)));
        QCOMPARE(ProtocolClient::errorCode(alice.request(u"message.send"_s, message(u"late"_s))),
                 u"forbidden"_s);

        qint64 expected = 0;
        int messages = 0;
        for (const QJsonObject &event : bob.wholeHistory(direct)) {
            const qint64 seq = event.value(u"seq"_s).toInteger();
            if (expected > 0)
                QCOMPARE(seq, expected + 1);
            expected = seq;
            if (event.value(u"kind"_s).toString() != u"message"
                || event.value(u"client_id"_s).toString() == u"warm"_s) {
                continue;
            }
            ++messages;
            QVERIFY2(acked.remove(seq), "a message in the log that nobody acked, or twice");
            const QString clientId = event.value(u"client_id"_s).toString();
            if (clientId.startsWith(u'a'))
                QCOMPARE(seqOf.value(clientId), seq);
        }
        QVERIFY2(acked.isEmpty(), "an acked message is not in the log");
        QCOMPARE(messages, seqOf.size() + fromBobAcked);
        QVERIFY(seqOf.size() > 0);
    }

    void aBurstAfterAnotherNodeWroteKeepsOrderAndMembers()
    {
        // Node A's writer remembers a group; node B then appends to it (a message, later a
        // removal). A burst through node A right after must take its seqs in the order it
        // was sent, and a member removed through node B gets none of hers in.
        ProtocolClient alice, bob, carol;
        const qint64 aliceId = alice.signUp(m_a.webSocketUrl(), name(u"alice"_s));
        const qint64 bobId = bob.signUp(m_b.webSocketUrl(), name(u"bob"_s));
        const qint64 carolId = carol.signUp(m_a.webSocketUrl(), name(u"carol"_s));
        QVERIFY(aliceId > 0 && bobId > 0 && carolId > 0);
        const QJsonObject group = bob.request(
            u"group.create"_s,
            {{u"title"_s, u"behind"_s}, {u"members"_s, QJsonArray{aliceId, carolId}}});
        QVERIFY(ok(group));
        const qint64 id = group.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();
        const auto message = [&](const QString &clientId) {
            return QJsonObject{
                {u"conversation"_s, id}, {u"client_id"_s, clientId}, {u"text"_s, clientId}};
        };
        const auto burst = [&](ProtocolClient &client, const QString &prefix) {
            QStringList requests;
            for (int n = 0; n < 12; ++n)
                requests.append(
                    client.post(u"message.send"_s, message(prefix + QString::number(n))));
            QList<QJsonObject> replies;
            for (const QString &request : requests)
                replies.append(client.reply(request));
            return replies;
        };
        constexpr int kRounds = 3;
        for (int round = 0; round < kRounds; ++round) {
            // Node A knows the group and its last seq...
            QVERIFY(ok(carol.request(u"message.send"_s, message(u"c%1"_s.arg(round)))));
            QVERIFY(ok(alice.request(u"message.send"_s, message(u"w%1"_s.arg(round)))));
            // ...then node B appends one...
            QVERIFY(ok(bob.request(u"message.send"_s, message(u"b%1"_s.arg(round)))));
            // ...and Alice's burst through node A keeps its order.
            qint64 last = 0;
            for (const QJsonObject &reply : burst(alice, u"a%1-"_s.arg(round))) {
                QVERIFY2(ok(reply), qPrintable(reply.value(u"message"_s).toString()));
                const qint64 seq = reply.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
                QVERIFY2(seq > last, "a later message of the burst got an earlier seq");
                last = seq;
            }
        }

        // Carol, known to node A as a member, is removed through node B: none of her burst
        // through node A gets in.
        QVERIFY(ok(carol.request(u"message.send"_s, message(u"c-last"_s))));
        QVERIFY(
            ok(bob.request(u"group.remove"_s, {{u"conversation"_s, id}, {u"user"_s, carolId}})));
        for (const QJsonObject &reply : burst(carol, u"gone-"_s))
            QCOMPARE(ProtocolClient::errorCode(reply), u"forbidden"_s);

        qint64 expected = 0;
        for (const QJsonObject &event : bob.wholeHistory(id)) {
            const qint64 seq = event.value(u"seq"_s).toInteger();
            if (expected > 0)
                QCOMPARE(seq, expected + 1);
            expected = seq;
            QVERIFY(!event.value(u"client_id"_s).toString().startsWith(u"gone-"_s));
        }
    }

    void presenceIsTheClustersNotTheNodes()
    {
        ProtocolClient alice, bobOnA;
        const QString bobName = name(u"bob"_s);
        const qint64 aliceId = alice.signUp(m_a.webSocketUrl(), name(u"alice"_s));
        const qint64 bobId = bobOnA.signUp(m_a.webSocketUrl(), bobName);
        QVERIFY(openDirect(alice, bobId) > 0);
        bobOnA.close();
        QCOMPARE(alice.next(u"presence"_s).value(u"online"_s).toBool(), false);

        // Bob comes online on node B: Alice, on node A, is told, and asking agrees.
        ProtocolClient bobOnB;
        QVERIFY(bobOnB.signIn(m_b.webSocketUrl(), bobName));
        const QJsonObject online = alice.next(u"presence"_s);
        QCOMPARE(online.value(u"user"_s).toInteger(), bobId);
        QCOMPARE(online.value(u"online"_s).toBool(), true);
        const QJsonObject asked
            = alice.request(u"presence.query"_s, {{u"users"_s, QJsonArray{bobId}}});
        QCOMPARE(asked.value(u"presence"_s).toArray().at(0).toObject().value(u"online"_s).toBool(),
                 true);

        // A second device on node A: no news. It goes, and Bob is still online (node B).
        ProtocolClient bobAgainOnA;
        QVERIFY(bobAgainOnA.signIn(m_a.webSocketUrl(), bobName));
        bobAgainOnA.close();
        QVERIFY(!alice.receives(u"presence"_s, 1000));
        QCOMPARE(alice.request(u"presence.query"_s, {{u"users"_s, QJsonArray{bobId}}})
                     .value(u"presence"_s)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"online"_s)
                     .toBool(),
                 true);

        // The last one goes: offline, with the time.
        bobOnB.close();
        const QJsonObject offline = alice.next(u"presence"_s);
        QCOMPARE(offline.value(u"online"_s).toBool(), false);
        QVERIFY(offline.value(u"last_seen"_s).toInteger() > 0);
        Q_UNUSED(aliceId);
    }

    void migrateMakesTheSchemaAndNodesRefuseANewerOne()
    {
        RelayProcess fresh;
        const QStringList admin = fresh.adminArguments();
        QVERIFY(admin.contains(u"--store"_s));
        for (int run = 0; run < 2; ++run) { // twice: the second finds it done
            const auto migrated = RelayProcess::runToExit(admin + QStringList{u"migrate"_s});
            QCOMPARE(migrated.exitCode, 0);
            QVERIFY2(migrated.standardOutput.contains("postgresql store")
                         && migrated.standardOutput.contains("schema version 11"),
                     migrated.standardOutput.constData());
        }
        QCOMPARE(fresh.execOnStore(u"INSERT INTO schema_migrations (version, name, applied_at) "
                                   "VALUES (99, 'from the future', 0)"_s),
                 1);
        QVERIFY(!fresh.start());
        QVERIFY2(fresh.lastError().contains(u"newer than this relay supports"_s),
                 qPrintable(fresh.lastError()));
    }

    void revokingASessionEndsItOnItsNode()
    {
        ProtocolClient laptop, phone;
        const QString dana = name(u"dana"_s);
        QVERIFY(laptop.signUp(m_a.webSocketUrl(), dana) > 0);
        QVERIFY(phone.signIn(m_b.webSocketUrl(), dana));
        QVERIFY(ok(laptop.request(u"sessions.revoke_others"_s)));
        QVERIFY(phone.waitForClose() > 0);
    }

    void aKeyMessageReachesItsDeviceOnAnotherNode()
    {
        ProtocolClient laptop, phone;
        tidings::test::E2eKeys erin;
        const QString username = name(u"erin"_s);
        erin.user = laptop.signUp(m_a.webSocketUrl(), username);
        QVERIFY(erin.user > 0);
        QVERIFY(ok(laptop.request(u"devices.publish"_s, erin.publish({1, 2}))));
        QVERIFY(ok(laptop.request(u"device.register"_s, erin.registration(1))));
        QCOMPARE(phone.signIn(m_b.webSocketUrl(), username), erin.user);
        QVERIFY(ok(phone.request(u"device.register"_s, erin.registration(2))));

        const QJsonObject sent = laptop.request(
            u"inbox.send"_s,
            {{u"client_id"_s, u"x1"_s},
             {u"messages"_s,
              QJsonArray{QJsonObject{{u"user"_s, erin.user},
                                     {u"device"_s, 2},
                                     {u"body"_s, tidings::test::b64("across nodes")}}}}});
        QCOMPARE(sent.value(u"stored"_s).toInt(), 1);
        // Node B's session hears of it through the bus, and only it: node A's laptop not.
        const QJsonObject event = phone.next(u"inbox"_s);
        QCOMPARE(event.value(u"body"_s).toString(), tidings::test::b64("across nodes"));
        QCOMPARE(event.value(u"device"_s).toInteger(), 1);
        QVERIFY(!laptop.receives(u"inbox"_s, 300));
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
