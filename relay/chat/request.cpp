#include "chat/request.h"

#include "chat/session.h"

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
    m_session->send(QString::fromUtf8(protocol::encodeFrame(result)));
}

void Request::fail(const Error &error) const
{
    if (!m_session)
        return;
    m_session->send(
        QString::fromUtf8(protocol::encodeFrame(protocol::errorFrame(m_frame.id, error))));
}

} // namespace tidings::relay
