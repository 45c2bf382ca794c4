// The chat window end to end, offscreen, against the real relay: a conversation's ticks,
// receipts, typing and presence, groups, sending while the relay is down, history and search.
// The app (its real Session and MainWindow) on one side, a core client or a raw protocol
// client on the other. Each test saves screenshots of the states it reaches for people to
// review.
#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "support/chat_scene.h"
#include "support/message_list_helpers.h"
#include "support/protocol_client.h"
#include "support/screenshot.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/group_info_dialog.h"
#include "ui/message_delegate.h"
#include "ui/notifier.h"
#include "ui/people_dialog.h"
#include "ui/search_dialog.h"
#include "ui/settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;
using State = MessageListModel::State;

namespace {

/// Every tick state one message shows, in order, as the model tells its views.
struct TickRecorder
{
    TickRecorder(const MessageListModel *model, const QString &text)
    {
        auto record = [this, model, text] {
            const int row = rowWithText(model, text);
            if (row < 0)
                return;
            const auto state = model->index(row).data(MessageListModel::StateRole).value<State>();
            if (states.isEmpty() || states.last() != state)
                states.append(state);
        };
        QObject::connect(model, &QAbstractItemModel::dataChanged, &context, record);
        QObject::connect(model, &QAbstractItemModel::rowsInserted, &context, record);
    }
    QObject context;
    QList<State> states;
};

} // namespace

class TestChatWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void directChatTicksTypingPresenceAndReading()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s},
                              .clients = {u"bob"_s},
                              .chatWith = u"bob"_s,
                              .activeWindow = true}),
                 qPrintable(scene.error()));
        RelayProcess &relay = scene.relay();
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);
        const qint64 conversation = scene.conversation();
        QTRY_COMPARE_WITH_TIMEOUT(statusLine(alice), u"online"_s, 10000);

        // Bob quits: his presence changes.
        const QString bobToken = bob.client->connection().token();
        bob.client->stop();
        QTRY_VERIFY_WITH_TIMEOUT(statusLine(alice).startsWith(u"last seen"_s), 10000);
        QVERIFY(!alice.shot(u"direct-bob-offline"_s).isEmpty());

        // Sent while he is away: ✓, and it stays ✓.
        const QString hello = u"Hello Bob"_s;
        MessageListModel *messages = alice.messages();
        TickRecorder ticks(messages, hello);
        alice.send(hello);
        QVERIFY(alice.view().composer()->toPlainText().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(messages, hello), State::Sent, 10000);
        QTest::qWait(500);
        QCOMPARE(stateOf(messages, hello), State::Sent);
        QVERIFY(!alice.shot(u"direct-sent"_s).isEmpty());

        // Bob's app comes back and stores it: ✓✓.
        bob.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(relay.port())), bobToken);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(messages, hello), State::Delivered, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(statusLine(alice), u"online"_s, 10000);
        QVERIFY(!alice.shot(u"direct-delivered"_s).isEmpty());

        // Bob types: the line shows and goes.
        bob.client->sync().setOwnTyping(conversation, true);
        QTRY_COMPARE_WITH_TIMEOUT(typingLine(alice), u"bob is typing…"_s, 10000);
        QCOMPARE(statusLine(alice), u"typing…"_s);
        QVERIFY(!alice.shot(u"direct-typing"_s).isEmpty());
        bob.client->sync().setOwnTyping(conversation, false);
        QTRY_VERIFY_WITH_TIMEOUT(typingLine(alice).isEmpty(), 10000);

        // Bob reads it: coloured ✓✓.
        const qint64 seq = messages->index(rowWithText(messages, hello))
                               .data(MessageListModel::SeqRole)
                               .toLongLong();
        QVERIFY(seq > 0);
        bob.client->outbox().markRead(conversation, seq);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(messages, hello), State::Read, 10000);
        QVERIFY(!alice.shot(u"direct-read"_s).isEmpty());
        // The ticks only ever moved forward, through each state.
        QVERIFY2(ticks.states.size() >= 3
                     && ticks.states.mid(ticks.states.size() - 3)
                         == QList<State>({State::Sent, State::Delivered, State::Read}),
                 qPrintable(QDebug::toString(ticks.states)));
        for (qsizetype i = 1; i < ticks.states.size(); ++i)
            QVERIFY(int(ticks.states.at(i - 1)) < int(ticks.states.at(i)));

        // Bob answers while Alice looks at another window: not read, but notified.
        QWidget elsewhere;
        elsewhere.setObjectName(u"anotherWindow"_s);
        elsewhere.show();
        elsewhere.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&elsewhere));
        // Markup in a message stays text in the notification (freedesktop servers read it).
        const QString question = u"Are you <b>there</b> & awake?"_s;
        bob.client->outbox().send(conversation, question);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, question) >= 0, 10000);
        ConversationListModel &list = alice.chat()->conversations();
        QTRY_COMPARE_WITH_TIMEOUT(
            list.index(list.rowOf(conversation)).data(ConversationListModel::UnreadRole).toInt(), 1,
            10000);
        QTRY_VERIFY_WITH_TIMEOUT(!alice.window->notifier()->shown().isEmpty(), 10000);
        QCOMPARE(alice.window->notifier()->shown().last().body,
                 u"Are you &lt;b&gt;there&lt;/b&gt; &amp; awake?"_s);
        QCOMPARE(Notifier::notificationText(u"pay"_s + QChar(0x202E) + u"fdp.exe\nnow"_s),
                 u"payfdp.exe now"_s);
        QCOMPARE(Notifier::notificationText(QString(500, u'x')).size(), 200);
        QCOMPARE(alice.window->notifier()->shown().last().conversation, conversation);
        QTest::qWait(500);
        QCOMPARE(
            list.index(list.rowOf(conversation)).data(ConversationListModel::UnreadRole).toInt(),
            1);
        QVERIFY(!alice.shot(u"direct-unread-while-away"_s).isEmpty());

        // She comes back to the window: now it is read, and Bob sees that.
        alice.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));
        QTRY_COMPARE_WITH_TIMEOUT(
            list.index(list.rowOf(conversation)).data(ConversationListModel::UnreadRole).toInt(), 0,
            10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const auto members = bob.conversation(conversation).members;
                for (const local::Member &member : members) {
                    if (member.userId == alice.session->client()->userId())
                        return member.readSeq > seq;
                }
                return false;
            }(),
            10000);
    }

    void readReceiptsCanBeKeptPrivateAndTheThemeCanBeDark()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s},
                              .clients = {u"bob"_s},
                              .chatWith = u"bob"_s,
                              .activeWindow = true}),
                 qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);
        const qint64 conversation = scene.conversation();

        alice.window->showSettings();
        auto *settings = alice.window->findChild<SettingsDialog *>();
        QVERIFY(settings);
        auto *receipts = settings->findChild<QCheckBox *>(u"readReceiptsCheck"_s);
        QVERIFY(receipts && receipts->isChecked());
        receipts->setChecked(false);
        auto *theme = settings->findChild<QComboBox *>(u"themeCombo"_s);
        theme->setCurrentIndex(theme->findData(u"dark"_s));
        QVERIFY(!saveScreenshot(settings, u"settings-dark"_s).isEmpty());
        settings->close();
        alice.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));

        // Bob writes; Alice sees it (her unread count goes), but Bob only learns "delivered".
        QVERIFY(await(bob.client->outbox().send(conversation, u"Read this quietly"_s)).ok());
        MessageListModel *messages = alice.messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, u"Read this quietly"_s) >= 0, 10000);
        const qint64 seq = messages->index(rowWithText(messages, u"Read this quietly"_s))
                               .data(MessageListModel::SeqRole)
                               .toLongLong();
        ConversationListModel &list = alice.chat()->conversations();
        QTRY_COMPARE_WITH_TIMEOUT(
            list.index(list.rowOf(conversation)).data(ConversationListModel::UnreadRole).toInt(), 0,
            10000);
        auto aliceSeenByBob = [&] {
            const auto members = bob.conversation(conversation).members;
            for (const local::Member &member : members) {
                if (member.userId == alice.session->client()->userId())
                    return member;
            }
            return local::Member{};
        };
        QTRY_VERIFY_WITH_TIMEOUT(aliceSeenByBob().deliveredSeq >= seq, 10000);
        QTest::qWait(500);
        QVERIFY(aliceSeenByBob().readSeq < seq);
        QVERIFY(!alice.shot(u"dark-theme"_s).isEmpty());
    }

    void groupShowsReadByNOfM()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s}, .clients = {u"bob"_s, u"carol"_s}}),
                 qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);
        TestClient &carol = scene.client(u"carol"_s);

        alice.window->showNewGroup();
        auto *dialog = alice.window->findChild<PeopleDialog *>();
        QVERIFY(dialog);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"groupTitleEdit"_s), u"Trip"_s);
        auto *query = dialog->findChild<QLineEdit *>(u"userSearchEdit"_s);
        auto *results = dialog->findChild<QListWidget *>(u"userResults"_s);
        auto *create = dialog->findChild<QPushButton *>(u"peopleSubmitButton"_s);
        QVERIFY(!create->isEnabled());
        for (const QString &name : {u"bob"_s, u"carol"_s}) {
            query->clear();
            QTest::keyClicks(query, name);
            QTest::keyClick(query, Qt::Key_Return);
            QTRY_VERIFY_WITH_TIMEOUT(!results->findItems(name, Qt::MatchStartsWith).isEmpty(),
                                     10000);
            results->findItems(name, Qt::MatchStartsWith).first()->setCheckState(Qt::Checked);
        }
        QVERIFY(!saveScreenshot(dialog, u"group-create-dialog"_s).isEmpty());
        QVERIFY(create->isEnabled());
        create->click();
        QTRY_VERIFY2_WITH_TIMEOUT(alice.messages() && statusLine(alice) == u"3 members"_s,
                                  qPrintable(statusLine(alice)), 10000);
        QCOMPARE(alice.find<QLabel>(u"conversationTitle"_s)->text(), u"Trip"_s);
        QCOMPARE(alice.chat()->conversations().rowCount(), 1); // Enter in the dialog made none
        const qint64 conversation = alice.view().conversationId();

        const QString text = u"Who brings the tent?"_s;
        alice.send(text);
        MessageListModel *messages = alice.messages();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(messages, text), State::Delivered, 15000);
        auto index = [&] { return messages->index(rowWithText(messages, text)); };
        QCOMPARE(MessageDelegate::receiptText(index(), true), u"Read by 0 of 2"_s);
        const qint64 seq = index().data(MessageListModel::SeqRole).toLongLong();

        bob.client->outbox().markRead(conversation, seq);
        QTRY_COMPARE_WITH_TIMEOUT(MessageDelegate::receiptText(index(), true), u"Read by 1 of 2"_s,
                                  10000);
        QCOMPARE(stateOf(messages, text), State::Delivered);
        QVERIFY(!alice.shot(u"group-read-by-one"_s).isEmpty());
        carol.client->outbox().markRead(conversation, seq);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(messages, text), State::Read, 10000);
        QCOMPARE(MessageDelegate::receiptText(index(), true), u"Read by 2 of 2"_s);

        // Names show in groups, and others' typing names them.
        carol.client->outbox().send(conversation, u"I do"_s);
        bob.client->sync().setOwnTyping(conversation, true);
        carol.client->sync().setOwnTyping(conversation, true);
        QTRY_COMPARE_WITH_TIMEOUT(typingLine(alice), u"bob and carol are typing…"_s, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, u"I do"_s) >= 0, 10000);
        QCOMPARE(messages->index(rowWithText(messages, u"I do"_s))
                     .data(MessageListModel::SenderNameRole)
                     .toString(),
                 u"carol"_s);
        QVERIFY(!alice.shot(u"group-typing"_s).isEmpty());

        // Group info: rename, remove a member.
        alice.window->showGroupInfo();
        auto *info = alice.window->findChild<GroupInfoDialog *>();
        QVERIFY(info);
        auto *title = info->findChild<QLineEdit *>(u"groupTitleEdit"_s);
        auto *members = info->findChild<QListWidget *>(u"memberList"_s);
        QTRY_COMPARE_WITH_TIMEOUT(members->count(), 3, 10000);
        QVERIFY(!title->isReadOnly()); // the owner may rename
        title->clear();
        QTest::keyClicks(title, u"Camping trip"_s);
        info->findChild<QPushButton *>(u"renameButton"_s)->click();
        QTRY_VERIFY2_WITH_TIMEOUT(
            alice.find<QLabel>(u"conversationTitle"_s)->text() == u"Camping trip"_s,
            qPrintable(info->findChild<QLabel *>(u"groupStatus"_s)->text() + u" / "_s
                       + alice.chat()
                             ->conversations()
                             .index(0)
                             .data(ConversationListModel::TitleRole)
                             .toString()
                       + u" / "_s + title->text()),
            10000);
        QTRY_VERIFY_WITH_TIMEOUT(!members->findItems(u"carol"_s, Qt::MatchStartsWith).isEmpty(),
                                 10000);
        members->setCurrentItem(members->findItems(u"carol"_s, Qt::MatchStartsWith).first());
        auto *remove = info->findChild<QPushButton *>(u"removeMemberButton"_s);
        QVERIFY(remove->isEnabled());
        QVERIFY(!saveScreenshot(info, u"group-info"_s).isEmpty());
        remove->click();
        QTRY_COMPARE_WITH_TIMEOUT(statusLine(alice), u"2 members"_s, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(members->count(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            hasSystemLine(messages, u"You renamed the group to “Camping trip”"_s), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(hasSystemLine(messages, u"You removed carol"_s), 10000);
        info->close();
        QVERIFY(!alice.shot(u"group-after-changes"_s).isEmpty());
    }

    void sendingWhileTheRelayIsDownShowsAClockThenATick()
    {
        ChatScene scene;
        QVERIFY2(
            scene.start({.windows = {u"alice"_s}, .clients = {u"bob"_s}, .chatWith = u"bob"_s}),
            qPrintable(scene.error()));
        RelayProcess &relay = scene.relay();
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);
        const qint64 conversation = scene.conversation();
        auto *banner = alice.find<QLabel>(u"connectionBanner"_s);

        QTRY_COMPARE_WITH_TIMEOUT(statusLine(alice), u"online"_s, 10000);
        QCOMPARE(relay.stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
        // Offline, nobody is shown online: that would be a guess.
        QTRY_VERIFY_WITH_TIMEOUT(statusLine(alice) != u"online"_s, 10000);
        const QString text = u"Sent from the tunnel"_s;
        alice.send(text);
        MessageListModel *messages = alice.messages();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(messages, text), State::Queued, 10000);
        QTest::qWait(300);
        QCOMPARE(stateOf(messages, text), State::Queued);
        QVERIFY(!alice.shot(u"offline-queued"_s).isEmpty());

        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(int(stateOf(messages, text)) >= int(State::Sent)
                                     && stateOf(messages, text) != State::Failed,
                                 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(storedWithText(bob, conversation, text).has_value(), 20000);
        QVERIFY(!alice.shot(u"offline-sent-after-return"_s).isEmpty());
    }

    void scrollsBackThroughHistoryAndSearchJumpsToAMessage()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.relayArguments
                              = {u"--message-rate"_s, u"100000"_s, u"--frame-rate"_s, u"100000"_s},
                              .windows = {u"alice"_s}}),
                 qPrintable(scene.error()));
        RelayProcess &relay = scene.relay();
        AppWindow &alice = scene.window(u"alice"_s);
        const qint64 aliceId = alice.session->client()->userId();
        ProtocolClient bob;
        QVERIFY(bob.signUp(relay.webSocketUrl(), u"bob"_s) > 0);
        const QJsonObject opened = bob.request(u"direct.open"_s, {{u"user"_s, aliceId}});
        QVERIFY(ProtocolClient::isOk(opened));
        const qint64 conversation
            = opened.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();

        constexpr int kMessages = 2000;
        constexpr int kNeedle = 300;
        QStringList ids;
        for (int i = 1; i <= kMessages; ++i) {
            const QString text
                = i == kNeedle ? u"Message %1 with the needle"_s.arg(i) : u"Message %1"_s.arg(i);
            ids.append(bob.post(u"message.send"_s,
                                {{u"conversation"_s, conversation},
                                 {u"client_id"_s, u"m%1"_s.arg(i)},
                                 {u"text"_s, text}}));
        }
        for (const QString &id : std::as_const(ids))
            QVERIFY(ProtocolClient::isOk(bob.reply(id)));

        ConversationListModel &list = alice.chat()->conversations();
        QTRY_VERIFY_WITH_TIMEOUT(list.rowOf(conversation) >= 0
                                     && list.index(list.rowOf(conversation))
                                             .data(ConversationListModel::PreviewRole)
                                             .toString()
                                         == u"Message %1"_s.arg(kMessages),
                                 60000);
        alice.chat()->openConversation(conversation);
        MessageListModel *messages = alice.messages();
        QTRY_VERIFY_WITH_TIMEOUT(messages && messages->rowCount() > 0, 10000);
        QVERIFY(messages->rowCount() < 200); // the newest page only
        QVERIFY(!alice.shot(u"history-opened"_s).isEmpty());

        // Search finds the old message and jumps to it, loading history on the way.
        alice.window->showSearch();
        auto *search = alice.window->findChild<SearchDialog *>();
        QVERIFY(search);
        auto *query = search->findChild<QLineEdit *>(u"searchEdit"_s);
        auto *results = search->findChild<QListWidget *>(u"searchResults"_s);
        QTest::keyClicks(query, u"needle"_s);
        QTRY_COMPARE_WITH_TIMEOUT(results->count(), 1, 10000);
        QVERIFY(results->item(0)->text().contains(u"with the needle"_s));
        QVERIFY(!saveScreenshot(search, u"search-results"_s).isEmpty());
        QTest::keyClick(query, Qt::Key_Return);
        auto *view = alice.find<QListView>(u"messageList"_s);
        const QString needle = u"Message %1 with the needle"_s.arg(kNeedle);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, needle) >= 0, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(view->viewport()->rect().intersects(view->visualRect(
                                     messages->index(rowWithText(messages, needle)))),
                                 10000);
        QVERIFY(!alice.shot(u"search-jumped"_s).isEmpty());

        // Scrolling up loads older pages, keeping what is on screen in place, to the start.
        QScrollBar *bar = view->verticalScrollBar();
        int steadyLoads = 0;
        for (int round = 0; round < 200 && messages->canLoadOlder(); ++round) {
            const int before = messages->rowCount();
            bar->setValue(0);
            // What the user sees at the top as the older page is asked for.
            const qint64 topSeq
                = view->indexAt(QPoint(10, 10)).data(MessageListModel::SeqRole).toLongLong();
            QTRY_VERIFY_WITH_TIMEOUT(messages->rowCount() > before || !messages->canLoadOlder(),
                                     10000);
            QTest::qWait(20);
            const QRect shown = view->visualRect(messages->index(messages->rowOfSeq(topSeq)));
            if (topSeq > 0 && shown.bottom() >= 0 && shown.top() < view->viewport()->height())
                ++steadyLoads;
        }
        QVERIFY(!messages->canLoadOlder());
        QCOMPARE(messages->rowCount(), kMessages + 1); // "created", then the messages
        QCOMPARE(messages->index(0).data(MessageListModel::SeqRole).toLongLong(), 1);
        QVERIFY2(steadyLoads > 0, "older history pushed the messages on screen away");
        bar->setValue(0);
        QVERIFY(!alice.shot(u"history-start"_s).isEmpty());

        // The button brings the newest back.
        auto *jump = alice.find<QWidget>(u"jumpToLatestButton"_s);
        QTRY_VERIFY(jump->isVisible());
        QTest::mouseClick(jump, Qt::LeftButton);
        QTRY_VERIFY(bar->value() == bar->maximum());
        QTRY_VERIFY(!jump->isVisible());
    }
};

QTEST_MAIN(TestChatWindow)
#include "tst_chat_window.moc"
