// Signing in, registering, resuming and signing out through the real window, against the
// real relay; the errors a user can meet say what to do. Saves screenshots for review.
#include "support/app_window.h"
#include "support/client_helpers.h"
#include "support/relay_process.h"
#include "ui/chat_page.h"
#include "ui/sign_in_page.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QTcpServer>
#include <QTcpSocket>
#include <QToolButton>
#include <QtTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestSignIn : public QObject
{
    Q_OBJECT

    static QString status(const AppWindow &app)
    {
        return app.find<QLabel>(u"statusLabel"_s)->text();
    }
    static bool statusIsError(const AppWindow &app)
    {
        return app.find<QLabel>(u"statusLabel"_s)->property("isError").toBool();
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void registersResumesSignsOutAndSignsInAgain()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        AppWindow app;
        app.launch();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QVERIFY(QTest::qWaitFor([&] { return app.window->signInPage()->isVisible(); }, 5000));
        QVERIFY(!app.shot(u"sign-in-empty"_s).isEmpty());
        // Every interactive widget can be found by a screen reader.
        for (const char *name : {"serverAddressEdit", "usernameEdit", "passwordEdit",
                                 "registerCheck", "signInButton"}) {
            auto *widget = app.find<QWidget>(QString::fromLatin1(name));
            QVERIFY2(widget && !widget->accessibleName().isEmpty(), name);
        }

        QVERIFY(app.signUp(relay.port(), u"Alice"_s));
        QVERIFY(app.chat()->isVisible());
        auto *banner = app.find<QLabel>(u"connectionBanner"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 10000);
        QVERIFY(!app.shot(u"chats-empty"_s).isEmpty());

        // A restart opens the chats at once, signed in with the kept session.
        app.launch();
        QTRY_VERIFY_WITH_TIMEOUT(app.chat() && app.chat()->isVisible(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!app.find<QLabel>(u"connectionBanner"_s)->isVisible(), 10000);

        // Signing out comes back to the form, with the server and username kept.
        app.session->signOut();
        QTRY_VERIFY(app.window->signInPage()->isVisible());
        QCOMPARE(app.find<QLineEdit>(u"serverAddressEdit"_s)->text(),
                 u"http://127.0.0.1:%1"_s.arg(relay.port()));
        QCOMPARE(app.find<QLineEdit>(u"usernameEdit"_s)->text(), u"alice"_s);
        QVERIFY(app.find<QLineEdit>(u"passwordEdit"_s)->text().isEmpty());
        // …and the next start does not sign in by itself.
        app.launch();
        QTRY_VERIFY(app.window->signInPage()->isVisible());
        QTest::qWait(300);
        QVERIFY(!app.chat());

        app.typeSignIn(u"127.0.0.1:%1"_s.arg(relay.port()), u"alice"_s, u"wrong horse"_s, false);
        QTRY_COMPARE_WITH_TIMEOUT(status(app), u"Wrong username or password."_s, 15000);
        QVERIFY(statusIsError(app));
        QVERIFY(app.find<QLineEdit>(u"passwordEdit"_s)->isEnabled());
        QVERIFY(!app.shot(u"sign-in-wrong-password"_s).isEmpty());

        QSignalSpy shown(app.window.get(), &MainWindow::chatShown);
        app.typeSignIn(u"127.0.0.1:%1"_s.arg(relay.port()), u"ALICE"_s, u"correct horse"_s, false);
        QVERIFY(shown.wait(15000));

        // Signing out through the real ☰ menu (the menu's page goes while the menu is still
        // in its click), then a wrong password and Enter: an error, no crash.
        app.chat()->menuButton()->click();
        QMenu *menu = nullptr;
        QTRY_VERIFY((menu = app.window->findChild<QMenu *>(u"mainMenu"_s)) && menu->isVisible());
        QAction *signOut = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->text().remove(u'&') == u"Sign Out"_s)
                signOut = action;
        }
        QVERIFY(signOut);
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(signOut).center());
        QTRY_VERIFY(app.window->signInPage()->isVisible());
        app.typeSignIn(u"127.0.0.1:%1"_s.arg(relay.port()), u"alice"_s, u"wrong horse"_s, false);
        QTRY_COMPARE_WITH_TIMEOUT(status(app), u"Wrong username or password."_s, 15000);

        // Taken names are explained.
        app.typeSignIn(u"127.0.0.1:%1"_s.arg(relay.port()), u"alice"_s, u"correct horse"_s, true);
        QTRY_VERIFY2_WITH_TIMEOUT(status(app).contains(u"taken"_s), qPrintable(status(app)), 15000);
    }

    void explainsWhatIsWrongWithTheServer()
    {
        AppWindow app;
        app.launch();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));

        app.typeSignIn(u"ftp://example.org"_s, u"alice"_s, u"correct horse"_s, false);
        QTRY_VERIFY(status(app).contains(u"https://"_s));
        QVERIFY(statusIsError(app));

        // Nobody listens.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        app.typeSignIn(u"127.0.0.1:%1"_s.arg(port), u"alice"_s, u"correct horse"_s, false);
        QTRY_VERIFY_WITH_TIMEOUT(status(app).contains(u"could not be reached"_s), 15000);
        QVERIFY(statusIsError(app));
        QVERIFY(!app.shot(u"sign-in-unreachable"_s).isEmpty());
        // A failed first sign-in leaves no local store behind.
        QVERIFY(QDir(app.directory + u"/data"_s).entryList({u"*.sqlite"_s}).isEmpty());

        // Something answers, but it is not a Tidings relay.
        QTcpServer web;
        QVERIFY(web.listen(QHostAddress::LocalHost, 0));
        connect(&web, &QTcpServer::newConnection, &web, [&web] {
            QTcpSocket *socket = web.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n"
                              "Connection: close\r\n\r\nhello");
                socket->disconnectFromHost();
            });
        });
        app.typeSignIn(u"127.0.0.1:%1"_s.arg(web.serverPort()), u"alice"_s, u"correct horse"_s,
                       false);
        QTRY_VERIFY_WITH_TIMEOUT(status(app).contains(u"not a Tidings relay"_s), 15000);

        // A relay of a protocol this app does not speak: a stand-in that answers /healthz
        // and refuses our hello with "unsupported", as a future relay would.
        QWebSocketServer future(u"future relay"_s, QWebSocketServer::NonSecureMode);
        QTcpServer front;
        QVERIFY(front.listen(QHostAddress::LocalHost, 0));
        connect(&front, &QTcpServer::newConnection, &front, [&front, &future] {
            QTcpSocket *socket = front.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket, &future] {
                const QByteArray head = socket->peek(8192);
                if (!head.contains("\r\n\r\n"))
                    return;
                disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
                if (head.startsWith("GET /healthz")) {
                    socket->readAll();
                    const QByteArray body = R"({"status":"ok","version":"9.0.0"})";
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  "Connection: close\r\nContent-Length: "
                                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    socket->disconnectFromHost();
                } else {
                    future.handleConnection(socket); // reads the upgrade itself
                }
            });
        });
        connect(&future, &QWebSocketServer::newConnection, &future, [&future] {
            QWebSocket *client = future.nextPendingConnection();
            client->setParent(&future); // ours to delete
            connect(
                client, &QWebSocket::textMessageReceived, client, [client](const QString &text) {
                    const QJsonObject hello = QJsonDocument::fromJson(text.toUtf8()).object();
                    client->sendTextMessage(QString::fromUtf8(
                        QJsonDocument(QJsonObject{{u"type"_s, u"error"_s},
                                                  {u"id"_s, hello.value(u"id"_s)},
                                                  {u"code"_s, u"unsupported"_s},
                                                  {u"message"_s, u"this relay speaks version 9"_s}})
                            .toJson(QJsonDocument::Compact)));
                });
        });
        app.typeSignIn(u"127.0.0.1:%1"_s.arg(front.serverPort()), u"alice"_s, u"correct horse"_s,
                       false);
        QTRY_VERIFY_WITH_TIMEOUT(status(app).contains(u"cannot talk to"_s), 15000);
        QVERIFY(statusIsError(app));
        QVERIFY(!app.shot(u"sign-in-incompatible"_s).isEmpty());

        // A relay that takes no new accounts.
        RelayProcess relay;
        QVERIFY2(relay.start({u"--registration"_s, u"closed"_s}), qPrintable(relay.lastError()));
        app.typeSignIn(u"127.0.0.1:%1"_s.arg(relay.port()), u"newcomer"_s, u"correct horse"_s,
                       true);
        QTRY_VERIFY_WITH_TIMEOUT(status(app).contains(u"does not accept new accounts"_s), 15000);
        QVERIFY(statusIsError(app));
        QVERIFY(!app.shot(u"sign-in-registration-closed"_s).isEmpty());
    }
};

QTEST_MAIN(TestSignIn)
#include "tst_sign_in.moc"
