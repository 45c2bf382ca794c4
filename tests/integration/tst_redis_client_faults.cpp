// The Redis client of the bus between relay nodes when its server fails: killed and started
// again, paused with SIGSTOP (noticed by the keepalive), not there at all (retried until one
// appears); and a client deleted from inside its own callbacks. Against a real redis-server;
// skipped when it is not installed. (When all is well: tst_redis_client_commands.)
#include "redis_client_fixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

int openFileCount()
{
    return static_cast<int>(QDir(u"/proc/self/fd"_s)
                                .entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                                .size());
}

} // namespace

class TestRedisClientFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qunsetenv("TIDINGS_REDIS_PASSWORD");
    }

    void serverKilledAndStartedAgain();
    void pausedServerIsNoticedByKeepalive();
    void nothingListening();
    void deletedFromItsOwnCallbacks();
};

void TestRedisClientFaults::serverKilledAndStartedAgain()
{
    REQUIRE_REDIS();
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.lastError()));
    RedisClient subscriber(addressOf(redis));
    RedisClient publisher(addressOf(redis));
    subscriber.subscribe({"events"});
    subscriber.psubscribe({"node.*"});
    QSignalSpy subscriberUp(&subscriber, &RedisClient::connected);
    QSignalSpy subscriberDown(&subscriber, &RedisClient::disconnected);
    QSignalSpy publisherUp(&publisher, &RedisClient::connected);
    QSignalSpy publisherDown(&publisher, &RedisClient::disconnected);
    QSignalSpy messages(&subscriber, &RedisClient::message);
    subscriber.start();
    publisher.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscriberUp.size(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(publisherUp.size(), 1, kWaitMs);
    publisher.publish("events", "before");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(publisher.counters().published.value(), quint64(1), kWaitMs);

    // A command in flight when the server dies fails with Unavailable.
    const auto blocked = send(publisher, {"BLPOP", "never", "0"});
    redis.kill();
    QTRY_COMPARE_WITH_TIMEOUT(subscriberDown.size(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(publisherDown.size(), 1, kWaitMs);
    QVERIFY(!subscriberDown.at(0).at(0).toString().isEmpty());
    QVERIFY(!publisher.isConnected());
    QTRY_VERIFY_WITH_TIMEOUT(blocked->result.has_value(), kWaitMs);
    QCOMPARE(blocked->result->error().code, ErrorCode::Unavailable);

    // While down: commands fail at once (from the event loop), publishes are counted dropped.
    QElapsedTimer clock;
    clock.start();
    const auto whileDown = send(publisher, {"GET", "x"});
    QVERIFY(!whileDown->result.has_value());
    QVERIFY(QTest::qWaitFor([&] { return whileDown->result.has_value(); }, kWaitMs));
    QVERIFY2(clock.elapsed() < 5000, QByteArray::number(clock.elapsed()).constData());
    QVERIFY(!whileDown->insideCall);
    QCOMPARE(whileDown->result->error().code, ErrorCode::Unavailable);
    publisher.publish("events", "lost");
    QCOMPARE(publisher.counters().publishDropped.value(), quint64(1));

    QVERIFY2(redis.start(), qPrintable(redis.lastError()));
    QTRY_COMPARE_WITH_TIMEOUT(subscriberUp.size(), 2, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(publisherUp.size(), 2, kWaitMs);
    QCOMPARE(subscriberDown.size(), 1);
    QVERIFY(subscriber.counters().reconnects.value() >= 1);

    // Subscriptions are back, channels and patterns.
    publisher.publish("events", "after");
    publisher.publish("node.3", "pattern after");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 3, kWaitMs);
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("after"));
    QCOMPARE(messages.at(2).at(1).toByteArray(), QByteArray("pattern after"));
    QCOMPARE(ask(publisher, {"PING"}), RedisReply::fromStatus("PONG"));
    QCOMPARE(publisher.inFlight(), 0);
}

void TestRedisClientFaults::pausedServerIsNoticedByKeepalive()
{
    REQUIRE_REDIS();
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.lastError()));
    RedisClientOptions options;
    options.keepaliveIntervalMs = 200;
    options.keepaliveTimeoutMs = 1500;
    options.connectTimeoutMs = 1500;
    RedisClient client(addressOf(redis), options);
    client.subscribe({"events"});
    QSignalSpy up(&client, &RedisClient::connected);
    QSignalSpy down(&client, &RedisClient::disconnected);
    QSignalSpy messages(&client, &RedisClient::message);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(up.size(), 1, kWaitMs);

    // Keepalives while all is well do not disturb anything.
    const QDeadlineTimer quiet(3 * options.keepaliveTimeoutMs);
    while (!quiet.hasExpired())
        QCOMPARE(ask(client, {"PING"}), RedisReply::fromStatus("PONG"));
    QCOMPARE(down.size(), 0);

    redis.suspend(); // the sockets stay open; nothing answers
    QElapsedTimer clock;
    clock.start();
    const auto hanging = send(client, {"GET", "x"});
    QTRY_COMPARE_WITH_TIMEOUT(down.size(), 1, kWaitMs);
    const qint64 noticedAfter = clock.elapsed();
    QVERIFY2(down.at(0).at(0).toString().contains(u"keepalive"_s),
             qPrintable(down.at(0).at(0).toString()));
    // Within the interval plus the timeout, with room for a slow machine.
    QVERIFY2(noticedAfter < options.keepaliveIntervalMs + options.keepaliveTimeoutMs + 5000,
             QByteArray::number(noticedAfter).constData());
    QTRY_VERIFY_WITH_TIMEOUT(hanging->result.has_value(), kWaitMs);
    QCOMPARE(hanging->result->error().code, ErrorCode::Unavailable);

    // It keeps trying (connects succeed, nothing answers: the connect timeout ends each).
    QTRY_VERIFY_WITH_TIMEOUT(client.counters().reconnects.value() >= 2, kWaitMs);
    QVERIFY(!client.isConnected());
    QCOMPARE(up.size(), 1);

    redis.resume();
    QTRY_COMPARE_WITH_TIMEOUT(up.size(), 2, kWaitMs);
    QCOMPARE(ask(client, {"PUBLISH", "events", "back"}), RedisReply::fromInteger(1));
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, kWaitMs);
}

void TestRedisClientFaults::nothingListening()
{
    REQUIRE_REDIS();
    RedisProcess redis; // a free port, nobody on it yet
    RedisClientOptions options;
    options.reconnectMaxMs = 200;
    RedisClient client(addressOf(redis), options);
    client.subscribe({"events"});
    QSignalSpy up(&client, &RedisClient::connected);
    QSignalSpy down(&client, &RedisClient::disconnected);
    client.start();
    QTRY_VERIFY_WITH_TIMEOUT(client.counters().reconnects.value() >= 5, kWaitMs);
    QVERIFY(!client.isConnected());
    QVERIFY(!client.lastError().isEmpty());

    // Retrying holds on to nothing: no sockets pile up, nothing waits in flight.
    const int files = openFileCount();
    const quint64 reconnects = client.counters().reconnects.value();
    QTRY_VERIFY_WITH_TIMEOUT(client.counters().reconnects.value() >= reconnects + 20, kWaitMs);
    QVERIFY2(openFileCount() <= files + 2,
             qPrintable(u"%1 files open, %2 before"_s.arg(openFileCount()).arg(files)));
    const Result<RedisReply> refused = call(client, {"PING"});
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::Unavailable);
    client.publish("events", "nobody");
    QCOMPARE(client.counters().publishDropped.value(), quint64(1));
    QCOMPARE(client.inFlight(), 0);
    QCOMPARE(up.size(), 0);
    QCOMPARE(down.size(), 0); // never connected, so never disconnected

    QVERIFY2(redis.start(), qPrintable(redis.lastError()));
    QTRY_COMPARE_WITH_TIMEOUT(up.size(), 1, kWaitMs);
    QCOMPARE(ask(client, {"PUBSUB", "NUMSUB", "events"}),
             RedisReply::fromArray({RedisReply::fromString("events"), RedisReply::fromInteger(1)}));
}

void TestRedisClientFaults::deletedFromItsOwnCallbacks()
{
    REQUIRE_REDIS();
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.lastError()));
    RedisClient publisher(addressOf(redis));
    QSignalSpy publisherUp(&publisher, &RedisClient::connected);
    publisher.start();
    QTRY_COMPARE_WITH_TIMEOUT(publisherUp.size(), 1, kWaitMs);

    const auto connectedClient = [&redis]() -> std::unique_ptr<RedisClient> {
        auto client = std::make_unique<RedisClient>(addressOf(redis));
        client->subscribe({"events"});
        QSignalSpy up(client.get(), &RedisClient::connected);
        client->start();
        if (!up.wait(kWaitMs))
            return nullptr;
        return client;
    };
    // A round trip through Redis on another connection: whatever the deleted client had sent
    // has been answered (or not) by then.
    const auto settle
        = [&publisher] { return call(publisher, {"PING"}).ok() && call(publisher, {"PING"}).ok(); };

    // Deleted with commands in flight: their callbacks are dropped.
    {
        auto client = connectedClient();
        QVERIFY(client);
        auto called = std::make_shared<int>(0);
        for (int i = 0; i < 100; ++i)
            client->command({"INCR", "n"}, [called](const Result<RedisReply> &) { ++*called; });
        client->command({}, [called](const Result<RedisReply> &) { ++*called; }); // a refusal
        client.reset();
        QVERIFY(settle());
        QCoreApplication::processEvents();
        QCOMPARE(*called, 0);
    }

    // Deleted from inside a reply, with more replies behind it.
    {
        auto client = connectedClient();
        QVERIFY(client);
        auto later = std::make_shared<int>(0);
        client->command({"PING"}, [&client](const Result<RedisReply> &) { client.reset(); });
        for (int i = 0; i < 50; ++i)
            client->command({"INCR", "n"}, [later](const Result<RedisReply> &) { ++*later; });
        QTRY_VERIFY_WITH_TIMEOUT(!client, kWaitMs);
        QVERIFY(settle());
        QCOMPARE(*later, 0);
    }

    // Deleted from inside a message, with more messages behind it.
    {
        auto client = connectedClient();
        QVERIFY(client);
        int received = 0;
        connect(client.get(), &RedisClient::message, this, [&] {
            ++received;
            client.reset();
        });
        for (int i = 0; i < 20; ++i)
            publisher.publish("events", "m");
        QTRY_VERIFY_WITH_TIMEOUT(!client, kWaitMs);
        QVERIFY(settle());
        QCOMPARE(received, 1);
    }

    // Deleted from inside disconnected(), and from inside a refusal.
    {
        auto client = connectedClient();
        QVERIFY(client);
        connect(client.get(), &RedisClient::disconnected, this, [&] { client.reset(); });
        std::unique_ptr<RedisClient> refusing = connectedClient();
        QVERIFY(refusing);
        redis.kill();
        QTRY_VERIFY_WITH_TIMEOUT(!client, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!refusing->isConnected(), kWaitMs);
        refusing->command({"PING"}, [&refusing](const Result<RedisReply> &) { refusing.reset(); });
        QTRY_VERIFY_WITH_TIMEOUT(!refusing, kWaitMs);
    }
}

TIDINGS_REDIS_CLIENT_TEST_MAIN(TestRedisClientFaults)
#include "tst_redis_client_faults.moc"
