#include "chat/wire.h"

#include "protocol/json_writer.h"
#include "protocol/messages/replies.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tidings::relay::wire {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

messages::User userValue(const UserRecord &user)
{
    return messages::User{user.id, user.username, user.displayName, std::nullopt, {}};
}

messages::Member memberValue(const MemberRecord &member)
{
    return messages::Member{member.userId,       roleName(member.role), member.joinedSeq,
                            member.deliveredSeq, member.readSeq,        member.leftSeq};
}

messages::LogEntry entryValue(const EventRecord &event)
{
    return messages::LogEntry{event.conversationId, event.seq,      event.kind,      event.senderId,
                              event.createdAt,      event.clientId, event.targetSeq, event.body};
}

} // namespace

QJsonObject publicUser(const UserRecord &user)
{
    return userValue(user).encode();
}

QJsonObject ownUser(const UserRecord &user)
{
    messages::User own = userValue(user);
    own.hideLastSeen = user.hideLastSeen;
    own.groupAdds = user.groupAdds;
    return own.encode();
}

QJsonObject session(const SessionRecord &session, bool current)
{
    return QJsonObject{{u"id"_s, session.id},
                       {u"device"_s, session.device},
                       {u"created_at"_s, session.createdAt},
                       {u"last_used_at"_s, session.lastUsedAt},
                       {u"current"_s, current}};
}

QJsonObject event(const EventRecord &event)
{
    return entryValue(event).encode();
}

QByteArray eventJson(const EventRecord &event)
{
    // The same members as event(), written directly (protocol/json_writer.h).
    QByteArray out;
    out.reserve(160 + event.clientId.size());
    out.append("{\"conversation\":");
    out.append(QByteArray::number(event.conversationId));
    out.append(",\"seq\":");
    out.append(QByteArray::number(event.seq));
    out.append(",\"kind\":");
    protocol::json::appendString(out, event.kind);
    out.append(",\"sender\":");
    out.append(QByteArray::number(event.senderId));
    out.append(",\"time\":");
    out.append(QByteArray::number(event.createdAt));
    if (!event.clientId.isEmpty()) {
        out.append(",\"client_id\":");
        protocol::json::appendString(out, event.clientId);
    }
    if (event.targetSeq > 0) {
        out.append(",\"target_seq\":");
        out.append(QByteArray::number(event.targetSeq));
    }
    if (!event.body.isEmpty()) {
        const qsizetype before = out.size();
        out.append(',');
        protocol::json::appendMembers(out, event.body, [](QStringView key) {
            return key == u"conversation" || key == u"seq" || key == u"kind" || key == u"sender"
                || key == u"time" || key == u"client_id" || key == u"target_seq";
        });
        if (out.size() == before + 1)
            out.chop(1);
    }
    out.append('}');
    return out;
}

QByteArray eventFrame(const QByteArray &eventJson)
{
    Q_ASSERT(eventJson.startsWith('{'));
    QByteArray frame;
    frame.reserve(eventJson.size() + 16);
    frame.append("{\"type\":\"event\"");
    if (eventJson.size() > 2)
        frame.append(',');
    frame.append(QByteArrayView(eventJson).sliced(1));
    return frame;
}

QJsonObject member(const MemberRecord &member)
{
    return memberValue(member).encode();
}

QJsonObject conversation(const sql::ConversationSummary &summary)
{
    messages::ConversationInfo info;
    info.id = summary.conversation.id;
    info.kind = summary.conversation.isGroup ? u"group"_s : u"direct"_s;
    info.title = summary.conversation.title;
    info.lastSeq = summary.conversation.lastSeq;
    info.createdAt = summary.conversation.createdAt;
    info.memberCount = summary.memberCount;
    info.me = memberValue(summary.me);
    info.unread = summary.unread;
    if (summary.conversation.e2eSeq > 0)
        info.e2eSeq = summary.conversation.e2eSeq;
    if (!summary.members.isEmpty() || summary.memberCount == 0) {
        info.members.emplace();
        for (const MemberRecord &record : summary.members)
            info.members->append(memberValue(record));
    }
    if (summary.lastMessage)
        info.lastMessage = entryValue(*summary.lastMessage);
    return info.encode();
}

QList<UserId> usersMentioned(const sql::ConversationSummary &summary)
{
    QList<UserId> ids{summary.me.userId};
    for (const MemberRecord &record : summary.members)
        ids.append(record.userId);
    if (summary.lastMessage)
        ids.append(summary.lastMessage->senderId);
    return ids;
}

} // namespace tidings::relay::wire
