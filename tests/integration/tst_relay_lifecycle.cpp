// The real relay binary: health endpoints, the WebSocket endpoint on the same port, clean
// shutdown, crash and restart on the same data directory.
#include "protocol/frame.h"
#include "support/http_helpers.h"
#include "support/relay_process.h"

#include <QJsonDocument>
#include <QtTest>

#include <csignal>
#include <QWebSocket>

using namespace tidings;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QJsonObject nextFrame(QSignalSpy &messages)
{
    if (messages.isEmpty() && !messages.wait(10000))
        return {};
    return QJsonDocument::fromJson(messages.takeFirst().at(0).toString().toUtf8()).object();
}

} // namespace

class TestRelayLifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void servesHealthAndReadiness()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        const HttpResult health = httpGet(relay.httpUrl(u"/healthz"_s));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value(u"status"_s).toString(), u"ok"_s);
        QCOMPARE(health.json().value(u"version"_s).toString(), QStringLiteral(TIDINGS_VERSION));

        const HttpResult ready = httpGet(relay.httpUrl(u"/readyz"_s));
        QCOMPARE(ready.status, 200);
        QCOMPARE(ready.json().value(u"status"_s).toString(), u"ready"_s);
        QCOMPARE(ready.json().value(u"store"_s).toString(), u"sqlite"_s);
        QCOMPARE(ready.json().value(u"schema"_s).toInt(), 11);
        // What the relay made is its own alone: the store holds password hashes and keys.
        const auto others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
            | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
        for (const QString &made :
             QStringList{relay.dataDirectory(), relay.dataDirectory() + u"/tidings.db"_s})
            QVERIFY2((QFileInfo(made).permissions() & others) == QFile::Permissions(),
                     qPrintable(made));

        QCOMPARE(httpGet(relay.httpUrl(u"/no-such-page"_s)).status, 404);
        // The WebSocket path answers plain HTTP with "upgrade required", not silence.
        const HttpResult plain = httpGet(relay.httpUrl(u"/ws"_s));
        QCOMPARE(plain.status, 426);
        QCOMPARE(plain.header("Upgrade"), QByteArray("websocket"));

        QCOMPARE(relay.stop(), 0);
    }

    void webSocketOnTheSamePort()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));

        QWebSocket socket;
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(relay.webSocketUrl());
        QVERIFY(connected.wait(10000));
        QTRY_COMPARE(httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"sessions"_s).toInt(), 1);

        // Garbage gets a clear error, and the connection stays usable.
        socket.sendTextMessage(u"this is not json"_s);
        QJsonObject reply = nextFrame(messages);
        QCOMPARE(reply.value(u"type"_s).toString(), u"error"_s);
        QCOMPARE(reply.value(u"code"_s).toString(), u"bad_request"_s);
        QVERIFY(!reply.value(u"message"_s).toString().isEmpty());

        // A well-formed frame of a type this relay does not know: an error with its id.
        socket.sendTextMessage(uR"({"type":"no.such.thing","id":"q1"})"_s);
        reply = nextFrame(messages);
        QCOMPARE(reply.value(u"code"_s).toString(), u"unsupported"_s);
        QCOMPARE(reply.value(u"id"_s).toString(), u"q1"_s);

        socket.sendBinaryMessage("\x01\x02");
        reply = nextFrame(messages);
        QCOMPARE(reply.value(u"code"_s).toString(), u"bad_request"_s);

        // A clean close from our side.
        socket.close();
        QVERIFY(disconnected.count() == 1 || disconnected.wait(10000));
        QTRY_COMPARE(httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"sessions"_s).toInt(), 0);
        QCOMPARE(relay.stop(), 0);
    }

    void oversizedMessageClosesTheConnection()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--max-frame-bytes"_s, u"8192"_s, u"--max-text-bytes"_s, u"1024"_s}),
                 qPrintable(relay.lastError()));

        QWebSocket socket;
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(relay.webSocketUrl());
        QVERIFY(connected.wait(10000));
        socket.sendTextMessage(QString(16384, u'x'));
        QVERIFY(disconnected.wait(10000));
        QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);

        // The relay is unharmed.
        QCOMPARE(httpGet(relay.httpUrl(u"/healthz"_s)).status, 200);
        QCOMPARE(relay.stop(), 0);
    }

    void shutdownSaysGoodbyeToSessions()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QWebSocket socket;
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(relay.webSocketUrl());
        QVERIFY(connected.wait(10000));

        QCOMPARE(relay.stop(), 0);
        QVERIFY(disconnected.count() == 1 || disconnected.wait(10000));
        QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    }

    void ctrlCStopsCleanly()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QCOMPARE(relay.sendSignal(SIGINT), 0);
        QVERIFY(!QFileInfo::exists(relay.dataDirectory() + u"/relay.lock"_s));
    }

    void restartKeepsTheStore()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        const QString instance
            = httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"instance"_s).toString();
        QVERIFY(!instance.isEmpty());
        const quint16 port = relay.port();

        // Graceful stop, then start on the same data dir: same store, same port.
        QCOMPARE(relay.stop(), 0);
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QCOMPARE(relay.port(), port);
        QCOMPARE(httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"instance"_s).toString(),
                 instance);

        // A crash (SIGKILL) leaves a stale lock and a WAL behind: the next start copes.
        relay.kill();
        QVERIFY(!relay.isRunning());
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QCOMPARE(httpGet(relay.httpUrl(u"/readyz"_s)).json().value(u"instance"_s).toString(),
                 instance);
        QCOMPARE(relay.stop(), 0);
    }

    void writesThePortFile()
    {
        RelayProcess relay;
        QTemporaryDir directory;
        const QString portFile = directory.filePath(u"port"_s);
        QVERIFY2(relay.start({u"--port-file"_s, portFile}), qPrintable(relay.lastError()));
        QFile file(portFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().trimmed().toUShort(), relay.port());
        QCOMPARE(relay.stop(), 0);
    }

    void jsonLogLines()
    {
        RelayProcess relay;
        QVERIFY2(relay.start({u"--log-format"_s, u"json"_s}), qPrintable(relay.lastError()));
        QCOMPARE(relay.stop(), 0);
        const QList<QByteArray> lines = relay.standardError().trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        int logLines = 0;
        for (const QByteArray &line : lines) {
            if (line.startsWith("=="))
                continue; // sanitizer banner, if any
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            QVERIFY2(!object.isEmpty(), line.constData());
            QVERIFY(object.contains(u"time"_s));
            QVERIFY(object.contains(u"level"_s));
            QVERIFY(!object.value(u"category"_s).toString().isEmpty());
            ++logLines;
        }
        QVERIFY(logLines >= 2); // migration applied, listening
    }
};

QTEST_GUILESS_MAIN(TestRelayLifecycle)
#include "tst_relay_lifecycle.moc"
