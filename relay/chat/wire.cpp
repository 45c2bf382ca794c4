#include "chat/wire.h"

#include "protocol/json_writer.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tidings::relay::wire {

using namespace Qt::StringLiterals;

QJsonObject publicUser(const UserRecord &user)
{
    return QJsonObject{
        {u"id"_s, user.id}, {u"username"_s, user.username}, {u"display_name"_s, user.displayName}};
}

QJsonObject ownUser(const UserRecord &user)
{
    QJsonObject object = publicUser(user);
    object.insert(u"hide_last_seen"_s, user.hideLastSeen);
    object.insert(u"group_adds"_s, user.groupAdds);
    return object;
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
    QJsonObject object = event.body;
    object.insert(u"conversation"_s, event.conversationId);
    object.insert(u"seq"_s, event.seq);
    object.insert(u"kind"_s, event.kind);
    object.insert(u"sender"_s, event.senderId);
    object.insert(u"time"_s, event.createdAt);
    if (!event.clientId.isEmpty())
        object.insert(u"client_id"_s, event.clientId);
    if (event.targetSeq > 0)
        object.insert(u"target_seq"_s, event.targetSeq);
    return object;
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
    QJsonObject object{{u"user"_s, member.userId},
                       {u"role"_s, roleName(member.role)},
                       {u"joined_seq"_s, member.joinedSeq},
                       {u"delivered_seq"_s, member.deliveredSeq},
                       {u"read_seq"_s, member.readSeq}};
    if (member.leftSeq)
        object.insert(u"left_seq"_s, *member.leftSeq);
    return object;
}

QJsonObject conversation(const sql::ConversationSummary &summary)
{
    QJsonObject object{{u"id"_s, summary.conversation.id},
                       {u"kind"_s, summary.conversation.isGroup ? u"group"_s : u"direct"_s},
                       {u"last_seq"_s, summary.conversation.lastSeq},
                       {u"created_at"_s, summary.conversation.createdAt},
                       {u"member_count"_s, summary.memberCount},
                       {u"me"_s, member(summary.me)},
                       {u"unread"_s, summary.unread}};
    if (summary.conversation.isGroup)
        object.insert(u"title"_s, summary.conversation.title);
    if (!summary.members.isEmpty() || summary.memberCount == 0) {
        QJsonArray members;
        for (const MemberRecord &record : summary.members)
            members.append(member(record));
        object.insert(u"members"_s, members);
    }
    if (summary.lastMessage)
        object.insert(u"last_message"_s, event(*summary.lastMessage));
    return object;
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
