// The app core's RelayProbe against the real relay, a closed port and a stranger.
#include "core/relay_probe.h"
#include "support/relay_process.h"

#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestRelayProbe : public QObject
{
    Q_OBJECT

    QNetworkAccessManager m_network;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void findsTheRelay()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        RelayProbe probe(&m_network);
        QSignalSpy reachable(&probe, &RelayProbe::reachable);
        QSignalSpy unreachable(&probe, &RelayProbe::unreachable);
        probe.probe(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(relay.port())));
        QVERIFY(reachable.wait(10000));
        QCOMPARE(reachable.first().at(0).toString(), QStringLiteral(TIDINGS_VERSION));
        QCOMPARE(unreachable.count(), 0);
        QCOMPARE(relay.stop(), 0);
    }

    void closedPortIsUnreachable()
    {
        QTcpServer server; // reserve a port, then free it: nobody listens there now
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const quint16 port = server.serverPort();
        server.close();

        RelayProbe probe(&m_network);
        QSignalSpy unreachable(&probe, &RelayProbe::unreachable);
        probe.probe(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(port)));
        QVERIFY(unreachable.wait(10000));
        QVERIFY(unreachable.first().at(0).toString().contains(u"could not be reached"_s));
    }

    void aStrangerIsNotARelay()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QTcpServer::newConnection, this, [&server] {
            QTcpSocket *socket = server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n"
                              "Connection: close\r\n\r\nhello");
                socket->disconnectFromHost();
            });
        });

        RelayProbe probe(&m_network);
        QSignalSpy unreachable(&probe, &RelayProbe::unreachable);
        probe.probe(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(server.serverPort())));
        QVERIFY(unreachable.wait(10000));
        QVERIFY(unreachable.first().at(0).toString().contains(u"not a Tidings relay"_s));
    }
};

QTEST_GUILESS_MAIN(TestRelayProbe)
#include "tst_relay_probe.moc"
