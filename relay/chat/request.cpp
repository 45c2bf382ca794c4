#include "chat/request.h"

#include "chat/chat_core.h"
#include "chat/rate_limiter.h"
#include "chat/session.h"
#include "gateway/websocket_connection.h"
#include "protocol/json_writer.h"

namespace tidings::relay {

using namespace Qt::StringLiterals;

Request::Request(ChatCore &core, Session *session, protocol::Frame frame)
    : m_core(&core), m_session(session), m_frame(std::move(frame))
{ }

void Request::reply(const QJsonObject &fields) const
{
    if (!m_session || m_frame.id.isEmpty())
        return;
    protocol::Frame result;
    result.type = u"result"_s;
    result.id = m_frame.id;
    result.fields = fields;
    m_session->send(protocol::encodeFrame(result));
}

void Request::replyEncoded(QByteArrayView members) const
{
    if (!m_session || m_frame.id.isEmpty())
        return;
    QByteArray out;
    out.reserve(members.size() + m_frame.id.size() + 32);
    out.append("{\"type\":\"result\",\"id\":");
    protocol::json::appendString(out, m_frame.id);
    if (!members.isEmpty())
        out.append(',');
    out.append(members);
    out.append('}');
    m_session->send(out);
}

void Request::fail(const Error &error, const QJsonObject &extra) const
{
    if (!m_session)
        return;
    protocol::Frame frame = protocol::errorFrame(m_frame.id, error);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        frame.fields.insert(it.key(), it.value());
    m_session->send(protocol::encodeFrame(frame));
}

bool Request::throttledPerUserAndAddress(const QString &what, double perSecond) const
{
    if (!m_session)
        return true;
    // Keys by concatenation: QString::arg parses its pattern on every call (every frame).
    if (throttled(what + u':' + QString::number(m_session->userId()), perSecond, 2 * perSecond))
        return true;
    return throttled(what + u"-ip:"_s + m_session->socket().peerAddress().toString(),
                     10 * perSecond, 20 * perSecond);
}

bool Request::throttled(const QString &key, double perSecond, double burst) const
{
    const qint64 waitMs = m_core->rateLimiter().take(key, {perSecond, burst});
    if (waitMs == 0)
        return false;
    fail({ErrorCode::RateLimited, u"too many requests; retry in %1 ms"_s.arg(waitMs)},
         {{u"retry_after_ms"_s, waitMs}});
    return true;
}

} // namespace tidings::relay
