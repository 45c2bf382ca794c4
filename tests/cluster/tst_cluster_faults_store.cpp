// The cluster when its store fails or its media move, every one a real process: PostgreSQL
// stopped and started, media moving between nodes through S3-compatible storage. What was
// acked is never lost or doubled, and clients find their way back by themselves.
#include "cluster_faults_fixture.h"
#include "haproxy_process.h"
#include "steady_sender.h"
#include "support/file_helpers.h"
#include "support/http_helpers.h"
#include "support/protocol_client.h"
#include "support/redis_process.h"
#include "support/relay_process.h"
#include "support/s3_standin_process.h"
#include "support/test_account.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <array>
#include <memory>
#include <vector>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace tidings::test;

class TestClusterFaultsStore : public QObject, public ClusterFaultsFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_bus = RelayProcess::clusterService(u"redis.url"_s);
        if (m_bus.isEmpty())
            QSKIP("the cluster fixture's servers are not running (ctest -L cluster starts them)");
    }

    void postgresRestarted()
    {
        if (postgresBin().isEmpty())
            QSKIP("PostgreSQL is not installed");
        // A server of its own (services.sh also starts a Redis, unused here).
        QTemporaryDir services;
        QString output;
        QVERIFY2(run(QStringLiteral(TIDINGS_CLUSTER_SERVICES_SCRIPT), {u"start"_s, services.path()},
                     &output),
                 qPrintable(output));
        const auto stopServices = qScopeGuard([&] {
            QString ignored;
            run(QStringLiteral(TIDINGS_CLUSTER_SERVICES_SCRIPT), {u"stop"_s, services.path()},
                &ignored);
        });
        const auto serviceFile = [&](const QString &name) {
            QFile file(services.filePath(name));
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).trimmed()
                                                  : QString();
        };
        QUrl store(serviceFile(u"postgres.url"_s));
        // PostgreSQL's own directory (files, socket, log), where its user can reach them.
        const QString pgDirectory = serviceFile(u"pgdata"_s);
        QVERIFY(store.isValid() && !pgDirectory.isEmpty());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"faults-admin"_s);
            db.setHostName(store.host());
            db.setPort(store.port());
            db.setUserName(store.userName());
            db.setDatabaseName(u"postgres"_s);
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QSqlQuery create(db);
            QVERIFY2(create.exec(u"CREATE DATABASE tidings_faults"_s),
                     qPrintable(create.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"faults-admin"_s);
        store.setPath(u"/tidings_faults"_s);

        RelayProcess relay;
        QVERIFY2(relay.start({u"--store"_s, store.toString()}), qPrintable(relay.lastError()));
        Account alice = signUp(relay.webSocketUrl(), u"alice"_s);
        Account bob = signUp(relay.webSocketUrl(), u"bob"_s);
        QVERIFY(alice.id > 0 && bob.id > 0);
        const qint64 direct = openDirect(alice, bob);
        QVERIFY(direct > 0);
        const auto send = [&](const QString &clientId, int timeoutMs = 15000) {
            return alice.client->request(u"message.send"_s,
                                         {{u"conversation"_s, direct},
                                          {u"client_id"_s, clientId},
                                          {u"text"_s, QString(u"text of "_s + clientId)}},
                                         timeoutMs);
        };
        for (int i = 0; i < 20; ++i)
            QVERIFY(ok(send(u"before-%1"_s.arg(i))));

        const QString data = pgDirectory + u"/pg"_s;
        QVERIFY2(pgCtl({u"-D"_s, data, u"-m"_s, u"fast"_s, u"-w"_s, u"stop"_s}, &output),
                 qPrintable(output));
        const QJsonObject refused = send(u"while-down"_s, 30000);
        QCOMPARE(refused.value(u"type"_s).toString(), u"error"_s);
        QCOMPARE(ProtocolClient::errorCode(refused), u"unavailable"_s);
        QVERIFY(relay.isRunning());
        QVERIFY(alice.client->isConnected());
        QCOMPARE(httpGet(relay.httpUrl(u"/healthz"_s)).status, 200);

        // Started again as services.sh starts it, on the same port.
        const QString options = u"-p %1 -k %2 -c listen_addresses=127.0.0.1 -c max_connections=300 "
                                "-c shared_buffers=128MB"_s.arg(store.port())
                                    .arg(pgDirectory);
        QVERIFY2(pgCtl({u"-D"_s, data, u"-l"_s, pgDirectory + u"/postgres.log"_s, u"-w"_s, u"-t"_s,
                        u"60"_s, u"-o"_s, options, u"start"_s},
                       &output),
                 qPrintable(output));
        const Clock::time_point startedAt = Clock::now();
        // The app's outbox retries the same message until it is acked; meanwhile the relay
        // answers `unavailable` and nothing else.
        const QDeadlineTimer deadline(15000);
        QJsonObject retry;
        while (!ok(retry = send(u"while-down"_s)) && !deadline.hasExpired()) {
            QCOMPARE(ProtocolClient::errorCode(retry), u"unavailable"_s);
            QTest::qWait(100); // the outbox's pause between tries
        }
        QVERIFY2(ok(retry), "sends still fail 15 s after PostgreSQL came back");
        qInfo("sends succeed again %lld ms after PostgreSQL was back", msSince(startedAt));

        // Bob's app reads the log again, retrying while the relay answers `unavailable` (its
        // reader connection finds out at first use that the server went away).
        QList<QJsonObject> log;
        int historyRetries = 0;
        for (qint64 after = 0;;) {
            const QJsonObject page = bob.client->request(
                u"history"_s,
                {{u"conversation"_s, direct}, {u"after"_s, after}, {u"limit"_s, 500}});
            if (!ok(page)) {
                if (ProtocolClient::errorCode(page) == u"io_error")
                    QEXPECT_FAIL("",
                                 "relay: the first read on a store connection PostgreSQL dropped "
                                 "answers io_error, not unavailable (reported)",
                                 Continue);
                QCOMPARE(ProtocolClient::errorCode(page), u"unavailable"_s);
                QVERIFY2(!deadline.hasExpired(),
                         "history still fails 15 s after PostgreSQL came back");
                ++historyRetries;
                QTest::qWait(100);
                continue;
            }
            const QJsonArray events = page.value(u"events"_s).toArray();
            for (const QJsonValue &event : events)
                log.append(event.toObject());
            if (!log.isEmpty())
                after = log.last().value(u"seq"_s).toInteger();
            if (!page.value(u"more"_s).toBool())
                break;
        }
        qInfo("history answered after %d failed tries", historyRetries);
        QSet<QString> stored;
        for (qsizetype i = 0; i < log.size(); ++i) {
            QCOMPARE(log.at(i).value(u"seq"_s).toInteger(), i + 1);
            if (log.at(i).value(u"kind"_s).toString() != u"message")
                continue;
            const QString clientId = log.at(i).value(u"client_id"_s).toString();
            QVERIFY2(!stored.contains(clientId), qPrintable(clientId + u" stored twice"_s));
            stored.insert(clientId);
        }
        for (int i = 0; i < 20; ++i)
            QVERIFY(stored.contains(u"before-%1"_s.arg(i)));
        QVERIFY(stored.contains(u"while-down"_s));
        QCOMPARE(stored.size(), 21);
        QCOMPARE(relay.stop(), 0);
    }

    // d. One file: begun through node A, resumed and completed through node B, sent in a
    // message, downloaded through node C; the bytes live in S3, not on any node.
    void mediaAcrossNodes()
    {
        const S3Credentials keys{"TIDINGSFAULTS", "secret of the cluster fault tests", "us-east-1"};
        S3StandInProcess s3(QStringLiteral(TIDINGS_S3_STANDIN_BINARY));
        QVERIFY2(s3.start({keys, u"media"_s}), qPrintable(s3.lastError()));
        std::array<RelayProcess, 3> nodes;
        const QStringList cluster{
            u"--store"_s, nodes[0].storeUrl(),
            u"--bus"_s,   m_bus,
            u"--media"_s, u"s3://media?endpoint=%1&region=us-east-1"_s.arg(s3.endpoint())};
        for (RelayProcess &node : nodes) {
            node.environment().insert(u"TIDINGS_S3_ACCESS_KEY_ID"_s,
                                      QString::fromUtf8(keys.accessKey));
            node.environment().insert(u"TIDINGS_S3_SECRET_ACCESS_KEY"_s,
                                      QString::fromUtf8(keys.secretKey));
            QVERIFY2(node.start(cluster), qPrintable(node.lastError()));
        }
        RelayProcess &a = nodes[0], &b = nodes[1], &c = nodes[2];

        Account sender = signUp(a.webSocketUrl(), u"uploader"_s);
        Account receiver = signUp(c.webSocketUrl(), u"downloader"_s);
        QVERIFY(sender.id > 0 && receiver.id > 0);
        const qint64 direct = openDirect(sender, receiver);
        QVERIFY(direct > 0);

        constexpr qint64 kChunk = 1024 * 1024;
        const QByteArray bytes = randomBytes(3 * kChunk + 12345, 45);
        const QJsonObject fields{{u"size"_s, bytes.size()},
                                 {u"type"_s, u"application/octet-stream"_s},
                                 {u"sha256"_s, sha256Hex(bytes)},
                                 {u"name"_s, u"across.bin"_s}};
        const HttpResult created = httpRequest("POST", a.httpUrl(u"/v1/media"_s),
                                               sender.auth({{"Content-Type", "application/json"}}),
                                               QJsonDocument(fields).toJson());
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id"_s).toString();
        const auto patch = [&](RelayProcess &node, qint64 offset) {
            return httpRequest("PATCH", node.httpUrl(u"/v1/media/"_s + id),
                               sender.auth({{"Upload-Offset", QByteArray::number(offset)}}),
                               bytes.mid(offset, kChunk));
        };
        QCOMPARE(patch(a, 0).status, 204);

        // Node B knows where the upload stands, and takes the rest.
        const HttpResult standing
            = httpRequest("GET", b.httpUrl(u"/v1/media/%1/upload"_s.arg(id)), sender.auth());
        QCOMPARE(standing.status, 200);
        QCOMPARE(standing.header("Upload-Offset"), QByteArray::number(kChunk));
        for (qint64 offset = kChunk; offset < bytes.size(); offset += kChunk) {
            const HttpResult sent = patch(b, offset);
            QCOMPARE(sent.status, 204);
            QCOMPARE(sent.header("Upload-Offset"),
                     QByteArray::number(std::min<qint64>(offset + kChunk, bytes.size())));
        }
        const HttpResult completed
            = httpRequest("POST", b.httpUrl(u"/v1/media/%1/complete"_s.arg(id)), sender.auth());
        QCOMPARE(completed.status, 200);
        QCOMPARE(completed.json().value(u"state"_s).toString(), u"complete"_s);

        // Sent through node A, heard on node C.
        receiver.client->takeEvents();
        const QJsonObject message = sender.client->request(
            u"message.send"_s,
            {{u"conversation"_s, direct},
             {u"client_id"_s, u"with-file"_s},
             {u"attachments"_s, QJsonArray{QJsonObject{{u"media"_s, id}}}}});
        QVERIFY2(ok(message), qPrintable(message.value(u"message"_s).toString()));
        const QJsonObject event = receiver.client->next(u"event"_s);
        QCOMPARE(event.value(u"client_id"_s).toString(), u"with-file"_s);
        QCOMPARE(
            event.value(u"attachments"_s).toArray().first().toObject().value(u"media"_s).toString(),
            id);

        const HttpResult whole
            = httpRequest("GET", c.httpUrl(u"/v1/media/"_s + id), receiver.auth());
        QCOMPARE(whole.status, 200);
        QCOMPARE(whole.body.size(), bytes.size());
        QVERIFY(whole.body == bytes);
        QCOMPARE(sha256Hex(whole.body), sha256Hex(bytes));
        QCOMPARE(whole.header("ETag"), '"' + sha256Hex(bytes).toLatin1() + '"');
        const HttpResult part
            = httpRequest("GET", c.httpUrl(u"/v1/media/"_s + id),
                          receiver.auth({{"Range",
                                          "bytes=" + QByteArray::number(kChunk - 10) + '-'
                                              + QByteArray::number(kChunk + 9)}}));
        QCOMPARE(part.status, 206);
        QVERIFY(part.body == bytes.mid(kChunk - 10, 20));

        // The bytes are in the bucket, none on the nodes' disks.
        QVERIFY(!s3.keys(u"media"_s).isEmpty());
        for (RelayProcess &node : nodes) {
            QDirIterator files(node.dataDirectory(), QDir::Files, QDirIterator::Subdirectories);
            while (files.hasNext()) {
                const QString file = files.next();
                QVERIFY2(!file.contains(u"/media/"_s), qPrintable(file));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestClusterFaultsStore)
#include "tst_cluster_faults_store.moc"
