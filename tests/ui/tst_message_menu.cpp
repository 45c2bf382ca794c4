// A message's context menu in the chat window, offscreen, against the real relay: reply,
// react, delete for everyone and report — and that the menu acts on the message it was
// opened on while rows move under it. Saves screenshots for review.
#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "support/chat_scene.h"
#include "support/message_list_helpers.h"
#include "support/widget_helpers.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"

#include <QApplication>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QTimer>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestMessageMenu : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void messageActionsFromTheContextMenu()
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
        ChatScene scene;
        QVERIFY2(scene.start({.relayArguments = {u"--message-rate"_s, u"1000"_s},
                              .windows = {u"alice"_s},
                              .clients = {u"bob"_s},
                              .activeWindow = true}),
                 qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        TestClient &bob = scene.client(u"bob"_s);

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
};

QTEST_MAIN(TestMessageMenu)
#include "tst_message_menu.moc"
