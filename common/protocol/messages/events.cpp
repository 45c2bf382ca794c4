#include "protocol/messages/events.h"

#include "protocol/fields.h"
#include "protocol/messages/key_directory_p.h"

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMax = fields::kMaxSafeInteger;

using fields::bad;

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

/// What the relay keeps of an encrypted change may be as large as its setting allows; this
/// bounds only what a client reads.
constexpr qsizetype kMaxStoredCiphertext = 16 * 1024 * 1024;

/// Whether `body` is what is left of a deleted or expired entry: `deleted`, `expired`.
Result<std::pair<bool, bool>> goneFlags(const QJsonObject &body)
{
    const auto deleted = fields::optionalBoolean(body, u"deleted"_s);
    if (!deleted)
        return deleted.error();
    const auto expired = fields::optionalBoolean(body, u"expired"_s);
    if (!expired)
        return expired.error();
    return std::pair{deleted->value_or(false), expired->value_or(false)};
}

/// The `device` and `ciphertext` every encrypted kind carries.
Result<std::pair<quint32, QByteArray>> sealed(const QJsonObject &body)
{
    const auto device = keyfields::u32(body, u"device"_s, 1);
    if (!device)
        return device.error();
    auto ciphertext = keyfields::bytesUpTo(body, u"ciphertext"_s, kMaxStoredCiphertext);
    if (!ciphertext)
        return ciphertext.error();
    return std::pair{*device, std::move(ciphertext).value()};
}

Result<QStringList> mediaIds(const QJsonObject &body)
{
    QStringList media;
    const QJsonValue value = body.value(u"media"_s);
    if (value.isUndefined() || value.isNull())
        return media;
    if (!value.isArray())
        return bad(u"media"_s, u"an array of media ids"_s);
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isString() || !fields::isMediaId(item.toString()))
            return bad(u"media"_s, u"an array of media ids"_s);
        media.append(item.toString());
    }
    return media;
}

Result<std::optional<EncryptedMessageState::Edit>> encryptedEditOf(const QJsonObject &body)
{
    const QJsonValue value = body.value(u"edit"_s);
    if (value.isUndefined() || value.isNull())
        return std::optional<EncryptedMessageState::Edit>();
    if (!value.isObject())
        return bad(u"edit"_s, u"an object"_s);
    const QJsonObject edit = value.toObject();
    const auto seq = fields::integer(edit, u"seq"_s, 1);
    if (!seq)
        return keyfields::within(u"edit"_s, seq.error());
    auto change = sealed(edit);
    if (!change)
        return keyfields::within(u"edit"_s, change.error());
    return std::optional<EncryptedMessageState::Edit>(
        EncryptedMessageState::Edit{*seq, change->first, std::move(change->second)});
}

Result<QMap<QString, EncryptedMessageState::Reaction>> encryptedReactionsOf(const QJsonObject &body)
{
    QMap<QString, EncryptedMessageState::Reaction> reactions;
    const QJsonValue value = body.value(u"reactions"_s);
    if (value.isUndefined() || value.isNull())
        return reactions;
    const QString what
        = u"an object of tags to {\"users\", \"sender\", \"device\", \"ciphertext\"}"_s;
    if (!value.isObject())
        return bad(u"reactions"_s, what);
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isObject())
            return bad(u"reactions"_s, what);
        const QJsonObject entry = it.value().toObject();
        auto users = fields::integerList(entry, u"users"_s, 1 << 20, 1);
        if (!users)
            return keyfields::within(u"reactions"_s, users.error());
        const auto sender = fields::integer(entry, u"sender"_s, 1);
        if (!sender)
            return keyfields::within(u"reactions"_s, sender.error());
        auto reaction = sealed(entry);
        if (!reaction)
            return keyfields::within(u"reactions"_s, reaction.error());
        reactions.insert(it.key(),
                         EncryptedMessageState::Reaction{std::move(users).value(), *sender,
                                                         reaction->first,
                                                         std::move(reaction->second)});
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

Result<EncryptedMessageState> EncryptedMessageState::decode(const QJsonObject &body)
{
    EncryptedMessageState state;
    const auto gone = goneFlags(body);
    if (!gone)
        return gone.error();
    // Deleted or expired, the relay keeps none of the content: nothing else is required.
    if (gone->first || gone->second) {
        const auto deletedAt = fields::optionalInteger(body, u"deleted_at"_s, 0);
        if (!deletedAt)
            return deletedAt.error();
        state.deleted = gone->first;
        state.deletedAt = deletedAt->value_or(0);
        state.expired = gone->second;
        return state;
    }
    auto message = sealed(body);
    if (!message)
        return message.error();
    auto media = mediaIds(body);
    if (!media)
        return media.error();
    if (body.contains(u"mentions"_s) && !body.value(u"mentions"_s).isNull()) {
        auto mentions = fields::integerList(body, u"mentions"_s, 1 << 20, 1);
        if (!mentions)
            return mentions.error();
        state.mentions = std::move(mentions).value();
    }
    auto edit = encryptedEditOf(body);
    if (!edit)
        return edit.error();
    const auto editedAt = fields::optionalInteger(body, u"edited_at"_s, 0);
    if (!editedAt)
        return editedAt.error();
    auto reactions = encryptedReactionsOf(body);
    if (!reactions)
        return reactions.error();
    state.device = message->first;
    state.ciphertext = std::move(message->second);
    state.media = std::move(media).value();
    state.edit = std::move(edit).value();
    state.editedAt = editedAt->value_or(0);
    state.reactions = std::move(reactions).value();
    return state;
}

QJsonObject EncryptedMessageState::encode() const
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
    body.insert(u"device"_s, qint64(device));
    body.insert(u"ciphertext"_s, keyfields::base64(ciphertext));
    if (!media.isEmpty())
        body.insert(u"media"_s, QJsonArray::fromStringList(media));
    if (!mentions.isEmpty()) {
        QJsonArray users;
        for (const qint64 user : mentions)
            users.append(user);
        body.insert(u"mentions"_s, users);
    }
    if (edit) {
        body.insert(u"edit"_s,
                    QJsonObject{{u"seq"_s, edit->seq},
                                {u"device"_s, qint64(edit->device)},
                                {u"ciphertext"_s, keyfields::base64(edit->ciphertext)}});
    }
    if (editedAt > 0)
        body.insert(u"edited_at"_s, editedAt);
    if (!reactions.isEmpty()) {
        QJsonObject object;
        for (auto it = reactions.cbegin(); it != reactions.cend(); ++it) {
            QJsonArray users;
            for (const qint64 user : it->users)
                users.append(user);
            object.insert(it.key(),
                          QJsonObject{{u"users"_s, users},
                                      {u"sender"_s, it->sender},
                                      {u"device"_s, qint64(it->device)},
                                      {u"ciphertext"_s, keyfields::base64(it->ciphertext)}});
        }
        body.insert(u"reactions"_s, object);
    }
    return body;
}

Result<EncryptedEditChange> EncryptedEditChange::decode(const QJsonObject &body)
{
    const auto gone = goneFlags(body);
    if (!gone)
        return gone.error();
    EncryptedEditChange change;
    if (gone->first || gone->second) {
        change.gone = true;
        return change;
    }
    auto edit = sealed(body);
    if (!edit)
        return edit.error();
    change.device = edit->first;
    change.ciphertext = std::move(edit->second);
    return change;
}

Result<EncryptedReactionChange> EncryptedReactionChange::decode(const QJsonObject &body)
{
    const auto gone = goneFlags(body);
    if (!gone)
        return gone.error();
    EncryptedReactionChange change;
    if (gone->first || gone->second) {
        change.gone = true;
        return change;
    }
    auto reaction = sealed(body);
    if (!reaction)
        return reaction.error();
    const QJsonValue tag = body.value(u"tag"_s);
    if (!tag.isString() || tag.toString().isEmpty() || tag.toString().size() > 64)
        return bad(u"tag"_s, u"a string of 1 to 64 characters"_s);
    const auto on = fields::optionalBoolean(body, u"on"_s);
    if (!on)
        return on.error();
    change.device = reaction->first;
    change.tag = tag.toString();
    change.on = on->value_or(true);
    change.ciphertext = std::move(reaction->second);
    return change;
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
