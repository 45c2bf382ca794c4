#pragma once

// What the Redis client's tests (tst_redis_client_commands, tst_redis_client_faults) share:
// commands sent and waited for, the replies compared by QCOMPARE, and a main() that runs the
// test on the relay's epoll event dispatcher, as the relay runs its bus, or
// (TIDINGS_EVENT_LOOP=qt) on Qt's own. Each test starts its own redis-server and is skipped
// when none is installed.

#include "bus/redis_client.h"
#include "support/redis_process.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QtTest>

#include <memory>
#include <optional>

namespace tidings::test {

/// Bounds for things that happen in milliseconds, generous for a loaded machine.
inline constexpr int kWaitMs = 20000;

#define REQUIRE_REDIS()                                                                            \
    do {                                                                                           \
        if (tidings::test::RedisProcess::serverBinary().isEmpty())                                 \
            QSKIP("redis-server is not installed");                                                \
    } while (false)

relay::RedisAddress addressOf(const RedisProcess &redis, const QString &suffix = {});

/// What a command's `done` got, kept alive past a wait that gave up.
struct Outcome
{
    std::optional<Result<relay::RedisReply>> result;
    bool returned = false; ///< command() has returned
    bool insideCall = false; ///< `done` was called before that
};

std::shared_ptr<Outcome> send(relay::RedisClient &client, QList<QByteArray> arguments);

/// Sends a command and waits for what `done` gets.
Result<relay::RedisReply> call(relay::RedisClient &client, QList<QByteArray> arguments);

/// The reply, or (for QCOMPARE to show) an Error reply saying what went wrong instead.
relay::RedisReply ask(relay::RedisClient &client, QList<QByteArray> arguments);

/// Makes the relay's epoll dispatcher the application's, where there is one and
/// TIDINGS_EVENT_LOOP is not "qt". Before the application object.
void useRelayEventDispatcher();

} // namespace tidings::test

// QCOMPARE output for replies.
namespace QTest {
template<> char *toString(const tidings::relay::RedisReply &reply);
} // namespace QTest

/// main() for a Redis client test class, on the event dispatcher the relay uses.
#define TIDINGS_REDIS_CLIENT_TEST_MAIN(TestClass)                                                  \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        tidings::test::useRelayEventDispatcher();                                                  \
        QCoreApplication application(argc, argv);                                                  \
        TestClass test;                                                                            \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&test, argc, argv);                                                    \
    }
