// Around the conversations, offscreen, against the real relay: settings, menus and keys,
// muting, notifications, blocking and leaving, drafts, a restored window, and a name on
// every widget for screen readers and scripts. Saves screenshots for review.
#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "support/chat_scene.h"
#include "support/message_list_helpers.h"
#include "support/screenshot.h"
#include "support/widget_helpers.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/group_info_dialog.h"
#include "ui/message_delegate.h"
#include "ui/notifier.h"
#include "ui/people_dialog.h"
#include "ui/quick_switcher.h"
#include "ui/search_dialog.h"
#include "ui/settings_dialog.h"
#include "ui/sign_in_page.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QSpinBox>
#include <QSplitter>
#include <QSystemTrayIcon>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestWindowSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void everyInteractiveWidgetHasANameForScreenReadersAndScripts()
    {
        ChatScene scene;
        QVERIFY2(
            scene.start({.windows = {u"alice"_s}, .clients = {u"bob"_s}, .chatWith = u"bob"_s}),
            qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        alice.window->showNewGroup();
        alice.window->showSearch();
        alice.window->showQuickSwitcher();
        alice.window->showSettings();
        QStringList unnamed;
        int checked = 0;
        const QList<QWidget *> widgets = alice.window->findChildren<QWidget *>();
        for (QWidget *widget : widgets) {
            const bool interactive = qobject_cast<QAbstractButton *>(widget)
                || qobject_cast<QLineEdit *>(widget) || qobject_cast<QAbstractItemView *>(widget)
                || qobject_cast<QComboBox *>(widget) || qobject_cast<QAbstractSpinBox *>(widget)
                || qobject_cast<QPlainTextEdit *>(widget);
            // Qt's own parts of a widget (a line edit's clear button, a spin box's editor, a
            // combo box's popup list), wherever the Qt version puts them.
            bool part = widget->objectName().startsWith(u"qt_"_s)
                || widget->objectName().startsWith(u"_q_"_s);
            for (QObject *up = widget->parent(); up && !part; up = up->parent())
                part = qobject_cast<QAbstractSpinBox *>(up) || qobject_cast<QComboBox *>(up)
                    || qobject_cast<QLineEdit *>(up);
            if (!interactive || part)
                continue;
            ++checked;
            const auto *button = qobject_cast<QAbstractButton *>(widget);
            const bool named = !widget->accessibleName().isEmpty()
                || (button && !button->text().remove(u'&').isEmpty());
            // A dialog's standard buttons are found by their role, the rest by name.
            const bool findable = !widget->objectName().isEmpty()
                || qobject_cast<QDialogButtonBox *>(widget->parentWidget());
            if (!named || !findable)
                unnamed.append(QString::fromLatin1(widget->metaObject()->className()) + u' '
                               + widget->objectName() + u" in "_s + widget->window()->objectName());
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u"; "_s)));
        QVERIFY2(checked >= 30, qPrintable(QString::number(checked))); // the dialogs were looked at
    }

    void aBlockAnsweredAfterTheSessionEndedDoesNothing()
    {
        // Issue 18: "Block bob?" runs an event loop; the session can end while it is open
        // and its client be gone by the answer. A Yes then blocks nobody and touches no
        // freed client (ASan would say so in the ci preset).
        ChatScene scene;
        QVERIFY2(
            scene.start({.windows = {u"alice"_s}, .clients = {u"bob"_s}, .chatWith = u"bob"_s}),
            qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);
        const qint64 withBob = scene.conversation();
        const QPointer<ChatClient> before = alice.session->client();
        QVERIFY(before);

        // Everything runs on a timer inside the menu's and the question's event loops.
        enum class Step { Menu, Question, Gone, Answered } step = Step::Menu;
        QDeadlineTimer deadline(20000);
        QTimer answering;
        connect(&answering, &QTimer::timeout, this, [&] {
            if (auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
                menu && step == Step::Menu) {
                for (QAction *action : menu->actions()) {
                    if (action->text().remove(u'&') == u"Block bob"_s) {
                        step = Step::Question;
                        // Clicked from the menu's own loop once this tick is over: a timer
                        // does not fire while its handler runs, and it must tick in the
                        // question's loop, which the click opens.
                        QMetaObject::invokeMethod(
                            menu,
                            [menu, action] {
                                QTest::mouseClick(menu, Qt::LeftButton, {},
                                                  menu->actionGeometry(action).center());
                            },
                            Qt::QueuedConnection);
                        return;
                    }
                }
            }
            auto *question = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!question)
                return;
            if (step == Step::Question) {
                step = Step::Gone;
                alice.session->signOut();
            } else if (step == Step::Gone && (before.isNull() || deadline.hasExpired())) {
                // The old client goes once its logout is answered: only then the Yes.
                step = Step::Answered;
                question->button(QMessageBox::Yes)->click();
            }
        });
        answering.start(20);
        alice.window->showGroupInfo(); // a direct chat: the person menu, then the question
        QCOMPARE(step, Step::Answered);
        answering.stop();
        QVERIFY(before.isNull()); // (not just the deadline)
        QVERIFY(!alice.session->client());
        QTRY_VERIFY(alice.window->signInPage()->isVisible());

        // Nobody was blocked: Bob still reaches Alice.
        const auto sent = await(bob.client->outbox().send(withBob, u"still friends"_s));
        QVERIFY(sent.ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            storedWithText(bob, withBob, u"still friends"_s).value_or(local::Message{}).state
                == u"sent"_s,
            10000);
    }

    void mutingNotificationsBlockingAndLeaving()
    {
        ChatScene scene;
        QVERIFY2(
            scene.start(
                {.windows = {u"alice"_s}, .clients = {u"bob"_s, u"carol"_s}, .chatWith = u"bob"_s}),
            qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);
        TestClient &carol = scene.client(u"carol"_s);
        const qint64 withBob = scene.conversation();
        QVERIFY(alice.startChatWith(u"carol"_s));
        Notifier *notifier = alice.window->notifier();
        ConversationListModel &list = alice.chat()->conversations();
        auto *conversationList = alice.find<QListView>(u"conversationList"_s);

        QWidget elsewhere;
        elsewhere.show();
        elsewhere.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&elsewhere));

        // Muted from the list's context menu: no notification, and not in the count.
        QTRY_VERIFY(list.rowOf(withBob) >= 0);
        pickFromNextMenu(conversationList, {u"Mute Notifications"_s});
        Q_EMIT conversationList->customContextMenuRequested(
            conversationList->visualRect(conversationList->model()->index(list.rowOf(withBob), 0))
                .center());
        QTRY_VERIFY(notifier->isMuted(withBob));
        const auto shownBefore = notifier->shown().size();
        QVERIFY(await(bob.client->outbox().send(withBob, u"quiet one"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(
            list.index(list.rowOf(withBob)).data(ConversationListModel::UnreadRole).toInt(), 1,
            10000);
        QTest::qWait(300);
        QCOMPARE(notifier->shown().size(), shownBefore);
        QCOMPARE(notifier->unreadTotal(), 0);
        QCOMPARE(alice.window->windowTitle(), u"Tidings"_s);

        // Unmuted: the next one is notified, counted in the tray and the title; a click on
        // the notification opens the conversation.
        notifier->setMuted(withBob, false);
        QVERIFY(await(bob.client->outbox().send(withBob, u"loud one"_s)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(notifier->shown().size(), shownBefore + 1, 10000);
        QCOMPARE(notifier->shown().last().body, u"loud one"_s);
        QCOMPARE(notifier->unreadTotal(), 2);
        QCOMPARE(alice.window->windowTitle(), u"Tidings (2)"_s);
        Q_EMIT notifier->tray()->messageClicked();
        QTRY_COMPARE(alice.view().conversationId(), withBob);
        // The chat opens at a "New messages" divider above the first one not read.
        MessageListModel *bobsMessages = alice.messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(bobsMessages, u"quiet one"_s) >= 0, 10000);
        auto *delegate = qobject_cast<MessageDelegate *>(
            alice.find<QListView>(u"messageList"_s)->itemDelegate());
        QVERIFY(delegate);
        QTRY_COMPARE(delegate->newMessagesSeq(),
                     bobsMessages->index(rowWithText(bobsMessages, u"quiet one"_s))
                         .data(MessageListModel::SeqRole)
                         .toLongLong());
        QVERIFY(!alice.shot(u"new-messages-divider"_s).isEmpty());
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));

        // Blocking Bob from his chat's info: his next message is refused.
        pickFromNextMenu(alice.window.get(), {u"Block bob"_s});
        alice.window->showGroupInfo();
        QTest::qWait(500);
        QVERIFY(await(bob.client->outbox().send(withBob, u"still there?"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            storedWithText(bob, withBob, u"still there?"_s).value_or(local::Message{}).state
                == u"failed"_s,
            10000);
        // It shows: the header says so and the composer waits; the menu offers Unblock.
        QTRY_COMPARE(alice.find<QLabel>(u"conversationStatus"_s)->text(), u"Blocked"_s);
        QVERIFY(!alice.view().composer()->isEnabled());
        QVERIFY(alice.view().composer()->placeholderText().contains(u"You blocked bob"_s));
        QVERIFY(!alice.shot(u"blocked"_s).isEmpty());
        pickFromNextMenu(alice.window.get(), {u"Unblock bob"_s});
        alice.window->showGroupInfo();
        QTRY_VERIFY(alice.view().composer()->isEnabled());
        QVERIFY(alice.find<QLabel>(u"conversationStatus"_s)->text() != u"Blocked"_s);
        QVERIFY(await(bob.client->outbox().send(withBob, u"friends again"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            storedWithText(bob, withBob, u"friends again"_s).value_or(local::Message{}).state
                == u"sent"_s,
            10000);

        // Leaving a group from its info.
        const auto group
            = await(carol.client->createGroup(u"Book club"_s, {alice.session->client()->userId()}));
        QVERIFY(group.ok());
        QTRY_VERIFY_WITH_TIMEOUT(list.rowOf(*group) >= 0, 10000);
        alice.chat()->openConversation(*group);
        QTRY_COMPARE(alice.view().conversationId(), *group);
        alice.window->showGroupInfo();
        auto *info = alice.window->findChild<GroupInfoDialog *>();
        QVERIFY(info);
        pickFromNextMenu(info, {});
        info->findChild<QPushButton *>(u"leaveGroupButton"_s)->click();
        MessageListModel *messages = alice.messages();
        QTRY_VERIFY_WITH_TIMEOUT(hasSystemLine(messages, u"You left the group"_s), 10000);
        QVERIFY(!alice.shot(u"left-group"_s).isEmpty());
    }

    void theRestOfTheSettingsMenusAndKeys()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s},
                              .clients = {u"bob"_s, u"carol"_s},
                              .chatWith = u"bob"_s,
                              .activeWindow = true}),
                 qPrintable(scene.error()));
        RelayProcess &relay = scene.relay();
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);
        TestClient &carol = scene.client(u"carol"_s);
        const qint64 withBob = scene.conversation();
        MessageListModel *messages = alice.messages();
        auto *view = alice.find<QListView>(u"messageList"_s);

        // Copy Text puts the message on the clipboard.
        alice.send(u"copy me"_s);
        // Sent, and in the list: row 0 may be the chat's "created" line, which has a seq too.
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, u"copy me"_s) >= 0
                                     && messages->index(rowWithText(messages, u"copy me"_s))
                                             .data(MessageListModel::SeqRole)
                                             .toLongLong()
                                         > 0,
                                 10000);
        pickFromNextMenu(view, {u"Copy Text"_s});
        Q_EMIT view->customContextMenuRequested(
            view->visualRect(messages->index(rowWithText(messages, u"copy me"_s))).center());
        QTRY_COMPARE(QApplication::clipboard()->text(), u"copy me"_s);

        // Reporting a person from the chat's info.
        pickFromNextMenu(alice.window.get(), {u"Report bob…"_s});
        alice.window->showGroupInfo();
        QInputDialog *reason = nullptr;
        QTRY_VERIFY((reason = alice.window->findChild<QInputDialog *>(u"reportPersonDialog"_s)));
        reason->setTextValue(u"pretends to be carol"_s);
        reason->accept();
        QTRY_VERIFY_WITH_TIMEOUT(RelayProcess::runToExit({u"report"_s, u"list"_s, u"--data-dir"_s,
                                                          relay.dataDirectory()})
                                     .standardOutput.contains("pretends to be carol"),
                                 10000);

        // Ctrl+F opens the search.
        alice.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));
        QTest::keyClick(alice.view().composer(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(alice.window->findChild<SearchDialog *>());
        alice.window->findChild<SearchDialog *>()->close();

        // Settings: text size applies at once; hiding the last-seen time reaches the relay.
        alice.window->showSettings();
        SettingsDialog *settings = nullptr;
        QTRY_VERIFY((settings = alice.window->findChild<SettingsDialog *>()));
        settings->findChild<QSpinBox *>(u"fontSizeSpin"_s)->setValue(15);
        QTRY_COMPARE(QApplication::font().pointSize(), 15);
        settings->findChild<QCheckBox *>(u"hideLastSeenCheck"_s)->setChecked(true);
        QTRY_COMPARE_WITH_TIMEOUT(settings->findChild<QLabel *>(u"privacyStatus"_s)->text(),
                                  u"Saved."_s, 10000);
        // Only people she has written to may put her in a group now: not carol.
        auto *groupAdds = settings->findChild<QComboBox *>(u"groupAddsBox"_s);
        QCOMPARE(groupAdds->currentData().toString(), u"everyone"_s);
        settings->findChild<QLabel *>(u"privacyStatus"_s)->clear();
        groupAdds->setCurrentIndex(groupAdds->findData(u"contacts"_s));
        Q_EMIT groupAdds->activated(groupAdds->currentIndex());
        QTRY_COMPARE_WITH_TIMEOUT(settings->findChild<QLabel *>(u"privacyStatus"_s)->text(),
                                  u"Saved."_s, 10000);
        QCOMPARE(alice.session->client()->ownUser().groupAdds, u"contacts"_s);
        const auto refused = await(carol.client->createGroup(
            u"Surprise"_s, {alice.session->client()->connection().userId()}));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Forbidden);
        groupAdds->setCurrentIndex(groupAdds->findData(u"everyone"_s));
        Q_EMIT groupAdds->activated(groupAdds->currentIndex());
        QTRY_COMPARE_WITH_TIMEOUT(alice.session->client()->ownUser().groupAdds, u"everyone"_s,
                                  10000);
        settings->findChild<QCheckBox *>(u"soundCheck"_s)->setChecked(false);
        QCOMPARE(alice.settings->value(u"notifications/sound"_s).toBool(), false);
        QVERIFY(!saveScreenshot(settings, u"settings"_s).isEmpty());
        // Sign Out from Settings comes back to the form.
        settings->findChild<QPushButton *>(u"signOutButton"_s)->click();
        QTRY_VERIFY(alice.window->signInPage()->isVisible());
        QApplication::setFont(QFont()); // the next tests start at the default size

        // Signed in again: adding a member from the group's info.
        QSignalSpy shown(alice.window.get(), &MainWindow::chatShown);
        alice.typeSignIn(u"127.0.0.1:%1"_s.arg(relay.port()), u"alice"_s, u"correct horse"_s,
                         false);
        QVERIFY(shown.wait(15000));
        const auto group
            = await(alice.session->client()->createGroup(u"Pairs"_s, {bob.client->userId()}));
        QVERIFY(group.ok());
        alice.chat()->openConversation(*group);
        QTRY_COMPARE_WITH_TIMEOUT(alice.view().conversationId(), *group, 10000);
        alice.window->showGroupInfo();
        GroupInfoDialog *info = nullptr;
        QTRY_VERIFY((info = alice.window->findChild<GroupInfoDialog *>()));
        auto *add = info->findChild<QPushButton *>(u"addMembersButton"_s);
        QTRY_VERIFY(add->isEnabled());
        add->click();
        PeopleDialog *people = nullptr;
        QTRY_VERIFY((people = info->findChild<PeopleDialog *>()));
        auto *query = people->findChild<QLineEdit *>(u"userSearchEdit"_s);
        auto *results = people->findChild<QListWidget *>(u"userResults"_s);
        QTest::keyClicks(query, u"carol"_s);
        QTest::keyClick(query, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!results->findItems(u"carol"_s, Qt::MatchStartsWith).isEmpty(),
                                 10000);
        results->findItems(u"carol"_s, Qt::MatchStartsWith).first()->setCheckState(Qt::Checked);
        people->findChild<QPushButton *>(u"peopleSubmitButton"_s)->click();
        QTRY_COMPARE_WITH_TIMEOUT(statusLine(alice), u"3 members"_s, 10000);
        Q_UNUSED(withBob);

        // Ctrl+Q is the window's Quit (pressing it here would end the test run).
        auto *quit = alice.window->findChild<QAction *>(u"quitAction"_s);
        QVERIFY(quit);
        QCOMPARE(quit->shortcut(), QKeySequence(u"Ctrl+Q"_s));
        QCOMPARE(quit->shortcutContext(), Qt::WindowShortcut);
    }

    void aViewClosedWithADraftSavesItAndLeavesNothingBehind()
    {
        // A view saves its draft as it goes (the destructor too). What runs after the save
        // belongs to the conversation list, which outlives the view: it must not reach
        // back into the view (ASan would report the use after free).
        ChatScene scene;
        QVERIFY2(
            scene.start({.windows = {u"alice"_s}, .clients = {u"bob"_s}, .chatWith = u"bob"_s}),
            qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        const qint64 conversation = scene.conversation();
        ConversationListModel &list = alice.chat()->conversations();

        auto *second = new ConversationView(*alice.session->client(), list);
        second->open(conversation);
        QTRY_VERIFY(second->composer()->isEnabled());
        second->composer()->setPlainText(u"half a thought"_s);
        delete second; // saves the draft on its way out
        QTRY_COMPARE_WITH_TIMEOUT(
            list.index(list.rowOf(conversation)).data(ConversationListModel::DraftRole).toString(),
            u"half a thought"_s, 10000);
    }

    void restoresTheWindowAndTheDraftAndWorksFromTheKeyboard()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s},
                              .clients = {u"bob"_s, u"carol"_s},
                              .chatWith = u"carol"_s}),
                 qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        const qint64 withCarol = scene.conversation();
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 withBob = alice.view().conversationId();

        // Up edits the last own message; Escape cancels; Enter saves the edit.
        alice.send(u"first try"_s);
        MessageListModel *messages = alice.messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, u"first try"_s) >= 0
                                     && messages->index(rowWithText(messages, u"first try"_s))
                                             .data(MessageListModel::SeqRole)
                                             .toLongLong()
                                         > 0,
                                 10000);
        Composer *composer = alice.view().composer();
        QTest::keyClick(composer, Qt::Key_Up);
        QCOMPARE(composer->toPlainText(), u"first try"_s);
        QVERIFY(alice.find<QWidget>(u"replyBar"_s)->isVisible());
        QTest::keyClick(composer, Qt::Key_Escape);
        QVERIFY(composer->toPlainText().isEmpty());
        QVERIFY(!alice.find<QWidget>(u"replyBar"_s)->isVisible());
        QTest::keyClick(composer, Qt::Key_Up);
        QTest::keyClicks(composer, u" (fixed)"_s);
        QTest::keyClick(composer, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, u"first try (fixed)"_s) >= 0, 10000);
        QVERIFY(messages->index(rowWithText(messages, u"first try (fixed)"_s))
                    .data(MessageListModel::EditedRole)
                    .toBool());
        // Shift+Enter is a new line, not a send — and the bubble grows to hold the lines.
        auto *view = alice.find<QListView>(u"messageList"_s);
        auto rowHeight = [&] {
            return view->visualRect(messages->index(rowWithText(messages, u"first try (fixed)"_s)))
                .height();
        };
        const int oneLine = rowHeight();
        QTest::keyClick(composer, Qt::Key_Up);
        QTest::keyClick(composer, Qt::Key_Return, Qt::ShiftModifier);
        QTest::keyClicks(composer, u"and a second line"_s);
        QCOMPARE(composer->toPlainText(), u"first try (fixed)\nand a second line"_s);
        QTest::keyClick(composer, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(
            rowWithText(messages, u"first try (fixed)\nand a second line"_s) >= 0, 10000);
        QTRY_VERIFY(view->visualRect(messages->index(rowWithText(
                                         messages, u"first try (fixed)\nand a second line"_s)))
                        .height()
                    > oneLine);
        composer->clear();

        // Ctrl+K, a few letters, Enter: the other chat.
        alice.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));
        QTest::keyClick(composer, Qt::Key_K, Qt::ControlModifier);
        auto *switcher = alice.window->findChild<QuickSwitcher *>();
        QVERIFY(switcher);
        QTest::keyClicks(switcher->findChild<QLineEdit *>(u"quickSwitcherEdit"_s), u"car"_s);
        QTest::keyClick(switcher->findChild<QLineEdit *>(u"quickSwitcherEdit"_s), Qt::Key_Return);
        QTRY_COMPARE(alice.view().conversationId(), withCarol);
        // Alt+Down and Alt+Up walk the list.
        const int carolRow = alice.chat()->conversations().rowOf(withCarol);
        QTest::keyClick(alice.view().composer(), carolRow == 0 ? Qt::Key_Down : Qt::Key_Up,
                        Qt::AltModifier);
        QTRY_COMPARE(alice.view().conversationId(), withBob);

        // A draft, a size and a splitter position survive a restart, with the chat open.
        QTest::keyClicks(alice.view().composer(), u"half a thought"_s);
        // A size that fits the (offscreen) screen: newer Qt keeps restored windows on it.
        const QRect screen = alice.window->screen()->availableGeometry();
        const QSize size(std::min(900, screen.width() - 60), std::min(640, screen.height() - 60));
        alice.window->resize(size);
        auto *splitter = alice.find<QSplitter>(u"mainSplitter"_s);
        splitter->setSizes({340, 760});
        const QList<int> sizes = splitter->sizes();
        alice.quit();
        alice.launch();
        QTRY_VERIFY_WITH_TIMEOUT(alice.chat() && alice.view().conversationId() == withBob, 10000);
        QTRY_COMPARE(alice.view().composer()->toPlainText(), u"half a thought"_s);
        QCOMPARE(alice.window->size(), size);
        QCOMPARE(alice.find<QSplitter>(u"mainSplitter"_s)->sizes().first(), sizes.first());
        // The list shows the draft where the preview was.
        ConversationListModel &list = alice.chat()->conversations();
        QCOMPARE(list.index(list.rowOf(withBob)).data(ConversationListModel::DraftRole).toString(),
                 u"half a thought"_s);
        QVERIFY(!alice.shot(u"restored-with-draft"_s).isEmpty());
    }
};

QTEST_MAIN(TestWindowSettings)
#include "tst_window_settings.moc"
