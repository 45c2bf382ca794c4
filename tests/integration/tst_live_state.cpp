// Typing, presence, rate limits and reports — against the real relay.
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/raw_websocket.h"
#include "support/relay_process.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestLiveState : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    QString name(const QString &base) { return u"%1%2"_s.arg(base).arg(++m_users); }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void typingIsShownAndEndsByItself()
    {
        ProtocolClient alice, bob, aliceTablet;
        const QString aliceName = name(u"alice"_s);
        const qint64 aliceId = alice.signUp(m_relay.webSocketUrl(), aliceName);
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), name(u"bob"_s));
        QVERIFY(aliceTablet.signIn(m_relay.webSocketUrl(), aliceName));
        const qint64 direct = alice.openDirect(bobId);
        bob.takeEvents();
        aliceTablet.takeEvents();

        // Typing is an event: no id, no reply.
        alice.sendEvent(u"typing"_s, {{u"conversation"_s, direct}});
        QJsonObject shown = bob.next(u"typing"_s);
        QCOMPARE(shown.value(u"user"_s).toInteger(), aliceId);
        QCOMPARE(shown.value(u"conversation"_s).toInteger(), direct);
        QCOMPARE(shown.value(u"typing"_s).toBool(), true);
        QVERIFY(!aliceTablet.receives(u"typing"_s, 200)); // not to the typist's own devices

        // It ends by itself after about six seconds.
        QElapsedTimer clock;
        clock.start();
        const QJsonObject ended = bob.next(u"typing"_s, 10000);
        QCOMPARE(ended.value(u"typing"_s).toBool(), false);
        QVERIFY2(clock.elapsed() > 4000, "typing ended too early");

        // Or when the typist says so, at once.
        QVERIFY(ok(alice.request(u"typing"_s, {{u"conversation"_s, direct}, {u"typing"_s, true}})));
        QCOMPARE(bob.next(u"typing"_s).value(u"typing"_s).toBool(), true);
        QVERIFY(
            ok(alice.request(u"typing"_s, {{u"conversation"_s, direct}, {u"typing"_s, false}})));
        QCOMPARE(bob.next(u"typing"_s, 1000).value(u"typing"_s).toBool(), false);

        // Or when the typist's last session goes.
        alice.sendEvent(u"typing"_s, {{u"conversation"_s, direct}});
        QCOMPARE(bob.next(u"typing"_s).value(u"typing"_s).toBool(), true);
        alice.close();
        aliceTablet.close();
        QCOMPARE(bob.next(u"typing"_s, 3000).value(u"typing"_s).toBool(), false);

        // A stranger learns nothing, and shows nothing.
        ProtocolClient mallory;
        QVERIFY(mallory.signUp(m_relay.webSocketUrl(), name(u"mallory"_s)));
        QCOMPARE(code(mallory.request(u"typing"_s, {{u"conversation"_s, direct}})), u"not_found"_s);
        QCOMPARE(code(mallory.request(u"typing"_s, {{u"conversation"_s, 999999}})), u"not_found"_s);
        QVERIFY(!bob.receives(u"typing"_s, 300));
    }

    void noTypingAcrossABlock()
    {
        ProtocolClient alice, bob;
        const qint64 aliceId = alice.signUp(m_relay.webSocketUrl(), name(u"alice"_s));
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), name(u"bob"_s));
        const qint64 direct = alice.openDirect(bobId);
        alice.sendEvent(u"typing"_s, {{u"conversation"_s, direct}});
        QVERIFY(bob.receives(u"typing"_s, 3000)); // warms the relay's member cache
        QVERIFY(ok(bob.request(u"user.block"_s, {{u"user"_s, aliceId}})));
        bob.takeEvents();
        QVERIFY(ok(alice.request(u"typing"_s, {{u"conversation"_s, direct}})));
        QVERIFY(!bob.receives(u"typing"_s, 500));
    }

    void presenceGoesToContactsOnly()
    {
        ProtocolClient bob, stranger;
        const QString aliceName = name(u"alice"_s);
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), name(u"bob"_s));
        const qint64 strangerId = stranger.signUp(m_relay.webSocketUrl(), name(u"stranger"_s));
        qint64 aliceId = 0;
        {
            ProtocolClient alice;
            aliceId = alice.signUp(m_relay.webSocketUrl(), aliceName);
            alice.openDirect(bobId);
            bob.takeEvents();
            stranger.takeEvents();
        }
        // Alice's only session went: Bob sees her offline with a last-seen time. (The news
        // that she was online, sent when the chat opened, may still arrive first: the
        // events taken above are only those already there.)
        QJsonObject offline = bob.next(u"presence"_s);
        if (offline.value(u"online"_s).toBool())
            offline = bob.next(u"presence"_s);
        QCOMPARE(offline.value(u"user"_s).toInteger(), aliceId);
        QCOMPARE(offline.value(u"online"_s).toBool(), false);
        QVERIFY(offline.value(u"last_seen"_s).toInteger() > 0);

        ProtocolClient alice;
        QVERIFY(alice.signIn(m_relay.webSocketUrl(), aliceName));
        QJsonObject online = bob.next(u"presence"_s);
        QCOMPARE(online.value(u"online"_s).toBool(), true);
        QVERIFY(!stranger.receives(u"presence"_s, 300)); // shares no conversation with her

        QJsonArray presence
            = bob.request(u"presence.query"_s, {{u"users"_s, QJsonArray{aliceId, strangerId}}})
                  .value(u"presence"_s)
                  .toArray();
        QCOMPARE(presence.size(), 1); // the stranger is not Bob's contact
        QCOMPARE(presence.first().toObject().value(u"online"_s).toBool(), true);
        QVERIFY(stranger.request(u"presence.query"_s, {{u"users"_s, QJsonArray{aliceId}}})
                    .value(u"presence"_s)
                    .toArray()
                    .isEmpty());

        // Hidden last seen: offline, but no time.
        QVERIFY(ok(alice.request(u"profile.update"_s, {{u"hide_last_seen"_s, true}})));
        bob.takeEvents();
        alice.close();
        offline = bob.next(u"presence"_s);
        QCOMPARE(offline.value(u"online"_s).toBool(), false);
        QVERIFY(!offline.contains(u"last_seen"_s));
        presence = bob.request(u"presence.query"_s, {{u"users"_s, QJsonArray{aliceId}}})
                       .value(u"presence"_s)
                       .toArray();
        QVERIFY(!presence.first().toObject().contains(u"last_seen"_s));

        // A block ends presence both ways.
        QVERIFY(ok(bob.request(u"user.block"_s, {{u"user"_s, aliceId}})));
        bob.takeEvents();
        QVERIFY(alice.signIn(m_relay.webSocketUrl(), aliceName));
        QVERIFY(!bob.receives(u"presence"_s, 500));
        QVERIFY(bob.request(u"presence.query"_s, {{u"users"_s, QJsonArray{aliceId}}})
                    .value(u"presence"_s)
                    .toArray()
                    .isEmpty());
    }

    void aQueryRightAfterTheLastSessionHasTheTime()
    {
        // The last-seen time is written after the session has gone; a query answered in
        // between still has it (the app asks right after it reconnects).
        ProtocolClient bob;
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), name(u"bob"_s));
        int answeredOffline = 0;
        for (int round = 0; round < 12; ++round) {
            qint64 aliceId = 0;
            {
                ProtocolClient alice; // never offline before: nothing stored yet
                aliceId = alice.signUp(m_relay.webSocketUrl(), name(u"alice"_s));
                alice.openDirect(bobId);
            }
            const QJsonObject entry
                = bob.request(u"presence.query"_s, {{u"users"_s, QJsonArray{aliceId}}})
                      .value(u"presence"_s)
                      .toArray()
                      .first()
                      .toObject();
            if (entry.value(u"online"_s).toBool())
                continue; // asked before the relay saw her go
            ++answeredOffline;
            QVERIFY2(entry.value(u"last_seen"_s).toInteger() > 0,
                     qPrintable(u"round %1"_s.arg(round)));
        }
        QVERIFY(answeredOffline > 0);
    }

    void reports()
    {
        ProtocolClient alice, bob, mallory;
        const qint64 aliceId = alice.signUp(m_relay.webSocketUrl(), name(u"alice"_s));
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), name(u"bob"_s));
        QVERIFY(mallory.signUp(m_relay.webSocketUrl(), name(u"mallory"_s)));
        const qint64 direct = alice.openDirect(bobId);
        const qint64 seq = alice
                               .request(u"message.send"_s,
                                        {{u"conversation"_s, direct},
                                         {u"client_id"_s, u"spam"_s},
                                         {u"text"_s, u"buy now"_s}})
                               .value(u"event"_s)
                               .toObject()
                               .value(u"seq"_s)
                               .toInteger();

        const QJsonObject filed = bob.request(
            u"report"_s, {{u"conversation"_s, direct}, {u"seq"_s, seq}, {u"reason"_s, u"spam"_s}});
        QVERIFY(ok(filed));
        QVERIFY(filed.value(u"report"_s).toInteger() > 0);
        QVERIFY(ok(
            bob.request(u"report"_s, {{u"user"_s, aliceId}, {u"reason"_s, u"keeps spamming"_s}})));
        QCOMPARE(code(mallory.request(
                     u"report"_s,
                     {{u"conversation"_s, direct}, {u"seq"_s, seq}, {u"reason"_s, u"x"_s}})),
                 u"not_found"_s);
        QCOMPARE(code(bob.request(u"report"_s, {{u"reason"_s, u"no target"_s}})), u"bad_request"_s);
        QCOMPARE(code(bob.request(u"report"_s, {{u"user"_s, aliceId}})), u"bad_request"_s);
        QCOMPARE(code(bob.request(u"report"_s, {{u"user"_s, 999999}, {u"reason"_s, u"ghost"_s}})),
                 u"not_found"_s);

        const auto listed = RelayProcess::runToExit(m_relay.adminArguments()
                                                    + QStringList{u"report"_s, u"list"_s});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(listed.standardOutput.contains("keeps spamming"));
        QVERIFY(listed.standardOutput.contains("buy now")); // the reported content, for the admin
    }

    void rateLimits()
    {
        RelayProcess strict;
        QVERIFY2(strict.start({u"--message-rate"_s, u"2"_s, u"--sign-in-rate"_s, u"4"_s,
                               u"--frame-rate"_s, u"10"_s}),
                 qPrintable(strict.lastError()));
        ProtocolClient alice;
        QVERIFY(alice.signUp(strict.webSocketUrl(), u"alice"_s));
        const qint64 self = alice.openDirect(alice.userId());

        // Bursts of twice the rate, then "rate_limited" with a time to wait.
        int accepted = 0;
        QJsonObject limited;
        for (int i = 0; i < 10 && limited.isEmpty(); ++i) {
            const QJsonObject reply = alice.request(u"message.send"_s,
                                                    {{u"conversation"_s, self},
                                                     {u"client_id"_s, u"q%1"_s.arg(i)},
                                                     {u"text"_s, u"x"_s}});
            if (ok(reply))
                ++accepted;
            else
                limited = reply;
        }
        QCOMPARE(accepted, 4);
        QCOMPARE(code(limited), u"rate_limited"_s);
        const qint64 wait = limited.value(u"retry_after_ms"_s).toInteger();
        QVERIFY(wait > 0 && wait <= 1000);
        QTest::qWait(static_cast<int>(wait) + 50); // the relay said how long; waiting is the point
        QVERIFY(ok(alice.request(
            u"message.send"_s,
            {{u"conversation"_s, self}, {u"client_id"_s, u"later"_s}, {u"text"_s, u"x"_s}})));

        // Sign-in attempts per address (one went into registering above).
        int refused = 0;
        for (int i = 0; i < 6; ++i) {
            ProtocolClient guesser;
            QVERIFY(guesser.open(strict.webSocketUrl()));
            QVERIFY(guesser.hello());
            const QJsonObject reply = guesser.request(
                u"login"_s, {{u"username"_s, u"alice"_s}, {u"password"_s, u"guess %1"_s.arg(i)}});
            refused += code(reply) == u"rate_limited" ? 1 : 0;
        }
        QVERIFY(refused >= 3);

        // Guessing one account's password from many addresses meets the per-account limit.
        int accountLimited = 0;
        for (int i = 0; i < 8; ++i) {
            RawWebSocket elsewhere;
            QVERIFY(elsewhere.open(strict.port(), 10000, u"127.0.0.%1"_s.arg(10 + i)));
            elsewhere.sendText(R"({"type":"hello","id":"h","versions":[1]})");
            QVERIFY(!elsewhere.nextText().isEmpty());
            elsewhere.sendText(
                R"({"type":"login","id":"l","username":"alice","password":"a guess!"})");
            accountLimited += elsewhere.nextText().contains("rate_limited") ? 1 : 0;
        }
        QVERIFY(accountLimited >= 4);

        // Any frames at all, per connection (10/s, bursts of 20), counted before a frame is
        // read: garbage over the budget is refused unread (rate_limited, not bad_request).
        // 200 frames sent at once would need 18 s to fit the budget.
        ProtocolClient chatty;
        QVERIFY(chatty.open(strict.webSocketUrl()));
        QVERIFY(chatty.hello());
        constexpr int kFrames = 200;
        for (int i = 0; i < kFrames; ++i)
            chatty.sendText(u"{"_s);
        int unreadable = 0, refusedUnread = 0;
        for (int i = 0; i < kFrames; ++i) {
            const QJsonObject error = chatty.next(u"error"_s);
            unreadable += code(error) == u"bad_request" ? 1 : 0;
            refusedUnread += code(error) == u"rate_limited" ? 1 : 0;
            if (code(error) == u"rate_limited")
                QVERIFY(error.value(u"retry_after_ms"_s).toInteger() > 0);
        }
        QCOMPARE(unreadable + refusedUnread, kFrames);
        QVERIFY2(unreadable >= 1 && refusedUnread >= 1,
                 qPrintable(u"%1 read, %2 refused"_s.arg(unreadable).arg(refusedUnread)));
        QCOMPARE(strict.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLiveState)
#include "tst_live_state.moc"
