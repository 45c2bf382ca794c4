#include "protocol/messages/events.h"

#include "protocol/fields.h"

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMax = fields::kMaxSafeInteger;

Error bad(const QString &key, const QString &what)
{
    return Error{ErrorCode::BadRequest, u"field '%1' must be %2"_s.arg(key, what)};
}

/// The envelope's members: what LogEntry holds apart from `body`.
bool isEnvelope(const QString &key)
{
    return key == u"conversation" || key == u"seq" || key == u"kind" || key == u"sender"
        || key == u"time" || key == u"client_id" || key == u"target_seq" || key == u"type";
}

Result<QMap<QString, QList<qint64>>> reactionsOf(const QJsonObject &body)
{
    QMap<QString, QList<qint64>> reactions;
    const QJsonValue value = body.value(u"reactions"_s);
    if (value.isUndefined() || value.isNull())
        return reactions;
    if (!value.isObject())
        return bad(u"reactions"_s, u"an object of emoji to user ids"_s);
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isArray())
            return bad(u"reactions"_s, u"an object of emoji to user ids"_s);
        QList<qint64> users;
        for (const QJsonValue &user : it.value().toArray()) {
            const auto id = fields::integer(QJsonObject{{u"user"_s, user}}, u"user"_s, 1);
            if (!id)
                return bad(u"reactions"_s, u"an object of emoji to user ids"_s);
            users.append(*id);
        }
        reactions.insert(it.key(), users);
    }
    return reactions;
}

} // namespace

Result<LogEntry> LogEntry::decode(const QJsonObject &fields)
{
    LogEntry entry;
    const auto conversation = fields::integer(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto seq = fields::integer(fields, u"seq"_s, 1);
    if (!seq)
        return seq.error();
    const auto kind = fields::string(fields, u"kind"_s, {1, 64});
    if (!kind)
        return kind.error();
    const auto sender = fields::integer(fields, u"sender"_s, 0);
    if (!sender)
        return sender.error();
    const auto time = fields::integer(fields, u"time"_s, 0);
    if (!time)
        return time.error();
    const auto clientId = fields::optionalString(fields, u"client_id"_s, {0, 256});
    if (!clientId)
        return clientId.error();
    const auto targetSeq = fields::optionalInteger(fields, u"target_seq"_s, 1);
    if (!targetSeq)
        return targetSeq.error();
    entry.conversation = *conversation;
    entry.seq = *seq;
    entry.kind = *kind;
    entry.sender = *sender;
    entry.time = *time;
    entry.clientId = clientId->value_or(QString());
    entry.targetSeq = targetSeq->value_or(0);
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        if (!isEnvelope(it.key()))
            entry.body.insert(it.key(), it.value());
    }
    return entry;
}

QJsonObject LogEntry::encode() const
{
    QJsonObject fields = body;
    fields.insert(u"conversation"_s, conversation);
    fields.insert(u"seq"_s, seq);
    fields.insert(u"kind"_s, kind);
    fields.insert(u"sender"_s, sender);
    fields.insert(u"time"_s, time);
    if (!clientId.isEmpty())
        fields.insert(u"client_id"_s, clientId);
    if (targetSeq > 0)
        fields.insert(u"target_seq"_s, targetSeq);
    return fields;
}

Result<MessageState> MessageState::decode(const QJsonObject &body)
{
    MessageState state;
    const auto deleted = fields::optionalBoolean(body, u"deleted"_s);
    if (!deleted)
        return deleted.error();
    const auto expired = fields::optionalBoolean(body, u"expired"_s);
    if (!expired)
        return expired.error();
    const auto text = fields::optionalString(body, u"text"_s, {0, 16 * 1024 * 1024});
    if (!text)
        return text.error();
    const auto replyTo = fields::optionalInteger(body, u"reply_to"_s, 1);
    if (!replyTo)
        return replyTo.error();
    const auto editedAt = fields::optionalInteger(body, u"edited_at"_s, 0);
    if (!editedAt)
        return editedAt.error();
    const auto deletedAt = fields::optionalInteger(body, u"deleted_at"_s, 0);
    if (!deletedAt)
        return deletedAt.error();
    const QJsonValue attachments = body.value(u"attachments"_s);
    if (!attachments.isUndefined() && !attachments.isNull()) {
        if (!attachments.isArray())
            return bad(u"attachments"_s, u"an array of objects"_s);
        for (const QJsonValue &attachment : attachments.toArray()) {
            if (!attachment.isObject())
                return bad(u"attachments"_s, u"an array of objects"_s);
        }
        state.attachments = attachments.toArray();
    }
    auto reactions = reactionsOf(body);
    if (!reactions)
        return reactions.error();
    state.text = text->value_or(QString());
    state.replyTo = replyTo->value_or(0);
    state.reactions = std::move(*reactions);
    state.editedAt = editedAt->value_or(0);
    state.deleted = deleted->value_or(false);
    state.deletedAt = deletedAt->value_or(0);
    state.expired = expired->value_or(false);
    return state;
}

QJsonObject MessageState::encode() const
{
    QJsonObject body;
    if (deleted) {
        body.insert(u"deleted"_s, true);
        if (deletedAt > 0)
            body.insert(u"deleted_at"_s, deletedAt);
        return body;
    }
    if (expired) {
        body.insert(u"expired"_s, true);
        return body;
    }
    body.insert(u"text"_s, text);
    if (replyTo > 0)
        body.insert(u"reply_to"_s, replyTo);
    if (!attachments.isEmpty())
        body.insert(u"attachments"_s, attachments);
    if (!reactions.isEmpty()) {
        QJsonObject object;
        for (auto it = reactions.cbegin(); it != reactions.cend(); ++it) {
            QJsonArray users;
            for (const qint64 user : it.value())
                users.append(user);
            object.insert(it.key(), users);
        }
        body.insert(u"reactions"_s, object);
    }
    if (editedAt > 0)
        body.insert(u"edited_at"_s, editedAt);
    return body;
}

Result<EditChange> EditChange::decode(const QJsonObject &body)
{
    const auto deleted = fields::optionalBoolean(body, u"deleted"_s);
    if (!deleted)
        return deleted.error();
    const auto expired = fields::optionalBoolean(body, u"expired"_s);
    if (!expired)
        return expired.error();
    if (deleted->value_or(false) || expired->value_or(false))
        return EditChange{QString(), true};
    const auto text = fields::string(body, u"text"_s, {0, 16 * 1024 * 1024});
    if (!text)
        return text.error();
    return EditChange{*text, false};
}

Result<ReactionChange> ReactionChange::decode(const QJsonObject &body)
{
    const auto emoji = fields::string(body, u"emoji"_s, {1, 32});
    if (!emoji)
        return emoji.error();
    const auto on = fields::optionalBoolean(body, u"on"_s);
    if (!on)
        return on.error();
    return ReactionChange{*emoji, on->value_or(true)};
}

bool isMembershipKind(QStringView kind)
{
    return kind == kinds::kCreated || kind == kinds::kMemberAdded || kind == kinds::kMemberRemoved
        || kind == kinds::kMemberLeft || kind == kinds::kRenamed || kind == kinds::kRoleChanged;
}

Result<MembershipChange> MembershipChange::decode(QStringView kind, const QJsonObject &body)
{
    MembershipChange change;
    if (kind == kinds::kCreated || kind == kinds::kMemberAdded) {
        const QString key = kind == kinds::kCreated ? u"members"_s : u"users"_s;
        auto users = fields::integerList(body, key, 1 << 20, 1);
        if (!users)
            return users.error();
        change.users = std::move(*users);
        if (kind == kinds::kCreated) {
            const auto title = fields::optionalString(body, u"title"_s, {0, 1024});
            if (!title)
                return title.error();
            change.title = title->value_or(QString());
        }
        return change;
    }
    if (kind == kinds::kRenamed) {
        const auto title = fields::string(body, u"title"_s, {0, 1024});
        if (!title)
            return title.error();
        change.title = *title;
        return change;
    }
    if (kind == kinds::kMemberRemoved || kind == kinds::kMemberLeft
        || kind == kinds::kRoleChanged) {
        const auto user = fields::integer(body, u"user"_s, 1);
        if (!user)
            return user.error();
        change.user = *user;
        if (kind == kinds::kMemberLeft) {
            const auto heir = fields::optionalInteger(body, u"new_owner"_s, 1);
            if (!heir)
                return heir.error();
            change.newOwner = heir->value_or(0);
        }
        if (kind == kinds::kRoleChanged) {
            const auto role = fields::string(body, u"role"_s, {1, 16});
            if (!role)
                return role.error();
            change.role = *role;
        }
        return change;
    }
    return Error{ErrorCode::BadRequest, u"'%1' is not a kind that changes members"_s.arg(kind)};
}

Result<ReceiptEvent> ReceiptEvent::decode(const QJsonObject &fields)
{
    const auto conversation = fields::integer(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto delivered = fields::integer(fields, u"delivered_seq"_s, 0);
    if (!delivered)
        return delivered.error();
    const auto read = fields::integer(fields, u"read_seq"_s, 0);
    if (!read)
        return read.error();
    return ReceiptEvent{*conversation, *user, *delivered, *read};
}

QJsonObject ReceiptEvent::encode() const
{
    return {{u"conversation"_s, conversation},
            {u"user"_s, user},
            {u"delivered_seq"_s, deliveredSeq},
            {u"read_seq"_s, readSeq}};
}

Result<TypingEvent> TypingEvent::decode(const QJsonObject &fields)
{
    const auto conversation = fields::integer(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto typing = fields::boolean(fields, u"typing"_s);
    if (!typing)
        return typing.error();
    return TypingEvent{*conversation, *user, *typing};
}

QJsonObject TypingEvent::encode() const
{
    return {{u"conversation"_s, conversation}, {u"user"_s, user}, {u"typing"_s, typing}};
}

Result<PresenceEvent> PresenceEvent::decode(const QJsonObject &fields)
{
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto online = fields::boolean(fields, u"online"_s);
    if (!online)
        return online.error();
    const auto lastSeen = fields::optionalInteger(fields, u"last_seen"_s, 0, kMax);
    if (!lastSeen)
        return lastSeen.error();
    return PresenceEvent{*user, *online, *lastSeen};
}

QJsonObject PresenceEvent::encode() const
{
    QJsonObject fields{{u"user"_s, user}, {u"online"_s, online}};
    if (lastSeen)
        fields.insert(u"last_seen"_s, *lastSeen);
    return fields;
}

Result<ResyncEvent> ResyncEvent::decode(const QJsonObject &)
{
    return ResyncEvent{};
}

} // namespace tidings::protocol::messages
