// tidings: the desktop app. Reads the command line, builds the session and the window.
#include "core/server_address.h"
#include "core/session.h"
#include "ui/main_window.h"
#include "ui/settings_keys.h"
#include "ui/startup_probe.h"
#include "ui/theme.h"
#include "ui/translations.h"
#include "util/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QStandardPaths>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

using namespace tidings;
using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    app::StartupProbe::markProcessStart();
    QApplication::setApplicationName(u"tidings"_s);
    QApplication::setOrganizationName(u"Tidings"_s);
    QApplication::setApplicationVersion(productVersion());

    // The command line is read before QApplication exists, so --help and --version work
    // where no display is available.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Tidings: chat that is never lost."_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption server(u"server"_s, u"The relay to sign in to (fills the form)."_s,
                                    u"address"_s);
    const QCommandLineOption user(u"user"_s, u"The username to sign in as (fills the form)."_s,
                                  u"name"_s);
    const QCommandLineOption passwordStdin(
        u"password-stdin"_s,
        u"Read the password from the first line of stdin and sign in with --server and --user "
        u"(for scripts; a kept session is resumed instead when there is one)."_s);
    const QCommandLineOption profile(
        u"profile"_s,
        u"Keep settings and data in this directory instead of the user's (run several "
        u"accounts side by side)."_s,
        u"directory"_s);
    parser.addOptions({server, user, passwordStdin, profile});
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "tidings: error: %s (see --help)\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(help)) {
        // Without an application object Qt cannot know the program's name.
        std::fputs(qPrintable(parser.helpText().replace(u"<executable_name>"_s, u"tidings"_s)),
                   stdout);
        return 0;
    }
    if (parser.isSet(version)) {
        std::printf("tidings %s\n", qPrintable(productVersion()));
        return 0;
    }
    QString password;
    if (parser.isSet(passwordStdin)) {
        if (!parser.isSet(server) || !parser.isSet(user)) {
            std::fputs("tidings: error: --password-stdin needs --server and --user\n", stderr);
            return 2;
        }
        std::string line;
        std::getline(std::cin, line);
        password = QString::fromStdString(line);
        if (password.endsWith(u'\r'))
            password.chop(1);
    }

    QApplication application(argc, argv);
    QApplication::setApplicationDisplayName(u"Tidings"_s);
    QApplication::setDesktopFileName(u"org.tidings.Tidings"_s);

    std::unique_ptr<QSettings> settings;
    app::Session::Options options;
    if (parser.isSet(profile)) {
        const QDir directory(parser.value(profile));
        QDir().mkpath(directory.absolutePath());
        settings = std::make_unique<QSettings>(directory.filePath(u"tidings.ini"_s),
                                               QSettings::IniFormat);
        options.dataDirectory = directory.filePath(u"data"_s);
    } else {
        settings = std::make_unique<QSettings>();
        options.dataDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    }

    app::installTranslations(application, app::chosenLocale(*settings));
    auto applyLook = [&application, &settings] {
        app::theme::apply(
            application,
            app::theme::modeFromName(settings->value(app::settings::kTheme).toString()),
            settings->value(app::settings::kFontSize, 0).toInt());
    };
    applyLook();

    QNetworkAccessManager network;
    app::Session session(*settings, &network, options);
    app::MainWindow window(session, *settings);
    QObject::connect(&window, &app::MainWindow::appearanceChanged, &window, applyLook);
    app::StartupProbe probe(window);
    window.prefill(parser.value(server), parser.value(user));
    window.show();

    const auto given = app::ServerAddress::parse(parser.value(server));
    const bool sameAccount = given && given->toString() == session.lastServer()
        && parser.value(user).trimmed().toLower() == session.lastUsername();
    if (!password.isEmpty() && !sameAccount) {
        window.signIn(parser.value(server), parser.value(user), password);
        return application.exec();
    }
    if (!password.isEmpty()) {
        // A kept session for this account wins; the password is used when there is none.
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = QObject::connect(&session, &app::Session::signedOut, &window,
                                       [&window, connection, &parser, server, user, password] {
                                           QObject::disconnect(*connection);
                                           window.signIn(parser.value(server), parser.value(user),
                                                         password);
                                       });
        QObject::connect(&session, &app::Session::signedIn, &window,
                         [connection] { QObject::disconnect(*connection); });
    }
    session.restore();
    return application.exec();
}
