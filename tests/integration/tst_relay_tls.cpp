// TLS on the relay's one port: HTTPS health and WSS, with a certificate made for the test.
#include "support/http_helpers.h"
#include "support/relay_process.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <QWebSocket>

using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestRelayTls : public QObject
{
    Q_OBJECT

    QTemporaryDir m_directory;
    QString m_certificate;
    QString m_key;

private Q_SLOTS:
    void initTestCase()
    {
        const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
        QVERIFY2(!openssl.isEmpty(),
                 "openssl is needed to make a test certificate (tools/deps installs it)");
        m_certificate = m_directory.filePath(u"cert.pem"_s);
        m_key = m_directory.filePath(u"key.pem"_s);
        QProcess process;
        process.start(openssl,
                      {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                       u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-keyout"_s, m_key,
                       u"-out"_s, m_certificate, u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=127.0.0.1"_s,
                       u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s});
        QVERIFY(process.waitForFinished(30000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    }

    void httpsAndWssOnOnePort()
    {
        RelayProcess relay;
        relay.setTls(true);
        QVERIFY2(relay.start({u"--tls-cert"_s, m_certificate, u"--tls-key"_s, m_key}),
                 qPrintable(relay.lastError()));

        const HttpResult health = httpGet(relay.httpUrl(u"/healthz"_s), 10000, true);
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value(u"status"_s).toString(), u"ok"_s);

        // Plain HTTP on the TLS port gets nowhere.
        QUrl plain = relay.httpUrl(u"/healthz"_s);
        plain.setScheme(u"http"_s);
        QVERIFY(httpGet(plain, 5000).status != 200);

        // WSS with real verification against the test certificate.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromPath(m_certificate));
        QWebSocket socket;
        socket.setSslConfiguration(tls);
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
        socket.open(relay.webSocketUrl());
        QVERIFY(connected.wait(10000));
        socket.sendTextMessage(u"{}"_s);
        QVERIFY(messages.wait(10000));
        QVERIFY(messages.first().at(0).toString().contains(u"bad_request"_s));
        socket.close();
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRelayTls)
#include "tst_relay_tls.moc"
