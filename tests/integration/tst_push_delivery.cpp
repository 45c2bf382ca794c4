// How pushes are delivered by the real relay to local HTTP stand-ins for the providers:
// coalescing, online users, retries with backoff, Retry-After, removal of gone targets,
// dead letters, stalled and hanging providers, and no push lost to kill -9.
#include "push_fixture.h"

#include "support/e2e_keys.h"
#include "support/http_helpers.h"
#include "support/protocol_replies.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSet>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestPushDelivery : public QObject, public PushFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_files.isValid());
        QVERIFY(m_hook.listen());
    }

    void init() { reset(); }

    void aBurstMakesOnePushAndOnlineUsersGetNone()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments({u"--push-coalesce-ms"_s, u"1500"_s})),
                 qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = alice.client->openDirect(bob.id);

        // Offline: 20 messages, one push that counts them.
        QStringList ids;
        for (int i = 0; i < 20; ++i)
            ids.append(alice.client->post(u"message.send"_s,
                                          {{u"conversation"_s, conversation},
                                           {u"client_id"_s, u"burst-%1"_s.arg(i)},
                                           {u"text"_s, u"burst %1"_s.arg(i)}}));
        for (const QString &id : std::as_const(ids))
            QVERIFY(ok(alice.client->reply(id)));
        QVERIFY(m_hook.waitForRequests(1));
        QTest::qWait(2000); // a second push would come by now
        QCOMPARE(m_hook.received().size(), 1);
        const QJsonObject notification
            = json(m_hook.received().constLast().body).value(u"notification"_s).toObject();
        QCOMPARE(notification.value(u"count"_s).toInt(), 20);
        QCOMPARE(notification.value(u"unread"_s).toInt(), 20);

        // Online: no push at all.
        ProtocolClient bobOnline;
        QVERIFY(bobOnline.signIn(relay.webSocketUrl(), u"bob"_s));
        QVERIFY(send(*alice.client, conversation, u"you are here"_s));
        QVERIFY(bobOnline.next(u"event"_s).value(u"text"_s) == u"you are here"_s);
        QTest::qWait(2500);
        QCOMPARE(m_hook.received().size(), 1);

        // Offline, then back before the window ends: none either.
        bobOnline.close();
        QTRY_COMPARE(httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"sessions"_s).toInt(), 1);
        QVERIFY(send(*alice.client, conversation, u"quick"_s));
        ProtocolClient bobBack;
        QVERIFY(bobBack.signIn(relay.webSocketUrl(), u"bob"_s));
        QTest::qWait(2500);
        QCOMPARE(m_hook.received().size(), 1);
        QVERIFY(metric(metrics(relay), "tidings_push_cancelled_total") >= 2);

        // And the control: offline again, the next message is pushed.
        bobBack.close();
        QTRY_COMPARE(httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"sessions"_s).toInt(), 1);
        QVERIFY(send(*alice.client, conversation, u"now you are gone"_s));
        QVERIFY(m_hook.waitForRequests(2));
    }

    void anEncryptedMessageIsPushedWithoutItsContent()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments({u"--push-coalesce-ms"_s, u"200"_s})),
                 qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        E2eKeys keys;
        keys.user = alice.id;
        QVERIFY(ok(alice.client->request(u"devices.publish"_s, keys.publish({1}))));
        QVERIFY(ok(alice.client->request(u"device.register"_s, keys.registration(1))));
        const qint64 conversation = alice.client->openDirect(bob.id);

        // Bob is offline: an encrypted message reaches his phone as a push, with nothing of
        // what it says (the relay has nothing to put in one).
        QByteArray ciphertext(120, 'c');
        ciphertext[0] = 1;
        QVERIFY(ok(alice.client->request(u"message.send"_s,
                                         {{u"conversation"_s, conversation},
                                          {u"client_id"_s, u"sealed-1"_s},
                                          {u"ciphertext"_s, b64(ciphertext)}})));
        QVERIFY(m_hook.waitForRequests(1));
        const QByteArray body = m_hook.received().constLast().body;
        QVERIFY(!body.contains(ciphertext.toBase64()));
        const QJsonObject notification = json(body).value(u"notification"_s).toObject();
        QCOMPARE(notification.value(u"count"_s).toInt(), 1);
        QCOMPARE(notification.value(u"conversation"_s).toInteger(), conversation);
    }

    void serverErrorsAreRetriedWithBackoff()
    {
        int calls = 0;
        m_hook.setResponder([&calls](const ReceivedRequest &) {
            return ++calls <= 3 ? StandInReply{500, {}, "oops", false} : StandInReply{};
        });
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        QVERIFY(send(*alice.client, alice.client->openDirect(bob.id), u"hi"_s));

        QVERIFY(m_hook.waitForRequests(4));
        const QList<ReceivedRequest> tries = m_hook.received();
        const QByteArray key = tries[0].header("idempotency-key");
        for (const ReceivedRequest &attempt : tries)
            QCOMPARE(attempt.header("idempotency-key"), key); // one push, tried four times
        // Backoff: the n-th wait is base * 2^(n-1) times [0.5, 1]; base 200 ms.
        for (int n = 1; n <= 3; ++n) {
            const qint64 waited = tries[n].atMs - tries[n - 1].atMs;
            const qint64 least = 100 << (n - 1);
            QVERIFY2(waited >= least - 20, qPrintable(u"wait %1: %2 ms"_s.arg(n).arg(waited)));
        }
        QTest::qWait(1000);
        QCOMPARE(m_hook.received().size(), 4);
        const QByteArray text = metrics(relay);
        QCOMPARE(metric(text, "tidings_push_sent_total{provider=\"webhook\"}"), 1.0);
        QCOMPARE(metric(text, "tidings_push_retried_total{provider=\"webhook\"}"), 3.0);
        QCOMPARE(
            metric(text, "tidings_push_failed_total{provider=\"webhook\",reason=\"http_5xx\"}"),
            3.0);
        QCOMPARE(metric(text, "tidings_push_backlog"), 0.0);
    }

    void retryAfterIsHonoured()
    {
        int calls = 0;
        m_hook.setResponder([&calls](const ReceivedRequest &) {
            return ++calls == 1 ? StandInReply{429, {{"Retry-After", "2"}}, {}, false}
                                : StandInReply{};
        });
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments({u"--push-retry-base-ms"_s, u"20"_s})),
                 qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        QVERIFY(send(*alice.client, alice.client->openDirect(bob.id), u"hi"_s));
        QVERIFY(m_hook.waitForRequests(2));
        const qint64 waited = m_hook.received()[1].atMs - m_hook.received()[0].atMs;
        QVERIFY2(waited >= 1950, qPrintable(u"retried after %1 ms"_s.arg(waited)));
        QTRY_COMPARE(
            metric(metrics(relay),
                   "tidings_push_failed_total{provider=\"webhook\",reason=\"rate_limited\"}"),
            1.0);
    }

    void aGoneTargetIsRemoved()
    {
        ProviderServer ntfy;
        QVERIFY(ntfy.listen());
        ntfy.setResponder([](const ReceivedRequest &) { return StandInReply{410, {}, {}, false}; });
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s,
                                  {{u"provider"_s, u"unifiedpush"_s},
                                   {u"address"_s, QString::fromLatin1(ntfy.url("/gone"))}});
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = alice.client->openDirect(bob.id);
        QVERIFY(send(*alice.client, conversation, u"one"_s));
        QVERIFY(ntfy.waitForRequests(1));
        QTRY_COMPARE(metric(metrics(relay),
                            "tidings_push_failed_total{provider=\"unifiedpush\",reason=\"invalid_"
                            "target\"}"),
                     1.0);
        QVERIFY(send(*alice.client, conversation, u"two"_s));
        QTest::qWait(1000);
        QCOMPARE(ntfy.received().size(), 1); // nothing goes to it any more
        ProtocolClient bobAgain;
        QVERIFY(bobAgain.signIn(relay.webSocketUrl(), u"bob"_s));
        QCOMPARE(bobAgain.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 0);
    }

    void aStalledEndpointHoldsUpOnlyItsOwnPushes()
    {
        // 60 devices behind a server that never answers, one behind a healthy one, and
        // room for 20 pushes at once. The stalled server's jobs are all due first.
        ProviderServer stalled;
        ProviderServer healthy;
        QVERIFY(stalled.listen() && healthy.listen());
        stalled.setResponder([](const ReceivedRequest &) {
            return StandInReply{200, {}, {}, true};
        });
        RelayProcess relay;
        QVERIFY2(
            relay.start(relayArguments({u"--push-max-in-flight"_s, u"20"_s, u"--push-timeout-ms"_s,
                                        u"1000"_s, u"--push-coalesce-ms"_s, u"1000"_s})),
            qPrintable(relay.lastError()));
        const QJsonArray members = offlineUsers(relay, 60, u"stuck"_s, [&stalled](int i) {
            return QJsonObject{
                {u"provider"_s, u"unifiedpush"_s},
                {u"address"_s, QString::fromLatin1(stalled.url("/up" + QByteArray::number(i)))}};
        });
        QCOMPARE(members.size(), 60);
        User bob = userWithTarget(relay, u"bob"_s,
                                  {{u"provider"_s, u"unifiedpush"_s},
                                   {u"address"_s, QString::fromLatin1(healthy.url("/bob"))}});
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 group = createGroup(*alice.client, u"Stuck"_s, members);
        QVERIFY(group > 0);
        QVERIFY(send(*alice.client, group, u"to the stuck ones"_s));
        QTest::qWait(100); // bob's push falls due after theirs
        QVERIFY(send(*alice.client, alice.client->openDirect(bob.id), u"to bob"_s));

        QVERIFY(healthy.waitForRequests(1));
        // The stalled server had its 16 slots and its retries, not the whole budget for
        // round after round: bob did not wait behind all 60.
        QVERIFY2(stalled.received().size() < 40,
                 qPrintable(
                     u"%1 requests to the stalled server first"_s.arg(stalled.received().size())));
    }

    void aPushThatKeepsFailingIsDeadLettered()
    {
        m_hook.setResponder([](const ReceivedRequest &) {
            return StandInReply{503, {}, {}, false};
        });
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments({u"--push-max-attempts"_s, u"3"_s})),
                 qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = alice.client->openDirect(bob.id);
        QVERIFY(send(*alice.client, conversation, u"hi"_s));
        QVERIFY(m_hook.waitForRequests(1));
        // Messages during the outage join the push being retried: one push, not three.
        QVERIFY(send(*alice.client, conversation, u"are you there?"_s));
        QVERIFY(send(*alice.client, conversation, u"hello?"_s));
        QVERIFY(m_hook.waitForRequests(3));
        QTRY_COMPARE(
            metric(metrics(relay), "tidings_push_dead_lettered_total{provider=\"webhook\"}"), 1.0);
        QTest::qWait(1000);
        QCOMPARE(m_hook.received().size(), 3);
        QCOMPARE(metric(metrics(relay), "tidings_push_backlog"), 0.0);

        const RelayProcess::Exit listed
            = RelayProcess::runToExit(QStringList{u"push"_s, u"dead"_s} + relay.adminArguments());
        QCOMPARE(listed.exitCode, 0);
        const QList<QByteArray> lines = listed.standardOutput.trimmed().split('\n');
        QCOMPARE(lines.size(), 2); // the heading and one dead letter
        const QList<QByteArray> columns = lines[1].simplified().split(' ');
        // id, date, time, user, provider, conversation, count, tries, last error
        QVERIFY2(columns.size() >= 10, lines[1].constData());
        QCOMPARE(columns[3], "bob");
        QCOMPARE(columns[4], "webhook");
        QCOMPARE(columns[5], QByteArray::number(conversation));
        QCOMPARE(columns[6], "3"); // messages
        QCOMPARE(columns[7], "3"); // tries
        QVERIFY2(lines[1].endsWith("HTTP 503"), lines[1].constData());
        QVERIFY(!listed.standardOutput.contains(kSecret));
    }

    void killNineLosesNoPush()
    {
        // The provider takes the first pushes but never answers: they are in flight when
        // the relay dies, the rest wait in the store.
        m_hook.setResponder([](const ReceivedRequest &) {
            return StandInReply{200, {}, {}, true};
        });
        RelayProcess relay;
        const QStringList arguments = relayArguments(
            {u"--sign-in-rate"_s, u"100000"_s, u"--push-timeout-ms"_s, u"60000"_s});
        QVERIFY2(relay.start(arguments), qPrintable(relay.lastError()));
        const QJsonArray members = offlineUsers(
            relay, 100, u"member"_s, [](int i) { return webhookTarget(u"phone-%1"_s.arg(i)); });
        QCOMPARE(members.size(), 100);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 group = createGroup(*alice.client, u"Everyone"_s, members);
        QVERIFY(group > 0);
        QVERIFY(send(*alice.client, group, u"all hands"_s));
        // The relay keeps 16 connections to one HTTP/1.1 host: 16 pushes hang there, the
        // rest are claimed and queued, or still in the store.
        QVERIFY(m_hook.waitForRequests(16));
        QTest::qWait(200);
        QSet<QByteArray> keysBefore;
        for (const ReceivedRequest &request : m_hook.received())
            keysBefore.insert(request.header("idempotency-key"));
        QCOMPARE(keysBefore.size(), 16);
        relay.kill();

        // The provider accepts now; a restart sends every push once more, same keys.
        m_hook.dropConnections();
        const qsizetype before = m_hook.received().size();
        m_hook.setResponder([](const ReceivedRequest &) { return StandInReply{}; });
        QVERIFY2(relay.start(arguments), qPrintable(relay.lastError()));
        QVERIFY(m_hook.waitForRequests(before + 100));
        QTRY_COMPARE(metric(metrics(relay), "tidings_push_backlog"), 0.0);
        QTest::qWait(1000);
        const QList<ReceivedRequest> after = m_hook.received().mid(before);
        QCOMPARE(after.size(), 100); // none twice
        QSet<QByteArray> keysAfter;
        QSet<QString> targets;
        for (const ReceivedRequest &request : after) {
            keysAfter.insert(request.header("idempotency-key"));
            targets.insert(json(request.body).value(u"target"_s).toString());
        }
        QCOMPARE(keysAfter.size(), 100);
        QVERIFY(keysAfter.contains(keysBefore)); // the ones in flight went again, same keys
        QCOMPARE(targets.size(), 100);
        QCOMPARE(metric(metrics(relay), "tidings_push_sent_total{provider=\"webhook\"}"), 100.0);
    }

    void aHangingProviderDoesNotHoldUpMessages()
    {
        m_hook.setResponder([](const ReceivedRequest &) {
            return StandInReply{200, {}, {}, true};
        });
        RelayProcess relay;
        QVERIFY2(
            relay.start(relayArguments({u"--sign-in-rate"_s, u"100000"_s, u"--push-coalesce-ms"_s,
                                        u"0"_s, u"--push-timeout-ms"_s, u"1000"_s})),
            qPrintable(relay.lastError()));
        QJsonArray members = offlineUsers(relay, 30, u"away"_s,
                                          [](int i) { return webhookTarget(u"p%1"_s.arg(i)); });
        QCOMPARE(members.size(), 30);
        User carol = signedUp(relay, u"carol"_s);
        QVERIFY(carol.id);
        members.append(carol.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 group = createGroup(*alice.client, u"Busy"_s, members);
        QVERIFY(group > 0);
        carol.client->takeEvents();
        // Every message makes pushes that hang until they time out; the online member gets
        // every message all the same, in order.
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 100; ++i) {
            QVERIFY(send(*alice.client, group, u"m%1"_s.arg(i)));
            const QJsonObject event = carol.client->next(u"event"_s);
            QCOMPARE(event.value(u"text"_s).toString(), u"m%1"_s.arg(i));
        }
        qInfo("100 messages sent and delivered in %lld ms while the provider hung",
              timer.elapsed());
        QVERIFY(m_hook.received().size() >= 16); // in flight (16 per host), all hanging
        QTRY_VERIFY_WITH_TIMEOUT(
            metric(metrics(relay),
                   "tidings_push_failed_total{provider=\"webhook\",reason=\"timeout\"}")
                >= 30,
            10000);
    }
};

QTEST_GUILESS_MAIN(TestPushDelivery)
#include "tst_push_delivery.moc"
