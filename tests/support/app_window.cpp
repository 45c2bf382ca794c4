#include "support/app_window.h"

#include "support/client_helpers.h"
#include "support/screenshot.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/people_dialog.h"
#include "ui/settings_keys.h"
#include "ui/sign_in_page.h"
#include "ui/theme.h"
#include "ui/translations.h"

#include <QTranslator>

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QtTest>

namespace tidings::test {

using namespace Qt::StringLiterals;

AppWindow::AppWindow(const QString &profileDirectory) : directory(profileDirectory)
{
    // As main() does: the English plural forms ("3 members"), unless a test chose a language.
    static const bool translated = [] {
        if (QCoreApplication::instance()->findChild<QTranslator *>() == nullptr)
            app::installTranslations(*QCoreApplication::instance(), QLocale(QLocale::English));
        return true;
    }();
    Q_UNUSED(translated);
    if (directory.isEmpty()) {
        temporary = std::make_unique<QTemporaryDir>();
        directory = temporary->path();
    }
}

AppWindow::~AppWindow()
{
    quit();
}

void AppWindow::launch(app::TokenStore::Backend tokens)
{
    quit();
    settings = std::make_unique<QSettings>(directory + u"/tidings.ini"_s, QSettings::IniFormat);
    app::Session::Options options;
    options.dataDirectory = directory + u"/data"_s;
    options.tokenBackend = tokens;
    options.connection = TestClient::fastOptions();
    session = std::make_unique<app::Session>(*settings, &network, options);
    window = std::make_unique<app::MainWindow>(*session, *settings);
    // As main() does: the settings dialog's theme and text size apply at once.
    QObject::connect(window.get(), &app::MainWindow::appearanceChanged, window.get(), [this] {
        app::theme::apply(
            *qApp, app::theme::modeFromName(settings->value(app::settings::kTheme).toString()),
            settings->value(app::settings::kFontSize, 0).toInt());
    });
    window->show();
    session->restore();
}

void AppWindow::quit()
{
    // The next window starts in the light theme, whatever this one chose.
    if (settings && settings->value(app::settings::kTheme).toString() != u"light"_s
        && app::theme::isDark())
        app::theme::apply(*qApp, app::theme::Mode::Light, 0);
    if (window)
        window->close();
    window.reset();
    session.reset();
    if (settings)
        settings->sync();
    settings.reset();
}

void AppWindow::typeSignIn(const QString &server, const QString &username, const QString &password,
                           bool createAccount)
{
    auto *serverEdit = find<QLineEdit>(u"serverAddressEdit"_s);
    auto *usernameEdit = find<QLineEdit>(u"usernameEdit"_s);
    auto *passwordEdit = find<QLineEdit>(u"passwordEdit"_s);
    find<QCheckBox>(u"registerCheck"_s)->setChecked(createAccount);
    serverEdit->clear();
    QTest::keyClicks(serverEdit, server);
    usernameEdit->clear();
    QTest::keyClicks(usernameEdit, username);
    passwordEdit->clear();
    QTest::keyClicks(passwordEdit, password);
    QTest::keyClick(passwordEdit, Qt::Key_Return);
}

bool AppWindow::signUp(quint16 port, const QString &username)
{
    QSignalSpy shown(window.get(), &app::MainWindow::chatShown);
    typeSignIn(u"127.0.0.1:%1"_s.arg(port), username, u"correct horse"_s, true);
    return shown.count() > 0 || shown.wait(20000);
}

app::ChatPage *AppWindow::chat() const
{
    return window->chatPage();
}

app::ConversationView &AppWindow::view() const
{
    return chat()->view();
}

app::MessageListModel *AppWindow::messages() const
{
    return view().messages();
}

bool AppWindow::startChatWith(const QString &username)
{
    window->showNewChat();
    app::PeopleDialog *dialog = nullptr;
    for (app::PeopleDialog *open : window->findChildren<app::PeopleDialog *>()) {
        if (open->isVisible())
            dialog = open; // an earlier one may wait for its deferred delete
    }
    if (!dialog)
        return false;
    auto *query = dialog->findChild<QLineEdit *>(u"userSearchEdit"_s);
    auto *results = dialog->findChild<QListWidget *>(u"userResults"_s);
    QTest::keyClicks(query, username);
    QTest::keyClick(query, Qt::Key_Return);
    if (!QTest::qWaitFor([&] { return results->count() > 0; }, 10000))
        return false;
    QSignalSpy ready(dialog, &app::PeopleDialog::conversationReady);
    dialog->findChild<QPushButton *>(u"peopleSubmitButton"_s)->click();
    if (!ready.wait(10000))
        return false;
    const qint64 conversation = ready.first().first().toLongLong();
    return QTest::qWaitFor([&] { return view().conversationId() == conversation && messages(); },
                           10000);
}

void AppWindow::send(const QString &text)
{
    app::Composer *composer = view().composer();
    composer->setFocus();
    QTest::keyClicks(composer, text);
    QTest::keyClick(composer, Qt::Key_Return);
}

QString AppWindow::shot(const QString &name) const
{
    return saveScreenshot(window.get(), name);
}

QString statusLine(const AppWindow &app)
{
    return app.find<QLabel>(u"conversationStatus"_s)->text();
}

QString typingLine(const AppWindow &app)
{
    return app.find<QLabel>(u"typingLabel"_s)->text().trimmed();
}

} // namespace tidings::test
