// Fault tests of the client core (label "fault"): the relay killed with SIGKILL at random
// moments, connections cut from either side, a client offline throughout — and then
// counting: nothing lost, nothing doubled, the same order everywhere.
#include "support/client_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

/// The relay's log of a conversation, read with a protocol client of its own.
QList<QJsonObject> relayLog(quint16 port, const QString &username, qint64 conversation)
{
    ProtocolClient reader;
    if (!reader.signIn(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(port)), username))
        return {};
    return reader.wholeHistory(conversation);
}

/// Waits until none of `clients` has anything left in its outbox; if that does not come,
/// says what is left (type, state, attempts, last error) and the connection states.
bool outboxesDrain(std::initializer_list<TestClient *> clients, int timeoutMs = 60000)
{
    const auto drained = [&] {
        for (TestClient *client : clients) {
            if (!client->pendingOutbox().isEmpty())
                return false;
        }
        return true;
    };
    if (QTest::qWaitFor(drained, timeoutMs))
        return true;
    for (TestClient *client : clients) {
        const QList<local::OutboxItem> items = client->pendingOutbox();
        qWarning("user %lld (connection state %d): %lld item(s) left", client->client->userId(),
                 int(client->client->connection().state()), qlonglong(items.size()));
        for (const local::OutboxItem &item : items.mid(0, 10))
            qWarning("  %s %s state=%s attempts=%d error=%s", qPrintable(item.type),
                     qPrintable(item.key), qPrintable(item.state), item.attempts,
                     qPrintable(item.error));
    }
    return false;
}

struct Counts
{
    int sent = 0;
    int acked = 0;
    int received = 0;
    int duplicates = 0;
    int missing = 0;
    int misordered = 0;
};

/// Compares what a client holds with the relay's log, message by message.
Counts compare(const QList<QJsonObject> &relay, const QList<local::Message> &local, qint64 me)
{
    Counts counts;
    QHash<QString, qint64> relaySeq; // client id → seq
    for (const QJsonObject &event : relay) {
        if (event.value(u"kind"_s) == u"message"_s)
            relaySeq.insert(event.value(u"client_id"_s).toString(),
                            event.value(u"seq"_s).toInteger());
    }
    QSet<QString> seen;
    qint64 previous = 0;
    for (const local::Message &message : local) {
        if (message.kind != u"message")
            continue;
        if (message.senderId == me)
            ++counts.sent;
        if (message.state == u"sent")
            counts.acked += message.senderId == me ? 1 : 0;
        counts.received += message.senderId != me ? 1 : 0;
        if (seen.contains(message.clientId))
            ++counts.duplicates;
        seen.insert(message.clientId);
        if (!message.seq || relaySeq.value(message.clientId) != *message.seq
            || *message.seq <= previous)
            ++counts.misordered;
        previous = message.seq.value_or(previous);
    }
    for (auto it = relaySeq.cbegin(); it != relaySeq.cend(); ++it) {
        if (!seen.contains(it.key()))
            ++counts.missing;
    }
    return counts;
}

void report(const char *who, const Counts &counts)
{
    qInfo("%s: sent %d, acked %d, received %d, duplicates %d, missing %d, out of order %d", who,
          counts.sent, counts.acked, counts.received, counts.duplicates, counts.missing,
          counts.misordered);
}

/// A TCP proxy in front of the relay that can drop every connection at once, without a
/// WebSocket close frame — a network that fails.
class FlakyProxy : public QObject
{
public:
    explicit FlakyProxy(quint16 target) : m_target(target)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection()) {
                auto *upstream = new QTcpSocket(client);
                upstream->connectToHost(QHostAddress::LocalHost, m_target);
                connect(client, &QTcpSocket::readyRead, upstream,
                        [client, upstream] { upstream->write(client->readAll()); });
                connect(upstream, &QTcpSocket::readyRead, client,
                        [client, upstream] { client->write(upstream->readAll()); });
                connect(upstream, &QTcpSocket::disconnected, client,
                        &QTcpSocket::disconnectFromHost);
                connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
                m_clients.append(client);
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    /// Drops every connection, abruptly.
    void cut()
    {
        for (QTcpSocket *client : std::as_const(m_clients)) {
            if (client) {
                if (auto *upstream = client->findChild<QTcpSocket *>())
                    upstream->abort();
                client->abort();
            }
        }
        m_clients.clear();
        ++m_cuts;
    }
    int cuts() const { return m_cuts; }

private:
    quint16 m_target;
    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_clients;
    int m_cuts = 0;
};

} // namespace

class TestClientFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void twoThousandMessagesThroughFiveCrashes()
    {
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("random seed %u", seed);
        QRandomGenerator random(seed);

        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient alice, bob;
        QVERIFY(alice.signUp(relay.port(), u"alice"_s));
        QVERIFY(bob.signUp(relay.port(), u"bob"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        QTRY_VERIFY_WITH_TIMEOUT(bob.conversation(direct).id == direct, 10000);

        // 2,000 messages, both ways, typed in at a steady pace...
        int queued = 0;
        QList<QFuture<Result<local::Message>>> sends;
        QTimer typist;
        typist.setInterval(1);
        connect(&typist, &QTimer::timeout, this, [&] {
            for (int burst = 0; burst < 4 && queued < 2000; ++burst, ++queued) {
                TestClient &from = queued % 2 ? bob : alice;
                sends.append(from.client->outbox().send(direct, u"message %1"_s.arg(queued)));
            }
            if (queued >= 2000)
                typist.stop();
        });
        typist.start();
        // ...while the relay is killed and restarted five times at random moments.
        for (int crash = 0; crash < 5; ++crash) {
            QTest::qWait(static_cast<int>(random.bounded(200, 900)));
            relay.kill();
            QTest::qWait(static_cast<int>(random.bounded(0, 300)));
            QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!typist.isActive(), 60000);
        for (const auto &send : std::as_const(sends))
            QVERIFY(await(send).ok()); // every message is in its outbox

        // Everything settles: outboxes empty, both sides at the relay's last seq.
        QVERIFY(outboxesDrain({&alice, &bob}, 120000));
        const QList<QJsonObject> log = relayLog(relay.port(), u"alice"_s, direct);
        QVERIFY(!log.isEmpty());
        const qint64 last = log.last().value(u"seq"_s).toInteger();
        QTRY_VERIFY_WITH_TIMEOUT(alice.conversation(direct).syncedSeq >= last
                                     && bob.conversation(direct).syncedSeq >= last,
                                 60000);

        int relayMessages = 0;
        for (const QJsonObject &event : log)
            relayMessages += event.value(u"kind"_s) == u"message"_s ? 1 : 0;
        QCOMPARE(relayMessages, 2000); // the relay stored each exactly once
        const Counts a = compare(log, alice.messages(direct), alice.client->userId());
        const Counts b = compare(log, bob.messages(direct), bob.client->userId());
        report("alice", a);
        report("bob", b);
        for (const Counts &counts : {a, b}) {
            QCOMPARE(counts.sent, 1000);
            QCOMPARE(counts.acked, 1000);
            QCOMPARE(counts.received, 1000);
            QCOMPARE(counts.duplicates, 0);
            QCOMPARE(counts.missing, 0);
            QCOMPARE(counts.misordered, 0);
        }
        QCOMPARE(relay.stop(), 0);
    }

    void connectionsCutFromBothSides()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        FlakyProxy proxy(relay.port());
        TestClient alice, bob;
        QVERIFY(alice.signUp(proxy.port(), u"carol"_s));
        QVERIFY(bob.signUp(proxy.port(), u"dave"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));

        int queued = 0;
        QList<QFuture<Result<local::Message>>> sends;
        QTimer typist;
        typist.setInterval(2);
        connect(&typist, &QTimer::timeout, this, [&] {
            TestClient &from = queued % 2 ? bob : alice;
            sends.append(from.client->outbox().send(direct, u"cut %1"_s.arg(queued)));
            if (++queued >= 600)
                typist.stop();
        });
        typist.start();
        // Drop every connection without a close frame, six times; and twice the relay
        // closes them itself (a graceful restart: close frames with 1001).
        for (int round = 0; round < 8; ++round) {
            QTest::qWait(250);
            if (round % 4 == 3) {
                QCOMPARE(relay.stop(), 0);
                QVERIFY2(relay.start(), qPrintable(relay.lastError()));
            } else {
                proxy.cut();
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(!typist.isActive(), 30000);
        for (const auto &send : std::as_const(sends))
            QVERIFY(await(send).ok());
        QVERIFY(outboxesDrain({&alice, &bob}));
        const QList<QJsonObject> log = relayLog(relay.port(), u"carol"_s, direct);
        const qint64 last = log.last().value(u"seq"_s).toInteger();
        QTRY_VERIFY_WITH_TIMEOUT(alice.conversation(direct).syncedSeq >= last
                                     && bob.conversation(direct).syncedSeq >= last,
                                 60000);
        const Counts a = compare(log, alice.messages(direct), alice.client->userId());
        const Counts b = compare(log, bob.messages(direct), bob.client->userId());
        report("carol", a);
        report("dave", b);
        QCOMPARE(a.sent + b.sent, 600);
        for (const Counts &counts : {a, b}) {
            QCOMPARE(counts.acked, counts.sent);
            QCOMPARE(counts.received, 300);
            QCOMPARE(counts.duplicates, 0);
            QCOMPARE(counts.missing, 0);
            QCOMPARE(counts.misordered, 0);
        }
        QVERIFY(proxy.cuts() == 6);
        QCOMPARE(relay.stop(), 0);
    }

    void aClientKilledMidSendResendsOnce()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        ProtocolClient gina, hank;
        QVERIFY(gina.open(relay.webSocketUrl()));
        const QString token = gina.registerUser(u"gina"_s).value(u"token"_s).toString();
        const qint64 hankId = hank.signUp(relay.webSocketUrl(), u"hank"_s);
        const qint64 direct = gina.openDirect(hankId);
        QVERIFY(!token.isEmpty() && direct > 0);

        QTemporaryDir data;
        const QStringList arguments{u"--database"_s,     data.filePath(u"gina.db"_s),
                                    u"--server"_s,       u"127.0.0.1:%1"_s.arg(relay.port()),
                                    u"--token"_s,        token,
                                    u"--conversation"_s, QString::number(direct)};
        const QString sender = QStringLiteral(TIDINGS_SENDER_BINARY);

        // Queue 400, and kill the process with SIGKILL while they are being sent.
        QProcess first;
        first.start(sender, arguments + QStringList{u"--count"_s, u"400"_s, u"--prefix"_s, u"k"_s});
        QVERIFY(first.waitForStarted());
        bool queued = false;
        int pending = 400;
        QByteArray output;
        while (pending > 250 && first.waitForReadyRead(30000)) {
            output += first.readAll();
            queued = queued || output.contains("queued 400");
            const qsizetype at = output.lastIndexOf("pending ");
            if (queued && at >= 0)
                pending = output.mid(at + 8).split('\n').first().toInt();
        }
        QVERIFY2(queued && pending < 400, output.constData());
        first.kill();
        first.waitForFinished();
        const qint64 beforeRestart = relayLog(relay.port(), u"gina"_s, direct).size();
        qInfo("killed with %d of 400 still pending; the relay had %lld entries", pending,
              beforeRestart);

        // Started again on the same data: it sends what waits, once.
        QProcess second;
        second.start(sender, arguments);
        QVERIFY(second.waitForFinished(60000));
        QVERIFY2(second.readAllStandardOutput().contains("done"),
                 second.readAllStandardError().constData());

        const QList<QJsonObject> log = relayLog(relay.port(), u"gina"_s, direct);
        QSet<QString> texts;
        QSet<QString> clientIds;
        int messages = 0;
        for (const QJsonObject &event : log) {
            if (event.value(u"kind"_s) != u"message"_s)
                continue;
            ++messages;
            texts.insert(event.value(u"text"_s).toString());
            clientIds.insert(event.value(u"client_id"_s).toString());
        }
        qInfo("sent 400, stored %d, distinct texts %lld, distinct ids %lld", messages,
              qint64(texts.size()), qint64(clientIds.size()));
        QCOMPARE(messages, 400);
        QCOMPARE(texts.size(), 400);
        QCOMPARE(clientIds.size(), 400);
        QCOMPARE(relay.stop(), 0);
    }

    void offlineThroughoutCatchesUpInOneSync()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        TestClient alice, bob;
        QVERIFY(alice.signUp(relay.port(), u"erin"_s));
        QVERIFY(bob.signUp(relay.port(), u"frank"_s));
        const qint64 direct = *await(alice.client->openDirect(bob.client->userId()));
        QTRY_VERIFY_WITH_TIMEOUT(bob.conversation(direct).id == direct, 10000);
        const QString token = bob.client->connection().token();
        bob.client->stop();

        QList<QFuture<Result<local::Message>>> sends;
        for (int i = 0; i < 1500; ++i)
            sends.append(alice.client->outbox().send(direct, u"while away %1"_s.arg(i)));
        for (const auto &send : std::as_const(sends))
            QVERIFY(await(send).ok());
        QVERIFY(outboxesDrain({&alice}));

        QSignalSpy caughtUp(&bob.client->sync(), &SyncEngine::caughtUp);
        bob.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(relay.port())), token);
        QVERIFY(caughtUp.wait(60000));
        QCOMPARE(caughtUp.count(), 1); // one catch-up, however many pages
        const QList<QJsonObject> log = relayLog(relay.port(), u"erin"_s, direct);
        const Counts b = compare(log, bob.messages(direct), bob.client->userId());
        report("frank", b);
        QCOMPARE(b.received, 1500);
        QCOMPARE(b.duplicates, 0);
        QCOMPARE(b.missing, 0);
        QCOMPARE(b.misordered, 0);
        QCOMPARE(relay.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestClientFaults)
#include "tst_client_faults.moc"
