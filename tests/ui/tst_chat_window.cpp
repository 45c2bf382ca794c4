// The chat window end to end, offscreen, against the real relay: the app (its real Session
// and MainWindow) on one side, a core client or a raw protocol client on the other. Each
// test saves screenshots of the states it reaches for people to review.
#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "support/app_window.h"
#include "support/client_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"
#include "support/screenshot.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/dialogs.h"
#include "ui/message_delegate.h"
#include "ui/notifier.h"
#include "ui/sign_in_page.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QSystemTrayIcon>
#include <QtTest>

#include <optional>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;
using State = MessageListModel::State;

namespace {

/// The row of the message with `text`, or -1.
int rowWithText(const MessageListModel *model, const QString &text)
{
    if (!model)
        return -1;
    for (int row = model->rowCount() - 1; row >= 0; --row) {
        if (model->index(row).data(MessageListModel::TextRole).toString() == text)
            return row;
    }
    return -1;
}

/// Whether the model holds an event line (SystemTextRole) saying `line`.
bool hasSystemLine(const MessageListModel *model, const QString &line)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(MessageListModel::SystemTextRole).toString() == line)
            return true;
    }
    return false;
}

/// The message with `text` as `client` stored it, if it has.
std::optional<local::Message> storedWithText(TestClient &client, qint64 conversation,
                                             const QString &text)
{
    const auto stored = client.messages(conversation);
    for (const local::Message &message : stored) {
        if (message.body.value(u"text"_s).toString() == text)
            return message;
    }
    return std::nullopt;
}

State stateOf(const MessageListModel *model, const QString &text)
{
    const int row = rowWithText(model, text);
    return row < 0 ? State::Failed
                   : model->index(row).data(MessageListModel::StateRole).value<State>();
}

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

/// Picks `path` (an action, or a submenu then an action) in the next popup menu to open,
/// and answers Yes to a confirmation that the action asks. An empty path: only the answer.
void pickFromNextMenu(QObject *context, const QStringList &path)
{
    // Waits for the menu rather than assuming it is up at the next turn of the event loop.
    auto *picking = new QTimer(context);
    QObject::connect(picking, &QTimer::timeout, context, [picking, path] {
        if (path.isEmpty()) {
            picking->deleteLater();
            return;
        }
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        picking->stop();
        picking->deleteLater();
        QMenu *current = menu;
        for (const QString &name : path) {
            QAction *found = nullptr;
            for (QAction *action : current->actions()) {
                if (action->text().remove(u'&') == name)
                    found = action;
            }
            QVERIFY2(found, qPrintable(name));
            if (found->menu()) {
                current = found->menu();
                continue;
            }
            menu->close();
            found->trigger();
        }
    });
    picking->start(10);
    QTimer::singleShot(5000, picking, &QObject::deleteLater);
    auto *answering = new QTimer(context);
    QObject::connect(answering, &QTimer::timeout, context, [answering] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            box->button(QMessageBox::Yes)->click();
            answering->deleteLater();
        }
    });
    answering->start(20);
    QTimer::singleShot(3000, answering, &QObject::deleteLater);
}

QString statusLine(const AppWindow &app)
{
    return app.find<QLabel>(u"conversationStatus"_s)->text();
}

QString typingLine(const AppWindow &app)
{
    return app.find<QLabel>(u"typingLabel"_s)->text().trimmed();
}

} // namespace

class TestChatWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void directChatTicksTypingPresenceAndReading()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 conversation = alice.view().conversationId();
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
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 conversation = alice.view().conversationId();

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
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        TestClient carol;
        QVERIFY(carol.signUp(relay.port(), u"carol"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));

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

    void everyInteractiveWidgetHasANameForScreenReadersAndScripts()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(alice.startChatWith(u"bob"_s));
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

    void mutingNotificationsBlockingAndLeaving()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        TestClient carol;
        QVERIFY(carol.signUp(relay.port(), u"carol"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 withBob = alice.view().conversationId();
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
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        TestClient carol;
        QVERIFY(carol.signUp(relay.port(), u"carol"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 withBob = alice.view().conversationId();
        MessageListModel *messages = alice.messages();
        auto *view = alice.find<QListView>(u"messageList"_s);

        // Copy Text puts the message on the clipboard.
        alice.send(u"copy me"_s);
        QTRY_VERIFY_WITH_TIMEOUT(messages->index(std::max(0, rowWithText(messages, u"copy me"_s)))
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
        QCOMPARE(alice.session->client()->connection().user().value(u"group_adds"_s).toString(),
                 u"contacts"_s);
        const auto refused = await(carol.client->createGroup(
            u"Surprise"_s, {alice.session->client()->connection().userId()}));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Forbidden);
        groupAdds->setCurrentIndex(groupAdds->findData(u"everyone"_s));
        Q_EMIT groupAdds->activated(groupAdds->currentIndex());
        QTRY_COMPARE_WITH_TIMEOUT(
            alice.session->client()->connection().user().value(u"group_adds"_s).toString(),
            u"everyone"_s, 10000);
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

    void messageActionsFromTheContextMenu()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 conversation = alice.view().conversationId();
        MessageListModel *messages = alice.messages();
        auto *view = alice.find<QListView>(u"messageList"_s);

        QVERIFY(await(bob.client->outbox().send(conversation, u"Original question"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, u"Original question"_s) >= 0, 10000);
        const qint64 questionSeq = messages->index(rowWithText(messages, u"Original question"_s))
                                       .data(MessageListModel::SeqRole)
                                       .toLongLong();

        // Right-click a message, pick `path` (an action, or a submenu then an action); a
        // confirmation that asks is answered yes.
        auto choose = [&](const QString &onMessage, const QStringList &path) {
            const QModelIndex index = messages->index(rowWithText(messages, onMessage));
            pickFromNextMenu(view, path);
            Q_EMIT view->customContextMenuRequested(view->visualRect(index).center());
        };

        // Reply: the quote shows above the answer.
        choose(u"Original question"_s, {u"Reply"_s});
        QVERIFY(alice.find<QWidget>(u"replyBar"_s)->isVisible());
        QVERIFY(alice.find<QLabel>(u"replyLabel"_s)->text().contains(u"Original question"_s));
        alice.send(u"An answer"_s);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, u"An answer"_s) >= 0, 10000);
        const QModelIndex answer = messages->index(rowWithText(messages, u"An answer"_s));
        QCOMPARE(answer.data(MessageListModel::ReplyToRole).toLongLong(), questionSeq);
        QCOMPARE(answer.data(MessageListModel::ReplyTextRole).toString(), u"Original question"_s);
        QCOMPARE(answer.data(MessageListModel::ReplySenderRole).toString(), u"bob"_s);

        // React: Bob sees it.
        choose(u"Original question"_s, {u"React"_s, u"👍"_s});
        QTRY_VERIFY_WITH_TIMEOUT(messages->index(rowWithText(messages, u"Original question"_s))
                                     .data(MessageListModel::ReactionsRole)
                                     .toMap()
                                     .value(u"👍"_s)
                                     .toList()
                                     .contains(alice.session->client()->userId()),
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(storedWithText(bob, conversation, u"Original question"_s)
                                     .value_or(local::Message{})
                                     .body.value(u"reactions"_s)
                                     .toObject()
                                     .contains(u"👍"_s),
                                 10000);
        QVERIFY(!alice.shot(u"message-reply-and-reaction"_s).isEmpty());

        // Delete for everyone (after the confirmation): a placeholder stays.
        const qint64 answerId = answer.data(MessageListModel::IdRole).toLongLong();
        choose(u"An answer"_s, {u"Delete for Everyone"_s});
        auto answerRow = [&] {
            for (int row = 0; row < messages->rowCount(); ++row) {
                if (messages->index(row).data(MessageListModel::IdRole).toLongLong() == answerId)
                    return messages->index(row);
            }
            return QModelIndex();
        };
        QTRY_VERIFY_WITH_TIMEOUT(answerRow().data(MessageListModel::DeletedRole).toBool(), 10000);
        QVERIFY(answerRow().data(MessageListModel::TextRole).toString().isEmpty());
        QVERIFY(!alice.shot(u"message-deleted"_s).isEmpty());

        // Report Bob's message: the relay's admins see it.
        choose(u"Original question"_s, {u"Report…"_s});
        QInputDialog *reason = nullptr;
        QTRY_VERIFY((reason = alice.window->findChild<QInputDialog *>(u"reportDialog"_s)));
        reason->setTextValue(u"spam about tents"_s);
        reason->accept();
        auto *notice = alice.find<QLabel>(u"noticeLabel"_s);
        QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible(), 10000);
        QCOMPARE(notice->text(), u"Reported. Thank you."_s);
        auto reports = [&] {
            const auto listed = RelayProcess::runToExit(
                {u"report"_s, u"list"_s, u"--data-dir"_s, relay.dataDirectory()});
            return QByteArray(listed.standardOutput + listed.standardError);
        };
        QTRY_VERIFY2_WITH_TIMEOUT(reports().contains("spam about tents"), reports().constData(),
                                  10000);
    }

    void aMessageMenuActsOnItsMessageWhenRowsMoveMeanwhile()
    {
        // The menu runs while syncs and scrolling go on: rows may move under it. What its
        // actions act on is the message it was opened on, not whatever row is there now.
        RelayProcess relay;
        QVERIFY2(relay.start({u"--message-rate"_s, u"1000"_s}), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(QTest::qWaitForWindowActive(alice.window.get()));

        // More than one page, sent before Alice opens the chat: it opens on the newest page,
        // and older rows come in above when asked for.
        const auto opened = await(bob.client->openDirect(alice.session->client()->userId()));
        QVERIFY(opened.ok());
        const qint64 conversation = *opened;
        constexpr int kCount = 4 * MessageListModel::kDefaultPageSize;
        for (int n = 0; n < kCount; ++n)
            QVERIFY(await(bob.client->outbox().send(conversation, u"note %1"_s.arg(n))).ok());
        const QString newest = u"note %1"_s.arg(kCount - 1);
        ConversationListModel &list = alice.chat()->conversations();
        QTRY_VERIFY_WITH_TIMEOUT(list.index(list.rowOf(conversation))
                                     .data(ConversationListModel::PreviewRole)
                                     .toString()
                                     .contains(newest),
                                 20000);
        QVERIFY(alice.startChatWith(u"bob"_s));
        QCOMPARE(alice.view().conversationId(), conversation);
        MessageListModel *messages = alice.messages();
        auto *view = alice.find<QListView>(u"messageList"_s);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, newest) >= 0, 20000);
        QVERIFY(messages->canLoadOlder());
        const int rowsBefore = messages->rowCount();

        // While the menu is open on the newest message, older ones are loaded above it.
        auto *picking = new QTimer(view);
        bool picked = false;
        QObject::connect(picking, &QTimer::timeout, view, [&, picking] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            if (!menu)
                return;
            if (messages->rowCount() == rowsBefore) {
                messages->loadOlder(); // once the rows moved, the next tick picks
                return;
            }
            picking->deleteLater();
            for (QAction *action : menu->actions()) {
                if (action->text().remove(u'&') == u"Reply") {
                    menu->close();
                    action->trigger();
                    picked = true;
                }
            }
        });
        picking->start(10);
        const QModelIndex index = messages->index(rowWithText(messages, newest));
        Q_EMIT view->customContextMenuRequested(view->visualRect(index).center());
        QTRY_VERIFY_WITH_TIMEOUT(picked, 10000);
        QVERIFY(messages->rowCount() > rowsBefore);
        const QString quote = alice.find<QLabel>(u"replyLabel"_s)->text();
        QVERIFY2(quote.contains(newest), qPrintable(quote));
    }

    void aViewClosedWithADraftSavesItAndLeavesNothingBehind()
    {
        // A view saves its draft as it goes (the destructor too). What runs after the save
        // belongs to the conversation list, which outlives the view: it must not reach
        // back into the view (ASan would report the use after free).
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 conversation = alice.view().conversationId();
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

    void sendingWhileTheRelayIsDownShowsAClockThenATick()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 conversation = alice.view().conversationId();
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
        RelayProcess relay;
        QVERIFY2(relay.start({u"--message-rate"_s, u"100000"_s, u"--frame-rate"_s, u"100000"_s}),
                 qPrintable(relay.lastError()));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
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

    void restoresTheWindowAndTheDraftAndWorksFromTheKeyboard()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        TestClient carol;
        QVERIFY(carol.signUp(relay.port(), u"carol"_s));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(alice.startChatWith(u"carol"_s));
        const qint64 withCarol = alice.view().conversationId();
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

QTEST_MAIN(TestChatWindow)
#include "tst_chat_window.moc"
