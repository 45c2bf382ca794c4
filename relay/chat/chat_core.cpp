#include "chat/chat_core.h"

#include "chat/chat_logging.h"
#include "chat/cluster_link.h"
#include "chat/member_cache.h"
#include "chat/password_hasher.h"
#include "chat/presence.h"
#include "chat/rate_limiter.h"
#include "chat/request.h"
#include "chat/session.h"
#include "chat/typing_tracker.h"
#include "store/account_queries.h"
#include "store/store.h"

#include "gateway/websocket_connection.h"

#include <QDateTime>

namespace tidings::relay {

using namespace Qt::StringLiterals;

ChatCore::ChatCore(Store &store, ChatOptions options, QObject *parent)
    : QObject(parent), m_store(store), m_options(std::move(options)),
      m_passwordHasher(std::make_unique<PasswordHasher>(m_options.passwordCost,
                                                        m_options.passwordHashThreads,
                                                        m_options.maxPendingPasswordHashes)),
      m_rateLimiter(std::make_unique<RateLimiter>()),
      m_knownAddresses(std::make_unique<KnownAddresses>()),
      m_memberCache(std::make_unique<MemberCache>())
{
    m_handlers = allHandlers();
    m_typing = std::make_unique<TypingTracker>(*this);
    m_presence = std::make_unique<Presence>(*this);
    connect(this, &ChatCore::userWentOffline, m_typing.get(), &TypingTracker::userGone);
    connect(this, &ChatCore::blockChanged, this, [this] {
        m_memberCache->clear();
        if (m_cluster)
            m_cluster->membersChanged(0);
    });

    // One timer for all sessions: pings, timeouts and revalidation in one pass.
    m_heartbeatTimer.setInterval(std::max<std::chrono::milliseconds>(
        m_options.heartbeatInterval / 3, std::chrono::milliseconds(100)));
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &ChatCore::heartbeat);
    m_heartbeatTimer.start();

    // Sessions unused for `sessionIdle` end (and their push targets with them): looked at
    // once at start and then every hour; `auth` refuses an expired one at any time.
    if (m_options.sessionIdle.count() > 0) {
        m_sessionUpkeep.setInterval(std::chrono::hours(1));
        connect(&m_sessionUpkeep, &QTimer::timeout, this, &ChatCore::keepSessions);
        m_sessionUpkeep.start();
        QTimer::singleShot(0, this, &ChatCore::keepSessions);
    }
}

ChatCore::~ChatCore()
{
    closeAll(close_code::kGoingAway, u"relay shutting down"_s);
}

void ChatCore::adopt(std::unique_ptr<WebSocketConnection> socket)
{
    const QString origin = socket->origin();
    // Browsers send an Origin, native clients none: no web page may use a visitor's
    // browser against the relay unless the admin names it (or allows any with "*").
    if (!origin.isEmpty() && !m_options.allowedOrigins.contains(origin)
        && !m_options.allowedOrigins.contains(u"*"_s)) {
        qCInfo(lcChat) << "refusing a WebSocket from origin" << origin;
        socket.release()->closeAndDelete(close_code::kPolicy, u"origin not allowed"_s);
        return;
    }

    auto owned = std::make_unique<Session>(std::move(socket), m_options.maxQueuedBytesPerSession);
    Session *session = owned.get();
    WebSocketConnection *raw = &session->socket();
    connect(raw, &WebSocketConnection::textReceived, session,
            [this, session](const QByteArray &text) { onTextMessage(session, text); });
    connect(raw, &WebSocketConnection::binaryReceived, session, [session] {
        session->heard();
        session->send(protocol::encodeFrame(protocol::errorFrame(
            {}, Error{ErrorCode::BadRequest, u"binary messages are not part of the protocol"_s})));
    });
    connect(raw, &WebSocketConnection::pong, session, [session] { session->heard(); });
    connect(raw, &WebSocketConnection::disconnected, session,
            [this, session] { onDisconnected(session); });
    m_sessions.emplace(session, std::move(owned));
    Q_EMIT sessionCountChanged(sessionCount());
}

void ChatCore::closeAll(quint16 code, const QString &reason)
{
    auto sessions = std::move(m_sessions);
    m_sessions.clear();
    m_byUser.clear();
    m_bySessionId.clear();
    for (auto &[raw, session] : sessions) {
        session->socket().disconnect(this);
        session->close(code, reason);
        session->socket().flush();
    }
    if (!sessions.empty())
        Q_EMIT sessionCountChanged(0);
}

void ChatCore::onTextMessage(Session *session, const QByteArray &text)
{
    session->heard();
    if (session->isClosing())
        return;

    // The connection's frame budget is taken before the frame is read: a frame over it
    // costs no JSON parsing (so its error cannot carry its id).
    const double perSecond = m_options.framesPerSecond;
    if (Request(*this, session, {})
            .throttled(u"frames:"_s + QString::number(session->connectionNumber()), perSecond,
                       2 * perSecond))
        return;
    QString requestId;
    auto frame = protocol::decodeFrame(text, std::numeric_limits<qsizetype>::max(), &requestId);
    if (!frame) {
        session->send(protocol::encodeFrame(protocol::errorFrame(requestId, frame.error())));
        return;
    }
    const Request request(*this, session, std::move(frame).value());
    const auto handler = m_handlers.constFind(request.frame().type);
    if (handler == m_handlers.constEnd()) {
        request.fail(
            {ErrorCode::Unsupported,
             u"frame type '%1' is not supported by this relay"_s.arg(request.frame().type)});
        return;
    }

    switch (session->stage()) {
    case Session::Stage::AwaitingHello:
        if (handler->access != Access::Handshake)
            return request.fail({ErrorCode::BadRequest, u"the first frame must be 'hello'"_s});
        break;
    case Session::Stage::Anonymous:
        if (handler->access == Access::Handshake)
            return request.fail({ErrorCode::BadRequest, u"'hello' was already sent"_s});
        if (handler->access == Access::SignedIn)
            return request.fail(
                {ErrorCode::Unauthorized, u"sign in first ('auth', 'login' or 'register')"_s});
        break;
    case Session::Stage::Authenticated:
        if (handler->access == Access::Handshake)
            return request.fail({ErrorCode::BadRequest, u"'hello' was already sent"_s});
        if (handler->access == Access::SignedOut)
            return request.fail({ErrorCode::Conflict, u"already signed in; 'logout' first"_s});
        break;
    }
    handler->run(request);
}

void ChatCore::signIn(Session &session, const UserRecord &user, qint64 sessionId)
{
    if (session.isAuthenticated())
        signOut(session);
    session.signIn(user, sessionId);
    m_knownAddresses->remember(user.username, session.socket().peerAddress().toString());
    m_bySessionId.insert(sessionId, &session);
    QList<Session *> &sessions = m_byUser[user.id];
    sessions.append(&session);
    if (sessions.size() == 1)
        Q_EMIT userCameOnline(user.id);
}

void ChatCore::signOut(Session &session)
{
    if (!session.isAuthenticated())
        return;
    const UserId user = session.userId();
    m_bySessionId.remove(session.sessionId());
    if (m_options.sessionIdle.count() > 0) {
        m_sessionsUsed.append(session.sessionId());
        if (!m_writingSessionsUsed)
            writeSessionsUsed();
    }
    auto it = m_byUser.find(user);
    if (it != m_byUser.end()) {
        it->removeAll(&session);
        if (it->isEmpty()) {
            m_byUser.erase(it);
            Q_EMIT userWentOffline(user);
        }
    }
    session.signOut();
}

void ChatCore::endSessions(const QList<qint64> &sessionIds, quint16 code, const QString &reason)
{
    if (m_cluster)
        m_cluster->endSessions(sessionIds, code, reason);
    endLocalSessions(sessionIds, code, reason);
}

void ChatCore::endLocalSessions(const QList<qint64> &sessionIds, quint16 code,
                                const QString &reason)
{
    for (const qint64 id : sessionIds) {
        if (Session *session = m_bySessionId.value(id)) {
            signOut(*session);
            session->close(code, reason);
        }
    }
}

void ChatCore::sendToUsers(const QList<UserId> &users, QByteArrayView json, const Session *except)
{
    if (m_cluster)
        m_cluster->sendToUsers(users, json);
    sendToLocalUsers(users, json, except);
}

void ChatCore::sendToSession(qint64 sessionId, QByteArrayView json)
{
    if (m_bySessionId.contains(sessionId))
        sendToLocalSession(sessionId, json);
    else if (m_cluster)
        m_cluster->sendToSession(sessionId, json);
}

void ChatCore::sendToLocalSession(qint64 sessionId, QByteArrayView json)
{
    if (Session *session = m_bySessionId.value(sessionId))
        session->sendEncoded(websocket::encodeFrame(websocket::Opcode::Text, json));
}

void ChatCore::askEveryoneToResync()
{
    const QByteArray frame
        = websocket::encodeFrame(websocket::Opcode::Text, QByteArrayView("{\"type\":\"resync\"}"));
    for (const auto &[session, owned] : m_sessions) {
        if (session->isAuthenticated())
            session->sendEncoded(frame);
    }
}

void ChatCore::sendToLocalUsers(const QList<UserId> &users, QByteArrayView json,
                                const Session *except)
{
    QByteArray frame; // encoded when the first session to receive it is found
    for (const UserId user : users) {
        const QList<Session *> sessions = m_byUser.value(user);
        for (Session *session : sessions) {
            if (session == except)
                continue;
            if (frame.isNull())
                frame = websocket::encodeFrame(websocket::Opcode::Text, json);
            session->sendEncoded(frame);
        }
    }
}

void ChatCore::onDisconnected(Session *session)
{
    forget(session);
}

void ChatCore::forget(Session *session)
{
    auto it = m_sessions.find(session);
    if (it == m_sessions.end())
        return;
    signOut(*session);
    // Deleting inside the socket's own signal is unsafe: let the event loop do it. Ours
    // until then, so that it goes with the core if the loop has stopped.
    Session *forgotten = it->second.release();
    forgotten->setParent(this);
    forgotten->deleteLater();
    m_sessions.erase(it);
    Q_EMIT sessionCountChanged(sessionCount());
}

void ChatCore::heartbeat()
{
    const qint64 interval = m_options.heartbeatInterval.count();
    const qint64 timeout = m_options.heartbeatTimeout.count();
    const qint64 handshake = m_options.handshakeTimeout.count();
    const qint64 signIn = m_options.signInTimeout.count();
    // Decide first, act after: closing a socket can end its session (and change
    // m_sessions) synchronously.
    QList<Session *> late, anonymous, dead, quiet;
    for (auto &[raw, session] : m_sessions) {
        if (session->isClosing())
            continue;
        if (session->stage() == Session::Stage::AwaitingHello
            && session->connectedForMs() > handshake)
            late.append(raw);
        else if (session->stage() == Session::Stage::Anonymous && session->inStageForMs() > signIn)
            anonymous.append(raw);
        else if (session->silentForMs() > timeout)
            dead.append(raw);
        else if (session->silentForMs() > interval)
            quiet.append(raw);
    }
    for (Session *session : std::as_const(quiet))
        session->socket().ping();
    for (Session *session : std::as_const(late)) {
        if (m_sessions.count(session))
            session->close(close_code::kHandshakeTimeout, u"no hello in time"_s);
    }
    for (Session *session : std::as_const(anonymous)) {
        if (m_sessions.count(session))
            session->close(close_code::kSignInTimeout, u"not signed in in time"_s);
    }
    for (Session *session : std::as_const(dead)) {
        if (!m_sessions.count(session))
            continue;
        qCInfo(lcChat) << "reaping a silent connection of user" << session->userId();
        session->close(close_code::kHeartbeatTimeout, u"no answer to pings"_s);
        session->socket().abort();
        forget(session);
    }
    // Every few ticks, drop connections whose store session ended elsewhere (signed out,
    // revoked, account disabled by an admin).
    if (++m_heartbeatTicks % 3 == 0) {
        revalidateSessions();
        m_rateLimiter->prune();
    }
}

void ChatCore::writeSessionsUsed()
{
    if (m_sessionsUsed.isEmpty())
        return;
    m_writingSessionsUsed = true;
    const QList<qint64> ids = std::exchange(m_sessionsUsed, {});
    const qint64 at = QDateTime::currentMSecsSinceEpoch();
    m_store
        .write<bool>([ids, at](QSqlDatabase &db) -> Result<bool> {
            if (auto touched = sql::touchSessions(db, ids, at); !touched)
                return touched.error();
            return true;
        })
        .then(this, [this](const Result<bool> &written) {
            // What ended meanwhile goes in the next write (a failed one is not retried: the
            // hourly upkeep marks live sessions anyway; these are off by at most the time
            // they were connected).
            if (!written)
                qCWarning(lcChat) << "cannot mark sessions used:" << written.error().message;
            m_writingSessionsUsed = false;
            writeSessionsUsed();
        });
}

void ChatCore::keepSessions()
{
    const QList<qint64> live = m_bySessionId.keys();
    const qint64 at = QDateTime::currentMSecsSinceEpoch();
    const qint64 unusedSince = m_options.unusedSince(at);
    // In slices, so that messages never wait long behind the upkeep.
    constexpr qsizetype kSlice = 1000;
    for (qsizetype start = 0; start < live.size(); start += kSlice) {
        m_store.write<bool>([ids = live.mid(start, kSlice), at](QSqlDatabase &db) -> Result<bool> {
            if (auto touched = sql::touchSessions(db, ids, at); !touched)
                return touched.error();
            return true;
        });
    }
    m_store
        .write<int>(
            [unusedSince](QSqlDatabase &db) { return sql::expireSessions(db, unusedSince); })
        .then(this, [](const Result<int> &expired) {
            if (!expired)
                qCWarning(lcChat) << "session upkeep:" << expired.error().message;
            else if (*expired > 0)
                qCInfo(lcChat) << "signed out" << *expired << "sessions unused for too long";
        });
}

void ChatCore::revalidateSessions()
{
    const QList<qint64> ids = m_bySessionId.keys();
    if (ids.isEmpty())
        return;
    m_store.read<QList<qint64>>([ids](QSqlDatabase &db) { return sql::endedSessions(db, ids); })
        .then(this, [this](const Result<QList<qint64>> &ended) {
            if (ended && !ended->isEmpty())
                endSessions(*ended, close_code::kSessionEnded, u"this session has ended"_s);
        });
}

} // namespace tidings::relay
