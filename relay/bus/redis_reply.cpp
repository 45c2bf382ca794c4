#include "bus/redis_reply.h"

namespace tidings::relay {

RedisReply RedisReply::fromInteger(qint64 value)
{
    RedisReply reply;
    reply.m_type = Type::Integer;
    reply.m_integer = value;
    return reply;
}

RedisReply RedisReply::fromString(QByteArray value)
{
    RedisReply reply;
    reply.m_type = Type::String;
    reply.m_bytes = std::move(value);
    return reply;
}

RedisReply RedisReply::fromStatus(QByteArray value)
{
    RedisReply reply;
    reply.m_type = Type::Status;
    reply.m_bytes = std::move(value);
    return reply;
}

RedisReply RedisReply::fromArray(QList<RedisReply> elements)
{
    RedisReply reply;
    reply.m_type = Type::Array;
    reply.m_elements = std::move(elements);
    return reply;
}

RedisReply RedisReply::fromError(QByteArray message)
{
    RedisReply reply;
    reply.m_type = Type::Error;
    reply.m_bytes = std::move(message);
    return reply;
}

} // namespace tidings::relay
