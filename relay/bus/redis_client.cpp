#include "bus/redis_client.h"

#include "bus/bus_logging.h"
#include "bus/hiredis_qt_adapter_p.h"
#include "bus/hiredis_reply_p.h"

#include <hiredis/async.h>

#include <QDeadlineTimer>
#include <QMetaObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QThread>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

// How a connection ends (hiredis 0.14): whatever frees a context — an error it met, or
// redisAsyncFree() from us — first calls every callback still pending with a NULL reply, then
// the event library's cleanup hook, then frees the context (hiredis 1.x may run the hook
// first, and twice). Our cleanup hook is therefore the one place a Link learns it is over;
// replies carry no pointer to the Link, only its id and a QPointer to the client, so they
// are safe in either order.
//
// Nothing in a hiredis call stack frees a context or runs user code it need not: failures
// are torn down from the event loop (fail() → tearDown()), and Unavailable, connected() and
// disconnected() are delivered from there too. Replies and messages are handed over
// directly; a client deleted by one of them frees its contexts with redisAsyncFree(), which
// hiredis defers until the callback returns, and the cleanup hook then finds the Link let go.

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

/// The subscription connection's keepalive. In subscribed mode Redis answers PING in a form
/// hiredis cannot hand to a callback, but it confirms every SUBSCRIBE, also one to a channel
/// subscribed already.
constexpr char kKeepaliveChannel[] = "tidings:bus:keepalive";
/// Names per SUBSCRIBE when re-subscribing many.
constexpr qsizetype kSubscribeBatch = 1000;

void ignoreSigpipe()
{
#ifdef Q_OS_UNIX
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction current = {};
        if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
            ::signal(SIGPIPE, SIG_IGN);
    });
#endif
}

QString roleName(int role)
{
    return role == 0 ? u"command"_s : u"subscription"_s;
}

} // namespace

/// One connection (one hiredis context) from connect until hiredis is done with it. Owned by
/// the context: deleted in its cleanup hook.
struct RedisClient::Link
{
    /// hiredis's adapter, plus the way back from its cleanup hook to the Link.
    struct Adapter final : RedisQtAdapter
    {
        explicit Adapter(Link *owner) : link(owner) { }
        Link *const link;
    };
    enum class State { Connecting, Handshaking, Subscribing, Ready };

    RedisClient *client = nullptr; ///< null once the client let go of it
    Role role = CommandRole;
    quint64 id = 0;
    redisAsyncContext *context = nullptr;
    std::unique_ptr<Adapter> adapter;
    State state = State::Connecting;
    bool keepaliveOutstanding = false;
    QDeadlineTimer keepaliveDue;
};

/// A command's privdata: what to do with its reply.
struct RedisClient::Pending
{
    enum class Kind { Command, Publish, Handshake, Keepalive };

    QPointer<RedisClient> client;
    quint64 linkId = 0;
    Kind kind = Kind::Command;
    Done done;
    QByteArray step; ///< Handshake: the command, for messages
};

/// The C callbacks hiredis calls.
struct RedisLinkEvents
{
    using Link = RedisClient::Link;

    static void connected(const redisAsyncContext *context, int status)
    {
        // A connect that failed is reported by cleanup(), which hiredis calls next. (hiredis
        // 0.14 does not flag this callback as one, so nothing here may free the context.)
        auto *link = static_cast<Link *>(context->data);
        if (link && link->client && status == REDIS_OK)
            link->client->linkConnected(*link);
    }

    static void replied(redisAsyncContext *, void *reply, void *privdata)
    {
        std::unique_ptr<RedisClient::Pending> pending(
            static_cast<RedisClient::Pending *>(privdata));
        RedisClient *client = pending->client.data();
        if (client && !client->m_destroying)
            client->replied(*pending, reply);
    }

    /// Everything the subscription connection receives: confirmations and messages.
    static void subscriptionReplied(redisAsyncContext *context, void *data, void *)
    {
        auto *link = static_cast<Link *>(context->data);
        const auto *reply = static_cast<const redisReply *>(data);
        if (!link || !link->client || !reply || reply->type != REDIS_REPLY_ARRAY
            || reply->elements < 3)
            return; // NULL: the connection is closing, cleanup() reports it
        const QByteArrayView kind = hiredis::viewOf(reply->element[0]); // always lower case
        if (kind == "message")
            link->client->deliver(hiredis::bytesOf(reply->element[1]),
                                  hiredis::bytesOf(reply->element[2]));
        else if (kind == "pmessage" && reply->elements >= 4)
            link->client->deliver(hiredis::bytesOf(reply->element[2]),
                                  hiredis::bytesOf(reply->element[3]));
        else if (kind == "subscribe" || kind == "psubscribe")
            link->client->subscribed(*link, kind == "psubscribe",
                                     hiredis::bytesOf(reply->element[1]));
    }

    /// The context is being freed: the Link's end, however it came.
    static void cleanup(void *eventData)
    {
        auto *adapter = static_cast<Link::Adapter *>(static_cast<RedisQtAdapter *>(eventData));
        Link *link = adapter->link;
        redisAsyncContext *context = link->context;
        RedisQtCleanup(eventData); // deletes the adapter's socket notifiers
        // Only the free follows (hiredis >= 1.0 may call this hook twice).
        context->ev.addRead = nullptr;
        context->ev.delRead = nullptr;
        context->ev.addWrite = nullptr;
        context->ev.delWrite = nullptr;
        context->ev.cleanup = nullptr;
        context->data = nullptr;
        if (RedisClient *client = link->client) {
            const QString reason = context->err && context->errstr
                ? QString::fromLocal8Bit(context->errstr)
                : u"the connection closed"_s;
            client->linkClosed(*link, reason);
        }
        delete link; // and the adapter, whose destructor writes to the still living context
    }
};

Result<RedisAddress> RedisClient::parseRedisUrl(const QString &url)
{
    return RedisAddress::fromUrl(url, qgetenv("TIDINGS_REDIS_PASSWORD"));
}

RedisClient::RedisClient(RedisAddress address, RedisClientOptions options, QObject *parent)
    : QObject(parent), m_address(std::move(address)), m_options(options)
{
    ignoreSigpipe();
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        fail(u"Redis did not answer within %1 ms"_s.arg(m_options.connectTimeoutMs));
    });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, [this] {
        m_counters.reconnects.add();
        openLinks();
    });
    m_keepaliveTimer.setInterval(m_options.keepaliveIntervalMs);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &RedisClient::sendKeepalives);
    m_keepaliveDeadline.setSingleShot(true);
    connect(&m_keepaliveDeadline, &QTimer::timeout, this, &RedisClient::keepaliveExpired);
}

RedisClient::~RedisClient()
{
    m_destroying = true; // pending callbacks are dropped, not called
    for (Link *&link : m_links) {
        if (Link *closing = std::exchange(link, nullptr)) {
            closing->client = nullptr;
            redisAsyncFree(closing->context); // deferred by hiredis when inside its callback
        }
    }
}

void RedisClient::start()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (std::exchange(m_started, true))
        return;
    openLinks();
}

bool RedisClient::isConnected() const
{
    return m_connected && !m_failing;
}

void RedisClient::command(QList<QByteArray> arguments, Done done)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (arguments.isEmpty()) {
        rejectLater(std::move(done), Error{ErrorCode::BadRequest, u"a command needs a name"_s});
        return;
    }
    if (!isConnected()) {
        rejectLater(std::move(done), Error{ErrorCode::Unavailable, u"not connected to Redis"_s});
        return;
    }
    if (m_inFlight >= m_options.maxInFlight) {
        rejectLater(std::move(done),
                    Error{ErrorCode::Unavailable,
                          u"%1 Redis commands are waiting for replies already"_s.arg(m_inFlight)});
        return;
    }
    Link &link = *m_links[CommandRole];
    auto pending = std::make_unique<Pending>(
        Pending{this, link.id, Pending::Kind::Command, std::move(done), {}});
    if (!send(link, arguments, pending)) {
        rejectLater(std::move(pending->done),
                    Error{ErrorCode::Unavailable, u"could not send to Redis"_s});
        return;
    }
    ++m_inFlight;
}

void RedisClient::publish(const QByteArray &channel, const QByteArray &payload)
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (!isConnected() || m_inFlight >= m_options.maxInFlight) {
        m_counters.publishDropped.add();
        return;
    }
    Link &link = *m_links[CommandRole];
    auto pending
        = std::make_unique<Pending>(Pending{this, link.id, Pending::Kind::Publish, {}, {}});
    if (!send(link, {QByteArrayLiteral("PUBLISH"), channel, payload}, pending)) {
        m_counters.publishDropped.add();
        return;
    }
    ++m_inFlight;
}

void RedisClient::subscribe(const QList<QByteArray> &channels)
{
    addSubscriptions(false, channels);
}

void RedisClient::psubscribe(const QList<QByteArray> &patterns)
{
    addSubscriptions(true, patterns);
}

void RedisClient::addSubscriptions(bool patterns, const QList<QByteArray> &names)
{
    Q_ASSERT(QThread::currentThread() == thread());
    QSet<QByteArray> &known = patterns ? m_patterns : m_channels;
    QList<QByteArray> added;
    for (const QByteArray &name : names) {
        if (!known.contains(name)) {
            known.insert(name);
            added.append(name);
        }
    }
    Link *link = m_links[SubscriptionRole];
    if (added.isEmpty() || !link)
        return; // the next connection subscribes to them
    if (link->state == Link::State::Subscribing) {
        QSet<QByteArray> &awaiting = patterns ? m_awaitingPatterns : m_awaitingChannels;
        for (const QByteArray &name : std::as_const(added))
            awaiting.insert(name);
    }
    if (link->state == Link::State::Subscribing || link->state == Link::State::Ready)
        sendSubscribe(*link, patterns ? "PSUBSCRIBE" : "SUBSCRIBE", added);
}

// --- connecting ---------------------------------------------------------------------------

void RedisClient::openLinks()
{
    m_connectTimer.start(m_options.connectTimeoutMs);
    for (Role role : {CommandRole, SubscriptionRole}) {
        if (!openLink(role))
            return;
    }
}

bool RedisClient::openLink(Role role)
{
    // A numeric address (RedisAddress): hiredis's getaddrinfo() returns at once, and the
    // connect itself is non-blocking.
    const QByteArray host = m_address.host.toLatin1();
    redisAsyncContext *context = redisAsyncConnect(host.constData(), m_address.port);
    if (!context) {
        fail(u"could not allocate a Redis connection"_s);
        return false;
    }
    if (context->err) {
        const QString reason = QString::fromLocal8Bit(context->errstr);
        redisAsyncFree(context);
        fail(roleName(role) + u" connection: "_s + reason);
        return false;
    }
    auto *link = new Link;
    link->client = this;
    link->role = role;
    link->id = m_nextLinkId++;
    link->context = context;
    context->data = link;
    link->adapter = std::make_unique<Link::Adapter>(link);
    link->adapter->setContext(context);
    context->ev.cleanup = &RedisLinkEvents::cleanup; // calls the adapter's own
    m_links[role] = link;
    redisAsyncSetConnectCallback(context, &RedisLinkEvents::connected);
    return true;
}

void RedisClient::linkConnected(Link &link)
{
    link.state = Link::State::Handshaking;
    const auto handshake = [this, &link](const QList<QByteArray> &arguments) {
        auto pending = std::make_unique<Pending>(
            Pending{this, link.id, Pending::Kind::Handshake, {}, arguments.first()});
        if (send(link, arguments, pending))
            return true;
        fail(u"could not send %1 to Redis"_s.arg(QString::fromLatin1(arguments.first())));
        return false;
    };
    if (!m_address.password.isEmpty()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!m_address.username.isEmpty())
            auth.append(m_address.username);
        auth.append(m_address.password);
        if (!handshake(auth))
            return;
    }
    if (link.role == CommandRole) {
        if (m_address.database != 0
            && !handshake({QByteArrayLiteral("SELECT"), QByteArray::number(m_address.database)}))
            return;
        // A server that takes connections but does not answer (paused, wedged) is not up.
        handshake({QByteArrayLiteral("PING")});
    } else if (m_address.password.isEmpty()) {
        subscribeAll(link);
    }
}

void RedisClient::handshakeReplied(Link &link, const QByteArray &step, const void *data)
{
    const auto *reply = static_cast<const redisReply *>(data);
    if (!reply)
        return; // the connection is closing; cleanup() says why
    if (reply->type == REDIS_REPLY_ERROR) {
        fail(u"Redis refused %1 on the %2 connection: %3"_s.arg(
            QString::fromLatin1(step), roleName(link.role),
            QString::fromUtf8(hiredis::bytesOf(reply))));
        return;
    }
    if (link.role == CommandRole && step == "PING") {
        link.state = Link::State::Ready;
        maybeConnected();
    } else if (link.role == SubscriptionRole && step == "AUTH") {
        subscribeAll(link);
    }
}

void RedisClient::subscribeAll(Link &link)
{
    link.state = Link::State::Subscribing;
    m_awaitingChannels = m_channels;
    m_awaitingChannels.insert(QByteArray(kKeepaliveChannel));
    m_awaitingPatterns = m_patterns;
    if (!sendSubscribe(link, "SUBSCRIBE", m_awaitingChannels.values()))
        return;
    if (!m_awaitingPatterns.isEmpty())
        sendSubscribe(link, "PSUBSCRIBE", m_awaitingPatterns.values());
}

bool RedisClient::sendSubscribe(Link &link, const char *verb, const QList<QByteArray> &names)
{
    for (qsizetype from = 0; from < names.size(); from += kSubscribeBatch) {
        const qsizetype count = std::min(kSubscribeBatch, names.size() - from);
        std::vector<const char *> arguments{verb};
        std::vector<size_t> lengths{std::strlen(verb)};
        for (qsizetype i = from; i < from + count; ++i) {
            arguments.push_back(names[i].constData());
            lengths.push_back(static_cast<size_t>(names[i].size()));
        }
        // The callback is kept per channel and called for every message on it: no privdata
        // to own, the Link is found through the context.
        if (redisAsyncCommandArgv(link.context, &RedisLinkEvents::subscriptionReplied, nullptr,
                                  static_cast<int>(arguments.size()), arguments.data(),
                                  lengths.data())
            != REDIS_OK) {
            fail(u"could not send %1 to Redis"_s.arg(QLatin1StringView(verb)));
            return false;
        }
    }
    return true;
}

void RedisClient::subscribed(Link &link, bool pattern, const QByteArray &name)
{
    if (link.state == Link::State::Subscribing) {
        (pattern ? m_awaitingPatterns : m_awaitingChannels).remove(name);
        if (m_awaitingChannels.isEmpty() && m_awaitingPatterns.isEmpty()) {
            link.state = Link::State::Ready;
            maybeConnected();
        }
    } else if (link.state == Link::State::Ready && !pattern && name == kKeepaliveChannel) {
        keepaliveAnswered(link);
    }
}

void RedisClient::maybeConnected()
{
    if (m_connected || m_failing)
        return;
    for (const Link *link : m_links) {
        if (!link || link->state != Link::State::Ready)
            return;
    }
    m_connected = true;
    m_failedAttempts = 0;
    m_connectTimer.stop();
    m_keepaliveTimer.start();
    qCInfo(lcBus).noquote() << "connected to Redis at" << m_address.displayString();
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!isConnected() || m_announced)
                return; // it failed meanwhile: neither connected() nor disconnected()
            m_announced = true;
            Q_EMIT connected();
        },
        Qt::QueuedConnection);
}

// --- traffic ------------------------------------------------------------------------------

bool RedisClient::send(Link &link, const QList<QByteArray> &arguments,
                       std::unique_ptr<Pending> &pending)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(static_cast<size_t>(arguments.size()));
    lengths.reserve(static_cast<size_t>(arguments.size()));
    for (const QByteArray &argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(static_cast<size_t>(argument.size()));
    }
    // hiredis only buffers here: the callback never runs before this returns.
    if (redisAsyncCommandArgv(link.context, &RedisLinkEvents::replied, pending.get(),
                              static_cast<int>(argv.size()), argv.data(), lengths.data())
        != REDIS_OK)
        return false;
    pending.release(); // hiredis hands it back to RedisLinkEvents::replied
    return true;
}

void RedisClient::replied(Pending &pending, const void *data)
{
    const auto *reply = static_cast<const redisReply *>(data);
    switch (pending.kind) {
    case Pending::Kind::Handshake:
        if (Link *link = currentLink(pending.linkId))
            handshakeReplied(*link, pending.step, reply);
        return;
    case Pending::Kind::Keepalive:
        if (Link *link = currentLink(pending.linkId); link && reply)
            keepaliveAnswered(*link); // any answer, even an error, shows it is alive
        return;
    case Pending::Kind::Command:
    case Pending::Kind::Publish:
        break;
    }
    --m_inFlight;
    const bool isPublish = pending.kind == Pending::Kind::Publish;
    if (!reply) {
        if (isPublish)
            m_counters.publishDropped.add();
        rejectLater(
            std::move(pending.done),
            Error{ErrorCode::Unavailable, u"the connection to Redis was lost before the reply"_s});
        return;
    }
    const Result<RedisReply> result = hiredis::toResult(*reply);
    if (isPublish)
        (result.ok() ? m_counters.published : m_counters.publishDropped).add();
    if (pending.done)
        pending.done(result); // may destroy this client: nothing after it
}

void RedisClient::deliver(const QByteArray &channel, const QByteArray &payload)
{
    if (channel == kKeepaliveChannel)
        return;
    m_counters.messagesReceived.add();
    Q_EMIT message(channel, payload); // may destroy this client: nothing after it
}

void RedisClient::rejectLater(Done done, const Error &error)
{
    if (!done)
        return;
    QMetaObject::invokeMethod(
        this, [done = std::move(done), error] { done(error); }, Qt::QueuedConnection);
}

RedisClient::Link *RedisClient::currentLink(quint64 id) const
{
    for (Link *link : m_links) {
        if (link && link->id == id)
            return link;
    }
    return nullptr;
}

// --- keepalive ----------------------------------------------------------------------------

void RedisClient::sendKeepalives()
{
    for (Link *link : m_links) {
        if (!link || link->state != Link::State::Ready || link->keepaliveOutstanding)
            continue;
        if (link->role == CommandRole) {
            auto pending = std::make_unique<Pending>(
                Pending{this, link->id, Pending::Kind::Keepalive, {}, {}});
            if (!send(*link, {QByteArrayLiteral("PING")}, pending)) {
                fail(u"could not send PING to Redis"_s);
                return;
            }
        } else if (!sendSubscribe(*link, "SUBSCRIBE", {QByteArray(kKeepaliveChannel)})) {
            return;
        }
        link->keepaliveOutstanding = true;
        link->keepaliveDue.setRemainingTime(m_options.keepaliveTimeoutMs);
    }
    armKeepaliveDeadline();
}

void RedisClient::keepaliveAnswered(Link &link)
{
    link.keepaliveOutstanding = false;
    armKeepaliveDeadline();
}

void RedisClient::armKeepaliveDeadline()
{
    qint64 earliest = -1;
    for (const Link *link : m_links) {
        if (link && link->keepaliveOutstanding) {
            const qint64 remaining = link->keepaliveDue.remainingTime();
            earliest = earliest < 0 ? remaining : std::min(earliest, remaining);
        }
    }
    if (earliest < 0)
        m_keepaliveDeadline.stop();
    else
        m_keepaliveDeadline.start(static_cast<int>(earliest));
}

void RedisClient::keepaliveExpired()
{
    if (m_failing)
        return;
    // The event loop may have been busy past the deadline with the answer waiting in the
    // socket: take in what has arrived before calling a connection dead. That delivers
    // replies and messages, whose receivers may close the link or delete this client.
    QPointer<RedisClient> self(this);
    for (Role role : {CommandRole, SubscriptionRole}) {
        Link *link = m_links[role];
        if (link && link->keepaliveOutstanding && link->keepaliveDue.hasExpired())
            redisAsyncHandleRead(link->context);
        if (!self || m_failing)
            return;
    }
    for (const Link *link : m_links) {
        if (link && link->keepaliveOutstanding && link->keepaliveDue.hasExpired()) {
            fail(u"no answer to a keepalive on the %1 connection within %2 ms"_s
                     .arg(roleName(link->role))
                     .arg(m_options.keepaliveTimeoutMs));
            return;
        }
    }
    armKeepaliveDeadline();
}

// --- failing and reconnecting -------------------------------------------------------------

void RedisClient::linkClosed(Link &link, const QString &reason)
{
    if (m_links[link.role] == &link)
        m_links[link.role] = nullptr;
    link.client = nullptr;
    fail(roleName(link.role) + u" connection: "_s + reason);
}

void RedisClient::fail(const QString &reason)
{
    if (m_failing || m_destroying)
        return;
    m_failing = true;
    m_lastError = reason;
    m_connectTimer.stop();
    m_keepaliveTimer.stop();
    m_keepaliveDeadline.stop();
    // Torn down from the event loop, never inside a hiredis callback.
    QMetaObject::invokeMethod(
        this, [this] { tearDown(); }, Qt::QueuedConnection);
}

void RedisClient::tearDown()
{
    for (Link *&link : m_links) {
        if (Link *closing = std::exchange(link, nullptr)) {
            closing->client = nullptr;
            // Callbacks still pending get NULL now: their Unavailable is queued.
            redisAsyncFree(closing->context);
        }
    }
    m_connected = false;
    m_failing = false;
    const bool wasAnnounced = std::exchange(m_announced, false);
    if (wasAnnounced || m_failedAttempts == 0)
        qCWarning(lcBus).noquote()
            << "Redis at" << m_address.displayString() << (wasAnnounced ? "lost:" : "unreachable:")
            << m_lastError << "- reconnecting";
    else
        qCDebug(lcBus).noquote() << "Redis attempt" << m_failedAttempts << "failed:" << m_lastError;
    scheduleReconnect();
    if (wasAnnounced)
        Q_EMIT disconnected(m_lastError); // may destroy this client: nothing after it
}

void RedisClient::scheduleReconnect()
{
    ++m_failedAttempts;
    const int exponent = std::min(m_failedAttempts - 1, 20);
    const qint64 ceiling
        = std::max<qint64>(1,
                           std::min<qint64>(m_options.reconnectMaxMs,
                                            qint64(m_options.reconnectInitialMs) << exponent));
    const qint64 delay = ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1);
    m_reconnectTimer.start(static_cast<int>(delay));
}

} // namespace tidings::relay
