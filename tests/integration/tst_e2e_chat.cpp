// End-to-end encryption in the client core, against the real relay (docs/encryption.md):
// devices set themselves up at sign-in, messages, edits and reactions travel sealed with
// sender keys handed over the device inbox, and the relay's files hold none of the text.
#include "core/e2e_engine.h"
#include "support/client_helpers.h"
#include "support/e2e_keys.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"

#include "core/e2e_queries.h"
#include "core/local_store.h"
#include "core/token_store.h"
#include "e2e/key_pairs.h"
#include "protocol/frame.h"
#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/key_directory_replies.h"

#include <QDirIterator>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QStringList texts(const QList<local::Message> &messages)
{
    QStringList list;
    for (const local::Message &message : messages) {
        if (message.kind == u"message")
            list.append(message.body.value(u"text"_s).toString());
    }
    return list;
}

} // namespace

class TestE2eChat : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;

    /// A user whose client encrypts, signed up and set up.
    bool encryptingUser(TestClient &client, const QString &name, quint16 port = 0)
    {
        return signUpEncrypting(client, port ? port : m_relay.port(), name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_relay.start({u"--e2e"_s, u"required"_s}), qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void directChatIsSealed()
    {
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice1"_s));
        QVERIFY(encryptingUser(bob, u"bob1"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());

        const QStringList said{u"the eagle lands at noon"_s, u"bring the red umbrella"_s,
                               u"🦅 over the bridge"_s};
        for (const QString &text : said)
            QVERIFY(await(alice.client->outbox().send(*direct, text)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(alice.pendingOutbox().isEmpty(), 20000);
        QCOMPARE(texts(alice.messages(*direct)), said);
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)), said, 20000);
        QCOMPARE(bob.messages(*direct).last().body.value(u"e2e"_s).toBool(), true);
        // Both know the chat is encrypted from its first message on.
        QCOMPARE(alice.conversation(*direct).e2eSeq, *alice.messages(*direct).first().seq);
        QCOMPARE(bob.conversation(*direct).e2eSeq, alice.conversation(*direct).e2eSeq);

        // Bob answers over the same pairwise channel, the other way.
        QVERIFY(await(bob.client->outbox().send(*direct, u"umbrella is blue now"_s)).ok());
        // It may arrive before Bob's chain key does: shown as waiting, then opened.
        QTRY_COMPARE_WITH_TIMEOUT(texts(alice.messages(*direct)),
                                  said + QStringList{u"umbrella is blue now"_s}, 20000);

        // The relay stored ciphertext only.
        QCOMPARE(
            m_relay.queryStore(u"SELECT count(*) FROM events WHERE kind = 'encrypted'"_s).toInt(),
            4);
        const QByteArray stored = relayBytes(m_relay.dataDirectory());
        QVERIFY(!stored.isEmpty());
        for (const QString &text : said + QStringList{u"umbrella is blue now"_s})
            QVERIFY2(!stored.contains(text.toUtf8()), qPrintable(text));
    }

    void aRelayThatRequiresItMakesTheClientEncrypt()
    {
        // Neither client asked for encryption; the relay requires it, so both encrypt.
        TestClient carol, dan;
        QVERIFY(carol.signUp(m_relay.port(), u"carol0"_s));
        QVERIFY(dan.signUp(m_relay.port(), u"dan0"_s));
        QVERIFY(carol.client->e2e().isRequired());
        QTRY_VERIFY_WITH_TIMEOUT(e2eReady(carol), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(e2eReady(dan), 20000);
        const auto direct = await(carol.client->openDirect(dan.client->userId()));
        QVERIFY(direct.ok());
        const QString text = u"required here, so sealed anyway"_s;
        QVERIFY(await(carol.client->outbox().send(*direct, text)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(carol.pendingOutbox().isEmpty(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(texts(dan.messages(*direct)), QStringList{text}, 20000);
        QCOMPARE(dan.messages(*direct).last().body.value(u"e2e"_s).toBool(), true);
        QVERIFY(carol.messages(*direct).last().state != u"failed"_s);
    }

    void editsAndReactionsAreSealed()
    {
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice2"_s));
        QVERIFY(encryptingUser(bob, u"bob2"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());
        QVERIFY(await(alice.client->outbox().send(*direct, u"meet at the old mill"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)).size(), 1, 20000);
        const local::Message sent = bob.messages(*direct).last();
        QVERIFY(sent.seq);

        QVERIFY(
            await(alice.client->outbox().edit(*direct, *sent.seq, u"meet at the new mill"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)).last(), u"meet at the new mill"_s,
                                  20000);
        QVERIFY(await(bob.client->outbox().react(*direct, *sent.seq, u"🌾"_s, true)).ok());
        const auto reacted
            = [&] { return alice.messages(*direct).last().body.value(u"reactions"_s).toObject(); };
        QTRY_VERIFY_WITH_TIMEOUT(reacted().contains(u"🌾"_s), 20000);
        QCOMPARE(reacted().value(u"🌾"_s).toArray().first().toInteger(), bob.client->userId());

        const QByteArray stored = relayBytes(m_relay.dataDirectory());
        QVERIFY(!stored.contains("old mill"));
        QVERIFY(!stored.contains("new mill"));
        QVERIFY(!stored.contains(u"🌾"_s.toUtf8()));
    }

    void groupMembersReadItAndTheRelayDoesNot()
    {
        TestClient alice, bob, carol;
        QVERIFY(encryptingUser(alice, u"alice3"_s));
        QVERIFY(encryptingUser(bob, u"bob3"_s));
        QVERIFY(encryptingUser(carol, u"carol3"_s));
        const auto group = await(
            alice.client->createGroup(u"Plans"_s, {bob.client->userId(), carol.client->userId()}));
        QVERIFY(group.ok());
        QVERIFY(await(alice.client->outbox().send(*group, u"the plan is on"_s)).ok());
        QVERIFY(await(bob.client->outbox().send(*group, u"bob is in"_s)).ok());
        for (TestClient *member : {&alice, &bob, &carol}) {
            QTRY_VERIFY_WITH_TIMEOUT(texts(member->messages(*group)).contains(u"the plan is on"_s),
                                     20000);
            QTRY_VERIFY_WITH_TIMEOUT(texts(member->messages(*group)).contains(u"bob is in"_s),
                                     20000);
        }
        const QByteArray stored = relayBytes(m_relay.dataDirectory());
        QVERIFY(!stored.contains("the plan is on"));
        QVERIFY(!stored.contains("bob is in"));
    }

    void aChangedKeyBlocksSendingUntilAcknowledged()
    {
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice5"_s));
        QVERIFY(encryptingUser(bob, u"bob5"_s));
        const qint64 bobId = bob.client->userId(); // his session ends with the reset
        const auto direct = await(alice.client->openDirect(bobId));
        QVERIFY(direct.ok());
        QVERIFY(await(alice.client->outbox().send(*direct, u"before"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)).size(), 1, 20000);
        const auto before = await(alice.client->trust(bobId));
        QVERIFY(before.ok());
        QVERIFY(before->known);
        QVERIFY(!before->changed);
        QCOMPARE(before->safetyNumber.size(), 60 + 11); // twelve groups of five
        // Both sides compute the same number.
        const auto theirs = await(bob.client->trust(alice.client->userId()));
        QVERIFY(theirs.ok());
        QCOMPARE(theirs->safetyNumber, before->safetyNumber);
        QVERIFY(await(alice.client->setVerified(bobId, true)).ok());
        QVERIFY(await(alice.client->trust(bobId))->verified);

        // Someone resets Bob's encryption elsewhere: a new identity key, a new device.
        bool heard = false;
        connect(&alice.client->connection(), &Connection::eventReceived, this,
                [&heard](const protocol::Frame &frame) {
                    heard = heard || frame.type == u"devices"_s;
                });
        ProtocolClient elsewhere;
        E2eKeys keys;
        keys.user = elsewhere.signIn(m_relay.webSocketUrl(), u"bob5"_s);
        QVERIFY(keys.user > 0);
        keys.version = 100; // above the list Bob's app published
        QVERIFY(ProtocolClient::isOk(
            elsewhere.request(u"devices.publish"_s, keys.publish({77}, true))));
        QVERIFY(
            ProtocolClient::isOk(elsewhere.request(u"device.register"_s, keys.registration(77))));
        QVERIFY(
            ProtocolClient::isOk(elsewhere.request(u"prekeys.upload"_s, keys.prekeys(77, 1, 5))));
        QTRY_VERIFY_WITH_TIMEOUT(heard, 20000);

        // Alice's next message waits, and she is told why.
        QSignalSpy blocked(alice.client.get(), &ChatClient::keysChanged);
        QVERIFY(await(alice.client->outbox().send(*direct, u"after"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!blocked.isEmpty(), 20000);
        QCOMPARE(blocked.first().first().value<QList<qint64>>(), QList<qint64>{bobId});
        QCOMPARE(*await(alice.client->changedKeys()), QList<qint64>{bobId});
        const auto changed = await(alice.client->trust(bobId));
        QVERIFY(changed->changed);
        QVERIFY(!changed->verified);
        // The new number can be compared before it is accepted; the old one still shows.
        QCOMPARE(changed->safetyNumber, before->safetyNumber);
        QCOMPARE(changed->changedSafetyNumber.size(), 60 + 11);
        QVERIFY(changed->changedSafetyNumber != before->safetyNumber);
        QTest::qWait(300); // it stays queued
        QCOMPARE(alice.messages(*direct).last().state, u"queued"_s);
        QCOMPARE(m_relay
                     .queryStore(u"SELECT count(*) FROM events WHERE conversation_id = %1 AND "
                                 "kind = 'encrypted'"_s.arg(*direct))
                     .toInt(),
                 1);

        // "I understand": it goes, sealed for the new device only.
        QVERIFY(await(alice.client->acknowledgeKeyChange(bobId)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(alice.messages(*direct).last().state, u"sent"_s, 20000);
        QVERIFY(await(alice.client->changedKeys())->isEmpty());
        const auto after = await(alice.client->trust(bobId));
        QVERIFY(!after->changed);
        QVERIFY(after->safetyNumber != before->safetyNumber);
        QCOMPARE(after->safetyNumber, changed->changedSafetyNumber);
        const QJsonObject inbox
            = elsewhere.request(u"inbox.fetch"_s, {{u"after"_s, 0}, {u"limit"_s, 10}});
        QCOMPARE(inbox.value(u"messages"_s).toArray().size(), 1);
        QCOMPARE(
            inbox.value(u"messages"_s).toArray().first().toObject().value(u"user"_s).toInteger(),
            alice.client->userId());
    }

    void aRemovedMemberCannotReadWhatFollows()
    {
        TestClient alice, bob, carol;
        QVERIFY(encryptingUser(alice, u"alice6"_s));
        QVERIFY(encryptingUser(bob, u"bob6"_s));
        QVERIFY(encryptingUser(carol, u"carol6"_s));
        const qint64 carolId = carol.client->userId();
        const auto group
            = await(alice.client->createGroup(u"Trio"_s, {bob.client->userId(), carolId}));
        QVERIFY(group.ok());
        QVERIFY(await(alice.client->outbox().send(*group, u"all three of us"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(texts(carol.messages(*group)).contains(u"all three of us"_s),
                                 20000);

        QVERIFY(await(alice.client->changeGroup(protocol::messages::RemoveMember{*group, carolId}))
                    .ok());
        // Alice sends once her app knows Carol is gone: a message sealed before that may still
        // use the old chain (docs/encryption.md, section 12), however soon after.
        const auto carolIsMember = [&] {
            const QList<local::Member> members = alice.conversation(*group).members;
            return std::any_of(members.begin(), members.end(), [&](const local::Member &member) {
                return member.userId == carolId;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(!carolIsMember(), 20000);
        QVERIFY(await(alice.client->outbox().send(*group, u"just the two of us"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(texts(bob.messages(*group)).contains(u"just the two of us"_s),
                                 20000);
        // The relay shows Carol nothing after her removal; and were she to get the entry
        // (from a backup, say), her keys would not open it: Alice's chain was rotated.
        QVERIFY(!texts(carol.messages(*group)).contains(u"just the two of us"_s));
        const local::Message last = alice.messages(*group).last();
        QCOMPARE(last.body.value(u"text"_s).toString(), u"just the two of us"_s);
        const qint64 seq = *last.seq;
        const auto storedBody = [&] {
            return QJsonDocument::fromJson(
                       m_relay
                           .queryStore(u"SELECT body FROM events WHERE "
                                       "conversation_id = %1 AND seq = %2"_s.arg(*group)
                                           .arg(seq))
                           .toString()
                           .toUtf8())
                .object();
        };
        // Read beside the relay's writes: a read that meets a checkpoint is tried again.
        QTRY_VERIFY_WITH_TIMEOUT(storedBody().contains(u"ciphertext"_s), 10000);
        const QJsonObject stored = storedBody();
        protocol::messages::LogEntry entry;
        entry.conversation = *group;
        entry.seq = seq + 1000; // a seq Carol never saw
        entry.kind = u"encrypted"_s;
        entry.sender = alice.client->userId();
        entry.time = QDateTime::currentMSecsSinceEpoch();
        entry.clientId = last.clientId;
        entry.body = stored;
        const auto opened
            = await(carol.client->store()
                        .write<protocol::messages::LogEntry>([entry, carolId](QSqlDatabase &db) {
                            return local::e2e::open(db, entry, carolId);
                        })
                        .future());
        QVERIFY(opened.ok());
        QVERIFY2(opened->body.value(u"e2e"_s).toString() == u"waiting"_s,
                 QJsonDocument(opened->body).toJson(QJsonDocument::Compact).constData());
        QVERIFY(opened->body.value(u"text"_s).toString().isEmpty());
    }

    void nothingIsLostOrUnreadableWhenTheRelayDies()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--e2e"_s, u"required"_s}), qPrintable(relay.lastError()));
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice7"_s, relay.port()));
        QVERIFY(encryptingUser(bob, u"bob7"_s, relay.port()));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());
        QStringList said;
        for (int i = 0; i < 20; ++i) {
            said.append(u"note %1"_s.arg(i));
            QVERIFY(await(alice.client->outbox().send(*direct, said.last())).ok());
            if (i == 6) {
                QTest::qWait(20); // some on their way, some sealed, some queued
                relay.kill();
            }
        }
        QVERIFY2(relay.start({u"--e2e"_s, u"required"_s}), qPrintable(relay.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)), said, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(alice.pendingOutbox().isEmpty(), 20000);
        QCOMPARE(texts(alice.messages(*direct)), said);
        for (const local::Message &message : bob.messages(*direct)) {
            if (message.kind == u"message")
                QVERIFY2(message.body.value(u"e2e"_s).toBool(),
                         QJsonDocument(message.body).toJson(QJsonDocument::Compact).constData());
        }
        QCOMPARE(relay
                     .queryStore(u"SELECT count(*) FROM events WHERE conversation_id = %1 AND "
                                 "kind = 'encrypted'"_s.arg(*direct))
                     .toInt(),
                 20);
        alice.client->stop();
        bob.client->stop();
        QCOMPARE(relay.stop(), 0);
    }

    void aLinkedDeviceReadsAndWrites()
    {
        TestClient laptop, bob;
        QVERIFY(encryptingUser(laptop, u"alice8"_s));
        QVERIFY(encryptingUser(bob, u"bob8"_s));
        const qint64 aliceId = laptop.client->userId();
        int devicesHeard = 0;
        connect(&bob.client->connection(), &Connection::eventReceived, this,
                [&devicesHeard, aliceId](const protocol::Frame &frame) {
                    if (frame.type == u"devices"_s
                        && frame.fields.value(u"user"_s).toInteger() == aliceId)
                        ++devicesHeard;
                });

        const auto direct = await(bob.client->openDirect(aliceId));
        QVERIFY(direct.ok());
        QVERIFY(await(bob.client->outbox().send(*direct, u"before the phone"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(texts(laptop.messages(*direct)).contains(u"before the phone"_s),
                                 20000);

        // Alice signs in on a phone: her account has keys, so the phone must be linked.
        TestClient phone;
        phone.client->setEndToEnd(true);
        QVERIFY(phone.signIn(m_relay.port(), u"alice8"_s));
        QTRY_COMPARE_WITH_TIMEOUT(phone.client->e2e().state(), E2eEngine::State::NeedsLink, 20000);
        QVERIFY(!await(phone.client->e2e().linkWithCode(u"AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"_s))
                     .ok()); // no offer yet

        QSignalSpy requested(&laptop.client->e2e(), &E2eEngine::linkRequested);
        QSignalSpy finished(&laptop.client->e2e(), &E2eEngine::linkFinished);
        QVERIFY(!await(laptop.client->e2e().offerLink(u"wrong password"_s)).ok());
        auto code = await(laptop.client->e2e().offerLink(u"correct horse"_s));
        QVERIFY(code.ok());
        QCOMPARE(code->size(), 24 + 5);
        const auto changed = [](QString text, int at) {
            text[at] = text[at] == u'7' ? u'8' : u'7';
            return text;
        };
        // A code whose key part is not the offer's is refused before anything is sent
        // (characters 9 to 24 hold the start of the offering key's hash).
        const auto otherDevice = await(phone.client->e2e().linkWithCode(changed(*code, 12)));
        QVERIFY(!otherDevice.ok());
        QCOMPARE(otherDevice.error().message, u"This code is for another device."_s);
        // A wrong secret (the first eight characters) reaches the offering device, whose box
        // does not open: it burns the offer and says why.
        const auto guessed = await(phone.client->e2e().linkWithCode(changed(*code, 2)));
        QVERIFY(!guessed.ok());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(!finished.first().first().toBool());
        QCOMPARE(finished.first().last().toString(), u"The code was wrong; linking stopped."_s);
        QVERIFY(requested.isEmpty());
        finished.clear();

        code = await(laptop.client->e2e().offerLink(u"correct horse"_s));
        QVERIFY(code.ok());
        auto joined = phone.client->e2e().linkWithCode(code->toLower());
        QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 1, 20000);
        QVERIFY(!requested.first().first().toString().isEmpty());
        laptop.client->e2e().answerLinkRequest(true);
        QVERIFY(await(joined).ok());
        QCOMPARE(phone.client->e2e().state(), E2eEngine::State::Ready);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(finished.first().first().toBool());
        QTRY_VERIFY_WITH_TIMEOUT(devicesHeard >= 2, 20000); // the new list, the registration
        // The phone reads what was said before it was linked: the laptop gave it the keys.
        QTRY_VERIFY_WITH_TIMEOUT(texts(phone.messages(*direct)).contains(u"before the phone"_s),
                                 20000);

        QVERIFY(await(bob.client->outbox().send(*direct, u"to both of your devices"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            texts(laptop.messages(*direct)).contains(u"to both of your devices"_s), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(
            texts(phone.messages(*direct)).contains(u"to both of your devices"_s), 20000);
        QVERIFY(await(phone.client->outbox().send(*direct, u"from the phone"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(texts(bob.messages(*direct)).contains(u"from the phone"_s), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(texts(laptop.messages(*direct)).contains(u"from the phone"_s),
                                 20000);
        // Both devices hold the one identity: Bob sees one safety number for Alice's devices.
        QCOMPARE(await(phone.client->trust(bob.client->userId()))->safetyNumber,
                 await(laptop.client->trust(bob.client->userId()))->safetyNumber);
        QVERIFY(!await(bob.client->trust(aliceId))->changed);

        // "Remove this device" on the laptop: the phone's session ends, and what Bob sends
        // next is under a chain the phone never gets.
        const auto listed = await(laptop.client->e2e().devices());
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), 2);
        quint32 phoneId = 0;
        for (const protocol::messages::DeviceInfo &device : *listed) {
            if (!device.current)
                phoneId = device.id;
        }
        QVERIFY(phoneId != 0);
        const auto unknown = await(laptop.client->e2e().removeDevice(phoneId ^ 1u));
        QVERIFY(!unknown.ok()); // no device of Alice's has that id
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        const int heardBefore = devicesHeard;
        QVERIFY(await(laptop.client->e2e().removeDevice(phoneId)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(phone.client->connectionState(), Connection::State::SignedOut,
                                  20000);
        QCOMPARE(await(laptop.client->e2e().devices())->size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(devicesHeard > heardBefore, 20000);
        QVERIFY(await(bob.client->outbox().send(*direct, u"after the phone went"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            texts(laptop.messages(*direct)).contains(u"after the phone went"_s), 20000);
        const local::Message last = bob.messages(*direct).last();
        const auto storedBody = [&] {
            return QJsonDocument::fromJson(
                       m_relay
                           .queryStore(u"SELECT body FROM events WHERE conversation_id = %1 AND "
                                       "seq = %2"_s.arg(*direct)
                                           .arg(*last.seq))
                           .toString()
                           .toUtf8())
                .object();
        };
        QTRY_VERIFY_WITH_TIMEOUT(storedBody().contains(u"ciphertext"_s), 10000);
        protocol::messages::LogEntry entry;
        entry.conversation = *direct;
        entry.seq = *last.seq + 1000;
        entry.kind = u"encrypted"_s;
        entry.sender = bob.client->userId();
        entry.time = QDateTime::currentMSecsSinceEpoch();
        entry.clientId = last.clientId;
        entry.body = storedBody();
        const auto opened = await(phone.client->store().write<protocol::messages::LogEntry>(
            [entry, aliceId](QSqlDatabase &db) { return local::e2e::open(db, entry, aliceId); }));
        QVERIFY(opened.ok());
        QCOMPARE(opened->body.value(u"e2e"_s).toString(), u"waiting"_s);
    }

    void theStoreKeyLivesBesideTheToken()
    {
        QTemporaryDir keys;
        TokenStore tokens(TokenStore::Backend::PlainFile,
                          {u"Tidings-test"_s, keys.path(), std::chrono::seconds(10)});
        const QString account = u"alice10@127.0.0.1:%1"_s.arg(m_relay.port());
        TestClient alice;
        alice.client->setTokenStore(&tokens, account);
        QVERIFY(encryptingUser(alice, u"alice10"_s));
        const auto kept = await(tokens.load(u"store-key:"_s + account));
        QVERIFY(kept.ok());
        QCOMPARE(QByteArray::fromBase64(kept->toLatin1()).size(), 32);

        // The device's identity is kept sealed: its row is not the library's encoding.
        const auto raw = await(
            alice.client->store().read<QByteArray>([](QSqlDatabase &db) -> Result<QByteArray> {
                QSqlQuery query(db);
                if (!query.exec(u"SELECT identity FROM e2e_self"_s) || !query.next())
                    return Error{ErrorCode::NotFound, u"no keys"_s};
                return query.value(0).toByteArray();
            }));
        QVERIFY(raw.ok());
        QVERIFY(!tidings::e2e::SigningKeyPair::deserialise(*raw).ok());

        // The app starts again: the key comes from the same place, and the device is ready.
        const QString token = alice.client->connection().token();
        alice.client.reset();
        alice.client = std::make_unique<ChatClient>(alice.databasePath, TestClient::fastOptions());
        alice.client->setTokenStore(&tokens, account);
        alice.client->setEndToEnd(true);
        QVERIFY(await(alice.client->open()).ok());
        alice.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port())), token);
        QTRY_VERIFY_WITH_TIMEOUT(e2eReady(alice), 20000);

        // Signing out ends the device: its keys here go, and the store key first.
        QVERIFY(await(alice.client->logOut()).ok());
        QCOMPARE(await(tokens.load(u"store-key:"_s + account)).value(), QString());
        const auto left
            = await(alice.client->store().read<int>([](QSqlDatabase &db) -> Result<int> {
                  QSqlQuery query(db);
                  if (!query.exec(u"SELECT (SELECT count(*) FROM e2e_self) + (SELECT count(*) FROM "
                                  "e2e_sessions) + (SELECT count(*) FROM e2e_chains_in)"_s)
                      || !query.next())
                      return Error{ErrorCode::Io, u"no count"_s};
                  return query.value(0).toInt();
              }));
        QVERIFY(left.ok());
        QCOMPARE(*left, 0);
        alice.client->stop();
    }

    void sessionsSurviveARestart()
    {
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice4"_s));
        QVERIFY(encryptingUser(bob, u"bob4"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());
        QVERIFY(await(alice.client->outbox().send(*direct, u"first words"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)).size(), 1, 20000);

        // Bob's app restarts with the same store: same keys, same chains.
        const QString bobsDirectory = bob.directory->path();
        auto token = bob.client->connection().token();
        bob.client.reset();
        bob.client = std::make_unique<ChatClient>(bob.databasePath, TestClient::fastOptions());
        bob.client->setEndToEnd(true);
        QVERIFY(await(bob.client->open()).ok());
        bob.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port())), token);
        QTRY_VERIFY_WITH_TIMEOUT(e2eReady(bob), 20000);
        QVERIFY(await(alice.client->outbox().send(*direct, u"second words"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)),
                                  (QStringList{u"first words"_s, u"second words"_s}), 20000);
        QVERIFY(await(bob.client->outbox().send(*direct, u"heard you"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(
            texts(alice.messages(*direct)),
            (QStringList{u"first words"_s, u"second words"_s, u"heard you"_s}), 20000);
        Q_UNUSED(bobsDirectory);
    }
};

QTEST_GUILESS_MAIN(TestE2eChat)
#include "tst_e2e_chat.moc"
