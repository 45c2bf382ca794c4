// Push notifications against the real relay, with real local HTTP servers standing in for
// the providers: each provider's request checked field by field (the webhook's HMAC and
// both JWTs verified with their keys), and the targets a provider says are gone removed.
#include "push_fixture.h"

#include "crypto/sealed_box.h"
#include "support/jwt_check.h"
#include "support/protocol_replies.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QtTest>
#include <QUrlQuery>
#include <QUuid>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestPushProviders : public QObject, public PushFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_files.isValid());
        QVERIFY(m_hook.listen());
    }

    void init() { reset(); }

    void webhookRequestIsSignedAndCarriesNoText()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(relayArguments()), qPrintable(relay.lastError()));
        User bob = userWithTarget(relay, u"bob"_s, webhookTarget(u"bobs-phone"_s));
        QVERIFY(bob.id);
        User alice = signedUp(relay, u"alice"_s);
        QVERIFY(alice.id);
        const qint64 conversation = alice.client->openDirect(bob.id);
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
        QVERIFY(
            ok(alice.client->request(u"profile.update"_s, {{u"display_name"_s, u"Alice A."_s}})));
        const qint64 conversation = alice.client->openDirect(bob.id);
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
        const qint64 conversation = alice.client->openDirect(bob.id);
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
        QVERIFY(send(*alice.client, alice.client->openDirect(carol.id), u"two"_s));
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
        const qint64 conversation = alice.client->openDirect(bob.id);
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
        QVERIFY(send(*alice.client, alice.client->openDirect(carol.id), u"two"_s));
        QVERIFY(apple.waitForRequests(2));
        QTRY_COMPARE(
            metric(metrics(relay),
                   "tidings_push_failed_total{provider=\"apns\",reason=\"invalid_target\"}"),
            1.0);
        QCOMPARE(metric(metrics(relay), "tidings_push_sent_total{provider=\"apns\"}"), 1.0);
    }
};

QTEST_GUILESS_MAIN(TestPushProviders)
#include "tst_push_providers.moc"
