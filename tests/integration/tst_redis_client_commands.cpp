// The Redis client of the bus between relay nodes, against a real redis-server, when all is
// well: URLs, messages (binary, 64 KiB, patterns), command replies of every type, the bound
// on commands in flight, a password and a database. Skipped when redis-server is not
// installed. (When the server fails, and clients deleted from their own callbacks:
// tst_redis_client_faults.)
#include "redis_client_fixture.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QSignalSpy>
#include <QtTest>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray binaryPayload(int size)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        payload[i] = static_cast<char>(i % 251); // NULs every 251 bytes, every byte value
    return payload;
}

/// Every log line, to check what must never be logged.
QMutex logMutex;
QStringList logLines;
QtMessageHandler previousHandler = nullptr;

void recordLog(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    {
        QMutexLocker locker(&logMutex);
        logLines.append(text);
    }
    if (previousHandler)
        previousHandler(type, context, text);
}

} // namespace

class TestRedisClientCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qunsetenv("TIDINGS_REDIS_PASSWORD");
    }

    void urls_data();
    void urls();
    void urlPasswordFromEnvironment();
    void publishReachesSubscribers();
    void commandReplies();
    void commandsInFlightAreBounded();
    void passwordAndDatabase();
};

void TestRedisClientCommands::urls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("database");
    QTest::addColumn<QByteArray>("username");
    QTest::addColumn<QByteArray>("password");

    QTest::newRow("plain") << u"redis://127.0.0.1:6380"_s << true << u"127.0.0.1"_s << 6380 << 0
                           << QByteArray() << QByteArray();
    QTest::newRow("database") << u"redis://10.1.2.3:7000/5"_s << true << u"10.1.2.3"_s << 7000 << 5
                              << QByteArray() << QByteArray();
    QTest::newRow("password") << u"redis://:p%40ss%20word@127.0.0.1:6379/0"_s << true
                              << u"127.0.0.1"_s << 6379 << 0 << QByteArray()
                              << QByteArray("p@ss word");
    QTest::newRow("user and password")
        << u"redis://bus:secret@127.0.0.1:6379"_s << true << u"127.0.0.1"_s << 6379 << 0
        << QByteArray("bus") << QByteArray("secret");
    QTest::newRow("localhost") << u"redis://localhost:6379"_s << true << u"127.0.0.1"_s << 6379 << 0
                               << QByteArray() << QByteArray();
    QTest::newRow("LOCALHOST") << u"redis://LOCALHOST:6379/"_s << true << u"127.0.0.1"_s << 6379
                               << 0 << QByteArray() << QByteArray();
    QTest::newRow("ipv6") << u"redis://[::1]:6379/2"_s << true << u"::1"_s << 6379 << 2
                          << QByteArray() << QByteArray();
    QTest::newRow("default port") << u"redis://127.0.0.1"_s << true << u"127.0.0.1"_s << 6379 << 0
                                  << QByteArray() << QByteArray();
    const QByteArray none;
    for (const auto &[name, url] : std::initializer_list<std::pair<const char *, QString>>{
             {"host name", u"redis://redis.internal:6379"_s},
             {"tls", u"rediss://127.0.0.1:6379"_s},
             {"http", u"http://127.0.0.1:6379"_s},
             {"no scheme", u"127.0.0.1:6379"_s},
             {"empty", QString()},
             {"port zero", u"redis://127.0.0.1:0"_s},
             {"port too big", u"redis://127.0.0.1:70000"_s},
             {"database not a number", u"redis://127.0.0.1:6379/x"_s},
             {"negative database", u"redis://127.0.0.1:6379/-1"_s},
             {"path", u"redis://127.0.0.1:6379/0/1"_s},
             {"query", u"redis://127.0.0.1:6379/0?timeout=1"_s},
             {"user without password", u"redis://bus@127.0.0.1:6379"_s},
         })
        QTest::newRow(name) << url << false << QString() << 0 << 0 << none << none;
}

void TestRedisClientCommands::urls()
{
    QFETCH(QString, url);
    QFETCH(bool, valid);
    const Result<RedisAddress> address = RedisClient::parseRedisUrl(url);
    QCOMPARE(address.ok(), valid);
    if (!valid) {
        QVERIFY(!address.error().message.isEmpty());
        QVERIFY2(!address.error().message.contains(u"secret"_s),
                 qPrintable(address.error().message));
        return;
    }
    QTEST(address->host, "host");
    QTEST(int(address->port), "port");
    QTEST(address->database, "database");
    QTEST(address->username, "username");
    QTEST(address->password, "password");
    QVERIFY(!address->displayString().contains(u"secret"_s));
}

void TestRedisClientCommands::urlPasswordFromEnvironment()
{
    qputenv("TIDINGS_REDIS_PASSWORD", "from the environment");
    const auto fromEnvironment = RedisClient::parseRedisUrl(u"redis://127.0.0.1:6379"_s);
    const auto fromUrl = RedisClient::parseRedisUrl(u"redis://:inline@127.0.0.1:6379"_s);
    qunsetenv("TIDINGS_REDIS_PASSWORD");
    QVERIFY(fromEnvironment.ok());
    QCOMPARE(fromEnvironment->password, QByteArray("from the environment"));
    QVERIFY(fromUrl.ok());
    QCOMPARE(fromUrl->password, QByteArray("inline")); // the URL wins
    QCOMPARE(fromUrl->displayString(), u"redis://127.0.0.1:6379/0"_s);
}

void TestRedisClientCommands::publishReachesSubscribers()
{
    REQUIRE_REDIS();
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.lastError()));

    const QByteArray binaryChannel("room\0:7", 7);
    RedisClient subscriber(addressOf(redis));
    RedisClient publisher(addressOf(redis));
    subscriber.subscribe({"room:1", binaryChannel, "room:1"});
    subscriber.psubscribe({"node.*"});
    QSignalSpy subscriberUp(&subscriber, &RedisClient::connected);
    QSignalSpy publisherUp(&publisher, &RedisClient::connected);
    QSignalSpy messages(&subscriber, &RedisClient::message);
    subscriber.start();
    publisher.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscriberUp.size(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(publisherUp.size(), 1, kWaitMs);
    QVERIFY(subscriber.isConnected());

    const QByteArray big = binaryPayload(64 * 1024);
    publisher.publish("room:1", big);
    publisher.publish(binaryChannel, QByteArray("\0\0\0", 3));
    publisher.publish("node.7", "to a pattern");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 3, kWaitMs);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("room:1"));
    QCOMPARE(messages.at(0).at(1).toByteArray().size(), big.size());
    QVERIFY(messages.at(0).at(1).toByteArray() == big);
    QCOMPARE(messages.at(1).at(0).toByteArray(), binaryChannel);
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("\0\0\0", 3));
    QCOMPARE(messages.at(2).at(0).toByteArray(), QByteArray("node.7"));
    QCOMPARE(messages.at(2).at(1).toByteArray(), QByteArray("to a pattern"));

    // PUBLISH answers how many received it: one subscriber here, none elsewhere.
    QCOMPARE(ask(publisher, {"PUBLISH", "room:1", "x"}), RedisReply::fromInteger(1));
    QCOMPARE(ask(publisher, {"PUBLISH", "elsewhere", "x"}), RedisReply::fromInteger(0));
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 4, kWaitMs);

    // A subscription added while connected; PUBSUB NUMSUB says when Redis has it.
    subscriber.subscribe({"late"});
    QTRY_COMPARE_WITH_TIMEOUT(
        ask(publisher, {"PUBSUB", "NUMSUB", "late"}).elements().value(1).toInteger(), 1, kWaitMs);
    publisher.publish("late", "after all");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 5, kWaitMs);
    QCOMPARE(messages.at(4).at(1).toByteArray(), QByteArray("after all"));

    QTRY_COMPARE_WITH_TIMEOUT(publisher.counters().published.value(), quint64(4), kWaitMs);
    QCOMPARE(publisher.counters().publishDropped.value(), quint64(0));
    QCOMPARE(subscriber.counters().messagesReceived.value(), quint64(5));
    QCOMPARE(subscriber.counters().reconnects.value(), quint64(0));
    QCOMPARE(publisher.inFlight(), 0);
}

void TestRedisClientCommands::commandReplies()
{
    REQUIRE_REDIS();
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.lastError()));
    RedisClient client(addressOf(redis));
    QSignalSpy up(&client, &RedisClient::connected);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(up.size(), 1, kWaitMs);

    QCOMPARE(ask(client, {"SET", "k", "v"}), RedisReply::fromStatus("OK"));
    QCOMPARE(ask(client, {"GET", "k"}), RedisReply::fromString("v"));
    QCOMPARE(ask(client, {"GET", "missing"}), RedisReply::nil());

    // Binary-safe both ways.
    const QByteArray key("key\0with\r\nbreaks", 16);
    const QByteArray value = binaryPayload(70000);
    QCOMPARE(ask(client, {"SET", key, value}), RedisReply::fromStatus("OK"));
    QCOMPARE(ask(client, {"GET", key}), RedisReply::fromString(value));

    // Expiry: SET … PX, PEXPIRE, read back with PTTL.
    QCOMPARE(ask(client, {"SET", "short", "v", "PX", "60000"}), RedisReply::fromStatus("OK"));
    const qint64 shortTtl = ask(client, {"PTTL", "short"}).toInteger();
    QVERIFY2(shortTtl > 0 && shortTtl <= 60000, QByteArray::number(shortTtl).constData());
    QCOMPARE(ask(client, {"PEXPIRE", "k", "100000"}), RedisReply::fromInteger(1));
    const qint64 ttl = ask(client, {"PTTL", "k"}).toInteger();
    QVERIFY2(ttl > 60000 && ttl <= 100000, QByteArray::number(ttl).constData());
    QCOMPARE(ask(client, {"PEXPIRE", "missing", "1000"}), RedisReply::fromInteger(0));
    QCOMPARE(ask(client, {"PTTL", "missing"}), RedisReply::fromInteger(-2));

    // MGET with nils in between.
    QCOMPARE(ask(client, {"MGET", "k", "missing", "short"}),
             RedisReply::fromArray(
                 {RedisReply::fromString("v"), RedisReply::nil(), RedisReply::fromString("v")}));
    QCOMPARE(ask(client, {"LRANGE", "no list", "0", "-1"}), RedisReply::fromArray({}));

    QCOMPARE(ask(client, {"INCR", "counter"}), RedisReply::fromInteger(1));
    QCOMPARE(ask(client, {"INCRBY", "counter", "41"}), RedisReply::fromInteger(42));
    QCOMPARE(ask(client, {"DECRBY", "counter", "50"}), RedisReply::fromInteger(-8));

    // Error replies are Errors, with Redis' words.
    const Result<RedisReply> notANumber = call(client, {"INCR", "k"});
    QVERIFY(!notANumber.ok());
    QCOMPARE(notANumber.error().code, ErrorCode::Internal);
    QVERIFY2(notANumber.error().message.contains(u"not an integer"_s),
             qPrintable(notANumber.error().message));
    const Result<RedisReply> unknown = call(client, {"NO-SUCH-COMMAND", "x"});
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.error().message.contains(u"unknown command"_s),
             qPrintable(unknown.error().message));
    const Result<RedisReply> empty = call(client, {});
    QVERIFY(!empty.ok());
    QCOMPARE(empty.error().code, ErrorCode::BadRequest);

    // An error inside EXEC's results stays an element.
    QCOMPARE(ask(client, {"MULTI"}), RedisReply::fromStatus("OK"));
    QCOMPARE(ask(client, {"INCR", "k"}), RedisReply::fromStatus("QUEUED"));
    QCOMPARE(ask(client, {"INCR", "counter"}), RedisReply::fromStatus("QUEUED"));
    const Result<RedisReply> exec = call(client, {"EXEC"});
    QVERIFY(exec.ok());
    QCOMPARE(exec->type(), RedisReply::Type::Array);
    QCOMPARE(exec->elements().size(), 2);
    QCOMPARE(exec->elements().at(0).type(), RedisReply::Type::Error);
    QCOMPARE(exec->elements().at(1), RedisReply::fromInteger(-7));

    // Still connected after all that, nothing left in flight.
    QVERIFY(client.isConnected());
    QCOMPARE(client.inFlight(), 0);
}

void TestRedisClientCommands::commandsInFlightAreBounded()
{
    REQUIRE_REDIS();
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.lastError()));
    RedisClientOptions options;
    options.maxInFlight = 10;
    RedisClient client(addressOf(redis), options);
    QSignalSpy up(&client, &RedisClient::connected);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(up.size(), 1, kWaitMs);

    // No reply can arrive while this loop runs: the first ten are sent, the rest refused.
    QList<std::shared_ptr<Outcome>> outcomes;
    for (int i = 0; i < 25; ++i)
        outcomes.append(send(client, {"INCR", "n"}));
    QCOMPARE(client.inFlight(), 10);
    for (int i = 0; i < 5; ++i)
        client.publish("channel", "dropped: no room");
    QCOMPARE(client.counters().publishDropped.value(), quint64(5));

    const auto allDone = [&] {
        return std::all_of(outcomes.cbegin(), outcomes.cend(),
                           [](const auto &outcome) { return outcome->result.has_value(); });
    };
    QVERIFY(QTest::qWaitFor(allDone, kWaitMs));
    for (int i = 0; i < outcomes.size(); ++i) {
        const auto &outcome = *outcomes.at(i);
        QVERIFY2(!outcome.insideCall, "done was called from inside command()");
        if (i < 10) {
            QVERIFY(outcome.result->ok());
            QCOMPARE(outcome.result->value(), RedisReply::fromInteger(i + 1));
        } else {
            QVERIFY(!outcome.result->ok());
            QCOMPARE(outcome.result->error().code, ErrorCode::Unavailable);
        }
    }
    QCOMPARE(client.inFlight(), 0);
    // Room again once the replies are in.
    QCOMPARE(ask(client, {"GET", "n"}), RedisReply::fromString("10"));
    client.publish("channel", "sent");
    QTRY_COMPARE_WITH_TIMEOUT(client.counters().published.value(), quint64(1), kWaitMs);
}

void TestRedisClientCommands::passwordAndDatabase()
{
    REQUIRE_REDIS();
    const QString password = u"s3cret pass:word@"_s;
    RedisProcess redis;
    QVERIFY2(redis.start({u"--requirepass"_s, password}), qPrintable(redis.lastError()));

    QLoggingCategory::setFilterRules(u"tidings.relay.bus*=true"_s);
    logLines.clear();
    previousHandler = qInstallMessageHandler(recordLog);
    const auto restoreLogging = qScopeGuard([] {
        qInstallMessageHandler(previousHandler);
        QLoggingCategory::setFilterRules({});
    });

    const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(password));
    const QString withPassword
        = redis.url().replace(u"redis://"_s, u"redis://:"_s + encoded + u"@"_s) + u"/3"_s;
    RedisClient client(RedisClient::parseRedisUrl(withPassword).value());
    QCOMPARE(client.address().password, password.toUtf8());
    client.subscribe({"events"});
    QSignalSpy up(&client, &RedisClient::connected);
    QSignalSpy messages(&client, &RedisClient::message);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(up.size(), 1, kWaitMs);
    const Result<RedisReply> info = call(client, {"CLIENT", "INFO"});
    QVERIFY(info.ok());
    QVERIFY2(info->toByteArray().contains(" db=3 "), info->toByteArray().constData());
    QCOMPARE(ask(client, {"PUBLISH", "events", "signed in"}), RedisReply::fromInteger(1));
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, kWaitMs);

    // The password from the environment; a wrong one never connects, and keeps trying.
    RedisClientOptions options;
    options.reconnectMaxMs = 200;
    qputenv("TIDINGS_REDIS_PASSWORD", "wrong " + password.toUtf8());
    RedisClient wrong(RedisClient::parseRedisUrl(redis.url()).value(), options);
    qunsetenv("TIDINGS_REDIS_PASSWORD");
    QSignalSpy wrongUp(&wrong, &RedisClient::connected);
    wrong.start();
    QTRY_VERIFY_WITH_TIMEOUT(wrong.counters().reconnects.value() >= 3, kWaitMs);
    QCOMPARE(wrongUp.size(), 0);
    QVERIFY2(wrong.lastError().contains(u"AUTH"_s), qPrintable(wrong.lastError()));

    // Neither password in any log line (debug included), plain or percent-encoded.
    QMutexLocker locker(&logMutex);
    QVERIFY(!logLines.isEmpty());
    for (const QString &line : std::as_const(logLines))
        QVERIFY2(!line.contains(u"s3cret"_s), qPrintable(line));
}

TIDINGS_REDIS_CLIENT_TEST_MAIN(TestRedisClientCommands)
#include "tst_redis_client_commands.moc"
