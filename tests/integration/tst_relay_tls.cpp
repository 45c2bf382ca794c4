// TLS on the relay's one port: HTTPS health and WSS, with a certificate made for the test.
#include "support/http_helpers.h"
#include "support/relay_process.h"

#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
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

    static bool makeCertificate(const QStringList &keyArguments, const QString &certificate,
                                const QString &key)
    {
        QProcess process;
        process.start(QStandardPaths::findExecutable(u"openssl"_s),
                      QStringList{u"req"_s, u"-x509"_s} + keyArguments
                          + QStringList{u"-nodes"_s, u"-keyout"_s, key, u"-out"_s, certificate,
                                        u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=127.0.0.1"_s,
                                        u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s});
        return process.waitForFinished(60000) && process.exitCode() == 0;
    }

    /// Whether a TLS 1.2 handshake offering only `cipher` succeeds.
    static bool handshakeWith(quint16 port, const QString &cipher)
    {
        QSslSocket socket;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setProtocol(QSsl::TlsV1_2);
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        const QSslCipher offered(cipher);
        if (offered.isNull())
            qFatal("this OpenSSL does not know %s", qPrintable(cipher));
        configuration.setCiphers({offered});
        socket.setSslConfiguration(configuration);
        bool done = false;
        QEventLoop loop;
        QObject::connect(&socket, &QSslSocket::encrypted, &loop, [&] {
            done = true;
            loop.quit();
        });
        QObject::connect(&socket, &QAbstractSocket::disconnected, &loop, &QEventLoop::quit);
        QObject::connect(&socket, &QAbstractSocket::errorOccurred, &loop, &QEventLoop::quit);
        QTimer::singleShot(15000, &loop, &QEventLoop::quit);
        socket.connectToHostEncrypted(u"127.0.0.1"_s, port);
        loop.exec();
        return done;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
        QVERIFY2(!openssl.isEmpty(),
                 "openssl is needed to make a test certificate (tools/deps installs it)");
        m_certificate = m_directory.filePath(u"cert.pem"_s);
        m_key = m_directory.filePath(u"key.pem"_s);
        QVERIFY(makeCertificate(
            {u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s},
            m_certificate, m_key));
    }

    void onlyForwardSecretSuites()
    {
        // With an RSA key, TLS 1.2 could also agree on RSA key transport, which a stolen
        // key decrypts after the fact: the relay offers only ECDHE with AEAD.
        const QString certificate = m_directory.filePath(u"rsa-cert.pem"_s);
        const QString key = m_directory.filePath(u"rsa-key.pem"_s);
        QVERIFY(makeCertificate({u"-newkey"_s, u"rsa:2048"_s}, certificate, key));
        RelayProcess relay;
        relay.setTls(true);
        QVERIFY2(relay.start({u"--tls-cert"_s, certificate, u"--tls-key"_s, key}),
                 qPrintable(relay.lastError()));
        QVERIFY(handshakeWith(relay.port(), u"ECDHE-RSA-AES128-GCM-SHA256"_s));
        QVERIFY(handshakeWith(relay.port(), u"ECDHE-RSA-CHACHA20-POLY1305"_s));
        QVERIFY(!handshakeWith(relay.port(), u"AES128-GCM-SHA256"_s)); // RSA key transport
        QVERIFY(!handshakeWith(relay.port(), u"AES256-SHA256"_s));
        QVERIFY(!handshakeWith(relay.port(), u"ECDHE-RSA-AES128-SHA"_s)); // CBC
        QCOMPARE(relay.stop(), 0);
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
