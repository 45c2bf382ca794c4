// The translations are built, embedded and applied; none is left unfinished.
#include "support/app_window.h"
#include "support/client_helpers.h"
#include "ui/settings_dialog.h"
#include "ui/translations.h"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
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
    void spanishIsBuiltIn()
    {
        QTranslator spanish;
        QVERIFY(spanish.load(QLocale(u"es_ES"_s), u"tidings"_s, u"_"_s, u":/i18n"_s));
        QCOMPARE(spanish.translate("tidings::app::SignInPage", "Sign in to Tidings"),
                 u"Inicia sesión en Tidings"_s);
    }

    void theLanguageChosenInSettingsIsUsedAtTheNextStart()
    {
        QTemporaryDir directory;
        QSettings settings(directory.filePath(u"tidings.ini"_s), QSettings::IniFormat);
        QCOMPARE(chosenLocale(settings), QLocale()); // the system's, until chosen
        TestClient client(directory.path());
        QVERIFY(await(client.client->open()).ok());
        SettingsDialog dialog(*client.client, settings);
        auto *language = dialog.findChild<QComboBox *>(u"languageCombo"_s);
        language->setCurrentIndex(language->findData(u"es"_s));
        QCOMPARE(chosenLocale(settings).language(), QLocale::Spanish);
        QTranslator spanish;
        QVERIFY(spanish.load(chosenLocale(settings), u"tidings"_s, u"_"_s, u":/i18n"_s));
        QCOMPARE(spanish.translate("tidings::app::SignInPage", "Sign in to Tidings"),
                 u"Inicia sesión en Tidings"_s);
    }

    void germanIsAppliedToTheWindow()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(installTranslations(*QCoreApplication::instance(), QLocale(u"de_DE"_s)));
        AppWindow app;
        app.launch(TokenStore::Backend::Memory);
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QTRY_COMPARE(app.find<QPushButton>(u"signInButton"_s)->text().remove(u'&'), u"Anmelden"_s);
        QCOMPARE(app.find<QLabel>(u"titleLabel"_s)->text(), u"Bei Tidings anmelden"_s);
        QCOMPARE(app.find<QLineEdit>(u"passwordEdit"_s)->accessibleName(), u"Passwort"_s);
        QVERIFY(!app.shot(u"sign-in-de"_s).isEmpty());
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
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
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
