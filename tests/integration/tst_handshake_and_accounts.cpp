// The handshake, accounts and sessions, against the real relay, frame by frame.
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/raw_websocket.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestHandshakeAndAccounts : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void helloComesFirst()
    {
        ProtocolClient client;
        QVERIFY(client.open(m_relay.webSocketUrl()));
        QCOMPARE(code(client.request(u"ping"_s)), u"bad_request"_s);
        QCOMPARE(code(client.request(u"login"_s, {{u"username"_s, u"x"_s}})), u"bad_request"_s);
        QCOMPARE(code(client.request(u"hello"_s)), u"bad_request"_s); // no versions
        QCOMPARE(code(client.request(u"hello"_s, {{u"versions"_s, u"1"_s}})), u"bad_request"_s);
        const QJsonObject noCommon
            = client.request(u"hello"_s, {{u"versions"_s, QJsonArray{7, 8}}});
        QCOMPARE(code(noCommon), u"unsupported"_s);
        QVERIFY(noCommon.value(u"message"_s).toString().contains(u"version 1"_s));

        const QJsonObject welcome = client.request(u"hello"_s, {{u"versions"_s, QJsonArray{1, 2}}});
        QVERIFY(ProtocolClient::isOk(welcome));
        QCOMPARE(welcome.value(u"version"_s).toInt(), 1);
        QCOMPARE(welcome.value(u"relay"_s).toString(), QStringLiteral(TIDINGS_VERSION));
        QCOMPARE(welcome.value(u"registration"_s).toString(), u"open"_s);
        QVERIFY(welcome.value(u"heartbeat_ms"_s).toInt() > 0);
        QCOMPARE(welcome.value(u"limits"_s).toObject().value(u"max_text_bytes"_s).toInt(), 65536);

        QCOMPARE(code(client.request(u"hello"_s, {{u"versions"_s, QJsonArray{1}}})),
                 u"bad_request"_s);
        QVERIFY(ProtocolClient::isOk(client.request(u"ping"_s)));
        // Signed-in frames need a session.
        QCOMPARE(code(client.request(u"sessions.list"_s)), u"unauthorized"_s);
        QCOMPARE(code(client.request(u"users.search"_s, {{u"prefix"_s, u"a"_s}})),
                 u"unauthorized"_s);
        QCOMPARE(code(client.request(u"logout"_s)), u"unauthorized"_s);
    }

    void registerAndSignIn()
    {
        ProtocolClient phone;
        QVERIFY(phone.open(m_relay.webSocketUrl()));
        const QJsonObject registered
            = phone.registerUser(u"Alice"_s, u"correct horse"_s, u"phone"_s);
        QVERIFY2(ProtocolClient::isOk(registered),
                 qPrintable(registered.value(u"message"_s).toString()));
        const QJsonObject user = registered.value(u"user"_s).toObject();
        QCOMPARE(user.value(u"username"_s).toString(), u"alice"_s); // canonical
        QCOMPARE(user.value(u"display_name"_s).toString(), u"Alice"_s);
        QVERIFY(user.value(u"id"_s).toInteger() > 0);
        const QString phoneToken = registered.value(u"token"_s).toString();
        QCOMPARE(phoneToken.size(), 43);
        QCOMPARE(registered.value(u"session"_s).toObject().value(u"device"_s).toString(),
                 u"phone"_s);
        QCOMPARE(
            code(phone.request(u"login"_s, {{u"username"_s, u"alice"_s}, {u"password"_s, u"x"_s}})),
            u"conflict"_s); // already signed in

        // Taken, in any case.
        ProtocolClient other;
        QVERIFY(other.open(m_relay.webSocketUrl()));
        QCOMPARE(code(other.registerUser(u"ALICE"_s)), u"conflict"_s);

        // A second device logs in with the password.
        ProtocolClient laptop;
        QVERIFY(laptop.open(m_relay.webSocketUrl()));
        QVERIFY(laptop.hello());
        const QJsonObject wrong = laptop.request(
            u"login"_s, {{u"username"_s, u"alice"_s}, {u"password"_s, u"wrong horse"_s}});
        QCOMPARE(code(wrong), u"unauthorized"_s);
        const QJsonObject unknown = laptop.request(
            u"login"_s, {{u"username"_s, u"nobody"_s}, {u"password"_s, u"wrong horse"_s}});
        QCOMPARE(code(unknown), u"unauthorized"_s);
        QCOMPARE(unknown.value(u"message"_s),
                 wrong.value(u"message"_s)); // no way to tell them apart
        const QJsonObject loggedIn = laptop.request(u"login"_s,
                                                    {{u"username"_s, u"ALICE"_s},
                                                     {u"password"_s, u"correct horse"_s},
                                                     {u"device"_s, u"laptop"_s}});
        QVERIFY(ProtocolClient::isOk(loggedIn));
        QVERIFY(loggedIn.value(u"token"_s).toString() != phoneToken);

        // Both sessions are listed; each knows which one it is.
        const QJsonArray sessions
            = laptop.request(u"sessions.list"_s).value(u"sessions"_s).toArray();
        QCOMPARE(sessions.size(), 2);
        int current = 0;
        for (const QJsonValue &session : sessions) {
            if (session.toObject().value(u"current"_s).toBool()) {
                ++current;
                QCOMPARE(session.toObject().value(u"device"_s).toString(), u"laptop"_s);
            }
        }
        QCOMPARE(current, 1);

        // The phone's token resumes on a new connection.
        ProtocolClient resumed;
        QVERIFY(resumed.open(m_relay.webSocketUrl()));
        QVERIFY(resumed.hello());
        const QJsonObject auth = resumed.request(u"auth"_s, {{u"token"_s, phoneToken}});
        QVERIFY(ProtocolClient::isOk(auth));
        QCOMPARE(auth.value(u"user"_s).toObject().value(u"username"_s).toString(), u"alice"_s);
        QCOMPARE(code(resumed.request(u"auth"_s, {{u"token"_s, phoneToken}})), u"conflict"_s);

        ProtocolClient forger;
        QVERIFY(forger.open(m_relay.webSocketUrl()));
        QVERIFY(forger.hello());
        QCOMPARE(code(forger.request(u"auth"_s, {{u"token"_s, QString(43, u'A')}})),
                 u"unauthorized"_s);
        QCOMPARE(code(forger.request(u"auth"_s, {{u"token"_s, 12345}})), u"bad_request"_s);
    }

    void registrationRules_data()
    {
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("short username")
            << QJsonObject{{u"username"_s, u"ab"_s}, {u"password"_s, u"long enough"_s}}
            << u"3 to 32"_s;
        QTest::newRow("bad characters")
            << QJsonObject{{u"username"_s, u"a b c"_s}, {u"password"_s, u"long enough"_s}}
            << u"a-z"_s;
        QTest::newRow("short password")
            << QJsonObject{{u"username"_s, u"carol"_s}, {u"password"_s, u"short"_s}}
            << u"at least 8"_s;
        QTest::newRow("password is username")
            << QJsonObject{{u"username"_s, u"carol1234"_s}, {u"password"_s, u"Carol1234"_s}}
            << u"username"_s;
        QTest::newRow("no password")
            << QJsonObject{{u"username"_s, u"carol"_s}} << u"'password' is required"_s;
        QTest::newRow("number as username")
            << QJsonObject{{u"username"_s, 42}, {u"password"_s, u"long enough"_s}}
            << u"'username'"_s;
        QTest::newRow("control in display name") << QJsonObject{{u"username"_s, u"carol"_s},
                                                                {u"password"_s, u"long enough"_s},
                                                                {u"display_name"_s, u"a\u0001"_s}}
                                                 << u"control"_s;
    }

    void registrationRules()
    {
        QFETCH(QJsonObject, fields);
        QFETCH(QString, mentions);
        ProtocolClient client;
        QVERIFY(client.open(m_relay.webSocketUrl()));
        QVERIFY(client.hello());
        const QJsonObject reply = client.request(u"register"_s, fields);
        QCOMPARE(code(reply), u"bad_request"_s);
        QVERIFY2(reply.value(u"message"_s).toString().contains(mentions),
                 qPrintable(reply.value(u"message"_s).toString()));
        QVERIFY(ProtocolClient::isOk(client.request(u"ping"_s))); // still usable
    }

    void revokingOtherSessionsClosesThem()
    {
        ProtocolClient first;
        QVERIFY(first.open(m_relay.webSocketUrl()));
        const QString firstToken = first.registerUser(u"bob"_s).value(u"token"_s).toString();
        QVERIFY(!firstToken.isEmpty());
        ProtocolClient second;
        QVERIFY(second.open(m_relay.webSocketUrl()));
        QVERIFY(second.hello());
        QVERIFY(ProtocolClient::isOk(second.request(
            u"login"_s, {{u"username"_s, u"bob"_s}, {u"password"_s, u"correct horse"_s}})));

        const QJsonObject revoked = second.request(u"sessions.revoke_others"_s);
        QCOMPARE(revoked.value(u"revoked"_s).toInt(), 1);
        QCOMPARE(first.waitForClose(), 4001);
        QVERIFY(ProtocolClient::isOk(second.request(u"ping"_s)));

        ProtocolClient again;
        QVERIFY(again.open(m_relay.webSocketUrl()));
        QVERIFY(again.hello());
        QCOMPARE(code(again.request(u"auth"_s, {{u"token"_s, firstToken}})), u"unauthorized"_s);
    }

    void logoutEndsTheToken()
    {
        ProtocolClient client;
        QVERIFY(client.open(m_relay.webSocketUrl()));
        const QString token = client.registerUser(u"dave"_s).value(u"token"_s).toString();
        QVERIFY(ProtocolClient::isOk(client.request(u"logout"_s)));
        QCOMPARE(code(client.request(u"sessions.list"_s)), u"unauthorized"_s);
        QCOMPARE(code(client.request(u"auth"_s, {{u"token"_s, token}})), u"unauthorized"_s);
        // The connection can sign in again.
        QVERIFY(ProtocolClient::isOk(client.request(
            u"login"_s, {{u"username"_s, u"dave"_s}, {u"password"_s, u"correct horse"_s}})));
    }

    void changingThePassword()
    {
        ProtocolClient client;
        QVERIFY(client.open(m_relay.webSocketUrl()));
        QVERIFY(ProtocolClient::isOk(client.registerUser(u"erin"_s)));
        ProtocolClient elsewhere;
        QVERIFY(elsewhere.open(m_relay.webSocketUrl()));
        QVERIFY(elsewhere.hello());
        QVERIFY(ProtocolClient::isOk(elsewhere.request(
            u"login"_s, {{u"username"_s, u"erin"_s}, {u"password"_s, u"correct horse"_s}})));

        QCOMPARE(code(client.request(u"password.change"_s,
                                     {{u"current_password"_s, u"not it at all"_s},
                                      {u"new_password"_s, u"battery staple"_s}})),
                 u"unauthorized"_s);
        QCOMPARE(code(client.request(u"password.change"_s,
                                     {{u"current_password"_s, u"correct horse"_s},
                                      {u"new_password"_s, u"short"_s}})),
                 u"bad_request"_s);
        const QJsonObject changed = client.request(u"password.change"_s,
                                                   {{u"current_password"_s, u"correct horse"_s},
                                                    {u"new_password"_s, u"battery staple"_s}});
        QVERIFY(ProtocolClient::isOk(changed));
        QCOMPARE(changed.value(u"revoked"_s).toInt(), 1);
        QCOMPARE(elsewhere.waitForClose(), 4001);

        ProtocolClient fresh;
        QVERIFY(fresh.open(m_relay.webSocketUrl()));
        QVERIFY(fresh.hello());
        QCOMPARE(
            code(fresh.request(u"login"_s,
                               {{u"username"_s, u"erin"_s}, {u"password"_s, u"correct horse"_s}})),
            u"unauthorized"_s);
        QVERIFY(ProtocolClient::isOk(fresh.request(
            u"login"_s, {{u"username"_s, u"erin"_s}, {u"password"_s, u"battery staple"_s}})));
    }

    void profileAndSearch()
    {
        ProtocolClient client;
        QVERIFY(client.open(m_relay.webSocketUrl()));
        QVERIFY(ProtocolClient::isOk(client.registerUser(u"frank"_s)));
        QJsonObject updated = client.request(
            u"profile.update"_s,
            {{u"display_name"_s, u"  Frank Zappa "_s}, {u"hide_last_seen"_s, true}});
        QCOMPARE(updated.value(u"user"_s).toObject().value(u"display_name"_s).toString(),
                 u"Frank Zappa"_s);
        QCOMPARE(updated.value(u"user"_s).toObject().value(u"hide_last_seen"_s).toBool(), true);
        QCOMPARE(code(client.request(u"profile.update"_s, {{u"display_name"_s, u""_s}})),
                 u"bad_request"_s);
        QCOMPARE(code(client.request(u"profile.update"_s, {{u"hide_last_seen"_s, u"yes"_s}})),
                 u"bad_request"_s);

        const QJsonArray found = client.request(u"users.search"_s, {{u"prefix"_s, u"FRA"_s}})
                                     .value(u"users"_s)
                                     .toArray();
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.first().toObject().value(u"display_name"_s).toString(), u"Frank Zappa"_s);
        QVERIFY(!found.first().toObject().contains(
            u"hide_last_seen"_s)); // others' settings stay private
        QCOMPARE(code(client.request(u"users.search"_s, {{u"prefix"_s, u""_s}})), u"bad_request"_s);
        QCOMPARE(
            code(client.request(u"users.search"_s, {{u"prefix"_s, u"a"_s}, {u"limit"_s, 1000}})),
            u"bad_request"_s);
    }

    void registrationCanBeClosed()
    {
        RelayProcess closed;
        QVERIFY2(closed.start({u"--registration"_s, u"closed"_s}), qPrintable(closed.lastError()));
        ProtocolClient client;
        QVERIFY(client.open(closed.webSocketUrl()));
        QVERIFY(client.hello());
        QCOMPARE(
            code(client.request(u"register"_s,
                                {{u"username"_s, u"gina"_s}, {u"password"_s, u"long enough"_s}})),
            u"forbidden"_s);
        QCOMPARE(closed.stop(), 0);
    }

    void realPasswordCost()
    {
        // The default cost (Argon2id "interactive"), end to end, once.
        RelayProcess relay;
        QVERIFY2(relay.start({u"--password-cost"_s, u"interactive"_s}),
                 qPrintable(relay.lastError()));
        ProtocolClient client;
        QVERIFY(client.open(relay.webSocketUrl()));
        QVERIFY(ProtocolClient::isOk(client.registerUser(u"henry"_s)));
        ProtocolClient second;
        QVERIFY(second.open(relay.webSocketUrl()));
        QVERIFY(second.hello());
        QVERIFY(ProtocolClient::isOk(second.request(
            u"login"_s, {{u"username"_s, u"henry"_s}, {u"password"_s, u"correct horse"_s}})));
        QCOMPARE(relay.stop(), 0);
    }

    void hashesAreUpgradedAtLogin()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError())); // minimum cost
        ProtocolClient first;
        QVERIFY(first.signUp(relay.webSocketUrl(), u"upgrader"_s));
        first.close();
        QCOMPARE(relay.stop(), 0);
        const auto storedHash = [&] {
            return relay
                .queryStore(u"SELECT password_hash FROM users WHERE username = 'upgrader'"_s)
                .toString();
        };
        QVERIFY2(storedHash().contains(u"$m=8,"_s), qPrintable(storedHash()));

        // The admin raises the cost: the next login stores a new hash, and both still work.
        QVERIFY2(relay.start({u"--password-cost"_s, u"interactive"_s}),
                 qPrintable(relay.lastError()));
        ProtocolClient again;
        QVERIFY(again.signIn(relay.webSocketUrl(), u"upgrader"_s));
        QTRY_VERIFY_WITH_TIMEOUT(storedHash().contains(u"$m=65536,"_s), 10000);
        ProtocolClient third;
        QVERIFY(third.signIn(relay.webSocketUrl(), u"upgrader"_s));
        QCOMPARE(relay.stop(), 0);
    }

    void silentConnectionsAreReaped()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--heartbeat-seconds"_s, u"1"_s}), qPrintable(relay.lastError()));

        // No hello within the handshake timeout (3 heartbeats here).
        ProtocolClient mute;
        QVERIFY(mute.open(relay.webSocketUrl()));
        QCOMPARE(mute.waitForClose(15000), 4003);

        // A peer that completes the upgrade, then never answers a ping.
        QTcpSocket raw;
        raw.connectToHost(u"127.0.0.1"_s, relay.port());
        QVERIFY(raw.waitForConnected(5000));
        raw.write(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(raw.bytesAvailable() > 0, 5000);
        QVERIFY(raw.readAll().startsWith("HTTP/1.1 101"));
        QSignalSpy gone(&raw, &QTcpSocket::disconnected);
        QVERIFY(gone.wait(15000));

        // A live client that answers pings (Qt does) stays, well past the timeout.
        ProtocolClient alive;
        QVERIFY(alive.open(relay.webSocketUrl()));
        QVERIFY(ProtocolClient::isOk(alive.registerUser(u"ivan"_s)));
        QVERIFY(!alive.receives(u"never"_s, 4500));
        QVERIFY(alive.isConnected());
        QVERIFY(ProtocolClient::isOk(alive.request(u"ping"_s)));
        QCOMPARE(relay.stop(), 0);
    }

    void signingInHasADeadline()
    {
        // After hello a connection must sign in within sign-in-seconds, and again after
        // signing out; one that never does is closed, not kept forever.
        RelayProcess relay;
        QVERIFY2(relay.start({u"--heartbeat-seconds"_s, u"1"_s, u"--sign-in-seconds"_s, u"2"_s}),
                 qPrintable(relay.lastError()));
        ProtocolClient lurker;
        QVERIFY(lurker.open(relay.webSocketUrl()));
        QVERIFY(lurker.hello());
        QCOMPARE(lurker.waitForClose(15000), 4005);

        ProtocolClient user;
        QVERIFY(user.open(relay.webSocketUrl()));
        QVERIFY(ProtocolClient::isOk(user.registerUser(u"jill"_s)));
        QVERIFY(!user.receives(u"never"_s, 3500)); // signed in: past the deadline, still here
        QVERIFY(user.isConnected());
        QVERIFY(ProtocolClient::isOk(user.request(u"logout"_s)));
        QCOMPARE(user.waitForClose(15000), 4005);
        QCOMPARE(relay.stop(), 0);
    }

    void passwordChangesAreRateLimited()
    {
        // Checking the current password is a guess: a stolen token must not make
        // password.change an unlimited guessing oracle (nor starve the hashing pool).
        RelayProcess relay;
        QVERIFY2(relay.start({u"--sign-in-rate"_s, u"4"_s}), qPrintable(relay.lastError()));
        ProtocolClient thief;
        QVERIFY(thief.open(relay.webSocketUrl()));
        QVERIFY(ProtocolClient::isOk(thief.registerUser(u"kate"_s)));
        QStringList codes;
        for (int i = 0; i < 6; ++i)
            codes.append(code(thief.request(u"password.change"_s,
                                            {{u"current_password"_s, u"guess %1"_s.arg(i)},
                                             {u"new_password"_s, u"battery staple"_s}})));
        QCOMPARE(codes.first(), u"unauthorized"_s);
        QCOMPARE(codes.last(), u"rate_limited"_s);
        QVERIFY2(codes.count(u"unauthorized"_s) <= 4, qPrintable(codes.join(u", "_s)));
        QCOMPARE(relay.stop(), 0);
    }

    void unusedSessionsExpire()
    {
        // A device not used for longer than session-idle-days is signed out: its token no
        // longer works and the session list forgets it. The device in use stays.
        RelayProcess relay;
        const QStringList arguments{u"--session-idle-days"_s, u"30"_s};
        QVERIFY2(relay.start(arguments), qPrintable(relay.lastError()));
        ProtocolClient laptop;
        QVERIFY(laptop.open(relay.webSocketUrl()));
        const QJsonObject made = laptop.registerUser(u"olga"_s, u"correct horse"_s, u"laptop"_s);
        QVERIFY(ProtocolClient::isOk(made));
        const QString laptopToken = made.value(u"token"_s).toString();
        const qint64 laptopSession = made.value(u"session"_s).toObject().value(u"id"_s).toInteger();
        laptop.close();
        ProtocolClient phone;
        QVERIFY(phone.signIn(relay.webSocketUrl(), u"olga"_s));
        phone.close();
        QCOMPARE(relay.stop(), 0);

        // Thirty-one days pass for the laptop only.
        QCOMPARE(relay.execOnStore(u"UPDATE sessions SET last_used_at = last_used_at - %1 "
                                   "WHERE id = %2"_s.arg(qint64(31) * 24 * 3600 * 1000)
                                       .arg(laptopSession)),
                 1);
        QVERIFY2(relay.start(arguments), qPrintable(relay.lastError()));

        ProtocolClient stale;
        QVERIFY(stale.open(relay.webSocketUrl()));
        QVERIFY(stale.hello());
        QCOMPARE(code(stale.request(u"auth"_s, {{u"token"_s, laptopToken}})), u"unauthorized"_s);
        ProtocolClient desk;
        QVERIFY(desk.signIn(relay.webSocketUrl(), u"olga"_s));
        const QJsonArray sessions = desk.request(u"sessions.list"_s).value(u"sessions"_s).toArray();
        QCOMPARE(sessions.size(), 2); // the phone's and this one
        for (const QJsonValue &session : sessions)
            QVERIFY(session.toObject().value(u"id"_s).toInteger() != laptopSession);
        QCOMPARE(relay.stop(), 0);
    }

    void guessingElsewhereDoesNotLockTheOwnerOut()
    {
        // Someone guesses greta's password from another machine until the account's budget
        // is spent: a third machine is refused too, but greta, from where she signed in
        // before, still gets in.
        RelayProcess relay;
        QVERIFY2(relay.start({u"--sign-in-rate"_s, u"4"_s}), qPrintable(relay.lastError()));
        ProtocolClient owner;
        QVERIFY(owner.signUp(relay.webSocketUrl(), u"greta"_s));
        owner.close();

        const auto loginFrom = [&relay](const QString &address, const QString &password) {
            RawWebSocket socket;
            if (!socket.open(relay.port(), 10000, address))
                return u"cannot connect"_s;
            socket.sendText(R"({"type":"hello","id":"h","versions":[1]})");
            socket.nextText();
            socket.sendText(QJsonDocument(QJsonObject{{u"type"_s, u"login"_s},
                                                      {u"id"_s, u"l"_s},
                                                      {u"username"_s, u"greta"_s},
                                                      {u"password"_s, password}})
                                .toJson(QJsonDocument::Compact));
            const QJsonObject reply = QJsonDocument::fromJson(socket.nextText()).object();
            return reply.value(u"type"_s).toString() == u"result"
                ? u"ok"_s
                : reply.value(u"code"_s).toString();
        };
        QStringList guesses;
        for (int i = 0; i < 6; ++i)
            guesses.append(loginFrom(u"127.0.0.2"_s, u"guess %1"_s.arg(i)));
        QCOMPARE(guesses.first(), u"unauthorized"_s);
        QCOMPARE(guesses.last(), u"rate_limited"_s);
        QCOMPARE(loginFrom(u"127.0.0.3"_s, u"correct horse"_s), u"rate_limited"_s);
        QCOMPARE(loginFrom(u"127.0.0.1"_s, u"correct horse"_s), u"ok"_s);
        QCOMPARE(loginFrom(u"127.0.0.1"_s, u"correct horse"_s), u"ok"_s);
        QCOMPARE(relay.stop(), 0);
    }

    void originAllowList()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--allowed-origins"_s,
                              u"https://chat.example.org, https://app.example.org"_s}),
                 qPrintable(relay.lastError()));
        ProtocolClient browser;
        QVERIFY(browser.open(relay.webSocketUrl(), 10000, u"https://evil.example"_s));
        QCOMPARE(browser.waitForClose(), 1008);

        ProtocolClient allowed;
        QVERIFY(allowed.open(relay.webSocketUrl(), 10000, u"https://app.example.org"_s));
        QVERIFY(allowed.hello());
        ProtocolClient native; // sends no Origin at all
        QVERIFY(native.open(relay.webSocketUrl()));
        QVERIFY(native.hello());
        QCOMPARE(relay.stop(), 0);

        // By default no web page may talk to the relay through a visitor's browser (a
        // relay on localhost included); "*" lets any page.
        RelayProcess plain;
        QVERIFY2(plain.start(), qPrintable(plain.lastError()));
        ProtocolClient page;
        QVERIFY(page.open(plain.webSocketUrl(), 10000, u"http://localhost:8000"_s));
        QCOMPARE(page.waitForClose(), 1008);
        ProtocolClient app;
        QVERIFY(app.open(plain.webSocketUrl()));
        QVERIFY(app.hello());
        QCOMPARE(plain.stop(), 0);
        RelayProcess open;
        QVERIFY2(open.start({u"--allowed-origins"_s, u"*"_s}), qPrintable(open.lastError()));
        ProtocolClient anyPage;
        QVERIFY(anyPage.open(open.webSocketUrl(), 10000, u"https://anywhere.example"_s));
        QVERIFY(anyPage.hello());
        QCOMPARE(open.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHandshakeAndAccounts)
#include "tst_handshake_and_accounts.moc"
