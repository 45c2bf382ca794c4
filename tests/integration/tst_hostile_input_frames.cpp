// Bad frames of every kind, from people with and without an account, get their documented
// error or close code; the relay keeps serving everyone else and nothing in the store
// changes; a client that does not read is cut off. (The HTTP side of hostile input:
// tst_hostile_input_heads, tst_hostile_input_http.)
#include "support/protocol_client.h"
#include "support/raw_websocket.h"
#include "support/relay_process.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QString code(const QJsonObject &reply)
{
    return ProtocolClient::errorCode(reply);
}

/// A digest of what the store holds, leaving out what merely using the relay changes
/// (session timestamps, last seen).
QByteArray storeContent(const QString &dataDirectory)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"snapshot"_s);
        db.setDatabaseName(dataDirectory + u"/tidings.db"_s);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (!db.open())
            qFatal("cannot open the store");
        const QStringList queries = {
            u"SELECT id, username, display_name, password_hash, disabled, hide_last_seen FROM users ORDER BY id"_s,
            u"SELECT * FROM conversations ORDER BY id"_s,
            u"SELECT * FROM members ORDER BY conversation_id, user_id"_s,
            u"SELECT * FROM events ORDER BY conversation_id, seq"_s,
            u"SELECT * FROM blocks ORDER BY blocker_id, blocked_id"_s,
            u"SELECT * FROM reports ORDER BY id"_s,
            u"SELECT count(*) FROM sessions"_s,
        };
        for (const QString &statement : queries) {
            QSqlQuery query(db);
            if (!query.exec(statement))
                qFatal("snapshot query failed");
            while (query.next()) {
                for (int i = 0; i < query.record().count(); ++i)
                    hash.addData(QByteArray(query.value(i).toString().toUtf8() + '\x1f'));
                hash.addData("\x1e");
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(u"snapshot"_s);
    return hash.result().toHex();
}

/// Every field any request reads, each with a value of the wrong type.
QJsonObject wrongTypes()
{
    return {{u"conversation"_s, u"1"_s},
            {u"user"_s, u"x"_s},
            {u"users"_s, u"x"_s},
            {u"text"_s, 5},
            {u"client_id"_s, 7},
            {u"seq"_s, u"2"_s},
            {u"title"_s, 9},
            {u"token"_s, 1},
            {u"username"_s, 2},
            {u"password"_s, 3},
            {u"prefix"_s, 4},
            {u"reason"_s, 5},
            {u"emoji"_s, 6},
            {u"members"_s, QJsonObject{}},
            {u"cursors"_s, u"x"_s},
            {u"versions"_s, u"x"_s},
            {u"limit"_s, u"x"_s},
            {u"delivered_seq"_s, u"x"_s},
            {u"read_seq"_s, u"x"_s},
            {u"role"_s, 1},
            {u"typing"_s, u"x"_s},
            {u"on"_s, u"x"_s},
            {u"display_name"_s, 1},
            {u"hide_last_seen"_s, u"x"_s},
            {u"current_password"_s, 1},
            {u"new_password"_s, 2},
            {u"reply_to"_s, u"x"_s},
            {u"attachments"_s, u"x"_s},
            {u"before"_s, u"x"_s},
            {u"after"_s, u"x"_s},
            {u"device"_s, 5}};
}

// Frame types a signed-in client may send, minus the two that change state with no fields.
const QStringList kSignedInTypes = {u"sessions.list"_s,
                                    u"password.change"_s,
                                    u"profile.update"_s,
                                    u"users.search"_s,
                                    u"conversations.list"_s,
                                    u"conversation.get"_s,
                                    u"direct.open"_s,
                                    u"group.create"_s,
                                    u"group.add"_s,
                                    u"group.remove"_s,
                                    u"group.leave"_s,
                                    u"group.rename"_s,
                                    u"group.set_role"_s,
                                    u"user.block"_s,
                                    u"user.unblock"_s,
                                    u"blocks.list"_s,
                                    u"message.send"_s,
                                    u"message.edit"_s,
                                    u"message.delete"_s,
                                    u"message.react"_s,
                                    u"receipt"_s,
                                    u"sync"_s,
                                    u"history"_s,
                                    u"typing"_s,
                                    u"presence.query"_s,
                                    u"report"_s,
                                    u"ping"_s};
// Those of them that need no field at all (they may succeed whatever else they carry).
const QStringList kFieldless = {u"sessions.list"_s, u"conversations.list"_s, u"blocks.list"_s,
                                u"ping"_s,          u"profile.update"_s,     u"sync"_s};

} // namespace

class TestHostileInputFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void badFramesChangeNothing()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QString eveToken;
        QString bobToken;
        qint64 conversation = 0;
        {
            ProtocolClient alice, bob, eve;
            QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
            QVERIFY(bob.open(relay.webSocketUrl()));
            const QJsonObject bobAccount = bob.registerUser(u"bob"_s);
            bobToken = bobAccount.value(u"token"_s).toString();
            const qint64 bobId = bobAccount.value(u"user"_s).toObject().value(u"id"_s).toInteger();
            QVERIFY(eve.open(relay.webSocketUrl()));
            eveToken = eve.registerUser(u"eve"_s).value(u"token"_s).toString();
            conversation = alice
                               .request(u"group.create"_s,
                                        {{u"title"_s, u"Us"_s}, {u"members"_s, QJsonArray{bobId}}})
                               .value(u"conversation"_s)
                               .toObject()
                               .value(u"id"_s)
                               .toInteger();
            for (int i = 0; i < 5; ++i)
                alice.request(u"message.send"_s,
                              {{u"conversation"_s, conversation},
                               {u"client_id"_s, u"m%1"_s.arg(i)},
                               {u"text"_s, u"hi"_s}});
        }
        QCOMPARE(relay.stop(), 0);
        const QByteArray before = storeContent(relay.dataDirectory());
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        // Bob resumes his session (a login would add one, and the store would differ).
        ProtocolClient bob;
        QVERIFY(bob.open(relay.webSocketUrl()));
        QVERIFY(bob.hello());
        QVERIFY(ProtocolClient::isOk(bob.request(u"auth"_s, {{u"token"_s, bobToken}})));
        ProtocolClient eve;
        QVERIFY(eve.open(relay.webSocketUrl()));

        // Before hello, before signing in.
        QCOMPARE(code(eve.request(u"message.send"_s,
                                  {{u"conversation"_s, conversation},
                                   {u"client_id"_s, u"e"_s},
                                   {u"text"_s, u"x"_s}})),
                 u"bad_request"_s);
        QVERIFY(eve.hello());
        QCOMPARE(code(eve.request(u"message.send"_s,
                                  {{u"conversation"_s, conversation},
                                   {u"client_id"_s, u"e"_s},
                                   {u"text"_s, u"x"_s}})),
                 u"unauthorized"_s);
        QCOMPARE(code(eve.request(u"history"_s, {{u"conversation"_s, conversation}})),
                 u"unauthorized"_s);
        QVERIFY(ProtocolClient::isOk(eve.request(u"auth"_s, {{u"token"_s, eveToken}})));

        // Not frames at all.
        const QStringList garbage = {u"{"_s,
                                     u"null"_s,
                                     u"[]"_s,
                                     u"\"hello\""_s,
                                     u"42"_s,
                                     u"{\"type\":\"ping\",}"_s,
                                     u"{\"type\":\"ping\"}{\"type\":\"ping\"}"_s,
                                     QString(),
                                     u"{\"type\":[]}"_s,
                                     u"{\"id\":\"1\"}"_s,
                                     u"{\"type\":\"ping\",\"id\":17}"_s};
        for (const QString &text : garbage) {
            eve.sendText(text);
            const QJsonObject reply = eve.next(u"error"_s);
            QVERIFY2(code(reply) == u"bad_request", qPrintable(text));
        }
        // A frame with an id but no usable type: the one reply carries the id (§2).
        for (const QString &text : {u"{\"id\":\"x1\"}"_s, u"{\"id\":\"x1\",\"type\":5}"_s,
                                    u"{\"id\":\"x1\",\"type\":\"Bad Type\"}"_s}) {
            eve.sendText(text);
            const QJsonObject reply = eve.next(u"error"_s);
            QCOMPARE(code(reply), u"bad_request"_s);
            QVERIFY2(reply.value(u"id"_s).toString() == u"x1", qPrintable(text));
        }
        eve.socket().sendBinaryMessage(QByteArray(1000, '\0'));
        QCOMPARE(code(eve.next(u"error"_s)), u"bad_request"_s);
        QCOMPARE(code(eve.request(u"no.such.type"_s)), u"unsupported"_s);
        QCOMPARE(code(eve.request(u"hello"_s, {{u"versions"_s, QJsonArray{1}}})), u"bad_request"_s);

        // Missing fields, then every field of the wrong type, for every frame type.
        for (const QString &type : kSignedInTypes) {
            const QJsonObject bare = eve.request(type);
            QVERIFY2(code(bare) == u"bad_request"
                         || (kFieldless.contains(type) && ProtocolClient::isOk(bare)),
                     qPrintable(type + u": "_s + QString::fromUtf8(QJsonDocument(bare).toJson())));
            const QJsonObject wrong = eve.request(type, wrongTypes());
            QVERIFY2(code(wrong) == u"bad_request"
                         || (type == u"ping" && ProtocolClient::isOk(wrong))
                         || (type == u"conversations.list" || type == u"sessions.list"
                             || type == u"blocks.list"),
                     qPrintable(type + u": "_s + QString::fromUtf8(QJsonDocument(wrong).toJson())));
            QVERIFY(code(wrong) != u"internal");
        }

        // Numbers that are not ids.
        for (const QJsonValue &bad : {QJsonValue(1e300), QJsonValue(-1), QJsonValue(1.5),
                                      QJsonValue(0), QJsonValue(9007199254740993.0)}) {
            QCOMPARE(code(eve.request(u"history"_s, {{u"conversation"_s, bad}})), u"bad_request"_s);
        }

        // Huge arrays and deep nesting, inside the frame size limit.
        QJsonArray many;
        for (int i = 1; i <= 30000; ++i)
            many.append(i);
        QCOMPARE(
            code(eve.request(u"group.create"_s, {{u"title"_s, u"Mob"_s}, {u"members"_s, many}})),
            u"bad_request"_s);
        QCOMPARE(code(eve.request(u"presence.query"_s, {{u"users"_s, many}})), u"bad_request"_s);
        eve.sendText(u"{\"type\":\"ping\",\"id\":\"deep\",\"x\":"_s + QString(3000, u'[')
                     + QString(3000, u']') + u"}"_s);
        QCOMPARE(code(eve.next(u"error"_s)), u"bad_request"_s);
        const QJsonObject bigText = eve.request(u"message.send"_s,
                                                {{u"conversation"_s, conversation},
                                                 {u"client_id"_s, u"big"_s},
                                                 {u"text"_s, QString(70000, u'x')}});
        QVERIFY(code(bigText) == u"not_found" || code(bigText) == u"too_large");

        // Eve is no member: her attempts at the group changed nothing either.
        QCOMPARE(code(eve.request(u"message.send"_s,
                                  {{u"conversation"_s, conversation},
                                   {u"client_id"_s, u"in"_s},
                                   {u"text"_s, u"let me in"_s}})),
                 u"not_found"_s);

        // Invalid UTF-8 in a text frame: closed with 1007, by the WebSocket layer.
        RawWebSocket raw;
        QVERIFY(raw.open(relay.port()));
        raw.sendText(QByteArray("{\"type\":\"hello\",\"id\":\"\xff\xfe\"}"));
        QCOMPARE(raw.waitForClose(), 1007);

        // A message over max-frame-bytes: closed with 1009.
        ProtocolClient flood;
        QVERIFY(flood.open(relay.webSocketUrl()));
        flood.sendText(QString(300 * 1024, u'x'));
        QCOMPARE(flood.waitForClose(), 1009);
        // Before signing in, one over 16 KiB is too big already (what someone without an
        // account can make the relay hold stays small); signed in, the same one is fine.
        ProtocolClient early;
        QVERIFY(early.open(relay.webSocketUrl()));
        early.sendText(
            u"{\"type\":\"ping\",\"id\":\"p\",\"pad\":\"%1\"}"_s.arg(QString(17 * 1024, u'x')));
        QCOMPARE(early.waitForClose(), 1009);
        QVERIFY(
            ProtocolClient::isOk(bob.request(u"ping"_s, {{u"pad"_s, QString(17 * 1024, u'x')}})));

        // All along, Bob was served.
        QVERIFY(ProtocolClient::isOk(bob.request(u"ping"_s)));
        QCOMPARE(bob.request(u"history"_s, {{u"conversation"_s, conversation}})
                     .value(u"events"_s)
                     .toArray()
                     .size(),
                 6);
        QCOMPARE(relay.stop(), 0);
        QCOMPARE(storeContent(relay.dataDirectory()), before);
    }

    void aClientThatDoesNotReadIsCutOff()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        ProtocolClient alice;
        QVERIFY(alice.signUp(relay.webSocketUrl(), u"alice"_s));
        QString slothToken;
        qint64 slothId = 0;
        {
            ProtocolClient sloth;
            slothId = sloth.signUp(relay.webSocketUrl(), u"sloth"_s);
            QVERIFY(slothId);
        }
        {
            ProtocolClient login;
            QVERIFY(login.open(relay.webSocketUrl()));
            QVERIFY(login.hello());
            slothToken
                = login
                      .request(u"login"_s,
                               {{u"username"_s, u"sloth"_s}, {u"password"_s, u"correct horse"_s}})
                      .value(u"token"_s)
                      .toString();
        }
        QVERIFY(!slothToken.isEmpty());
        const qint64 direct = alice.request(u"direct.open"_s, {{u"user"_s, slothId}})
                                  .value(u"conversation"_s)
                                  .toObject()
                                  .value(u"id"_s)
                                  .toInteger();

        // The sloth signs in by hand, then never reads a byte.
        RawWebSocket sloth;
        // A small kernel buffer (no autotuning) and no reading at all.
        sloth.socket().setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 8192);
        QVERIFY(sloth.open(relay.port()));
        sloth.socket().setReadBufferSize(1);
        sloth.sendText(R"({"type":"hello","id":"1","versions":[1]})");
        sloth.sendText(
            QJsonDocument(
                QJsonObject{{u"type"_s, u"auth"_s}, {u"id"_s, u"2"_s}, {u"token"_s, slothToken}})
                .toJson(QJsonDocument::Compact));
        QTRY_COMPARE_WITH_TIMEOUT(
            alice.request(u"presence.query"_s, {{u"users"_s, QJsonArray{slothId}}})
                .value(u"presence"_s)
                .toArray()
                .first()
                .toObject()
                .value(u"online"_s)
                .toBool(),
            true, 10000);

        // Messages for it until the relay's queue limit (8 MiB) is passed and it is cut off;
        // 64 MB at most.
        const QString chunk(60000, u'z');
        const auto slothOnline = [&] {
            return alice.request(u"presence.query"_s, {{u"users"_s, QJsonArray{slothId}}})
                .value(u"presence"_s)
                .toArray()
                .first()
                .toObject()
                .value(u"online"_s)
                .toBool();
        };
        int sent = 0;
        while (slothOnline() && sent < 1100) {
            QStringList ids;
            for (int i = 0; i < 50; ++i, ++sent)
                ids.append(alice.post(u"message.send"_s,
                                      {{u"conversation"_s, direct},
                                       {u"client_id"_s, u"f%1"_s.arg(sent)},
                                       {u"text"_s, chunk}}));
            for (const QString &id : std::as_const(ids))
                QVERIFY(ProtocolClient::isOk(alice.reply(id)));
        }
        QVERIFY2(!slothOnline(), qPrintable(u"still connected after %1 messages"_s.arg(sent)));
        QVERIFY(sent * 60000 > 8 * 1024 * 1024); // the queue limit, not something else, did it
        QVERIFY(ProtocolClient::isOk(alice.request(u"ping"_s)));
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHostileInputFrames)
#include "tst_hostile_input_frames.moc"
