// Linking a device and removing it in the app's windows, offscreen, against the real relay
// (docs/encryption.md, section 3): Alice's laptop encrypts; she signs in on a phone, which
// must be linked and says how. Settings → Devices on the laptop lists its devices; "Link a
// new device…" asks for her password and shows a code; she types it on the phone, the
// laptop asks "Link …?", and the phone is linked. Then "Remove this device" removes the
// phone, which is signed out. Saves screenshots for review.
#include "core/chat_client.h"
#include "core/e2e_engine.h"
#include "support/app_window.h"
#include "support/relay_process.h"
#include "support/screenshot.h"
#include "ui/link_device_dialog.h"
#include "ui/settings_dialog.h"
#include "ui/settings_keys.h"

#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

const QString kPassword = u"correct horse"_s;

E2eEngine::State e2eState(const AppWindow &app)
{
    ChatClient *client = app.session ? app.session->client() : nullptr;
    return client ? client->e2e().state() : E2eEngine::State::Off;
}

/// "Encrypt my messages end to end", chosen before the app starts (the Settings box that
/// sets it applies from the next start; tst_e2e_ui ticks it there).
void chooseEncryption(const AppWindow &app)
{
    QSettings settings(app.directory + u"/tidings.ini"_s, QSettings::IniFormat);
    settings.setValue(settings::kEndToEnd, true);
}

/// The device rows Settings → Devices shows now, in order.
QList<QWidget *> deviceRows(const SettingsDialog *settings)
{
    QList<QWidget *> rows;
    for (QWidget *row : settings->findChildren<QWidget *>(u"deviceRow"_s)) {
        if (row->isVisible())
            rows.append(row);
    }
    return rows;
}

QString textOf(const QWidget *row, const QString &label)
{
    return row->findChild<QLabel *>(label)->text();
}

template<typename T> T *visible(const AppWindow &app, const QString &name = {})
{
    T *shown = nullptr;
    const bool found = QTest::qWaitFor(
        [&] {
            for (T *widget : app.window->findChildren<T *>(name)) {
                if (widget->isVisible())
                    shown = widget;
            }
            return shown != nullptr;
        },
        10000);
    return found ? shown : nullptr;
}

} // namespace

class TestE2eLinkUi : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_relay.start({u"--e2e"_s, u"required"_s}), qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void aNewDeviceIsLinkedFromSettingsAndRemoved()
    {
        AppWindow laptop, phone;
        chooseEncryption(laptop);
        laptop.launch();
        QVERIFY(laptop.signUp(m_relay.port(), u"alice"_s));
        QTRY_COMPARE_WITH_TIMEOUT(e2eState(laptop), E2eEngine::State::Ready, 20000);

        // The phone signs in to the same account: it must be linked, and says how.
        chooseEncryption(phone);
        phone.launch();
        QSignalSpy phoneChats(phone.window.get(), &MainWindow::chatShown);
        phone.typeSignIn(u"127.0.0.1:%1"_s.arg(m_relay.port()), u"alice"_s, kPassword, false);
        QVERIFY(phoneChats.wait(20000));
        QTRY_COMPARE_WITH_TIMEOUT(e2eState(phone), E2eEngine::State::NeedsLink, 20000);
        phone.session->client()->e2e().setDeviceName(u"Alice's phone"_s);
        auto *prompt = phone.find<QWidget>(u"linkPrompt"_s);
        QVERIFY(prompt);
        QTRY_VERIFY_WITH_TIMEOUT(prompt->isVisible(), 10000);
        QCOMPARE(phone.find<QLabel>(u"linkPromptText"_s)->text(),
                 u"This account is used on another device. To read and send encrypted messages "
                 "here, link this device: on the other device open Settings → Devices → Link a "
                 "new device, then type the code shown there."_s);
        auto *codeEdit = phone.find<QLineEdit>(u"linkCodeEdit"_s);
        auto *linkButton = phone.find<QPushButton>(u"linkButton"_s);
        auto *promptStatus = phone.find<QLabel>(u"linkPromptStatus"_s);
        QVERIFY(!linkButton->isEnabled()); // nothing typed yet
        // Before the laptop offers, a code links nothing, and the prompt says why in words.
        QTest::keyClicks(codeEdit, u"AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"_s);
        QVERIFY(linkButton->isEnabled());
        linkButton->click();
        QTRY_COMPARE_WITH_TIMEOUT(promptStatus->text(),
                                  u"Not linked: No device is offering to link. On the other "
                                  "device, choose Link a new device first."_s,
                                  20000);
        QVERIFY(prompt->isVisible());
        QVERIFY(!phone.shot(u"e2e-link-prompt"_s).isEmpty());

        // The phone's own Settings cannot link others until it is linked itself.
        phone.window->showSettings();
        auto *phoneSettings = phone.find<SettingsDialog>(u"settingsDialog"_s);
        QVERIFY(phoneSettings);
        QVERIFY(!phoneSettings->findChild<QPushButton *>(u"linkDeviceButton"_s)->isEnabled());
        phoneSettings->reject();

        // On the laptop, Settings → Devices lists one device: this one.
        laptop.window->showSettings();
        auto *settings = laptop.find<SettingsDialog>(u"settingsDialog"_s);
        QVERIFY(settings);
        QTRY_COMPARE_WITH_TIMEOUT(deviceRows(settings).size(), 1, 20000);
        QVERIFY(textOf(deviceRows(settings).first(), u"deviceDetails"_s)
                    .startsWith(u"This device · added "_s));
        QVERIFY(!deviceRows(settings).first()->findChild<QPushButton *>(u"removeDeviceButton"_s));
        auto *linkDevice = settings->findChild<QPushButton *>(u"linkDeviceButton"_s);
        QVERIFY(linkDevice->isEnabled());
        linkDevice->click();
        auto *dialog = visible<LinkDeviceDialog>(laptop);
        QVERIFY(dialog);

        // A wrong password: said in the dialog, which stays open for another try.
        auto *password = dialog->findChild<QLineEdit *>(u"linkPasswordEdit"_s);
        auto *passwordState = dialog->findChild<QLabel *>(u"linkPasswordState"_s);
        auto *continueButton = dialog->findChild<QPushButton *>(u"linkContinueButton"_s);
        QCOMPARE(password->echoMode(), QLineEdit::Password);
        QVERIFY(!continueButton->isEnabled());
        QTest::keyClicks(password, u"wrong horse"_s);
        QTest::keyClick(password, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(passwordState->text(), u"That is not your password. Try again."_s,
                                  20000);
        QVERIFY(dialog->isVisible());
        QVERIFY(password->isVisible());

        // The right one: the code to type on the phone, six groups of four.
        password->clear();
        QTest::keyClicks(password, kPassword);
        continueButton->click();
        auto *codeLabel = dialog->findChild<QLabel *>(u"linkCodeLabel"_s);
        QTRY_VERIFY_WITH_TIMEOUT(codeLabel->isVisible(), 20000);
        const QString code = codeLabel->text();
        static const QRegularExpression groups(u"^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$"_s);
        QVERIFY2(groups.match(code).hasMatch(), qPrintable(code));
        QCOMPARE(dialog->findChild<QLabel *>(u"linkCodeInstructions"_s)->text(),
                 u"On your new device, sign in and type this code. It works for 10 minutes."_s);
        QVERIFY(password->text().isEmpty()); // not kept around
        QVERIFY(!saveScreenshot(dialog, u"e2e-link-code"_s).isEmpty());

        // Typed on the phone (as people type it: lower case, without the dashes).
        codeEdit->clear();
        QTest::keyClicks(codeEdit, code.toLower().remove(u'-'));
        QTest::keyClick(codeEdit, Qt::Key_Return);
        auto *question = dialog->findChild<QLabel *>(u"linkQuestion"_s);
        QTRY_VERIFY_WITH_TIMEOUT(question->isVisible(), 20000);
        QCOMPARE(question->text(), u"Link Alice's phone?"_s);
        QVERIFY(prompt->isVisible()); // not linked until the laptop says yes
        QVERIFY(!saveScreenshot(dialog, u"e2e-link-question"_s).isEmpty());
        dialog->findChild<QPushButton *>(u"linkApproveButton"_s)->click();

        // The phone is linked: its prompt goes.
        QTRY_COMPARE_WITH_TIMEOUT(e2eState(phone), E2eEngine::State::Ready, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!prompt->isVisible(), 10000);
        auto *result = dialog->findChild<QLabel *>(u"linkResult"_s);
        QTRY_VERIFY_WITH_TIMEOUT(result->isVisible(), 20000);
        QCOMPARE(result->text(), u"Alice's phone is linked."_s);
        dialog->findChild<QPushButton *>(u"linkCloseButton"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isVisible(), 10000);

        // The laptop's list shows both: this device first, then the phone.
        QTRY_COMPARE_WITH_TIMEOUT(deviceRows(settings).size(), 2, 20000);
        QWidget *phoneRow = deviceRows(settings).at(1);
        QCOMPARE(textOf(phoneRow, u"deviceName"_s), u"Alice's phone"_s);
        QVERIFY(textOf(phoneRow, u"deviceDetails"_s).startsWith(u"Added "_s));
        QVERIFY(
            textOf(deviceRows(settings).first(), u"deviceDetails"_s).startsWith(u"This device"_s));
        QVERIFY(!saveScreenshot(settings, u"e2e-devices"_s).isEmpty());

        // "Remove this device" on the phone's row asks first, then removes it: the phone is
        // signed out, and the list shows one device again.
        auto *remove = phoneRow->findChild<QPushButton *>(u"removeDeviceButton"_s);
        QVERIFY(remove && remove->isEnabled());
        QCOMPARE(remove->text(), u"Remove this device"_s);
        remove->click();
        auto *confirm = visible<QMessageBox>(laptop, u"removeDeviceQuestion"_s);
        QVERIFY(confirm);
        QCOMPARE(confirm->text(),
                 u"Remove Alice's phone? It will be signed out and will not read new messages."_s);
        confirm->findChild<QPushButton *>(u"confirmRemoveDeviceButton"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(phone.chat() == nullptr, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(deviceRows(settings).size(), 1, 20000);
        QVERIFY(
            textOf(deviceRows(settings).first(), u"deviceDetails"_s).startsWith(u"This device"_s));
        QCOMPARE(settings->findChild<QLabel *>(u"devicesStatus"_s)->text(),
                 u"Alice's phone was removed."_s);
    }
};

QTEST_MAIN(TestE2eLinkUi)
#include "tst_e2e_link_ui.moc"
