// A change of mine to a message that the relay refuses, in the chat window, offscreen,
// against the real relay (issue 18, decision 51): the message shows what the relay has again,
// with a line under it in the error colour and Retry / Discard — as links under the message
// and in its context menu. Retry shows the change again at once (until it is refused again);
// Discard drops it. Saves screenshots for review.
#include "core/chat_client.h"
#include "core/connection.h"
#include "models/message_list_model.h"
#include "support/chat_scene.h"
#include "support/message_list_helpers.h"
#include "ui/conversation_view.h"
#include "ui/message_delegate.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QTimer>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;
using Model = MessageListModel;
using ChangeAction = MessageDelegate::ChangeAction;

namespace {

/// The row of the message with local id `id` (its text may be gone while it shows deleted).
QModelIndex rowOfId(const MessageListModel *model, qint64 id)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(Model::IdRole).toLongLong() == id)
            return model->index(row);
    }
    return {};
}

/// A point of the view's viewport where its delegate has the link `action` of `index`, found
/// the way the view hit-tests a click; (-1, -1) when there is none.
QPoint linkPoint(QListView *list, const QModelIndex &index, ChangeAction action)
{
    auto *delegate = qobject_cast<MessageDelegate *>(list->itemDelegate());
    if (!delegate || !index.isValid())
        return {-1, -1};
    QStyleOptionViewItem option;
    option.initFrom(list);
    option.rect = list->visualRect(index);
    option.font = list->font();
    option.widget = list;
    for (int y = option.rect.top(); y <= option.rect.bottom(); ++y) {
        for (int x = option.rect.left(); x <= option.rect.right(); x += 2) {
            if (delegate->changeActionAt(option, index, {x, y}) == action)
                return {x, y};
        }
    }
    return {-1, -1};
}

/// Triggers the action named `objectName` in the next context menu to open; records the
/// menu's actions' object names.
void pickByObjectName(QObject *context, const QString &objectName, QStringList *names)
{
    auto *picking = new QTimer(context);
    QObject::connect(picking, &QTimer::timeout, context, [picking, objectName, names] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        picking->stop();
        picking->deleteLater();
        QAction *found = nullptr;
        for (QAction *action : menu->actions()) {
            names->append(action->objectName());
            if (action->objectName() == objectName)
                found = action;
        }
        menu->close();
        if (found)
            found->trigger();
    });
    picking->start(10);
    QTimer::singleShot(5000, picking, &QObject::deleteLater);
}

} // namespace

class TestRefusedChanges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void aRefusedChangeShowsOnItsMessageWithRetryAndDiscard()
    {
        // Bob's window; Alice writes. In a direct chat only the author may edit or delete a
        // message: the relay refuses Bob's changes to hers.
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"bob"_s},
                              .clients = {u"alice"_s},
                              .chatWith = u"alice"_s,
                              .activeWindow = true}),
                 qPrintable(scene.error()));
        RelayProcess &relay = scene.relay();
        AppWindow &bob = scene.window(u"bob"_s);
        TestClient &alice = scene.client(u"alice"_s);
        const qint64 conversation = scene.conversation();
        ChatClient &client = *bob.session->client();
        MessageListModel *messages = bob.messages();
        auto *list = bob.find<QListView>(u"messageList"_s);
        auto *banner = bob.find<QLabel>(u"connectionBanner"_s);
        QVERIFY(list && banner);

        const QString text = u"Keep this one, please"_s;
        QVERIFY(await(alice.client->outbox().send(conversation, text)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(messages, text) >= 0, 10000);
        const QModelIndex original = messages->index(rowWithText(messages, text));
        const qint64 id = original.data(Model::IdRole).toLongLong();
        const qint64 seq = original.data(Model::SeqRole).toLongLong();
        QVERIFY(seq > 0);
        QVERIFY(original.data(Model::FailedChangeRole).toString().isEmpty());
        QCOMPARE(linkPoint(list, original, ChangeAction::Discard), QPoint(-1, -1));
        auto row = [&] { return rowOfId(messages, id); };
        auto note = [&] { return row().data(Model::FailedChangeTextRole).toString(); };
        auto failedKey = [&] { return row().data(Model::FailedChangeRole).toString(); };

        // Bob deletes it: refused, so it shows again, with the note under it.
        QVERIFY(await(client.outbox().remove(conversation, seq)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!failedKey().isEmpty(), 10000);
        QVERIFY(!row().data(Model::DeletedRole).toBool());
        QCOMPARE(row().data(Model::TextRole).toString(), text);
        QVERIFY2(note().startsWith(u"Not deleted: "_s), qPrintable(note()));
        // The line under it has room of its own: its links are in the message's row, under
        // the bubble (clicks there reach it).
        const QPoint retry = linkPoint(list, row(), ChangeAction::Retry);
        const QPoint discard = linkPoint(list, row(), ChangeAction::Discard);
        QVERIFY(retry.x() >= 0 && discard.x() >= 0);
        QCOMPARE(list->indexAt(retry), row());
        QCOMPARE(list->indexAt(discard), row());
        QVERIFY(list->visualRect(row()).contains(discard));
        QVERIFY(retry.x() < discard.x());
        const QString shot = bob.shot(u"refused-delete"_s);
        QVERIFY(!shot.isEmpty());
        qInfo("screenshot: %s", qPrintable(shot));

        // Retry, clicked while the relay is away: the delete shows again at once and waits…
        QCOMPARE(relay.stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
        // (The banner took room: the rows may have moved.)
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                          linkPoint(list, row(), ChangeAction::Retry));
        QTRY_VERIFY_WITH_TIMEOUT(row().data(Model::DeletedRole).toBool(), 10000);
        QVERIFY(failedKey().isEmpty());
        QVERIFY(!bob.shot(u"refused-delete-retried-offline"_s).isEmpty());
        // …and is refused again when the relay is back: the text and the note return.
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        client.connection().reconnectNow();
        QTRY_VERIFY_WITH_TIMEOUT(!failedKey().isEmpty(), 30000);
        QVERIFY(!row().data(Model::DeletedRole).toBool());
        QCOMPARE(row().data(Model::TextRole).toString(), text);
        QVERIFY2(note().startsWith(u"Not deleted: "_s), qPrintable(note()));

        // Discard, clicked: the note goes, the message stays as the relay has it.
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                          linkPoint(list, row(), ChangeAction::Discard));
        QTRY_VERIFY_WITH_TIMEOUT(failedKey().isEmpty(), 10000);
        QVERIFY(note().isEmpty());
        QCOMPARE(row().data(Model::TextRole).toString(), text);
        QVERIFY(!row().data(Model::DeletedRole).toBool());
        QCOMPARE(linkPoint(list, row(), ChangeAction::Retry), QPoint(-1, -1));

        // An edit, refused: the same, through the context menu.
        QVERIFY(await(client.outbox().edit(conversation, seq, u"Bob's words"_s)).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!failedKey().isEmpty(), 10000);
        QCOMPARE(row().data(Model::TextRole).toString(), text);
        QVERIFY2(note().startsWith(u"Your edit was not sent: "_s), qPrintable(note()));
        QVERIFY(!bob.shot(u"refused-edit"_s).isEmpty());

        QCOMPARE(relay.stop(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
        QStringList names;
        pickByObjectName(list, u"retryChangeAction"_s, &names);
        Q_EMIT list->customContextMenuRequested(list->visualRect(row()).center());
        QTRY_VERIFY(!names.isEmpty());
        QVERIFY2(names.contains(u"discardChangeAction"_s), qPrintable(names.join(u", ")));
        QTRY_COMPARE_WITH_TIMEOUT(row().data(Model::TextRole).toString(), u"Bob's words"_s, 10000);
        QVERIFY(failedKey().isEmpty());
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        client.connection().reconnectNow();
        QTRY_VERIFY_WITH_TIMEOUT(!failedKey().isEmpty(), 30000);
        QCOMPARE(row().data(Model::TextRole).toString(), text);

        names.clear();
        pickByObjectName(list, u"discardChangeAction"_s, &names);
        Q_EMIT list->customContextMenuRequested(list->visualRect(row()).center());
        QTRY_VERIFY(!names.isEmpty());
        QVERIFY(names.contains(u"retryChangeAction"_s));
        QTRY_VERIFY_WITH_TIMEOUT(failedKey().isEmpty(), 10000);
        QCOMPARE(row().data(Model::TextRole).toString(), text);

        // A message with nothing refused has neither action.
        names.clear();
        pickByObjectName(list, u"noSuchAction"_s, &names);
        Q_EMIT list->customContextMenuRequested(list->visualRect(row()).center());
        QTRY_VERIFY(!names.isEmpty());
        QVERIFY(!names.contains(u"retryChangeAction"_s));
        QVERIFY(!names.contains(u"discardChangeAction"_s));
        // What Alice has was never changed.
        const auto stored = storedWithText(alice, conversation, text);
        QVERIFY(stored.has_value());
        QVERIFY(!stored->body.value(u"deleted"_s).toBool());
    }
};

QTEST_MAIN(TestRefusedChanges)
#include "tst_refused_changes.moc"
