// The translations are built, embedded and applied; none is left unfinished.
#include "core/relay_probe.h"
#include "support/screenshot.h"
#include "ui/main_window.h"
#include "ui/translations.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>
#include <QXmlStreamReader>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void germanIsAppliedToTheWindow()
    {
        QVERIFY(installTranslations(*QCoreApplication::instance(), QLocale(u"de_DE"_s)));
        QNetworkAccessManager network;
        RelayProbe probe(&network);
        QTemporaryDir directory;
        QSettings settings(directory.filePath(u"s.ini"_s), QSettings::IniFormat);
        MainWindow window(probe, settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.findChild<QPushButton *>(u"connectButton"_s)->text(), u"&Verbinden"_s);
        QVERIFY(!saveScreenshot(&window, u"main-window-de"_s).isEmpty());
    }

    void everyTranslationIsFinished()
    {
        const QDir translations(qEnvironmentVariable("TIDINGS_SOURCE_DIR") + u"/translations"_s);
        const QStringList files = translations.entryList({u"*.ts"_s});
        QVERIFY(!files.isEmpty());
        for (const QString &name : files) {
            QFile file(translations.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&file);
            int messages = 0;
            while (!xml.atEnd()) {
                xml.readNext();
                if (!xml.isStartElement() || xml.name() != u"translation")
                    continue;
                ++messages;
                const QString type = xml.attributes().value(u"type"_s).toString();
                const QString text = xml.readElementText();
                QVERIFY2(type != u"unfinished" && !text.isEmpty(),
                         qPrintable(u"%1: message %2 is not translated"_s.arg(name).arg(messages)));
            }
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            QVERIFY(messages > 0);
        }
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
