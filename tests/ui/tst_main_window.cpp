// The real main window, offscreen, against the real relay; saves screenshots for review.
#include "core/relay_probe.h"
#include "support/relay_process.h"
#include "support/screenshot.h"
#include "ui/main_window.h"

#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_directory;
    QNetworkAccessManager m_network;

    QString settingsPath() const { return m_directory.filePath(u"tidings.ini"_s); }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void connectsToARelayAndRemembersIt()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        RelayProbe probe(&m_network);
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(probe, settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!saveScreenshot(&window, u"main-window-start"_s).isEmpty());

        auto *address = window.findChild<QLineEdit *>(u"serverAddressEdit"_s);
        auto *connectButton = window.findChild<QPushButton *>(u"connectButton"_s);
        auto *status = window.findChild<QLabel *>(u"statusLabel"_s);
        QVERIFY(address && connectButton && status);
        QVERIFY(!address->accessibleName().isEmpty());

        // Type the address like a user and press Enter.
        address->setFocus();
        QTest::keyClicks(address, u"127.0.0.1:%1"_s.arg(relay.port()));
        QTest::keyClick(address, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(u"Connected"_s), 10000);
        QVERIFY(status->text().contains(QStringLiteral(TIDINGS_VERSION)));
        QCOMPARE(status->property("isError").toBool(), false);
        QCOMPARE(address->text(), u"http://127.0.0.1:%1"_s.arg(relay.port()));
        QVERIFY(!saveScreenshot(&window, u"main-window-connected"_s).isEmpty());
        QCOMPARE(relay.stop(), 0);

        // The next start shows the remembered server.
        QSettings reopened(settingsPath(), QSettings::IniFormat);
        MainWindow again(probe, reopened);
        QCOMPARE(again.findChild<QLineEdit *>(u"serverAddressEdit"_s)->text(),
                 u"http://127.0.0.1:%1"_s.arg(relay.port()));
    }

    void explainsBadAddressesAndDeadServers()
    {
        RelayProbe probe(&m_network);
        QSettings settings(settingsPath(), QSettings::IniFormat);
        MainWindow window(probe, settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *status = window.findChild<QLabel *>(u"statusLabel"_s);
        auto *connectButton = window.findChild<QPushButton *>(u"connectButton"_s);

        window.connectTo(u"ftp://example.org"_s);
        QVERIFY(status->text().contains(u"https://"_s));
        QCOMPARE(status->property("isError").toBool(), true);

        // A port nobody listens on.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const quint16 port = server.serverPort();
        server.close();
        window.connectTo(u"127.0.0.1:%1"_s.arg(port));
        QVERIFY(!connectButton->isEnabled()); // one attempt at a time
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(u"could not be reached"_s), 10000);
        QVERIFY(connectButton->isEnabled());
        QCOMPARE(status->property("isError").toBool(), true);
        QVERIFY(!saveScreenshot(&window, u"main-window-unreachable"_s).isEmpty());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
