#pragma once

#include "protocol/frame.h"
#include "util/result.h"

#include <QJsonObject>
#include <QPointer>

namespace tidings::relay {

class ChatCore;
class Session;

/// One frame being handled: what a handler gets. It is cheap to copy, so a handler keeps
/// it in the continuations of its store work and answers when the work is done; if the
/// connection has gone by then, the answer goes nowhere.
class Request
{
public:
    Request(ChatCore &core, Session *session, protocol::Frame frame);

    ChatCore &core() const { return *m_core; }
    /// The connection, or nullptr once it has closed.
    Session *session() const { return m_session.data(); }
    const protocol::Frame &frame() const { return m_frame; }
    const QJsonObject &fields() const { return m_frame.fields; }

    /// Answers with {"type":"result","id":…, …fields}. Requests without an id get no answer.
    void reply(const QJsonObject &fields = {}) const;
    /// The same with the members already encoded: `"key":value,…` (no braces), as
    /// protocol/json_writer.h writes them.
    void replyEncoded(QByteArrayView members) const;
    /// Answers with {"type":"error","id":…,"code":…,"message":…, …extra}.
    void fail(const Error &error, const QJsonObject &extra = {}) const;

    /// Takes a token from bucket `key`; when it is empty, answers rate_limited with
    /// "retry_after_ms" and returns true (the handler then stops).
    bool throttled(const QString &key, double perSecond, double burst) const;
    /// throttled() for the signed-in user and, ten times as generous, for their IP address
    /// (many accounts on one address): `what` names the bucket ("send", "typing").
    bool throttledPerUserAndAddress(const QString &what, double perSecond) const;

private:
    ChatCore *m_core;
    QPointer<Session> m_session;
    protocol::Frame m_frame;
};

} // namespace tidings::relay
