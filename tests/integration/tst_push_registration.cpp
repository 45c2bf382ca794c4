// Push targets against the real relay: push.register checked field by field, listed and
// removed, the admin's allowed endpoints, and the notify setting choosing what is pushed.
#include "push_fixture.h"

#include "support/http_helpers.h"
#include "support/protocol_replies.h"

#include <QJsonArray>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestPushRegistration : public QObject, public PushFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_files.isValid());
        QVERIFY(m_hook.listen());
    }

    void init() { reset(); }

    void registrationIsCheckedListedAndRemoved()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        ProtocolClient bob;
        QVERIFY(bob.open(relay.webSocketUrl()));
        const QJsonObject hello = bob.request(u"hello"_s, {{u"versions"_s, QJsonArray{1}}});
        const QJsonArray providers = hello.value(u"push"_s).toArray();
        QVERIFY(providers.contains(u"webhook"_s));
        QVERIFY(providers.contains(u"unifiedpush"_s));
        QVERIFY(!providers.contains(u"fcm"_s)); // not configured
        QVERIFY(ok(bob.request(u"register"_s,
                               {{u"username"_s, u"bob"_s}, {u"password"_s, u"correct horse"_s}})));

        const auto code = [&bob](const QJsonObject &fields) {
            return ProtocolClient::errorCode(bob.request(u"push.register"_s, fields));
        };
        QCOMPARE(code({{u"provider"_s, u"fcm"_s}, {u"address"_s, u"token"_s}}), u"unsupported"_s);
        QCOMPARE(code({{u"provider"_s, u"unifiedpush"_s}, {u"address"_s, u"not a url"_s}}),
                 u"bad_request"_s);
        QCOMPARE(code({{u"provider"_s, u"unifiedpush"_s},
                       {u"address"_s, u"https://push.example.org/up"_s}}),
                 u"forbidden"_s); // the admin allows only loopback here
        QCOMPARE(code({{u"provider"_s, u"webhook"_s}, {u"address"_s, u"has space"_s}}),
                 u"bad_request"_s);
        QCOMPARE(code({{u"provider"_s, u"webhook"_s}, {u"address"_s, 42}}), u"bad_request"_s);
        QCOMPARE(code({{u"provider"_s, u"webhook"_s},
                       {u"address"_s, u"t1"_s},
                       {u"notify"_s, u"sometimes"_s}}),
                 u"bad_request"_s);
        QCOMPARE(code({{u"provider"_s, u"webhook"_s},
                       {u"address"_s, u"t1"_s},
                       {u"device_key"_s, u"c2hvcnQ="_s}}),
                 u"bad_request"_s);
        // 32 bytes, but a low-order point nothing can be sealed to.
        QCOMPARE(code({{u"provider"_s, u"webhook"_s},
                       {u"address"_s, u"t1"_s},
                       {u"device_key"_s, QString::fromLatin1(QByteArray(32, '\0').toBase64())}}),
                 u"bad_request"_s);
        QCOMPARE(bob.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 0);

        const QJsonObject made = bob.request(
            u"push.register"_s,
            {{u"provider"_s, u"webhook"_s}, {u"address"_s, u"t1"_s}, {u"notify"_s, u"none"_s}});
        QVERIFY(ok(made));
        const QJsonObject target = made.value(u"target"_s).toObject();
        QCOMPARE(target.value(u"notify"_s).toString(), u"none"_s);
        QCOMPARE(target.value(u"this_device"_s).toBool(), true);
        QCOMPARE(target.value(u"sealed"_s).toBool(), false);
        // The same address again replaces it, it does not add one.
        QVERIFY(ok(bob.request(u"push.register"_s,
                               {{u"provider"_s, u"webhook"_s}, {u"address"_s, u"t1"_s}})));
        QJsonArray targets = bob.request(u"push.list"_s).value(u"targets"_s).toArray();
        QCOMPARE(targets.size(), 1);
        QCOMPARE(targets[0].toObject().value(u"notify"_s).toString(), u"all"_s);

        for (int i = 2; i <= 20; ++i)
            QVERIFY(ok(bob.request(u"push.register"_s, webhookTarget(u"t%1"_s.arg(i)))));
        QCOMPARE(code(webhookTarget(u"t21"_s)), u"too_large"_s);

        // Someone else cannot remove bob's target.
        ProtocolClient mallory;
        QVERIFY(mallory.signUp(relay.webSocketUrl(), u"mallory"_s));
        const qint64 id = targets[0].toObject().value(u"id"_s).toInteger();
        QCOMPARE(ProtocolClient::errorCode(mallory.request(u"push.remove"_s, {{u"target"_s, id}})),
                 u"not_found"_s);
        // Nor take it over by registering its address: both accounts have a target for it
        // now (one device signed in to two accounts does just that).
        QVERIFY(ok(mallory.request(u"push.register"_s, webhookTarget(u"t1"_s))));
        QCOMPARE(mallory.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 1);
        targets = bob.request(u"push.list"_s).value(u"targets"_s).toArray();
        QCOMPARE(targets.size(), 20);
        QCOMPARE(targets[0].toObject().value(u"id"_s).toInteger(), id);
        QVERIFY(ok(bob.request(u"push.remove"_s, {{u"target"_s, id}})));
        QCOMPARE(bob.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 19);

        // Signing out ends the session, and its targets with it.
        QVERIFY(ok(bob.request(u"logout"_s)));
        ProtocolClient again;
        QVERIFY(again.signIn(relay.webSocketUrl(), u"bob"_s));
        QCOMPARE(again.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 0);
    }

    void anAllowedHostsPathCannotBeEscaped()
    {
        // The admin allows one host's /up: dot segments and look-alike paths are refused.
        RelayProcess relay;
        QVERIFY2(relay.start(
                     relayArguments({u"--push-unifiedpush-endpoints"_s, u"http://127.0.0.1/up"_s})),
                 qPrintable(relay.lastError()));
        ProtocolClient bob;
        QVERIFY(bob.signUp(relay.webSocketUrl(), u"bob"_s));
        const auto code = [&bob](const QString &address) {
            const QJsonObject reply = bob.request(
                u"push.register"_s, {{u"provider"_s, u"unifiedpush"_s}, {u"address"_s, address}});
            return ok(reply) ? u"ok"_s : ProtocolClient::errorCode(reply);
        };
        QCOMPARE(code(u"http://127.0.0.1:9/up/device-1"_s), u"ok"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up"_s), u"ok"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up/../admin"_s), u"forbidden"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up/%2e%2e/admin"_s), u"forbidden"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up/./x"_s), u"forbidden"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/upload"_s), u"forbidden"_s);
    }

    void aUserGivenUrlReachesOnlyPublicAddresses()
    {
        // The admin allows any http:// endpoint, not this host by name: a device's URL
        // pointing at the relay's own network is not reached.
        ProviderServer inside;
        QVERIFY(inside.listen());
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments({u"--push-unifiedpush-endpoints"_s, u"http://"_s})),
                 qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s,
                                  {{u"provider"_s, u"unifiedpush"_s},
                                   {u"address"_s, QString::fromLatin1(inside.url("/internal"))}});
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        QVERIFY(send(*alice.client, alice.client->openDirect(bob.id), u"hi"_s));
        QTRY_VERIFY(metric(metrics(relay),
                           "tidings_push_failed_total{provider=\"unifiedpush\","
                           "reason=\"network\"}")
                    >= 1);
        QCOMPARE(inside.received().size(), 0);
    }

    void aTargetAddedMidConversationIsPushedTo()
    {
        // The store writer remembers which members have a push target; a target added
        // after the conversation was last used must still get the next message.
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        User bob = signedUp(relay, u"bob"_s);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(bob.id && alice.id);
        const qint64 conversation = alice.client->openDirect(bob.id);
        QVERIFY(send(*alice.client, conversation, u"before the target"_s));
        QVERIFY(send(*bob.client, conversation, u"and back"_s));

        QVERIFY(ok(bob.client->request(u"push.register"_s, webhookTarget(u"bobs-new-phone"_s))));
        bob.client->close();
        QTRY_COMPARE(httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"sessions"_s).toInt(), 1);
        QVERIFY(send(*alice.client, conversation, u"after the target"_s));
        QVERIFY(m_hook.waitForRequests(1));
        QCOMPARE(json(m_hook.received().constLast().body).value(u"target"_s).toString(),
                 u"bobs-new-phone"_s);
    }

    void notifySettingChoosesWhatIsPushed()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s,
                                  {{u"provider"_s, u"webhook"_s},
                                   {u"address"_s, u"bob-dm"_s},
                                   {u"notify"_s, u"direct_and_mentions"_s}});
        User carol = userWithTarget(relay, u"carol"_s,
                                    {{u"provider"_s, u"webhook"_s},
                                     {u"address"_s, u"carol-none"_s},
                                     {u"notify"_s, u"none"_s}});
        QVERIFY(bob.id && carol.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 group = createGroup(*alice.client, u"Team"_s, QJsonArray{bob.id, carol.id});
        QVERIFY(group > 0);
        QVERIFY(send(*alice.client, group, u"lunch?"_s)); // no mention: nobody
        QVERIFY(send(*alice.client, group, u"@bobby lunch?"_s)); // someone else
        QVERIFY(send(*alice.client, group, u"@Bob lunch?"_s)); // bob
        QVERIFY(m_hook.waitForRequests(1));
        QTest::qWait(1000);
        QCOMPARE(m_hook.received().size(), 1);
        QCOMPARE(json(m_hook.received().constLast().body).value(u"target"_s).toString(),
                 u"bob-dm"_s);
        const qint64 direct = alice.client->openDirect(bob.id);
        QVERIFY(send(*alice.client, direct, u"direct"_s)); // 1:1: bob
        QVERIFY(m_hook.waitForRequests(2));
        QTest::qWait(1000);
        QCOMPARE(m_hook.received().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestPushRegistration)
#include "tst_push_registration.moc"
