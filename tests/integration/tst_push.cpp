// Push notifications against the real relay, with real local HTTP servers standing in for
// the providers: each provider's request checked field by field (the webhook's HMAC and
// both JWTs verified with their keys), coalescing, online users, retries with backoff,
// Retry-After, removal of gone targets, dead letters, and no push lost to kill -9.
#include "crypto/sealed_box.h"
#include "support/http_helpers.h"
#include "support/jwt_check.h"
#include "support/protocol_client.h"
#include "support/provider_server.h"
#include "support/relay_process.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <QUrlQuery>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

constexpr auto kSecret = "webhook secret of the test";

QJsonObject json(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

/// The value of one series in a /metrics text, or -1.
double metric(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

/// A user with a connection, for sending (or for registering a target, then going away).
struct User
{
    std::unique_ptr<ProtocolClient> client = std::make_unique<ProtocolClient>();
    qint64 id = 0;
};

} // namespace

class TestPush : public QObject
{
    Q_OBJECT

    QTemporaryDir m_files;
    ProviderServer m_hook;

    QString writeFile(const QString &name, const QByteArray &contents)
    {
        QFile file(m_files.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
            return {};
        return file.fileName();
    }

    /// A relay with the webhook (at m_hook) and UnifiedPush to loopback, and `more` settings.
    QStringList relayArguments(const QStringList &more = {})
    {
        QStringList arguments{u"--push-webhook-url"_s,
                              QString::fromLatin1(m_hook.url("/hook")),
                              u"--push-webhook-secret-file"_s,
                              writeFile(u"secret"_s, QByteArray(kSecret) + '\n'),
                              u"--push-unifiedpush-endpoints"_s,
                              u"http://127.0.0.1:"_s,
                              u"--push-coalesce-ms"_s,
                              u"200"_s,
                              u"--push-retry-base-ms"_s,
                              u"200"_s,
                              u"--push-timeout-ms"_s,
                              u"2000"_s};
        return arguments + more;
    }

    /// Signs up `name`, registers `target` for the new session and, unless `stay`, goes
    /// offline.
    User userWithTarget(RelayProcess &relay, const QString &name, const QJsonObject &target,
                        bool stay = false)
    {
        User user;
        user.id = user.client->signUp(relay.webSocketUrl(), name);
        const QJsonObject registered = user.client->request(u"push.register"_s, target);
        if (!ProtocolClient::isOk(registered))
            qWarning() << "push.register:" << registered;
        if (!ProtocolClient::isOk(registered))
            user.id = 0;
        if (!stay)
            user.client->close();
        return user;
    }

    static User signedUp(RelayProcess &relay, const QString &name)
    {
        User user;
        user.id = user.client->signUp(relay.webSocketUrl(), name);
        return user;
    }

    /// `count` users named `prefix`0… with the target `targetFor(i)` each, gone offline;
    /// their ids, or fewer if one could not be made.
    QJsonArray offlineUsers(RelayProcess &relay, int count, const QString &prefix,
                            const std::function<QJsonObject(int)> &targetFor)
    {
        QJsonArray ids;
        for (int i = 0; i < count; ++i) {
            const User user = userWithTarget(relay, prefix + QString::number(i), targetFor(i));
            if (!user.id)
                break;
            ids.append(user.id);
        }
        return ids;
    }

    static QJsonObject webhookTarget(const QString &token)
    {
        return {{u"provider"_s, u"webhook"_s}, {u"address"_s, token}};
    }

    static qint64 createGroup(ProtocolClient &client, const QString &title,
                              const QJsonArray &members)
    {
        return client.request(u"group.create"_s, {{u"title"_s, title}, {u"members"_s, members}})
            .value(u"conversation"_s)
            .toObject()
            .value(u"id"_s)
            .toInteger();
    }

    static qint64 openDirect(ProtocolClient &client, qint64 other)
    {
        return client.request(u"direct.open"_s, {{u"user"_s, other}})
            .value(u"conversation"_s)
            .toObject()
            .value(u"id"_s)
            .toInteger();
    }

    static bool send(ProtocolClient &client, qint64 conversation, const QString &text)
    {
        static int counter = 0;
        const QJsonObject reply
            = client.request(u"message.send"_s,
                             {{u"conversation"_s, conversation},
                              {u"client_id"_s, u"push-test-%1"_s.arg(++counter)},
                              {u"text"_s, text}});
        if (!ProtocolClient::isOk(reply))
            qWarning() << "message.send:" << reply;
        return ProtocolClient::isOk(reply);
    }

    static QByteArray metrics(RelayProcess &relay)
    {
        return httpGet(relay.httpUrl(u"/metrics"_s)).body;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_files.isValid());
        QVERIFY(m_hook.listen());
    }

    void init()
    {
        m_hook.setResponder([](const ReceivedRequest &) { return StandInReply{}; });
        m_hook.dropConnections();
        m_hook.clearReceived();
    }

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
        QVERIFY(ProtocolClient::isOk(bob.request(
            u"register"_s, {{u"username"_s, u"bob"_s}, {u"password"_s, u"correct horse"_s}})));

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
        QVERIFY(ProtocolClient::isOk(made));
        const QJsonObject target = made.value(u"target"_s).toObject();
        QCOMPARE(target.value(u"notify"_s).toString(), u"none"_s);
        QCOMPARE(target.value(u"this_device"_s).toBool(), true);
        QCOMPARE(target.value(u"sealed"_s).toBool(), false);
        // The same address again replaces it, it does not add one.
        QVERIFY(ProtocolClient::isOk(bob.request(
            u"push.register"_s, {{u"provider"_s, u"webhook"_s}, {u"address"_s, u"t1"_s}})));
        QJsonArray targets = bob.request(u"push.list"_s).value(u"targets"_s).toArray();
        QCOMPARE(targets.size(), 1);
        QCOMPARE(targets[0].toObject().value(u"notify"_s).toString(), u"all"_s);

        for (int i = 2; i <= 20; ++i)
            QVERIFY(ProtocolClient::isOk(
                bob.request(u"push.register"_s, webhookTarget(u"t%1"_s.arg(i)))));
        QCOMPARE(code(webhookTarget(u"t21"_s)), u"too_large"_s);

        // Someone else cannot remove bob's target.
        ProtocolClient mallory;
        QVERIFY(mallory.signUp(relay.webSocketUrl(), u"mallory"_s));
        const qint64 id = targets[0].toObject().value(u"id"_s).toInteger();
        QCOMPARE(ProtocolClient::errorCode(mallory.request(u"push.remove"_s, {{u"target"_s, id}})),
                 u"not_found"_s);
        // Nor take it over by registering its address: both accounts have a target for it
        // now (one device signed in to two accounts does just that).
        QVERIFY(ProtocolClient::isOk(mallory.request(u"push.register"_s, webhookTarget(u"t1"_s))));
        QCOMPARE(mallory.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 1);
        targets = bob.request(u"push.list"_s).value(u"targets"_s).toArray();
        QCOMPARE(targets.size(), 20);
        QCOMPARE(targets[0].toObject().value(u"id"_s).toInteger(), id);
        QVERIFY(ProtocolClient::isOk(bob.request(u"push.remove"_s, {{u"target"_s, id}})));
        QCOMPARE(bob.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 19);

        // Signing out ends the session, and its targets with it.
        QVERIFY(ProtocolClient::isOk(bob.request(u"logout"_s)));
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
            return ProtocolClient::isOk(reply) ? u"ok"_s : ProtocolClient::errorCode(reply);
        };
        QCOMPARE(code(u"http://127.0.0.1:9/up/device-1"_s), u"ok"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up"_s), u"ok"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up/../admin"_s), u"forbidden"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up/%2e%2e/admin"_s), u"forbidden"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/up/./x"_s), u"forbidden"_s);
        QCOMPARE(code(u"http://127.0.0.1:9/upload"_s), u"forbidden"_s);
    }

    void webhookRequestIsSignedAndCarriesNoText()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = openDirect(*alice.client, bob.id);
        QVERIFY(conversation > 0);
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        QVERIFY(send(*alice.client, conversation, u"the secret plan"_s));

        QVERIFY(m_hook.waitForRequests(1));
        const ReceivedRequest request = m_hook.received().constLast();
        QCOMPARE(request.method, "POST");
        QCOMPARE(request.path, "/hook");
        QCOMPARE(request.header("content-type"), "application/json");
        const QJsonObject body = json(request.body);
        const QString id = body.value(u"id"_s).toString();
        QVERIFY(QRegularExpression(u"^[0-9a-f]{32}$"_s).match(id).hasMatch());
        QCOMPARE(request.header("idempotency-key"), id.toLatin1());
        QCOMPARE(body.value(u"target"_s).toString(), u"bobs-phone"_s);
        const QJsonObject notification = body.value(u"notification"_s).toObject();
        QCOMPARE(notification.value(u"kind"_s).toString(), u"message"_s);
        QCOMPARE(notification.value(u"id"_s).toString(), id);
        QCOMPARE(notification.value(u"conversation"_s).toInteger(), conversation);
        QCOMPARE(notification.value(u"count"_s).toInt(), 1);
        QCOMPARE(notification.value(u"unread"_s).toInt(), 1);
        QVERIFY(!notification.contains(u"sender"_s)); // push-show-sender is off by default
        QVERIFY(!request.body.contains("secret plan"));

        // Tidings-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">
        const QRegularExpressionMatch signature
            = QRegularExpression(u"^t=(\\d+),v1=([0-9a-f]{64})$"_s)
                  .match(QString::fromLatin1(request.header("tidings-signature")));
        QVERIFY2(signature.hasMatch(), request.header("tidings-signature").constData());
        const qint64 timestamp = signature.captured(1).toLongLong();
        QVERIFY(timestamp >= before && timestamp <= QDateTime::currentSecsSinceEpoch());
        const QByteArray expected
            = QMessageAuthenticationCode::hash(
                  QByteArray(signature.captured(1).toLatin1() + '.' + request.body), kSecret,
                  QCryptographicHash::Sha256)
                  .toHex();
        QCOMPARE(signature.captured(2).toLatin1(), expected);

        QTRY_COMPARE(metric(metrics(relay), "tidings_push_sent_total{provider=\"webhook\"}"), 1.0);
        QTRY_COMPARE(metric(metrics(relay), "tidings_push_backlog"), 0.0);
        QCOMPARE(metric(metrics(relay), "tidings_push_commit_to_accept_seconds_count"), 1.0);
        QCOMPARE(relay.stop(), 0);
        QVERIFY(relay.standardError().contains("push providers: unifiedpush, webhook"));
        QVERIFY(!relay.standardError().contains(kSecret)); // credentials are never logged
    }

    void unifiedPushIsSealedToTheDeviceKey()
    {
        ProviderServer ntfy;
        QVERIFY(ntfy.listen());
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments({u"--push-show-sender"_s, u"no"_s})),
                 qPrintable(relay.lastError()));
        const tidings::crypto::BoxKeyPair keys = tidings::crypto::newBoxKeyPair();
        User bob
            = userWithTarget(relay, u"bob"_s,
                             {{u"provider"_s, u"unifiedpush"_s},
                              {u"address"_s, QString::fromLatin1(ntfy.url("/upBob?up=1"))},
                              {u"device_key"_s, QString::fromLatin1(keys.publicKey.toBase64())}});
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        QVERIFY(ProtocolClient::isOk(
            alice.client->request(u"profile.update"_s, {{u"display_name"_s, u"Alice A."_s}})));
        const qint64 conversation = openDirect(*alice.client, bob.id);
        QVERIFY(send(*alice.client, conversation, u"hello there"_s));

        QVERIFY(ntfy.waitForRequests(1));
        const ReceivedRequest request = ntfy.received().constLast();
        QCOMPARE(request.method, "POST");
        QCOMPARE(request.path, "/upBob?up=1");
        QCOMPARE(request.header("content-type"), "application/json");
        QCOMPARE(request.header("ttl"), "86400");
        QCOMPARE(request.header("urgency"), "high");
        const QJsonObject body = json(request.body);
        QCOMPARE(body.keys(), (QStringList{u"id"_s, u"sealed"_s}));
        const auto opened = tidings::crypto::openSealed(
            keys, QByteArray::fromBase64(body.value(u"sealed"_s).toString().toLatin1()));
        QVERIFY(opened);
        const QJsonObject notification = json(*opened);
        QCOMPARE(notification.value(u"id"_s), body.value(u"id"_s));
        QCOMPARE(notification.value(u"conversation"_s).toInteger(), conversation);
        QCOMPARE(notification.value(u"count"_s).toInt(), 1);
        // Only the device can read it, so it names the sender.
        QCOMPARE(notification.value(u"sender"_s).toString(), u"Alice A."_s);
        QVERIFY(!opened->contains("hello there"));
    }

    void aBurstMakesOnePushAndOnlineUsersGetNone()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments({u"--push-coalesce-ms"_s, u"1500"_s})),
                 qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = openDirect(*alice.client, bob.id);

        // Offline: 20 messages, one push that counts them.
        QStringList ids;
        for (int i = 0; i < 20; ++i)
            ids.append(alice.client->post(u"message.send"_s,
                                          {{u"conversation"_s, conversation},
                                           {u"client_id"_s, u"burst-%1"_s.arg(i)},
                                           {u"text"_s, u"burst %1"_s.arg(i)}}));
        for (const QString &id : std::as_const(ids))
            QVERIFY(ProtocolClient::isOk(alice.client->reply(id)));
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

    void aTargetAddedMidConversationIsPushedTo()
    {
        // The store writer remembers which members have a push target; a target added
        // after the conversation was last used must still get the next message.
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        User bob = signedUp(relay, u"bob"_s);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(bob.id && alice.id);
        const qint64 conversation = openDirect(*alice.client, bob.id);
        QVERIFY(send(*alice.client, conversation, u"before the target"_s));
        QVERIFY(send(*bob.client, conversation, u"and back"_s));

        QVERIFY(ProtocolClient::isOk(
            bob.client->request(u"push.register"_s, webhookTarget(u"bobs-new-phone"_s))));
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
        const qint64 direct = openDirect(*alice.client, bob.id);
        QVERIFY(send(*alice.client, direct, u"direct"_s)); // 1:1: bob
        QVERIFY(m_hook.waitForRequests(2));
        QTest::qWait(1000);
        QCOMPARE(m_hook.received().size(), 2);
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
        QVERIFY(send(*alice.client, openDirect(*alice.client, bob.id), u"hi"_s));

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
        QVERIFY(send(*alice.client, openDirect(*alice.client, bob.id), u"hi"_s));
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
        const qint64 conversation = openDirect(*alice.client, bob.id);
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
        QVERIFY(send(*alice.client, openDirect(*alice.client, bob.id), u"hi"_s));
        QTRY_VERIFY(metric(metrics(relay),
                           "tidings_push_failed_total{provider=\"unifiedpush\","
                           "reason=\"network\"}")
                    >= 1);
        QCOMPARE(inside.received().size(), 0);
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
        QVERIFY(send(*alice.client, openDirect(*alice.client, bob.id), u"to bob"_s));

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
        const qint64 conversation = openDirect(*alice.client, bob.id);
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

    void fcmRequestsCarryAVerifiedAccessToken()
    {
        ProviderServer google;
        QVERIFY(google.listen());
        int tokens = 0;
        QByteArray revoked;
        google.setResponder([&tokens, &revoked](const ReceivedRequest &request) {
            if (request.path == "/token")
                return StandInReply{
                    200,
                    {{"Content-Type", "application/json"}},
                    QJsonDocument(QJsonObject{{u"access_token"_s, u"ya29.token-%1"_s.arg(++tokens)},
                                              {u"expires_in"_s, 3599},
                                              {u"token_type"_s, u"Bearer"_s}})
                        .toJson(),
                    false};
            if (!revoked.isEmpty() && request.header("authorization") == revoked)
                return StandInReply{
                    401, {}, R"({"error":{"code":401,"status":"UNAUTHENTICATED"}})", false};
            if (json(request.body).value(u"message"_s).toObject().value(u"token"_s)
                == u"gone-token"_s)
                return StandInReply{404,
                                    {},
                                    R"({"error":{"code":404,"status":"NOT_FOUND","details":[)"
                                    R"({"@type":"type.googleapis.com/google.firebase.fcm.v1.)"
                                    R"(FcmError","errorCode":"UNREGISTERED"}]}})",
                                    false};
            return StandInReply{200, {}, R"({"name":"projects/tidings-test/messages/1"})", false};
        });
        const TestKeyPair key = makeRsaKeyPair();
        const QString credentials = writeFile(
            u"service-account.json"_s,
            QJsonDocument(QJsonObject{{u"type"_s, u"service_account"_s},
                                      {u"project_id"_s, u"tidings-test"_s},
                                      {u"private_key_id"_s, u"key-1"_s},
                                      {u"private_key"_s, QString::fromLatin1(key.privatePem)},
                                      {u"client_email"_s, u"push@tidings-test.iam.example"_s},
                                      {u"token_uri"_s, QString::fromLatin1(google.url("/token"))}})
                .toJson());
        RelayProcess relay;
        QVERIFY2(
            relay.start(relayArguments({u"--push-fcm-credentials-file"_s, credentials,
                                        u"--push-fcm-url"_s, QString::fromLatin1(google.url())})),
            qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s,
                                  {{u"provider"_s, u"fcm"_s}, {u"address"_s, u"fcm-token-bob"_s}});
        User carol = userWithTarget(relay, u"carol"_s,
                                    {{u"provider"_s, u"fcm"_s}, {u"address"_s, u"gone-token"_s}});
        QVERIFY(bob.id && carol.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = openDirect(*alice.client, bob.id);
        QVERIFY(send(*alice.client, conversation, u"one"_s));
        QVERIFY(google.waitForRequests(2));

        // The OAuth2 token request: a JWT bearer assertion signed with the account's key.
        const ReceivedRequest tokenRequest = google.received()[0];
        QCOMPARE(tokenRequest.path, "/token");
        QCOMPARE(tokenRequest.header("content-type"), "application/x-www-form-urlencoded");
        const QUrlQuery form(QString::fromLatin1(tokenRequest.body));
        QCOMPARE(form.queryItemValue(u"grant_type"_s, QUrl::FullyDecoded),
                 u"urn:ietf:params:oauth:grant-type:jwt-bearer"_s);
        const CheckedJwt assertion = checkJwt(
            form.queryItemValue(u"assertion"_s, QUrl::FullyDecoded).toLatin1(), key.publicPem);
        QVERIFY2(assertion.verified, qPrintable(assertion.problem));
        QCOMPARE(assertion.header.value(u"alg"_s).toString(), u"RS256"_s);
        QCOMPARE(assertion.header.value(u"kid"_s).toString(), u"key-1"_s);
        QCOMPARE(assertion.claims.value(u"iss"_s).toString(), u"push@tidings-test.iam.example"_s);
        QCOMPARE(assertion.claims.value(u"scope"_s).toString(),
                 u"https://www.googleapis.com/auth/firebase.messaging"_s);
        QCOMPARE(assertion.claims.value(u"aud"_s).toString(),
                 QString::fromLatin1(google.url("/token")));
        const qint64 issued = assertion.claims.value(u"iat"_s).toInteger();
        QVERIFY(qAbs(issued - QDateTime::currentSecsSinceEpoch()) < 60);
        QCOMPARE(assertion.claims.value(u"exp"_s).toInteger(), issued + 3600);

        // The message itself.
        const ReceivedRequest message = google.received()[1];
        QCOMPARE(message.method, "POST");
        QCOMPARE(message.path, "/v1/projects/tidings-test/messages:send");
        QCOMPARE(message.header("authorization"), "Bearer ya29.token-1");
        QCOMPARE(message.header("content-type"), "application/json");
        const QJsonObject fcm = json(message.body).value(u"message"_s).toObject();
        QCOMPARE(fcm.value(u"token"_s).toString(), u"fcm-token-bob"_s);
        const QJsonObject data = fcm.value(u"data"_s).toObject();
        QCOMPARE(data.value(u"kind"_s).toString(), u"message"_s);
        QCOMPARE(data.value(u"conversation"_s).toString(), QString::number(conversation));
        QCOMPARE(data.value(u"count"_s).toString(), u"1"_s);
        for (const QJsonValue &value : data)
            QVERIFY(value.isString()); // FCM wants strings
        const QJsonObject android = fcm.value(u"android"_s).toObject();
        QCOMPARE(android.value(u"priority"_s).toString(), u"high"_s);
        QCOMPARE(android.value(u"collapse_key"_s).toString(), u"c%1"_s.arg(conversation));
        QVERIFY(!fcm.contains(u"notification"_s)); // data only: no text for Google

        // The token is cached; an UNREGISTERED token is removed.
        QVERIFY(send(*alice.client, openDirect(*alice.client, carol.id), u"two"_s));
        QVERIFY(google.waitForRequests(3));
        QCOMPARE(google.received()[2].header("authorization"), "Bearer ya29.token-1");
        QTRY_COMPARE(
            metric(metrics(relay),
                   "tidings_push_failed_total{provider=\"fcm\",reason=\"invalid_target\"}"),
            1.0);
        ProtocolClient carolAgain;
        QVERIFY(carolAgain.signIn(relay.webSocketUrl(), u"carol"_s));
        QCOMPARE(carolAgain.request(u"push.list"_s).value(u"targets"_s).toArray().size(), 0);
        QCOMPARE(tokens, 1);

        // Google revokes the token: the relay gets a new one and the push goes through.
        revoked = "Bearer ya29.token-1";
        const qsizetype before = google.received().size();
        QVERIFY(send(*alice.client, conversation, u"three"_s));
        QVERIFY(google.waitForRequests(before + 3)); // refused, token, accepted
        QCOMPARE(google.received()[before].header("authorization"), "Bearer ya29.token-1");
        QCOMPARE(google.received()[before + 1].path, "/token");
        QCOMPARE(google.received()[before + 2].header("authorization"), "Bearer ya29.token-2");
        QCOMPARE(tokens, 2);
        QTRY_COMPARE(metric(metrics(relay), "tidings_push_sent_total{provider=\"fcm\"}"), 2.0);
        QCOMPARE(relay.stop(), 0);
        QVERIFY(!relay.standardError().contains("PRIVATE KEY"));
        QVERIFY(!relay.standardError().contains("ya29."));
    }

    void apnsRequestsGoOverHttp2WithAVerifiedProviderToken()
    {
        if (!ProviderServer::http2Available())
            QFAIL("built without libnghttp2: install libnghttp2-dev (tools/deps.sh test does)");
        ProviderServer apple(ProviderServer::Protocol::Http2);
        QVERIFY(apple.listen());
        const QString goneToken = QString(64, u'e');
        apple.setResponder([goneToken](const ReceivedRequest &request) {
            if (request.path.endsWith(goneToken.toLatin1()))
                return StandInReply{410, {}, R"({"reason":"Unregistered"})", false};
            return StandInReply{200, {{"apns-id", request.header("apns-id")}}, {}, false};
        });
        const TestKeyPair key = makeP256KeyPair();
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments(
                     {u"--push-apns-key-file"_s, writeFile(u"AuthKey.p8"_s, key.privatePem),
                      u"--push-apns-key-id"_s, u"ABC123DEFG"_s, u"--push-apns-team-id"_s,
                      u"TEAM123456"_s, u"--push-apns-topic"_s, u"org.tidings.app"_s,
                      u"--push-apns-url"_s, QString::fromLatin1(apple.url())})),
                 qPrintable(relay.lastError()));
        const QString bobToken = u"0123456789abcdef"_s.repeated(4);
        // Registered in upper case, kept (and sent to) in lower case.
        User bob = userWithTarget(relay, u"bob"_s,
                                  {{u"provider"_s, u"apns"_s}, {u"address"_s, bobToken.toUpper()}},
                                  true);
        QCOMPARE(bob.client->request(u"push.list"_s)
                     .value(u"targets"_s)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"address"_s)
                     .toString(),
                 bobToken);
        bob.client->close();
        User carol = userWithTarget(relay, u"carol"_s,
                                    {{u"provider"_s, u"apns"_s}, {u"address"_s, goneToken}});
        QVERIFY(bob.id && carol.id);
        ProtocolClient check;
        QVERIFY(check.signUp(relay.webSocketUrl(), u"dave"_s));
        QCOMPARE(ProtocolClient::errorCode(check.request(
                     u"push.register"_s, {{u"provider"_s, u"apns"_s}, {u"address"_s, u"xyz"_s}})),
                 u"bad_request"_s);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = openDirect(*alice.client, bob.id);
        QVERIFY(send(*alice.client, conversation, u"one"_s));
        QVERIFY(apple.waitForRequests(1));
        QTRY_COMPARE(metric(metrics(relay), "tidings_push_sent_total{provider=\"apns\"}"), 1.0);

        const ReceivedRequest request = apple.received()[0];
        QVERIFY(request.http2);
        QCOMPARE(request.method, "POST");
        QCOMPARE(request.path, "/3/device/" + bobToken.toLatin1());
        QVERIFY(request.header("authorization").startsWith("bearer "));
        const CheckedJwt token = checkJwt(request.header("authorization").mid(7), key.publicPem);
        QVERIFY2(token.verified, qPrintable(token.problem));
        QCOMPARE(token.header.value(u"alg"_s).toString(), u"ES256"_s);
        QCOMPARE(token.header.value(u"kid"_s).toString(), u"ABC123DEFG"_s);
        QCOMPARE(token.claims.value(u"iss"_s).toString(), u"TEAM123456"_s);
        QVERIFY(qAbs(token.claims.value(u"iat"_s).toInteger() - QDateTime::currentSecsSinceEpoch())
                < 60);
        QCOMPARE(request.header("apns-topic"), "org.tidings.app");
        QCOMPARE(request.header("apns-push-type"), "alert");
        QCOMPARE(request.header("apns-priority"), "10");
        QCOMPARE(request.header("apns-collapse-id"), "c" + QByteArray::number(conversation));
        QVERIFY(
            QRegularExpression(u"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$"_s)
                .match(QString::fromLatin1(request.header("apns-id")))
                .hasMatch());
        QVERIFY(request.header("apns-expiration").toLongLong()
                > QDateTime::currentSecsSinceEpoch());
        const QJsonObject body = json(request.body);
        const QJsonObject aps = body.value(u"aps"_s).toObject();
        QCOMPARE(aps.value(u"alert"_s).toObject().value(u"loc-key"_s).toString(),
                 u"TIDINGS_NEW_MESSAGES"_s);
        QCOMPARE(aps.value(u"alert"_s).toObject().value(u"loc-args"_s).toArray(),
                 QJsonArray{u"1"_s});
        QCOMPARE(aps.value(u"badge"_s).toInt(), 1);
        QCOMPARE(aps.value(u"mutable-content"_s).toInt(), 1);
        QCOMPARE(aps.value(u"thread-id"_s).toString(), u"c%1"_s.arg(conversation));
        const QJsonObject notification = body.value(u"tidings"_s).toObject();
        QCOMPARE(notification.value(u"conversation"_s).toInteger(), conversation);
        QCOMPARE(request.header("apns-id"),
                 QUuid::fromString(notification.value(u"id"_s)
                                       .toString()
                                       .insert(20, u'-')
                                       .insert(16, u'-')
                                       .insert(12, u'-')
                                       .insert(8, u'-'))
                     .toByteArray(QUuid::WithoutBraces)
                     .toUpper());

        // 410 Unregistered removes the target.
        QVERIFY(send(*alice.client, openDirect(*alice.client, carol.id), u"two"_s));
        QVERIFY(apple.waitForRequests(2));
        QTRY_COMPARE(
            metric(metrics(relay),
                   "tidings_push_failed_total{provider=\"apns\",reason=\"invalid_target\"}"),
            1.0);
        QCOMPARE(metric(metrics(relay), "tidings_push_sent_total{provider=\"apns\"}"), 1.0);
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

QTEST_GUILESS_MAIN(TestPush)
#include "tst_push.moc"
