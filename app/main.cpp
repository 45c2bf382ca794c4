// tidings: the desktop app. Builds the services, shows the window.
#include "core/relay_probe.h"
#include "ui/main_window.h"
#include "ui/translations.h"
#include "util/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QSettings>

#include <cstdio>

using namespace tidings;
using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
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
    const QCommandLineOption server(u"server"_s, u"Connect to this relay at start."_s,
                                    u"address"_s);
    parser.addOption(server);
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "tidings: error: %s (see --help)\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (parser.isSet(version)) {
        std::printf("tidings %s\n", qPrintable(productVersion()));
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(u"Tidings"_s);
    QApplication::setDesktopFileName(u"org.tidings.Tidings"_s);

    app::installTranslations(app, QLocale());

    QNetworkAccessManager network;
    app::RelayProbe probe(&network);
    QSettings settings;
    app::MainWindow window(probe, settings);
    window.show();
    if (parser.isSet(server))
        window.connectTo(parser.value(server));
    return app.exec();
}
