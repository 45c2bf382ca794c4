#pragma once

#include "bus/redis_address.h"
#include "bus/redis_client_options.h"
#include "bus/redis_reply.h"
#include "util/metrics.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <array>
#include <functional>
#include <memory>

namespace tidings::relay {

struct RedisLinkEvents;

/// A Redis client for the bus between relay nodes, on hiredis's async API and its Qt adapter.
/// It lives on the thread that creates it and never blocks that thread's event loop:
/// connecting is asynchronous too, and the address is numeric (no DNS lookup, see
/// RedisAddress).
///
/// Two connections, as Redis requires: one for commands and publishes, one for
/// subscriptions. It is connected() when both answer and every subscription is confirmed
/// again; when either drops, or a keepalive goes unanswered (RedisClientOptions), both are
/// closed, disconnected() is emitted and it reconnects with jittered exponential backoff,
/// forever. Subscriptions are remembered and re-issued on every reconnect; what was
/// published meanwhile is lost (the bus only wakes nodes up, the store holds the data).
///
/// Callbacks: a reply is handed to `done` as it arrives. A command that cannot be sent
/// (disconnected, too many in flight) or whose connection is lost gets Unavailable from the
/// event loop, never from inside command(). connected() and disconnected() are emitted from
/// the event loop too. Any of these may delete the client; destroying it drops every callback
/// still pending (none is called afterwards).
///
/// hiredis writes with write(2), so a Redis gone mid-write would raise SIGPIPE: the first
/// RedisClient sets SIGPIPE to be ignored unless the process installed a handler of its own.
class RedisClient : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(const Result<RedisReply> &)>;

    /// For /metrics; readable from any thread.
    struct Counters
    {
        Counter published; ///< publishes Redis acknowledged
        Counter publishDropped; ///< publishes not sent, or lost with their connection
        Counter messagesReceived; ///< messages from subscriptions
        Counter reconnects; ///< connection attempts after the first (each retry counts)
    };

    /// `redis://[:password@]host:port[/db]` (RedisAddress::fromUrl); without a password in the
    /// URL, TIDINGS_REDIS_PASSWORD's value is used.
    static Result<RedisAddress> parseRedisUrl(const QString &url);

    explicit RedisClient(RedisAddress address, RedisClientOptions options = {},
                         QObject *parent = nullptr);
    ~RedisClient() override;

    /// Starts connecting (and reconnecting, until destroyed).
    void start();
    /// Both connections up and every subscription confirmed.
    bool isConnected() const;
    const RedisAddress &address() const { return m_address; }
    /// Why the last connection or attempt ended (empty before any did).
    QString lastError() const { return m_lastError; }

    /// Sends one command (binary-safe arguments, e.g. {"SET", key, value}). `done` gets the
    /// reply, an Error for a Redis error reply, or Unavailable (see the class comment).
    void command(QList<QByteArray> arguments, Done done = {});
    /// Fire-and-forget PUBLISH; counted in publishDropped when it cannot be sent or is lost.
    void publish(const QByteArray &channel, const QByteArray &payload);
    /// Adds channels / patterns (PSUBSCRIBE globs) to what the client listens to, from now
    /// and after every reconnect. The channel "tidings:bus:keepalive" is the client's own.
    void subscribe(const QList<QByteArray> &channels);
    void psubscribe(const QList<QByteArray> &patterns);

    /// Commands and publishes sent and not yet answered.
    int inFlight() const { return m_inFlight; }
    const Counters &counters() const { return m_counters; }

Q_SIGNALS:
    /// Both connections are up and subscribed again: what was published while disconnected
    /// is lost, so listeners catch up from the store now.
    void connected();
    void disconnected(const QString &reason);
    /// A message on a subscribed channel (or one matching a pattern; a channel that matches
    /// both arrives twice, as Redis sends it twice).
    void message(const QByteArray &channel, const QByteArray &payload);

private:
    friend struct RedisLinkEvents;
    struct Link;
    struct Pending;
    enum Role { CommandRole = 0, SubscriptionRole = 1 };

    void openLinks();
    bool openLink(Role role);
    void linkConnected(Link &link);
    void linkClosed(Link &link, const QString &reason);
    void replied(Pending &pending, const void *reply);
    void handshakeReplied(Link &link, const QByteArray &step, const void *reply);
    void addSubscriptions(bool patterns, const QList<QByteArray> &names);
    void subscribeAll(Link &link);
    bool sendSubscribe(Link &link, const char *verb, const QList<QByteArray> &names);
    void subscribed(Link &link, bool pattern, const QByteArray &name);
    void deliver(const QByteArray &channel, const QByteArray &payload);
    /// Takes `pending` when sent; on failure leaves it with the caller.
    bool send(Link &link, const QList<QByteArray> &arguments, std::unique_ptr<Pending> &pending);
    void rejectLater(Done done, const Error &error);
    Link *currentLink(quint64 id) const;
    void maybeConnected();
    void sendKeepalives();
    void keepaliveAnswered(Link &link);
    void armKeepaliveDeadline();
    void keepaliveExpired();
    void fail(const QString &reason);
    void tearDown();
    void scheduleReconnect();

    const RedisAddress m_address;
    const RedisClientOptions m_options;
    std::array<Link *, 2> m_links{};
    quint64 m_nextLinkId = 1;
    QSet<QByteArray> m_channels;
    QSet<QByteArray> m_patterns;
    QSet<QByteArray> m_awaitingChannels; ///< confirmations the subscription link waits for
    QSet<QByteArray> m_awaitingPatterns;
    int m_inFlight = 0;
    int m_failedAttempts = 0; ///< since last connected: the backoff's exponent
    bool m_started = false;
    bool m_connected = false; ///< both links ready
    bool m_announced = false; ///< connected() emitted, disconnected() not yet
    bool m_failing = false; ///< a teardown is on its way
    bool m_destroying = false;
    QString m_lastError;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
    QTimer m_keepaliveTimer;
    QTimer m_keepaliveDeadline;
    Counters m_counters;
};

} // namespace tidings::relay
