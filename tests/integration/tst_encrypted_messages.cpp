// End-to-end encrypted messages against the real relay: ciphertext stored and fanned out as
// it came, naming the sending device; a conversation that took ciphertext takes no more
// plaintext; encrypted edits, reactions, deletes and files; and the relay's e2e setting
// (docs/protocol.md, "End-to-end encryption: messages"). The relay reads no ciphertext: the
// bytes here are random, behind the version byte.
#include "support/e2e_keys.h"
#include "support/file_helpers.h"
#include "support/http_helpers.h"
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtTest>

using namespace tidings;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

QString reason(const QJsonObject &reply)
{
    return reply.value(u"code"_s).toString() + u": "_s + reply.value(u"message"_s).toString();
}

/// Ciphertext as the relay sees it: version byte 1, then bytes it cannot read.
QByteArray sealed(int size = 200)
{
    QByteArray bytes(size, '\0');
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    bytes[0] = 1;
    return bytes;
}

/// A reaction tag: 22 base64url characters.
QString tag(char fill)
{
    return QString(22, QLatin1Char(fill));
}

QJsonObject eventOf(const QJsonObject &reply)
{
    return reply.value(u"event"_s).toObject();
}

} // namespace

class TestEncryptedMessages : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    /// Signs `client` up on `relay` with a registered device `device`.
    bool signUpWithDevice(RelayProcess &relay, ProtocolClient &client, E2eKeys &keys,
                          const QString &name, quint32 device)
    {
        keys.user = client.signUp(relay.webSocketUrl(), u"%1%2"_s.arg(name).arg(++m_users));
        return keys.user && ok(client.request(u"devices.publish"_s, keys.publish({device})))
            && ok(client.request(u"device.register"_s, keys.registration(device)));
    }

    static QJsonObject send(ProtocolClient &client, qint64 conversation, const QString &clientId,
                            const QByteArray &ciphertext, const QJsonObject &more = {})
    {
        QJsonObject fields = more;
        fields.insert(u"conversation"_s, conversation);
        fields.insert(u"client_id"_s, clientId);
        fields.insert(u"ciphertext"_s, b64(ciphertext));
        return client.request(u"message.send"_s, fields);
    }

    /// The message at `seq` as the log holds it now.
    static QJsonObject entryAt(ProtocolClient &client, qint64 conversation, qint64 seq)
    {
        for (const QJsonObject &entry : client.wholeHistory(conversation)) {
            if (entry.value(u"seq"_s).toInteger() == seq)
                return entry;
        }
        return {};
    }

    /// Uploads `bytes` as `client`'s user, as an app uploads an encrypted file; the media id.
    static QString upload(RelayProcess &relay, const ProtocolClient &client,
                          const QByteArray &bytes)
    {
        const Headers auth{{"Authorization", "Bearer " + client.token().toLatin1()}};
        Headers json = auth;
        json.append(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
        const QJsonObject fields{{u"size"_s, bytes.size()},
                                 {u"type"_s, u"application/octet-stream"_s},
                                 {u"sha256"_s, sha256Hex(bytes)},
                                 {u"name"_s, QString()}};
        const HttpResult created = httpRequest("POST", relay.httpUrl(u"/v1/media"_s), json,
                                               QJsonDocument(fields).toJson());
        if (created.status != 201)
            return {};
        const QString id = created.json().value(u"id"_s).toString();
        Headers offset = auth;
        offset.append(std::pair<QByteArray, QByteArray>("Upload-Offset", "0"));
        if (httpRequest("PATCH", relay.httpUrl(u"/v1/media/"_s + id), offset, bytes).status != 204)
            return {};
        return httpRequest("POST", relay.httpUrl(u"/v1/media/%1/complete"_s.arg(id)), auth).status
                == 200
            ? id
            : QString();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void aConversationThatTookCiphertextTakesNoMorePlaintext()
    {
        ProtocolClient alice, bob;
        E2eKeys aliceKeys, bobKeys;
        QVERIFY(signUpWithDevice(m_relay, alice, aliceKeys, u"alice"_s, 1));
        QVERIFY(signUpWithDevice(m_relay, bob, bobKeys, u"bob"_s, 5));
        const qint64 direct = alice.openDirect(bobKeys.user);
        QVERIFY(direct > 0);
        QCOMPARE(alice.request(u"conversation.get"_s, {{u"conversation"_s, direct}})
                     .value(u"conversation"_s)
                     .toObject()
                     .contains(u"e2e_seq"_s),
                 false);

        // Plaintext first, as from an older app: taken while nothing is encrypted.
        const QJsonObject plain = alice.sendMessage(direct, u"p1"_s, u"hello in clear"_s);
        QVERIFY2(ok(plain), qPrintable(reason(plain)));
        const qint64 plainSeq = eventOf(plain).value(u"seq"_s).toInteger();

        // The first ciphertext: stored as it came, naming the sending device, fanned out.
        const QByteArray first = sealed();
        const QJsonObject sent
            = send(alice, direct, u"e1"_s, first, {{u"mentions"_s, QJsonArray{bobKeys.user}}});
        QVERIFY2(ok(sent), qPrintable(reason(sent)));
        const QJsonObject event = eventOf(sent);
        QCOMPARE(event.value(u"kind"_s).toString(), u"encrypted"_s);
        QCOMPARE(event.value(u"device"_s).toInteger(), 1);
        QCOMPARE(event.value(u"ciphertext"_s).toString(), b64(first));
        QCOMPARE(event.value(u"mentions"_s).toArray(), QJsonArray{bobKeys.user});
        QVERIFY(!event.contains(u"text"_s));
        const qint64 seq = event.value(u"seq"_s).toInteger();
        QJsonObject received; // after "created" and the plaintext message
        for (int i = 0; i < 3 && received.isEmpty(); ++i) {
            const QJsonObject next = bob.next(u"event"_s);
            if (next.value(u"seq"_s).toInteger() == seq)
                received = next;
        }
        QCOMPARE(received.value(u"kind"_s).toString(), u"encrypted"_s);
        QCOMPARE(received.value(u"ciphertext"_s).toString(), b64(first));
        QCOMPARE(alice.request(u"conversation.get"_s, {{u"conversation"_s, direct}})
                     .value(u"conversation"_s)
                     .toObject()
                     .value(u"e2e_seq"_s)
                     .toInteger(),
                 seq);

        // A retry is the same message; plaintext is refused from now on, in every form.
        const QJsonObject retry = send(alice, direct, u"e1"_s, first);
        QCOMPARE(retry.value(u"duplicate"_s).toBool(), true);
        QCOMPARE(eventOf(retry).value(u"seq"_s).toInteger(), seq);
        QCOMPARE(code(bob.sendMessage(direct, u"p2"_s, u"downgrade?"_s)), u"encryption_required"_s);
        QCOMPARE(code(alice.request(u"message.edit"_s,
                                    {{u"conversation"_s, direct},
                                     {u"client_id"_s, u"p3"_s},
                                     {u"seq"_s, plainSeq},
                                     {u"text"_s, u"changed in clear"_s}})),
                 u"encryption_required"_s);
        QCOMPARE(code(bob.request(u"message.react"_s,
                                  {{u"conversation"_s, direct},
                                   {u"client_id"_s, u"p4"_s},
                                   {u"seq"_s, seq},
                                   {u"emoji"_s, u"👍"_s}})),
                 u"encryption_required"_s);
        // A plaintext retry from before the switch still gets its original.
        QCOMPARE(
            alice.sendMessage(direct, u"p1"_s, u"hello in clear"_s).value(u"duplicate"_s).toBool(),
            true);

        // More ciphertext takes the store's short ways (on PostgreSQL: in the lock's own
        // statement, or sent ahead in a burst): in order, each as it came.
        QStringList ids;
        QList<QByteArray> burst;
        for (int i = 0; i < 12; ++i) {
            burst.append(sealed(100 + 4 * i));
            ids.append(alice.post(u"message.send"_s,
                                  {{u"conversation"_s, direct},
                                   {u"client_id"_s, u"eb%1"_s.arg(i)},
                                   {u"ciphertext"_s, b64(burst.last())}}));
        }
        for (int i = 0; i < ids.size(); ++i) {
            const QJsonObject stored = eventOf(alice.reply(ids.at(i)));
            QCOMPARE(stored.value(u"kind"_s).toString(), u"encrypted"_s);
            QCOMPARE(stored.value(u"seq"_s).toInteger(), seq + 1 + i);
            QCOMPARE(stored.value(u"ciphertext"_s).toString(), b64(burst.at(i)));
            QCOMPARE(stored.value(u"device"_s).toInteger(), 1);
        }
        QCOMPARE(code(bob.sendMessage(direct, u"p5"_s, u"still no plaintext"_s)),
                 u"encryption_required"_s);

        // An encrypted edit by the author; an encrypted reaction by Bob.
        const QByteArray edit = sealed(120);
        const QJsonObject edited = alice.request(u"message.edit"_s,
                                                 {{u"conversation"_s, direct},
                                                  {u"client_id"_s, u"e2"_s},
                                                  {u"seq"_s, seq},
                                                  {u"ciphertext"_s, b64(edit)}});
        QVERIFY2(ok(edited), qPrintable(reason(edited)));
        QCOMPARE(eventOf(edited).value(u"kind"_s).toString(), u"encrypted_edit"_s);
        QCOMPARE(code(bob.request(u"message.edit"_s,
                                  {{u"conversation"_s, direct},
                                   {u"client_id"_s, u"b0"_s},
                                   {u"seq"_s, seq},
                                   {u"ciphertext"_s, b64(sealed())}})),
                 u"forbidden"_s);
        // An encrypted change to a plaintext message is refused: each in its kind.
        QCOMPARE(code(alice.request(u"message.edit"_s,
                                    {{u"conversation"_s, direct},
                                     {u"client_id"_s, u"e3"_s},
                                     {u"seq"_s, plainSeq},
                                     {u"ciphertext"_s, b64(sealed())}})),
                 u"bad_request"_s);
        const QByteArray reaction = sealed(64);
        const QJsonObject reacted = bob.request(u"message.react"_s,
                                                {{u"conversation"_s, direct},
                                                 {u"client_id"_s, u"b1"_s},
                                                 {u"seq"_s, seq},
                                                 {u"tag"_s, tag('A')},
                                                 {u"ciphertext"_s, b64(reaction)}});
        QVERIFY2(ok(reacted), qPrintable(reason(reacted)));
        QCOMPARE(eventOf(reacted).value(u"kind"_s).toString(), u"encrypted_reaction"_s);
        QCOMPARE(eventOf(reacted).value(u"device"_s).toInteger(), 5);

        const QJsonObject state = entryAt(alice, direct, seq);
        const QJsonObject latest = state.value(u"edit"_s).toObject();
        QCOMPARE(latest.value(u"seq"_s).toInteger(), eventOf(edited).value(u"seq"_s).toInteger());
        QCOMPARE(latest.value(u"device"_s).toInteger(), 1);
        QCOMPARE(latest.value(u"ciphertext"_s).toString(), b64(edit));
        QVERIFY(state.value(u"edited_at"_s).toInteger() > 0);
        const QJsonObject tagged
            = state.value(u"reactions"_s).toObject().value(tag('A')).toObject();
        QCOMPARE(tagged.value(u"users"_s).toArray(), QJsonArray{bobKeys.user});
        QCOMPARE(tagged.value(u"sender"_s).toInteger(), bobKeys.user);
        QCOMPARE(tagged.value(u"device"_s).toInteger(), 5);
        QCOMPARE(tagged.value(u"ciphertext"_s).toString(), b64(reaction));

        // A delete erases the ciphertext, its edits' and its reactions'.
        QVERIFY(ok(alice.request(
            u"message.delete"_s,
            {{u"conversation"_s, direct}, {u"client_id"_s, u"e4"_s}, {u"seq"_s, seq}})));
        const QList<QJsonObject> log = alice.wholeHistory(direct);
        for (const QJsonObject &entry : log) {
            const QByteArray json = QJsonDocument(entry).toJson(QJsonDocument::Compact);
            for (const QByteArray &gone : {first, edit, reaction})
                QVERIFY2(!json.contains(gone.toBase64()), json.constData());
        }
        QCOMPARE(entryAt(alice, direct, seq).value(u"deleted"_s).toBool(), true);
    }

    void ciphertextNeedsADeviceAndItsFilesAreChecked()
    {
        ProtocolClient alice, bob, carol;
        E2eKeys aliceKeys, bobKeys;
        QVERIFY(signUpWithDevice(m_relay, alice, aliceKeys, u"alice"_s, 1));
        QVERIFY(signUpWithDevice(m_relay, bob, bobKeys, u"bob"_s, 2));
        const qint64 direct = alice.openDirect(bobKeys.user);

        // Carol's session registered no device: it cannot send ciphertext.
        QVERIFY(carol.signUp(m_relay.webSocketUrl(), u"carol%1"_s.arg(++m_users)) > 0);
        const qint64 toAlice = carol.openDirect(aliceKeys.user);
        QVERIFY(toAlice > 0);
        QCOMPARE(code(send(carol, toAlice, u"c1"_s, sealed())), u"forbidden"_s);

        // A file goes as ciphertext too; the relay checks Alice may send it, and then lets
        // Bob fetch it.
        const QByteArray file = sealed(4096);
        const QString media = upload(m_relay, alice, file);
        QVERIFY(!media.isEmpty());
        const QJsonObject withFile
            = send(alice, direct, u"f1"_s, sealed(), {{u"media"_s, QJsonArray{media}}});
        QVERIFY2(ok(withFile), qPrintable(reason(withFile)));
        QCOMPARE(eventOf(withFile).value(u"media"_s).toArray(), QJsonArray{media});
        const HttpResult fetched
            = httpRequest("GET", m_relay.httpUrl(u"/v1/media/"_s + media),
                          {{"Authorization", "Bearer " + bob.token().toLatin1()}});
        QCOMPARE(fetched.status, 200);
        QCOMPARE(fetched.body, file);
        // Bob may pass on a file he can read, but not one Alice has not sent him, nor an
        // id that does not exist.
        QVERIFY(ok(send(bob, direct, u"f2"_s, sealed(), {{u"media"_s, QJsonArray{media}}})));
        const QString unsent = upload(m_relay, alice, sealed(512));
        QVERIFY(!unsent.isEmpty());
        QCOMPARE(code(send(bob, direct, u"f5"_s, sealed(), {{u"media"_s, QJsonArray{unsent}}})),
                 u"not_found"_s);
        QCOMPARE(code(send(alice, direct, u"f3"_s, sealed(),
                           {{u"media"_s, QJsonArray{QString(32, u'0')}}})),
                 u"not_found"_s);
        // Ciphertext without the version byte is refused before it is stored.
        QCOMPARE(code(send(alice, direct, u"f4"_s, QByteArray("\x02rest", 5))), u"bad_request"_s);
    }

    void theRelaysSettingDecidesWhatItTakes()
    {
        for (const QString &setting : {u"off"_s, u"required"_s}) {
            RelayProcess relay;
            QVERIFY2(relay.start({u"--e2e"_s, setting}), qPrintable(relay.lastError()));
            ProtocolClient probe;
            QVERIFY(probe.open(relay.webSocketUrl()));
            const QJsonObject hello = probe.request(u"hello"_s, {{u"versions"_s, QJsonArray{1}}});
            QCOMPARE(hello.value(u"e2e"_s).toString(), setting);
            QVERIFY(hello.value(u"limits"_s).toObject().value(u"max_ciphertext_bytes"_s).toInteger()
                    > 0);
            ProtocolClient client;
            E2eKeys keys;
            keys.user = client.signUp(relay.webSocketUrl(), u"erin"_s);
            QVERIFY(keys.user > 0);
            const qint64 self = client.openDirect(keys.user);
            QVERIFY(self > 0);
            if (setting == u"off") {
                // No key directory, no inbox, no ciphertext; plaintext as ever.
                QCOMPARE(code(client.request(u"devices.publish"_s, keys.publish({1}))),
                         u"unsupported"_s);
                QCOMPARE(
                    code(client.request(u"inbox.fetch"_s, {{u"after"_s, 0}, {u"limit"_s, 10}})),
                    u"unsupported"_s);
                QCOMPARE(code(send(client, self, u"x1"_s, sealed())), u"unsupported"_s);
                QVERIFY(ok(client.sendMessage(self, u"x2"_s, u"plain"_s)));
            } else {
                // Plaintext refused, files included; ciphertext from a device taken.
                QCOMPARE(code(client.sendMessage(self, u"x2"_s, u"plain"_s)),
                         u"encryption_required"_s);
                const QJsonObject picture{{u"size"_s, 10},
                                          {u"type"_s, u"image/png"_s},
                                          {u"sha256"_s, sha256Hex(QByteArray(10, 'x'))},
                                          {u"name"_s, u"dot.png"_s}};
                const HttpResult refused
                    = httpRequest("POST", relay.httpUrl(u"/v1/media"_s),
                                  {{"Authorization", "Bearer " + client.token().toLatin1()},
                                   {"Content-Type", "application/json"}},
                                  QJsonDocument(picture).toJson());
                QCOMPARE(refused.status, 403);
                QCOMPARE(refused.json().value(u"code"_s).toString(), u"encryption_required"_s);
                QVERIFY(ok(client.request(u"devices.publish"_s, keys.publish({1}))));
                QVERIFY(ok(client.request(u"device.register"_s, keys.registration(1))));
                const QString file = upload(relay, client, sealed(300));
                QVERIFY(!file.isEmpty());
                const QJsonObject sent
                    = send(client, self, u"x1"_s, sealed(), {{u"media"_s, QJsonArray{file}}});
                QVERIFY2(ok(sent), qPrintable(reason(sent)));
            }
            QCOMPARE(relay.stop(), 0);
        }
    }
    void aNewStoreRequiresEncryptionAndAnUpgradedOneStaysOptional()
    {
        const auto setting = [](RelayProcess &relay) {
            ProtocolClient probe;
            if (!probe.open(relay.webSocketUrl()))
                return QString();
            return probe.request(u"hello"_s, {{u"versions"_s, QJsonArray{1}}})
                .value(u"e2e"_s)
                .toString();
        };
        // A new store: required, and it stays so once it has accounts.
        RelayProcess fresh;
        fresh.setOwnE2eDefault(true);
        QVERIFY2(fresh.start(), qPrintable(fresh.lastError()));
        QCOMPARE(setting(fresh), u"required"_s);
        ProtocolClient first;
        QVERIFY(first.signUp(fresh.webSocketUrl(), u"frieda"_s) > 0);
        QCOMPARE(fresh.stop(), 0);
        QVERIFY2(fresh.start(), qPrintable(fresh.lastError()));
        QCOMPARE(setting(fresh), u"required"_s);
        // An explicit setting still wins, without changing the store's default.
        QCOMPARE(fresh.stop(), 0);
        QVERIFY2(fresh.start({u"--e2e"_s, u"off"_s}), qPrintable(fresh.lastError()));
        QCOMPARE(setting(fresh), u"off"_s);
        QCOMPARE(fresh.stop(), 0);
        QVERIFY2(fresh.start(), qPrintable(fresh.lastError()));
        QCOMPARE(setting(fresh), u"required"_s);
        QCOMPARE(fresh.stop(), 0);

        // The owner's account made by the admin before the first start (as tools/run does)
        // leaves a new store new.
        RelayProcess owned;
        owned.setOwnE2eDefault(true);
        const auto added = RelayProcess::runToExit(
            owned.adminArguments()
                + QStringList{u"--password-cost"_s, u"minimum"_s, u"user"_s, u"add"_s, u"owner"_s,
                              u"--password-stdin"_s},
            30000, QProcessEnvironment::systemEnvironment(), "the owners password\n");
        QVERIFY2(added.exitCode == 0, added.standardError.constData());
        QVERIFY2(owned.start(), qPrintable(owned.lastError()));
        QCOMPARE(setting(owned), u"required"_s);
        QCOMPARE(owned.stop(), 0);

        // A store with accounts that no relay of this version decided for (as one upgraded
        // from a version before end-to-end encryption): optional, so its users' apps keep
        // working; and that is kept too.
        RelayProcess upgraded;
        QVERIFY2(upgraded.start(), qPrintable(upgraded.lastError())); // says --e2e optional
        ProtocolClient old;
        QVERIFY(old.signUp(upgraded.webSocketUrl(), u"gustav"_s) > 0);
        QCOMPARE(upgraded.stop(), 0);
        // What an older version left: accounts, and no decision.
        QCOMPARE(upgraded.execOnStore(u"DELETE FROM relay_meta WHERE key = 'e2e_default'"_s), 1);
        upgraded.setOwnE2eDefault(true);
        QVERIFY2(upgraded.start(), qPrintable(upgraded.lastError()));
        QCOMPARE(setting(upgraded), u"optional"_s);
        ProtocolClient back;
        QVERIFY(back.signIn(upgraded.webSocketUrl(), u"gustav"_s) > 0);
        const qint64 self = back.openDirect(back.userId());
        QVERIFY(self > 0);
        QVERIFY(ok(back.sendMessage(self, u"u1"_s, u"still plain"_s)));
        QCOMPARE(upgraded.stop(), 0);
        QVERIFY2(upgraded.start(), qPrintable(upgraded.lastError()));
        QCOMPARE(setting(upgraded), u"optional"_s);
        QCOMPARE(upgraded.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestEncryptedMessages)
#include "tst_encrypted_messages.moc"
