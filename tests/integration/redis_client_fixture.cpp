#include "redis_client_fixture.h"

#ifdef TIDINGS_HAVE_EPOLL_DISPATCHER
#include "eventloop/epoll_event_dispatcher.h"
#endif

using namespace Qt::StringLiterals;

namespace tidings::test {

using relay::RedisAddress;
using relay::RedisClient;
using relay::RedisReply;

RedisAddress addressOf(const RedisProcess &redis, const QString &suffix)
{
    return RedisClient::parseRedisUrl(redis.url() + suffix).value();
}

std::shared_ptr<Outcome> send(RedisClient &client, QList<QByteArray> arguments)
{
    auto outcome = std::make_shared<Outcome>();
    client.command(std::move(arguments), [outcome](const Result<RedisReply> &result) {
        outcome->insideCall = !outcome->returned;
        outcome->result = result;
    });
    outcome->returned = true;
    return outcome;
}

Result<RedisReply> call(RedisClient &client, QList<QByteArray> arguments)
{
    const auto outcome = send(client, std::move(arguments));
    if (!QTest::qWaitFor([&] { return outcome->result.has_value(); }, kWaitMs))
        return Error{ErrorCode::Internal, u"no reply within %1 ms"_s.arg(kWaitMs)};
    return *outcome->result;
}

RedisReply ask(RedisClient &client, QList<QByteArray> arguments)
{
    const Result<RedisReply> result = call(client, std::move(arguments));
    if (!result)
        return RedisReply::fromError("not a reply: " + result.error().message.toUtf8());
    return *result;
}

void useRelayEventDispatcher()
{
#ifdef TIDINGS_HAVE_EPOLL_DISPATCHER
    if (qEnvironmentVariable("TIDINGS_EVENT_LOOP") != u"qt")
        QCoreApplication::setEventDispatcher(new relay::EpollEventDispatcher);
#endif
}

} // namespace tidings::test

namespace QTest {
template<> char *toString(const tidings::relay::RedisReply &reply)
{
    using tidings::relay::RedisReply;
    QByteArray text;
    switch (reply.type()) {
    case RedisReply::Type::Nil:
        text = "nil";
        break;
    case RedisReply::Type::Integer:
        text = "integer " + QByteArray::number(reply.toInteger());
        break;
    case RedisReply::Type::String:
        text = "string " + reply.toByteArray().left(80).toPercentEncoding();
        break;
    case RedisReply::Type::Status:
        text = "status " + reply.toByteArray();
        break;
    case RedisReply::Type::Error:
        text = "error " + reply.toByteArray();
        break;
    case RedisReply::Type::Array:
        text = "array of " + QByteArray::number(reply.elements().size());
        break;
    }
    return qstrdup(text.constData());
}
} // namespace QTest
