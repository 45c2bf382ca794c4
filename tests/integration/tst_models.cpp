// The UI's models over the client core, against the real relay: the conversation list
// follows activity, unread counts, presence and typing; the message list pages history
// and shows every tick, edit, deletion, reaction, reply and failure. Every model runs under
// QAbstractItemModelTester, and no change ever resets a model.
#include "models/conversation_list_model.h"
#include "models/initials.h"
#include "models/message_list_model.h"
#include "support/client_helpers.h"
#include "support/message_list_helpers.h"
#include "support/relay_process.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

using State = MessageListModel::State;

QVariant at(const QAbstractItemModel &model, int row, int role)
{
    return model.data(model.index(row, 0), role);
}

/// The message list's texts, top to bottom (messages only, not events).
QStringList texts(const MessageListModel &model)
{
    QStringList list;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (at(model, row, MessageListModel::KindRole).toString() == u"message")
            list.append(at(model, row, MessageListModel::TextRole).toString());
    }
    return list;
}

/// The ticks of the message with `text`; an invalid QVariant when there is none.
QVariant stateOf(const MessageListModel &model, const QString &text)
{
    for (int row = model.rowCount() - 1; row >= 0; --row) {
        if (at(model, row, MessageListModel::TextRole).toString() == text)
            return at(model, row, MessageListModel::StateRole);
    }
    return {};
}

QVariant is(State state)
{
    return QVariant::fromValue(state);
}

constexpr auto kTester = QAbstractItemModelTester::FailureReportingMode::QtTest;

} // namespace

class TestModels : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;

    ServerAddress server() const
    {
        return *ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void initials_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("initials");
        QTest::newRow("two words") << u"Alice Smith"_s << u"AS"_s;
        QTest::newRow("one word") << u"bob"_s << u"B"_s;
        QTest::newRow("three words") << u"Anna Maria Lopez"_s << u"AM"_s;
        QTest::newRow("accents") << u"émile zola"_s << u"ÉZ"_s;
        QTest::newRow("han") << u"李 小龙"_s << u"李小"_s;
        QTest::newRow("emoji first") << u"🎉 Party"_s << u"P"_s;
        QTest::newRow("punctuation") << u"(dev) team"_s << u"DT"_s;
        QTest::newRow("spaces only") << u"   "_s << u"?"_s;
        QTest::newRow("empty") << QString() << u"?"_s;
        QTest::newRow("outside the BMP") << u"𝒜lpha"_s << u"𝒜"_s;
    }
    void initials()
    {
        QFETCH(QString, name);
        QFETCH(QString, initials);
        QCOMPARE(initialsOf(name), initials);
    }

    void conversationListFollowsActivity()
    {
        TestClient alice, bob, carol;
        QVERIFY(alice.signUp(m_relay.port(), u"alice1"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob1"_s));
        QVERIFY(carol.signUp(m_relay.port(), u"carol1"_s));
        const qint64 bobId = bob.client->userId();

        ConversationListModel model(*alice.client);
        QAbstractItemModelTester tester(&model, kTester);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy moves(&model, &QAbstractItemModel::rowsMoved);
        using R = ConversationListModel;

        const qint64 direct = *await(alice.client->openDirect(bobId));
        const qint64 group
            = *await(alice.client->createGroup(u"Trip"_s, {bobId, carol.client->userId()}));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, 10000);
        QCOMPARE(at(model, model.rowOf(group), R::TitleRole).toString(), u"Trip"_s);
        QCOMPARE(at(model, model.rowOf(group), R::KindRole).toString(), u"group"_s);
        QCOMPARE(at(model, model.rowOf(group), R::MemberCountRole).toInt(), 3);
        QCOMPARE(at(model, model.rowOf(direct), Qt::DisplayRole).toString(), u"bob1"_s);
        QCOMPARE(at(model, model.rowOf(direct), R::InitialsRole).toString(), u"B"_s);
        QCOMPARE(at(model, model.rowOf(direct), R::OtherUserRole).toLongLong(), bobId);
        QCOMPARE(at(model, model.rowOf(direct), R::AvatarKeyRole).toLongLong(), bobId);

        // A message moves its conversation to the top: a row move, not a reset.
        QTRY_COMPARE_WITH_TIMEOUT(at(model, 0, R::IdRole).toLongLong(), group, 10000);
        QVERIFY(await(alice.client->outbox().send(direct, u"hi bob\nhow are you"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(at(model, 0, R::IdRole).toLongLong(), direct, 10000);
        QCOMPARE(at(model, 0, R::PreviewRole).toString(), u"You: hi bob how are you"_s);
        QCOMPARE(at(model, 0, R::UnreadRole).toInt(), 0);
        QVERIFY(at(model, 0, R::LastActivityRole).toDateTime().isValid());
        QVERIFY(moves.count() > 0);

        // Bob writes in the group: it comes back up, with his name and an unread count. Only
        // its row is read again (issue 18), not the whole list.
        QTRY_VERIFY_WITH_TIMEOUT(bob.conversation(group).id == group, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!alice.client->isSyncing(), 10000);
        QSignalSpy reads(&model, &ConversationListModel::refreshed);
        QSignalSpy rowReads(&model, &ConversationListModel::rowsRefreshed);
        QVERIFY(await(bob.client->outbox().send(group, u"packing list?"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(at(model, 0, R::IdRole).toLongLong(), group, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(at(model, 0, R::PreviewRole).toString(), u"bob1: packing list?"_s,
                                  10000);
        QCOMPARE(at(model, 0, R::UnreadRole).toInt(), 1);
        QCOMPARE(reads.count(), rowReads.count()); // no read of the whole list
        QVERIFY(
            std::any_of(rowReads.cbegin(), rowReads.cend(), [group](const QList<QVariant> &read) {
                return read.at(0).value<QList<qint64>>() == QList<qint64>{group};
            }));

        // Typing shows by name, and goes.
        carol.client->sync().setOwnTyping(group, true);
        QTRY_COMPARE_WITH_TIMEOUT(at(model, model.rowOf(group), R::TypingRole).toStringList(),
                                  QStringList{u"carol1"_s}, 10000);
        carol.client->sync().setOwnTyping(group, false);
        QTRY_VERIFY_WITH_TIMEOUT(
            at(model, model.rowOf(group), R::TypingRole).toStringList().isEmpty(), 10000);

        // Presence of the other person in a direct chat.
        QTRY_VERIFY_WITH_TIMEOUT(at(model, model.rowOf(direct), R::OnlineRole).toBool(), 10000);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        bob.client->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!at(model, model.rowOf(direct), R::OnlineRole).toBool(), 10000);
        QVERIFY(at(model, model.rowOf(direct), R::LastSeenRole).toDateTime().isValid());
        QVERIFY(changed.count() > 0);
        QCOMPARE(resets.count(), 0);

        // The next start shows the cached list before any network.
        const QString path = alice.databasePath;
        alice.client.reset();
        ChatClient offline(path);
        QVERIFY(await(offline.open()).ok());
        ConversationListModel cached(offline);
        QAbstractItemModelTester cachedTester(&cached, kTester);
        QTRY_COMPARE_WITH_TIMEOUT(cached.rowCount(), 2, 10000);
        QCOMPARE(at(cached, 0, R::PreviewRole).toString(), u"bob1: packing list?"_s);
        QCOMPARE(at(cached, cached.rowOf(direct), R::TitleRole).toString(), u"bob1"_s);
    }

    void aNewChatWithSomeoneOfflineShowsAtOnce()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice7"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob7"_s));
        const qint64 bobId = bob.client->userId();
        bob.client->stop(); // offline: nothing they do can refresh Alice's list
        ConversationListModel model(*alice.client);
        QAbstractItemModelTester tester(&model, kTester);
        QTRY_COMPARE(model.rowCount(), 0);
        const auto direct = await(alice.client->openDirect(bobId));
        QVERIFY(direct.ok());
        QTRY_VERIFY_WITH_TIMEOUT(model.rowOf(*direct) >= 0, 5000);
        QCOMPARE(at(model, model.rowOf(*direct), Qt::DisplayRole).toString(), u"bob7"_s);
    }

    void messageListPagesHistory()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice2"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob2"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        constexpr int kCount = 120;
        for (int i = 0; i < kCount; ++i)
            QVERIFY(await(alice.client->outbox().send(direct, u"m %1"_s.arg(i))).ok());
        QTRY_COMPARE_WITH_TIMEOUT(bob.messages(direct).size() > kCount - 1
                                      && bob.messages(direct).last().body.value(u"text"_s)
                                          == u"m 119"_s,
                                  true, 20000);
        const int entries = int(bob.messages(direct).size()); // messages and events

        // The newest page first, then older pages as the view asks.
        MessageListModel paged(*bob.client, direct, 50);
        QSignalSpy resets(&paged, &QAbstractItemModel::modelReset);
        QSignalSpy loaded(&paged, &MessageListModel::refreshed);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(paged.rowCount(), 50);
        QCOMPARE(texts(paged).last(), u"m 119"_s);
        QCOMPARE(texts(paged).first(), u"m 70"_s);
        QVERIFY(paged.canLoadOlder());
        QSignalSpy inserted(&paged, &QAbstractItemModel::rowsInserted);
        paged.loadOlder();
        QVERIFY(inserted.wait(10000));
        QCOMPARE(inserted.first().at(1).toInt(), 0); // at the top
        QCOMPARE(paged.rowCount(), 100);
        paged.loadOlder();
        QTRY_COMPARE_WITH_TIMEOUT(paged.rowCount(), entries, 10000);
        QVERIFY(!paged.canLoadOlder());
        QCOMPARE(texts(paged).size(), kCount);
        for (int i = 0; i < kCount; ++i)
            QCOMPARE(texts(paged).at(i), u"m %1"_s.arg(i));
        for (int row = 1; row < paged.rowCount(); ++row)
            QVERIFY(at(paged, row - 1, MessageListModel::SeqRole).toLongLong()
                    < at(paged, row, MessageListModel::SeqRole).toLongLong());
        QCOMPARE(at(paged, paged.rowCount() - 1, MessageListModel::SenderNameRole).toString(),
                 u"alice2"_s);
        QCOMPARE(at(paged, paged.rowCount() - 1, MessageListModel::IsOwnRole).toBool(), false);

        // Under the tester, loading every page.
        MessageListModel tested(*bob.client, direct, 30);
        QAbstractItemModelTester tester(&tested, kTester);
        QTRY_VERIFY_WITH_TIMEOUT(tested.canLoadOlder(), 10000);
        while (tested.canLoadOlder()) {
            const int before = tested.rowCount();
            tested.loadOlder();
            QTRY_VERIFY_WITH_TIMEOUT(tested.rowCount() > before || !tested.canLoadOlder(), 10000);
        }
        QCOMPARE(tested.rowCount(), entries);

        // New messages arrive at the bottom of both.
        QVERIFY(await(alice.client->outbox().send(direct, u"late"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(paged).last(), u"late"_s, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(texts(tested).last(), u"late"_s, 10000);
        QCOMPARE(resets.count(), 0);

        // Destroyed while a read is in flight: nothing runs on it afterwards.
        auto *doomed = new MessageListModel(*bob.client, direct, 10);
        doomed->loadOlder();
        delete doomed;
        QTest::qWait(200);
    }

    void messageListShowsTicksAndChanges()
    {
        TestClient alice, bob;
        QVERIFY(alice.signUp(m_relay.port(), u"alice3"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob3"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        MessageListModel mine(*alice.client, direct);
        QAbstractItemModelTester tester(&mine, kTester);
        MessageListModel theirs(*bob.client, direct);
        QAbstractItemModelTester theirTester(&theirs, kTester);
        using R = MessageListModel;

        // Offline: shown at once with a clock.
        const QString token = alice.client->connection().token();
        alice.client->stop();
        QVERIFY(await(alice.client->outbox().send(direct, u"tick tock"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(mine), QStringList{u"tick tock"_s}, 5000);
        QCOMPARE(stateOf(mine, u"tick tock"_s), is(State::Queued));
        QCOMPARE(at(mine, rowWithText(&mine, u"tick tock"_s), R::IsOwnRole).toBool(), true);
        QCOMPARE(at(mine, rowWithText(&mine, u"tick tock"_s), R::SeqRole).toLongLong(), 0);
        const qint64 localId = at(mine, rowWithText(&mine, u"tick tock"_s), R::IdRole).toLongLong();

        // Back online: ✓ then ✓✓ (Bob's device has it), then read when Bob sees it.
        alice.client->start(server(), token);
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(mine, u"tick tock"_s) == is(State::Delivered)
                                     || stateOf(mine, u"tick tock"_s) == is(State::Sent),
                                 10000);
        const int row = rowWithText(&mine, u"tick tock"_s);
        QCOMPARE(at(mine, row, R::IdRole).toLongLong(), localId); // the same row
        QVERIFY(at(mine, row, R::SeqRole).toLongLong() > 0);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(mine, u"tick tock"_s), is(State::Delivered), 10000);
        QCOMPARE(at(mine, row, R::ReadByRole).toInt(), 0);
        QCOMPARE(at(mine, row, R::OthersRole).toInt(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(texts(theirs), QStringList{u"tick tock"_s}, 10000);
        theirs.markSeenUpTo(theirs.rowCount() - 1);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(mine, u"tick tock"_s), is(State::Read), 10000);
        QCOMPARE(at(mine, rowWithText(&mine, u"tick tock"_s), R::ReadByRole).toInt(), 1);

        // Edited, reacted to, replied to, deleted — on both sides.
        const qint64 seq = at(mine, rowWithText(&mine, u"tick tock"_s), R::SeqRole).toLongLong();
        QVERIFY(await(alice.client->outbox().edit(direct, seq, u"tick tock (edited)"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(&theirs, u"tick tock (edited)"_s) >= 0, 10000);
        QCOMPARE(at(theirs, rowWithText(&theirs, u"tick tock (edited)"_s), R::EditedRole).toBool(),
                 true);
        QVERIFY(await(bob.client->outbox().react(direct, seq, u"👍"_s, true)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(at(mine, mine.rowOfSeq(seq), R::ReactionsRole).toMap(),
                                  (QVariantMap{{u"👍"_s, QVariantList{bob.client->userId()}}}),
                                  10000);
        QVERIFY(await(bob.client->outbox().send(direct, u"replying"_s, seq)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(&mine, u"replying"_s) >= 0, 10000);
        QCOMPARE(at(mine, rowWithText(&mine, u"replying"_s), R::ReplyToRole).toLongLong(), seq);
        QCOMPARE(at(mine, rowWithText(&mine, u"replying"_s), R::IsOwnRole).toBool(), false);
        QCOMPARE(at(mine, rowWithText(&mine, u"replying"_s), R::SenderNameRole).toString(),
                 u"bob3"_s);
        QVERIFY(await(alice.client->outbox().remove(direct, seq)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(at(theirs, theirs.rowOfSeq(seq), R::DeletedRole).toBool(), 10000);
        QCOMPARE(at(theirs, theirs.rowOfSeq(seq), R::TextRole).toString(), QString());
        QCOMPARE(at(theirs, theirs.rowOfSeq(seq), R::EditedRole).toBool(), false);
        QVERIFY(at(theirs, theirs.rowOfSeq(seq), R::AttachmentsRole)
                    .value<QList<MessageAttachment>>()
                    .isEmpty());
    }

    void messageListReadsOnlyWhatChangedAndShowsRefusedChanges()
    {
        // Issue 18: a message list re-reads only the relay's news for its own conversation,
        // and a change of mine the relay refuses comes off with a visible note.
        TestClient alice, bob, carol;
        QVERIFY(alice.signUp(m_relay.port(), u"alice5"_s));
        QVERIFY(bob.signUp(m_relay.port(), u"bob5"_s));
        QVERIFY(carol.signUp(m_relay.port(), u"carol5"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(await(alice.client->outbox().send(direct, u"from alice"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!bob.messages(direct).isEmpty()
                                     && bob.messages(direct).last().body.value(u"text"_s)
                                         == u"from alice"_s,
                                 10000);
        MessageListModel model(*bob.client, direct);
        QAbstractItemModelTester tester(&model, kTester);
        QTRY_COMPARE_WITH_TIMEOUT(texts(model), QStringList{u"from alice"_s}, 10000);
        QSignalSpy reads(&model, &MessageListModel::refreshed);

        // News elsewhere: nothing read here.
        const qint64 other = *await(carol.client->openDirect(bob.client->userId()));
        QVERIFY(await(carol.client->outbox().send(other, u"from carol"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!bob.messages(other).isEmpty()
                                     && bob.messages(other).last().body.value(u"text"_s)
                                         == u"from carol"_s,
                                 10000);
        QCoreApplication::processEvents();
        QCOMPARE(reads.size(), 0);
        // News here: read, and shown.
        QVERIFY(await(alice.client->outbox().send(direct, u"again"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(texts(model), (QStringList{u"from alice"_s, u"again"_s}), 10000);
        QVERIFY(reads.size() > 0);

        // Bob may not delete Alice's message: shown deleted at once, back when refused.
        using R = MessageListModel;
        const int row = rowWithText(&model, u"from alice"_s);
        const qint64 seq = at(model, row, R::SeqRole).toLongLong();
        QVERIFY(await(bob.client->outbox().remove(direct, seq)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            !at(model, model.rowOfSeq(seq), R::FailedChangeRole).toString().isEmpty(), 10000);
        QCOMPARE(at(model, model.rowOfSeq(seq), R::DeletedRole).toBool(), false);
        QCOMPARE(at(model, model.rowOfSeq(seq), R::TextRole).toString(), u"from alice"_s);
        QVERIFY(at(model, model.rowOfSeq(seq), R::FailedChangeTextRole)
                    .toString()
                    .startsWith(u"Not deleted"_s));
        // Discarded: the note goes, the message stays as the relay has it.
        bob.client->outbox().cancel(at(model, model.rowOfSeq(seq), R::FailedChangeRole).toString());
        QTRY_VERIFY_WITH_TIMEOUT(
            at(model, model.rowOfSeq(seq), R::FailedChangeRole).toString().isEmpty(), 10000);
        QCOMPARE(at(model, model.rowOfSeq(seq), R::TextRole).toString(), u"from alice"_s);
    }

    void refusedMessagesShowFailedAndCanBeCancelled()
    {
        TestClient owner, member;
        QVERIFY(owner.signUp(m_relay.port(), u"owner4"_s));
        QVERIFY(member.signUp(m_relay.port(), u"member4"_s));
        const qint64 group
            = *await(owner.client->createGroup(u"Club"_s, {member.client->userId()}));
        QTRY_VERIFY_WITH_TIMEOUT(member.conversation(group).id == group, 10000);
        MessageListModel model(*member.client, group);
        QAbstractItemModelTester tester(&model, kTester);
        QVERIFY(await(owner.client->connection().request(
                          u"group.remove"_s,
                          {{u"conversation"_s, group}, {u"user"_s, member.client->userId()}}))
                    .ok());
        QVERIFY(await(member.client->outbox().send(group, u"let me back in"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, u"let me back in"_s), is(State::Failed), 10000);
        const int row = rowWithText(&model, u"let me back in"_s);
        // Shown in words, not as the relay's code.
        QCOMPARE(at(model, row, MessageListModel::ErrorRole).toString(),
                 u"you are no longer a member of this conversation"_s);
        const QString key = at(model, row, MessageListModel::ClientIdRole).toString();
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QVERIFY(await(member.client->outbox().cancel(key)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(rowWithText(&model, u"let me back in"_s), -1, 10000);
        QVERIFY(removed.count() > 0);
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
