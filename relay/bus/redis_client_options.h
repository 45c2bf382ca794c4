#pragma once

namespace tidings::relay {

/// How RedisClient bounds its work and watches its connections.
struct RedisClientOptions
{
    /// Commands (publishes included) sent and not yet answered. Beyond this a command fails
    /// at once with Unavailable and a publish is dropped: nothing queues without bound.
    int maxInFlight = 100000;
    /// A keepalive goes out on both connections this often while connected ...
    int keepaliveIntervalMs = 2000;
    /// ... and a connection that has not answered one within this long is dropped and
    /// reconnected: a Redis that stopped answering (hung, paused, a dead peer behind a
    /// silent network) is noticed.
    int keepaliveTimeoutMs = 4000;
    /// From starting to connect until both connections have answered (TCP, AUTH, SELECT,
    /// subscriptions); then the attempt counts as failed.
    int connectTimeoutMs = 5000;
    /// Reconnect delays double from the first to at most the second, each times a random
    /// factor in [0.5, 1] so that nodes do not reconnect in step.
    int reconnectInitialMs = 100;
    int reconnectMaxMs = 5000;
};

} // namespace tidings::relay
