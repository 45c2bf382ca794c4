#include "bus/hiredis_reply_p.h"

namespace tidings::relay::hiredis {

using namespace Qt::StringLiterals;

namespace {

ErrorCode errorCodeFor(const QByteArray &message)
{
    const QByteArray kind = message.left(message.indexOf(' '));
    for (const char *transient : {"LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN",
                                  "CLUSTERDOWN", "OOM", "NOREPLICAS"}) {
        if (kind == transient)
            return ErrorCode::Unavailable;
    }
    for (const char *refused : {"NOAUTH", "WRONGPASS", "NOPERM"}) {
        if (kind == refused)
            return ErrorCode::Unauthorized;
    }
    return ErrorCode::Internal;
}

} // namespace

QByteArrayView viewOf(const redisReply *reply)
{
    if (!reply || !reply->str)
        return {};
    return QByteArrayView(reply->str, static_cast<qsizetype>(reply->len));
}

QByteArray bytesOf(const redisReply *reply)
{
    if (!reply || !reply->str)
        return {};
    return QByteArray(reply->str, static_cast<qsizetype>(reply->len));
}

RedisReply toReply(const redisReply &reply)
{
    switch (reply.type) {
    case REDIS_REPLY_INTEGER:
        return RedisReply::fromInteger(reply.integer);
    case REDIS_REPLY_STRING:
        return RedisReply::fromString(bytesOf(&reply));
    case REDIS_REPLY_STATUS:
        return RedisReply::fromStatus(bytesOf(&reply));
    case REDIS_REPLY_ERROR:
        return RedisReply::fromError(bytesOf(&reply));
    case REDIS_REPLY_ARRAY: {
        QList<RedisReply> elements;
        elements.reserve(static_cast<qsizetype>(reply.elements));
        for (size_t i = 0; i < reply.elements; ++i)
            elements.append(reply.element[i] ? toReply(*reply.element[i]) : RedisReply::nil());
        return RedisReply::fromArray(std::move(elements));
    }
    default:
        return RedisReply::nil();
    }
}

Result<RedisReply> toResult(const redisReply &reply)
{
    if (reply.type == REDIS_REPLY_ERROR) {
        const QByteArray message = bytesOf(&reply);
        return Error{errorCodeFor(message), u"Redis: "_s + QString::fromUtf8(message)};
    }
    return toReply(reply);
}

} // namespace tidings::relay::hiredis
