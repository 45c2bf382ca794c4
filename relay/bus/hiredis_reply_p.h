#pragma once

// From hiredis's replies to ours; for the .cpp files of this library only.

#include "bus/redis_reply.h"
#include "util/result.h"

#include <hiredis/hiredis.h>

#include <QByteArray>
#include <QByteArrayView>

namespace tidings::relay::hiredis {

/// The bytes of a string, status or error reply; empty for anything else or null.
QByteArrayView viewOf(const redisReply *reply);
QByteArray bytesOf(const redisReply *reply);

/// The reply as a value; an error inside an array stays an element of type Error.
RedisReply toReply(const redisReply &reply);

/// An error reply becomes an Error: Unavailable for states Redis leaves by itself (LOADING,
/// BUSY, READONLY, …), Unauthorized for NOAUTH / WRONGPASS / NOPERM, Internal for the rest
/// (the command was wrong for the data: ours to fix). Anything else is toReply().
Result<RedisReply> toResult(const redisReply &reply);

} // namespace tidings::relay::hiredis
