// The client core end to end against the real relay: send, receive, acks and receipts,
// offline catch-up, the outbox across stops and restarts, failures.
#include "support/client_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"

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

class TestChatClient : public QObject
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

    void sendReceiveAckAndReceipts()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice1"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob1"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());

        for (int i = 0; i < 3; ++i)
            QVERIFY(await(alice.client->outbox().send(*direct, u"hello %1"_s.arg(i))).ok());
        // Shown at once on Alice's side, sent (with seqs) once the relay has them.
        QCOMPARE(texts(alice.messages(*direct)),
                 (QStringList{u"hello 0"_s, u"hello 1"_s, u"hello 2"_s}));
        QTRY_VERIFY_WITH_TIMEOUT(alice.messages(*direct).last().state == u"sent"_s, 10000);
        QCOMPARE(*alice.messages(*direct).last().seq, 4);
        // Bob has them, in order, and his device says so (delivered ✓✓ on Alice's side).
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(*direct)).size(), 3, 10000);
        QCOMPARE(texts(bob.messages(*direct)), texts(alice.messages(*direct)));
        const qint64 bobId = bob.client->userId();
        const auto bobsCursor = [&] {
            for (const local::Member &member : alice.conversation(*direct).members) {
                if (member.userId == bobId)
                    return member;
            }
            return local::Member();
        };
        QTRY_COMPARE_WITH_TIMEOUT(bobsCursor().deliveredSeq, 4, 10000);
        QCOMPARE(bobsCursor().readSeq, 0);
        QCOMPARE(bob.conversation(*direct).unread, 3);

        // Bob reads them.
        bob.client->outbox().markRead(*direct, 4);
        QTRY_COMPARE_WITH_TIMEOUT(bobsCursor().readSeq, 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bob.conversation(*direct).unread, 0, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(bob.pendingOutbox().isEmpty(), 5000);
    }

    void editsDeletesReactionsTravel()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice2"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob2"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(await(alice.client->outbox().send(direct, u"teh"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(direct)), QStringList{u"teh"_s}, 10000);
        const qint64 seq = *bob.messages(direct).last().seq;

        QVERIFY(await(alice.client->outbox().edit(direct, seq, u"the"_s)).ok());
        QCOMPARE(texts(alice.messages(direct)), QStringList{u"the"_s}); // at once, locally
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(direct)), QStringList{u"the"_s}, 10000);
        QVERIFY(await(bob.client->outbox().react(direct, seq, u"👍"_s, true)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            alice.messages(direct).last().body.value(u"reactions"_s).toObject().contains(u"👍"_s),
            10000);
        QVERIFY(await(alice.client->outbox().remove(direct, seq)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(bob.messages(direct).last().body.value(u"deleted"_s).toBool(),
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(alice.pendingOutbox().isEmpty(), 5000);
    }

    void offlineRecipientCatchesUp()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice3"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob3"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        QTRY_VERIFY_WITH_TIMEOUT(bob.conversation(direct).id == direct, 10000);
        bob.client->stop();
        for (int i = 0; i < 25; ++i)
            QVERIFY(
                await(alice.client->outbox().send(direct, u"while you were out %1"_s.arg(i))).ok());
        QTRY_VERIFY_WITH_TIMEOUT(alice.pendingOutbox().isEmpty(), 10000);

        QSignalSpy caughtUp(&bob.client->sync(), &SyncEngine::caughtUp);
        bob.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port())),
                          bob.client->connection().token());
        QVERIFY(caughtUp.wait(20000));
        QCOMPARE(texts(bob.messages(direct)).size(), 25);
        QCOMPARE(texts(bob.messages(direct)).last(), u"while you were out 24"_s);
    }

    void outboxSurvivesStopsAndRestarts()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice4"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob4"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        const QString token = alice.client->connection().token();

        // Written while offline: queued, with a clock.
        alice.client->stop();
        for (int i = 0; i < 5; ++i)
            QVERIFY(await(alice.client->outbox().send(direct, u"offline %1"_s.arg(i))).ok());
        QCOMPARE(alice.pendingOutbox().size(), 5);
        for (const local::Message &message : alice.messages(direct))
            QCOMPARE(message.state, u"queued"_s);

        // The app quits and starts again on the same data: it sends them then.
        const QString path = alice.directory->path();
        alice.client.reset();
        TestClient again(path);
        QVERIFY(await(again.client->open()).ok());
        QCOMPARE(texts(again.messages(direct)).size(), 5); // shown before any network
        again.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port())), token);
        QTRY_VERIFY_WITH_TIMEOUT(again.pendingOutbox().isEmpty(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(direct)).size(), 5, 10000);
        QCOMPARE(texts(bob.messages(direct)), texts(again.messages(direct)));
        for (const local::Message &message : again.messages(direct))
            QCOMPARE(message.state, u"sent"_s);
    }

    void refusalsFailThenRetryOrCancel()
    {
        TestClient owner, member;
        QVERIFY(owner.signUp(m_relay.port(), u"owner5"_s));
        QVERIFY(member.signUp(m_relay.port(), u"member5"_s));
        const qint64 group
            = *await(owner.client->createGroup(u"Club"_s, {member.client->userId()}));
        QTRY_VERIFY_WITH_TIMEOUT(member.conversation(group).id == group, 10000);
        QVERIFY(await(owner.client->connection().request(
                          u"group.remove"_s,
                          {{u"conversation"_s, group}, {u"user"_s, member.client->userId()}}))
                    .ok());
        QSignalSpy failed(&member.client->outbox(), &Outbox::failed);
        QVERIFY(await(member.client->outbox().send(group, u"let me back in"_s)).ok());
        QVERIFY(failed.count() > 0 || failed.wait(10000));
        // The relay's sentence, not its code.
        const QString reason = failed.first().at(1).toString();
        QCOMPARE(reason, u"you are no longer a member of this conversation"_s);
        QTRY_COMPARE_WITH_TIMEOUT(member.messages(group).last().state, u"failed"_s, 5000);
        for (const local::OutboxItem &item : member.pendingOutbox())
            QVERIFY(item.type != u"message.send"_s); // the refused message is not retried by itself

        const QString key = member.messages(group).last().clientId;
        QVERIFY(await(member.client->outbox().retry(key)).ok());
        QVERIFY(failed.wait(10000)); // refused again
        QVERIFY(await(member.client->outbox().cancel(key)).ok());
        QVERIFY(texts(member.messages(group)).isEmpty());
    }

    void tooLongTextsNeverBlockTheOutbox()
    {
        RelayProcess relay;
        // A frame over max-frame-bytes makes the relay drop the connection (1009).
        QVERIFY2(relay.start({u"--max-text-bytes"_s, u"1000"_s, u"--max-frame-bytes"_s, u"8192"_s}),
                 qPrintable(relay.lastError()));
        TestClient alice, bob;
        QVERIFY(alice.signUp(relay.port(), u"alice9"_s));
        QVERIFY(bob.signUp(relay.port(), u"bob9"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        const QString token = alice.client->connection().token();

        // Signed in, the relay's limit is known: a longer text is refused, not queued.
        QCOMPARE(alice.client->outbox().maxTextBytes(), 1000);
        const auto refused = await(alice.client->outbox().send(direct, QString(1500, u'x')));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::TooLarge);
        QVERIFY2(refused.error().message.contains(u"Too long"_s),
                 qPrintable(refused.error().message));
        QVERIFY(alice.pendingOutbox().isEmpty());

        // Queued offline in a store that does not know the limit (here: a new start), a
        // 2 MB paste fails on its own once the limit is known; what came after it is sent.
        alice.client->stop();
        const QString path = alice.directory->path();
        alice.client.reset();
        TestClient again(path);
        QVERIFY(await(again.client->open()).ok());
        QVERIFY(await(again.client->outbox().send(direct, QString(50000, u'y'))).ok());
        QVERIFY(await(again.client->outbox().send(direct, u"after the paste"_s)).ok());
        QSignalSpy failed(&again.client->outbox(), &Outbox::failed);
        again.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(relay.port())), token);
        QTRY_COMPARE_WITH_TIMEOUT(texts(bob.messages(direct)), QStringList{u"after the paste"_s},
                                  15000);
        QVERIFY(failed.count() > 0 || failed.wait(5000));
        QVERIFY(failed.first().at(1).toString().contains(u"Too long"_s));
        const auto stateOfPaste = [&] {
            for (const local::Message &message : again.messages(direct)) {
                if (message.body.value(u"text"_s).toString().startsWith(u"yyy"_s))
                    return message.state;
            }
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(stateOfPaste(), u"failed"_s, 5000);
        QCOMPARE(again.client->connection().state(), Connection::State::Connected);
        again.client.reset();
        bob.client.reset();
        QCOMPARE(relay.stop(), 0);
    }

    void typingAndPresenceReachTheOtherSide()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice6"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob6"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        QSignalSpy typing(&bob.client->sync(), &SyncEngine::typingChanged);
        // A burst of keystrokes is one "typing" on the wire (the relay would refuse more
        // than 2/s); stopping is one more.
        for (int keystroke = 0; keystroke < 50; ++keystroke)
            alice.client->sync().setOwnTyping(direct, true);
        QVERIFY(typing.wait(10000));
        QCOMPARE(bob.client->sync().typing(direct), QList<qint64>{alice.client->userId()});
        alice.client->sync().setOwnTyping(direct, false);
        alice.client->sync().setOwnTyping(direct, false); // nothing more to say
        QTRY_VERIFY_WITH_TIMEOUT(bob.client->sync().typing(direct).isEmpty(), 10000);
        QCOMPARE(typing.count(), 2); // frames keep their order: nothing else came between
        alice.client->sync().setOwnTyping(direct, true);
        QTRY_COMPARE_WITH_TIMEOUT(typing.count(), 3, 10000); // typing again: said again

        // Bob loses the link while Alice types, so no "stopped" reaches him: what he shows
        // expires by itself (6 s after the last "typing").
        const QString bobsToken = bob.client->connection().token();
        bob.client->stop();
        QCOMPARE(bob.client->sync().typing(direct), QList<qint64>{alice.client->userId()});
        QTRY_VERIFY_WITH_TIMEOUT(bob.client->sync().typing(direct).isEmpty(), 10000);
        QSignalSpy back(&bob.client->connection(), &Connection::signedIn);
        bob.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port())), bobsToken);
        QVERIFY(back.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(bob.client->sync().isOnline(alice.client->userId()), 10000);

        // Whether Bob learns it from the push or from the answer to a question he asked
        // as he came back, Alice is offline with the time she was last seen.
        alice.client->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!bob.client->sync().isOnline(alice.client->userId()), 10000);
        QVERIFY(bob.client->sync().lastSeen(alice.client->userId()) > 0);
    }

    void theSessionTokenIsKeptResumedAndForgotten()
    {
        QTemporaryDir config;
        TokenStore tokens(TokenStore::Backend::PlainFile, {.directory = config.path()});
        const ServerAddress server = *ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port()));
        const QString account = TokenStore::accountKey(u"erin7"_s, server.toString());

        // Registering keeps the token the relay handed out.
        TestClient first;
        first.client->setTokenStore(&tokens, account);
        QVERIFY(first.signUp(m_relay.port(), u"erin7"_s));
        const qint64 erin = first.client->userId();
        QTRY_COMPARE_WITH_TIMEOUT(await(tokens.load(account)).value(),
                                  first.client->connection().token(), 5000);
        QVERIFY(!first.client->connection().token().isEmpty());
        const QString dataDirectory = first.directory->path();
        first.client.reset();

        // The next start signs in with it: no password.
        TestClient second(dataDirectory);
        second.client->setTokenStore(&tokens, account);
        QVERIFY(await(second.client->open()).ok());
        QSignalSpy signedIn(&second.client->connection(), &Connection::signedIn);
        QCOMPARE(await(second.client->resume(server)).value(), true);
        QVERIFY(signedIn.count() > 0 || signedIn.wait(10000));
        QCOMPARE(second.client->userId(), erin);

        // Signed out elsewhere (another device revokes the others): forgotten here.
        ProtocolClient phone;
        QVERIFY(phone.signIn(m_relay.webSocketUrl(), u"erin7"_s) > 0);
        QSignalSpy ended(&second.client->connection(), &Connection::sessionEnded);
        QVERIFY(ProtocolClient::isOk(phone.request(u"sessions.revoke_others"_s)));
        QVERIFY(ended.count() > 0 || ended.wait(10000)); // it may come while the request waits
        QTRY_COMPARE_WITH_TIMEOUT(await(tokens.load(account)).value(), QString(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(second.client->connection().state(), Connection::State::SignedOut,
                                  10000);

        // Signing in again keeps the new token; logging out forgets it.
        QVERIFY(await(second.client->logIn(u"erin7"_s, u"correct horse"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!await(tokens.load(account)).value().isEmpty(), 5000);
        QVERIFY(await(second.client->logOut()).ok());
        QTRY_COMPARE_WITH_TIMEOUT(await(tokens.load(account)).value(), QString(), 5000);
        QVERIFY(!QFileInfo::exists(tokens.plainFilePath()));

        // Nothing kept: resume says so and leaves the user at the sign-in screen.
        TestClient third(dataDirectory);
        third.client->setTokenStore(&tokens, account);
        QVERIFY(await(third.client->open()).ok());
        QCOMPARE(await(third.client->resume(server)).value(), false);
        QTRY_COMPARE_WITH_TIMEOUT(third.client->connection().state(), Connection::State::SignedOut,
                                  10000);
    }

    void eachAccountAndServerHasItsOwnStore()
    {
        RelayProcess other;
        QVERIFY2(other.start(), qPrintable(other.lastError()));
        QTemporaryDir data;
        const QString here = ChatClient::databasePathFor(
            data.path(), TokenStore::accountKey(u"frank"_s, u"127.0.0.1:%1"_s.arg(m_relay.port())));
        const QString there = ChatClient::databasePathFor(
            data.path(), TokenStore::accountKey(u"frank"_s, u"127.0.0.1:%1"_s.arg(other.port())));
        QVERIFY(here != there);
        QCOMPARE(QFileInfo(here).absolutePath(), QDir(data.path()).absolutePath());
        QVERIFY(QFileInfo(here).fileName().startsWith(u"frank@127.0.0.1_"_s));
        // Hostile names stay inside the directory.
        const QString odd = ChatClient::databasePathFor(data.path(), u"../../etc/passwd@x:1"_s);
        QCOMPARE(QFileInfo(odd).absolutePath(), QDir(data.path()).absolutePath());

        // Switching server: the same name on another relay is another account, with its
        // own history.
        qint64 conversationHere = 0;
        {
            TestClient frank(data.path()), peer;
            frank.databasePath = here;
            frank.client = std::make_unique<ChatClient>(here, TestClient::fastOptions());
            QVERIFY(frank.signUp(m_relay.port(), u"frank"_s));
            QVERIFY(peer.signUp(m_relay.port(), u"peer8"_s));
            conversationHere = *await(frank.client->openDirect(peer.client->userId()));
            QVERIFY(await(frank.client->outbox().send(conversationHere, u"here"_s)).ok());
            QTRY_VERIFY_WITH_TIMEOUT(frank.messages(conversationHere).value(0).state == u"sent"_s,
                                     10000);
        }
        TestClient frankThere(data.path());
        frankThere.databasePath = there;
        frankThere.client = std::make_unique<ChatClient>(there, TestClient::fastOptions());
        QVERIFY(frankThere.signUp(other.port(), u"frank"_s));
        QVERIFY(frankThere.messages(conversationHere).isEmpty());
        QCOMPARE(other.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestChatClient)
#include "tst_chat_client.moc"
