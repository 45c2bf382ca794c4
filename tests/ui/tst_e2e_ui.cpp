// End-to-end encryption in the app's window, offscreen, against the real relay
// (docs/encryption.md, sections 7 and 9): people whose apps encrypt (chosen in Settings, from
// the next start on) chat; the header shows the lock; both see the same safety number, and
// "Mark as verified" sticks; when one's safety number changes, a banner over the other's
// composer and a line in the chat's history say so, what they write waits, and "I understand"
// sends it. Saves screenshots for review.
#include "core/chat_client.h"
#include "core/e2e_engine.h"
#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "support/app_window.h"
#include "support/client_helpers.h"
#include "support/e2e_keys.h"
#include "support/message_list_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"
#include "support/screenshot.h"
#include "support/widget_helpers.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/safety_number_dialog.h"
#include "ui/safety_qr.h"
#include "ui/settings_dialog.h"
#include "ui/settings_keys.h"

#include "e2e/sender_keys.h"
#include "protocol/frame.h"
#include "protocol/messages/message_requests.h"

#include <QAccessible>
#include <QCheckBox>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QRegularExpression>
#include <QtTest>
#include <QUuid>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;
using State = MessageListModel::State;

namespace {

const QString kLockTip = u"Messages in this chat are end-to-end encrypted. Only the people in it "
                         "can read them."_s;

bool ready(ChatClient *client)
{
    return client && client->e2e().state() == E2eEngine::State::Ready;
}

QLabel *lock(const AppWindow &app)
{
    return app.find<QLabel>(u"encryptionLock"_s);
}

/// The row of the line saying a safety number changed in `app`'s open chat, or -1.
int keyChangeRow(const AppWindow &app)
{
    const MessageListModel *messages = app.messages();
    for (int row = 0; messages && row < messages->rowCount(); ++row) {
        if (messages->index(row).data(MessageListModel::KindRole).toString() == u"key_changed")
            return row;
    }
    return -1;
}

/// Whether row `row` of `app`'s open chat is laid out and on screen (a screenshot shows it).
bool onScreen(const AppWindow &app, int row)
{
    const auto *list = app.find<QListView>(u"messageList"_s);
    const QModelIndex index = list->model() ? list->model()->index(row, 0) : QModelIndex();
    return index.isValid() && list->viewport()->rect().intersects(list->visualRect(index));
}

/// The open Safety Number dialog of `app`'s window, once one shows.
SafetyNumberDialog *safetyNumberDialog(const AppWindow &app)
{
    SafetyNumberDialog *shown = nullptr;
    const bool found = QTest::qWaitFor(
        [&] {
            for (SafetyNumberDialog *dialog : app.window->findChildren<SafetyNumberDialog *>()) {
                if (dialog->isVisible())
                    shown = dialog;
            }
            return shown != nullptr;
        },
        10000);
    return found ? shown : nullptr;
}

/// The safety number as `dialog` shows it: its twelve groups, in reading order.
QStringList shownGroups(const SafetyNumberDialog *dialog)
{
    QStringList groups;
    for (const QLabel *group : dialog->findChildren<QLabel *>(u"safetyNumberGroup"_s)) {
        if (!group->text().isEmpty())
            groups.append(group->text());
    }
    return groups;
}

/// The QR code `dialog` shows beside the digits (null if none shows).
QImage shownQrCode(const SafetyNumberDialog *dialog)
{
    const auto *code = dialog->findChild<QLabel *>(u"safetyNumberQrCode"_s);
    if (!code || !code->isVisible())
        return {};
    return code->pixmap().toImage();
}

/// Opens the Safety Number dialog of the open direct chat through the person menu (the
/// header's info button), as a user does.
SafetyNumberDialog *openSafetyNumber(AppWindow &app)
{
    pickFromNextMenu(app.window.get(), {u"Verify Safety Number…"_s});
    app.window->showGroupInfo();
    return safetyNumberDialog(app);
}

} // namespace

class TestE2eUi : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;

    /// Ticks "Encrypt my messages end to end" in `app`'s Settings and starts the app again:
    /// its client encrypts from that start on, and is set up.
    static bool chooseEncryption(AppWindow &app)
    {
        // Chosen after this sign-in: it applies from the next start.
        if (app.session->client()->e2e().isEnabled())
            return false;
        app.window->showSettings();
        auto *settings = app.find<SettingsDialog>(u"settingsDialog"_s);
        if (!settings)
            return false;
        auto *encrypt = settings->findChild<QCheckBox *>(u"endToEndCheck"_s);
        if (!encrypt || encrypt->isChecked())
            return false;
        encrypt->click();
        const QString state = settings->findChild<QLabel *>(u"encryptionState"_s)->text();
        if (!state.contains(u"applies the next time Tidings starts"_s))
            return false;
        settings->reject();
        app.quit();
        app.launch();
        return QTest::qWaitFor([&] { return app.chat() && ready(app.session->client()); }, 20000);
    }

    /// `app` signed up on `relay` through the form as `name`, then encrypting: by itself on
    /// a relay that requires it, else once chosen in Settings.
    static bool encryptingWindow(AppWindow &app, RelayProcess &relay, const QString &name)
    {
        app.launch();
        if (!app.signUp(relay.port(), name))
            return false;
        if (!app.session->client()->e2e().isRequired())
            return chooseEncryption(app);
        return QTest::qWaitFor([&] { return app.chat() && ready(app.session->client()); }, 20000);
    }
    bool encryptingWindow(AppWindow &app, const QString &name)
    {
        return encryptingWindow(app, m_relay, name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_relay.start({u"--e2e"_s, u"required"_s}), qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void encryptedChatShowsTheLockAndTheSafetyNumber()
    {
        AppWindow alice, bob;
        QVERIFY(encryptingWindow(alice, u"alice"_s));
        QVERIFY(encryptingWindow(bob, u"bob"_s));
        // Nobody chose it: this relay requires it, and Settings says so, not as a choice.
        QVERIFY(!alice.settings->value(settings::kEndToEnd, false).toBool());
        alice.window->showSettings();
        auto *settings = alice.find<SettingsDialog>(u"settingsDialog"_s);
        QVERIFY(settings->findChild<QCheckBox *>(u"endToEndCheck"_s)->isChecked());
        QVERIFY(!settings->findChild<QCheckBox *>(u"endToEndCheck"_s)->isEnabled());
        QCOMPARE(settings->findChild<QLabel *>(u"encryptionState"_s)->text(),
                 u"This device is set up for encryption. This server requires end-to-end "
                 "encryption."_s);
        settings->reject();

        QVERIFY(alice.startChatWith(u"bob"_s));
        const qint64 conversation = alice.view().conversationId();
        // A new chat has no history yet: neither a lock nor "not encrypted".
        QVERIFY(!lock(alice)->isVisible());
        QVERIFY(!alice.find<QLabel>(u"notEncryptedLabel"_s)->isVisible());

        alice.send(u"Meet me at the lighthouse"_s);
        QTRY_VERIFY_WITH_TIMEOUT(bob.chat()->conversations().rowOf(conversation) >= 0, 20000);
        bob.chat()->openConversation(conversation);
        QTRY_VERIFY_WITH_TIMEOUT(rowWithText(bob.messages(), u"Meet me at the lighthouse"_s) >= 0,
                                 20000);
        const QModelIndex received
            = bob.messages()->index(rowWithText(bob.messages(), u"Meet me at the lighthouse"_s));
        QCOMPARE(received.data(MessageListModel::EncryptionRole).toString(), u"encrypted"_s);
        bob.send(u"On my way, with the red umbrella"_s);
        QTRY_VERIFY_WITH_TIMEOUT(
            rowWithText(alice.messages(), u"On my way, with the red umbrella"_s) >= 0, 20000);

        // Both headers show the lock, and say what it means.
        for (AppWindow *app : {&alice, &bob}) {
            QTRY_VERIFY_WITH_TIMEOUT(lock(*app)->isVisible(), 20000);
            QCOMPARE(lock(*app)->toolTip(), kLockTip);
            QVERIFY(!app->find<QLabel>(u"notEncryptedLabel"_s)->isVisible());
        }
        QVERIFY(!alice.shot(u"e2e-lock"_s).isEmpty());

        // Both sides show the same 60 digits, in twelve groups of five.
        const qint64 bobId = bob.session->client()->userId();
        SafetyNumberDialog *alicesView = openSafetyNumber(alice);
        QVERIFY(alicesView);
        QCOMPARE(alicesView->user(), bobId);
        QTRY_COMPARE_WITH_TIMEOUT(shownGroups(alicesView).size(), 12, 10000);
        SafetyNumberDialog *bobsView = openSafetyNumber(bob);
        QVERIFY(bobsView);
        QTRY_COMPARE_WITH_TIMEOUT(shownGroups(bobsView).size(), 12, 10000);
        const QStringList groups = shownGroups(alicesView);
        QCOMPARE(shownGroups(bobsView), groups);
        static const QRegularExpression fiveDigits(u"^[0-9]{5}$"_s);
        for (const QString &group : groups)
            QVERIFY2(fiveDigits.match(group).hasMatch(), qPrintable(group));
        const auto trusted = await(alice.session->client()->trust(bobId));
        QVERIFY(trusted.ok());
        QCOMPARE(groups.join(u' '), trusted->safetyNumber);
        // Beside the digits, the same number as a QR code: the same on both sides, square,
        // black on white, and named for screen readers.
        if (safetyQrAvailable()) {
            const QImage code = shownQrCode(alicesView);
            QVERIFY(!code.isNull());
            QCOMPARE(code.width(), code.height());
            QCOMPARE(code.pixel(0, 0), qRgb(255, 255, 255));
            QCOMPARE(shownQrCode(bobsView), code);
            QCOMPARE(alicesView->findChild<QLabel *>(u"safetyNumberQrCode"_s)->accessibleName(),
                     u"Safety number QR code"_s);
        } else {
            QVERIFY(shownQrCode(alicesView).isNull());
        }
        bobsView->reject();

        // Alice compared them: "Mark as verified" sticks.
        auto *verified = alicesView->findChild<QCheckBox *>(u"markVerifiedCheck"_s);
        auto *state = alicesView->findChild<QLabel *>(u"verificationState"_s);
        QCOMPARE(state->text(), u"Not verified yet."_s);
        QVERIFY(verified->isEnabled());
        QVERIFY(!verified->isChecked());
        verified->click();
        QTRY_COMPARE_WITH_TIMEOUT(state->text(), u"Verified: you compared this number with bob."_s,
                                  10000);
        QVERIFY(!saveScreenshot(alicesView, u"e2e-safety-number"_s).isEmpty());
        alicesView->reject();
        QTRY_VERIFY_WITH_TIMEOUT(await(alice.session->client()->trust(bobId))->verified, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(lock(alice)->toolTip().contains(u"You have verified bob's"_s),
                                 10000);
        SafetyNumberDialog *again = openSafetyNumber(alice);
        QVERIFY(again);
        QTRY_VERIFY_WITH_TIMEOUT(again->findChild<QCheckBox *>(u"markVerifiedCheck"_s)->isChecked(),
                                 10000);
        QCOMPARE(again->findChild<QLabel *>(u"verificationState"_s)->text(),
                 u"Verified: you compared this number with bob."_s);
        QCOMPARE(shownGroups(again), groups);
        again->reject();
    }

    void aChangedSafetyNumberHoldsMessagesUntilUnderstood()
    {
        AppWindow alice;
        QVERIFY(encryptingWindow(alice, u"alice2"_s));
        TestClient bob;
        bob.client->setEndToEnd(true);
        QVERIFY(bob.signUp(m_relay.port(), u"bob2"_s));
        QTRY_VERIFY_WITH_TIMEOUT(ready(bob.client.get()), 20000);
        const qint64 bobId = bob.client->userId(); // his session ends with the reset
        QVERIFY(alice.startChatWith(u"bob2"_s));
        const qint64 conversation = alice.view().conversationId();
        alice.send(u"before"_s);
        QTRY_VERIFY_WITH_TIMEOUT(storedWithText(bob, conversation, u"before"_s).has_value(), 20000);
        auto *banner = alice.find<QWidget>(u"keyChangeBanner"_s);
        QVERIFY(!banner->isVisible());

        // Someone resets Bob's encryption elsewhere: a new identity key, a new device.
        ChatClient *client = alice.session->client();
        bool heard = false;
        connect(&client->connection(), &Connection::eventReceived, this,
                [&heard](const protocol::Frame &frame) {
                    heard = heard || frame.type == u"devices"_s;
                });
        ProtocolClient elsewhere;
        E2eKeys keys;
        keys.user = elsewhere.signIn(m_relay.webSocketUrl(), u"bob2"_s);
        QVERIFY(keys.user > 0);
        keys.version = 100; // above the list Bob's app published
        QVERIFY(ProtocolClient::isOk(
            elsewhere.request(u"devices.publish"_s, keys.publish({77}, true))));
        QVERIFY(
            ProtocolClient::isOk(elsewhere.request(u"device.register"_s, keys.registration(77))));
        QVERIFY(
            ProtocolClient::isOk(elsewhere.request(u"prekeys.upload"_s, keys.prekeys(77, 1, 5))));
        QTRY_VERIFY_WITH_TIMEOUT(heard, 20000);

        // Alice's next message waits, and the banner over her composer says why.
        alice.send(u"after"_s);
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 20000);
        QCOMPARE(alice.find<QLabel>(u"keyChangeText"_s)->text(),
                 u"bob2's safety number has changed. This can mean they reinstalled Tidings or "
                 "that someone is trying to intercept your messages."_s);
        QCOMPARE(stateOf(alice.messages(), u"after"_s), State::Queued);

        // The chat's history says so too, where she learnt it: after what was sent before,
        // above what waits.
        QTRY_VERIFY_WITH_TIMEOUT(keyChangeRow(alice) >= 0, 20000);
        const QString said = u"bob2's safety number has changed."_s;
        const QModelIndex line = alice.messages()->index(keyChangeRow(alice));
        QCOMPARE(line.data(MessageListModel::SystemTextRole).toString(), said);
        QCOMPARE(line.data(MessageListModel::SenderIdRole).toLongLong(), bobId);
        QCOMPARE(keyChangeRow(alice), rowWithText(alice.messages(), u"before"_s) + 1);
        QCOMPARE(rowWithText(alice.messages(), u"after"_s), keyChangeRow(alice) + 1);
        // A screen reader hears the same sentence.
        auto *list = alice.find<QListView>(u"messageList"_s);
        QAccessibleInterface *table = QAccessible::queryAccessibleInterface(list);
        QVERIFY(table && table->tableInterface());
        QAccessibleInterface *cell = table->tableInterface()->cellAt(line.row(), 0);
        QVERIFY(cell);
        QCOMPARE(cell->text(QAccessible::Name), said);
        QTRY_VERIFY_WITH_TIMEOUT(onScreen(alice, rowWithText(alice.messages(), u"after"_s)), 10000);
        QVERIFY(onScreen(alice, keyChangeRow(alice)));
        QVERIFY(!alice.shot(u"e2e-key-change"_s).isEmpty());

        // Clicking the line shows the new safety number, as the banner's Verify does.
        const QModelIndex shown = alice.messages()->index(keyChangeRow(alice));
        list->scrollTo(shown);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(shown).center());
        SafetyNumberDialog *fromLine = safetyNumberDialog(alice);
        QVERIFY(fromLine);
        QCOMPARE(fromLine->user(), bobId);
        QTRY_VERIFY_WITH_TIMEOUT(
            fromLine->findChild<QLabel *>(u"safetyNumberChanged"_s)->isVisible(), 10000);
        fromLine->reject();
        QTRY_VERIFY_WITH_TIMEOUT(!fromLine->isVisible(), 10000);
        // And from the keyboard: Enter on the line.
        list->setCurrentIndex(alice.messages()->index(keyChangeRow(alice)));
        QTest::keyClick(list, Qt::Key_Return);
        SafetyNumberDialog *fromKeyboard = safetyNumberDialog(alice);
        QVERIFY(fromKeyboard);
        QCOMPARE(fromKeyboard->user(), bobId);
        fromKeyboard->reject();
        QTRY_VERIFY_WITH_TIMEOUT(!fromKeyboard->isVisible(), 10000);

        // Verify shows the change and the new key's number, not the old one.
        alice.find<QPushButton>(u"keyChangeVerifyButton"_s)->click();
        SafetyNumberDialog *dialog = safetyNumberDialog(alice);
        QVERIFY(dialog);
        QCOMPARE(dialog->user(), bobId);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->findChild<QLabel *>(u"safetyNumberChanged"_s)->isVisible(),
                                 10000);
        const auto pending = await(client->trust(bobId));
        QVERIFY(pending.ok());
        QTRY_COMPARE_WITH_TIMEOUT(shownGroups(dialog).join(u' '), pending->changedSafetyNumber,
                                  10000);
        QVERIFY(shownGroups(dialog).join(u' ') != pending->safetyNumber);
        // The QR code would be the old key's: none shows until the change is understood.
        QVERIFY(shownQrCode(dialog).isNull());
        QVERIFY(!dialog->findChild<QCheckBox *>(u"markVerifiedCheck"_s)->isEnabled());
        dialog->reject();
        QCOMPARE(stateOf(alice.messages(), u"after"_s), State::Queued);
        QVERIFY(banner->isVisible());

        // "I understand": the banner goes, and the message is sent, sealed for the new device.
        alice.find<QPushButton>(u"keyChangeAcceptButton"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(alice.messages(), u"after"_s) != State::Queued, 20000);
        QVERIFY(stateOf(alice.messages(), u"after"_s) != State::Failed);
        QVERIFY(await(client->changedKeys())->isEmpty());
        // The line stays in the history, where it was.
        QCOMPARE(rowWithText(alice.messages(), u"after"_s), keyChangeRow(alice) + 1);
        QCOMPARE(m_relay
                     .queryStore(u"SELECT count(*) FROM events WHERE conversation_id = %1 AND "
                                 "kind = 'encrypted'"_s.arg(conversation))
                     .toInt(),
                 2);

        // From Bob's new device: a message whose key has not come, and one that does not
        // decrypt. Each says so in place of its text.
        e2e::SenderChain unknownChain = e2e::SenderChain::create(conversation, 4242);
        const auto sealed = unknownChain.encrypt("{}");
        QVERIFY(sealed.ok());
        for (const QByteArray &ciphertext : {*sealed, QByteArray("\x01not a sender key message")}) {
            protocol::messages::SendMessage send;
            send.conversation = conversation;
            send.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            send.ciphertext = ciphertext;
            QVERIFY(ProtocolClient::isOk(elsewhere.request(u"message.send"_s, send.encode())));
        }
        const auto rowsSealed = [&alice](const QString &sealing) {
            int count = 0;
            const MessageListModel *messages = alice.messages();
            for (int row = 0; row < messages->rowCount(); ++row) {
                const QModelIndex index = messages->index(row);
                if (index.data(MessageListModel::EncryptionRole).toString() == sealing
                    && index.data(MessageListModel::TextRole).toString().isEmpty())
                    ++count;
            }
            return count;
        };
        QTRY_COMPARE_WITH_TIMEOUT(rowsSealed(u"waiting"_s), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(rowsSealed(u"failed"_s), 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(onScreen(alice, alice.messages()->rowCount() - 1), 10000);
        QVERIFY(!alice.shot(u"e2e-unreadable"_s).isEmpty());
    }

    void aChatWithPlainHistorySaysSoUntilItIsEncrypted()
    {
        // A relay upgraded from before encryption accepts both (docs/encryption.md, 9).
        RelayProcess relay;
        QVERIFY2(relay.start({u"--e2e"_s, u"optional"_s}), qPrintable(relay.lastError()));
        AppWindow alice;
        alice.launch();
        QVERIFY(alice.signUp(relay.port(), u"alice3"_s));
        TestClient bob;
        QVERIFY(bob.signUp(relay.port(), u"bob3"_s));
        QVERIFY(alice.startChatWith(u"bob3"_s));
        const qint64 conversation = alice.view().conversationId();
        alice.send(u"the old way"_s);
        QTRY_VERIFY_WITH_TIMEOUT(storedWithText(bob, conversation, u"the old way"_s).has_value(),
                                 20000);
        // Neither app encrypts: nothing is said about it.
        QVERIFY(!lock(alice)->isVisible());
        QVERIFY(!alice.find<QLabel>(u"notEncryptedLabel"_s)->isVisible());

        // Both start encrypting: until a message is, the header says the chat is not.
        QVERIFY(chooseEncryption(alice));
        const QString bobsToken = bob.client->connection().token();
        bob.client.reset();
        bob.client = std::make_unique<ChatClient>(bob.databasePath, TestClient::fastOptions());
        bob.client->setEndToEnd(true);
        QVERIFY(await(bob.client->open()).ok());
        bob.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(relay.port())), bobsToken);
        QTRY_VERIFY_WITH_TIMEOUT(ready(bob.client.get()), 20000);
        alice.chat()->openConversation(conversation);
        auto *notEncrypted = alice.find<QLabel>(u"notEncryptedLabel"_s);
        QTRY_VERIFY_WITH_TIMEOUT(notEncrypted->isVisible(), 20000);
        QCOMPARE(notEncrypted->text(), u"Not end-to-end encrypted"_s);
        QVERIFY(!lock(alice)->isVisible());
        QVERIFY(!alice.shot(u"e2e-not-encrypted"_s).isEmpty());

        // The next message is encrypted: the lock, and a line above it for what came before.
        alice.send(u"the new way"_s);
        QTRY_VERIFY_WITH_TIMEOUT(storedWithText(bob, conversation, u"the new way"_s).has_value(),
                                 20000);
        QTRY_VERIFY_WITH_TIMEOUT(lock(alice)->isVisible(), 20000);
        QVERIFY(!notEncrypted->isVisible());
        QCOMPARE(lock(alice)->toolTip(),
                 kLockTip
                     + u"\nOlder messages, above the line that says so, were not encrypted."_s);
        const qint64 e2eSeq = alice.chat()
                                  ->conversations()
                                  .index(alice.chat()->conversations().rowOf(conversation))
                                  .data(ConversationListModel::E2eSeqRole)
                                  .toLongLong();
        QVERIFY(e2eSeq > 0);
        QTRY_COMPARE_WITH_TIMEOUT(alice.messages()
                                      ->index(rowWithText(alice.messages(), u"the new way"_s))
                                      .data(MessageListModel::SeqRole)
                                      .toLongLong(),
                                  e2eSeq, 20000);
        QVERIFY(!alice.shot(u"e2e-encrypted-from-here"_s).isEmpty());
    }
};

QTEST_MAIN(TestE2eUi)
#include "tst_e2e_ui.moc"
