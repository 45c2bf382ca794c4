#include "protocol/messages/message_requests.h"

#include "protocol/fields.h"
#include "protocol/messages/attachment.h"
#include "protocol/messages/key_directory_p.h"

#include <QJsonDocument>
#include <QSet>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxAttachments = 10;
constexpr qsizetype kMaxAttachmentBytes = 8192; // room for a small thumbnail

/// What every change names: the conversation and the client's id for it, and for a change
/// to a message, its seq.
struct Target
{
    qint64 conversation = 0;
    QString clientId;
    qint64 seq = 0;
};

Result<Target> target(const QJsonObject &fields, bool message)
{
    const auto conversation = fields::integer(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto clientId = fields::string(fields, u"client_id"_s, fields::kClientId);
    if (!clientId)
        return clientId.error();
    Target place{*conversation, *clientId, 0};
    if (message) {
        const auto seq = fields::integer(fields, u"seq"_s, 1);
        if (!seq)
            return seq.error();
        place.seq = *seq;
    }
    return place;
}

Result<QString> messageText(const QJsonObject &fields, bool allowEmpty, const Limits &limits)
{
    const QJsonValue value = fields.value(u"text"_s);
    if (allowEmpty && (value.isUndefined() || value.isNull()))
        return QString();
    if (!value.isString())
        return Error{ErrorCode::BadRequest, u"field 'text' must be a string"_s};
    const QString text = value.toString();
    if (text.toUtf8().size() > limits.maxTextBytes)
        return Error{ErrorCode::TooLarge,
                     u"a message text has at most %1 bytes"_s.arg(limits.maxTextBytes)};
    if (!allowEmpty && text.trimmed().isEmpty())
        return Error{ErrorCode::BadRequest, u"a message needs some text"_s};
    return text;
}

Result<QJsonArray> checkedAttachments(const QJsonObject &fields)
{
    const QJsonValue value = fields.value(u"attachments"_s);
    if (value.isUndefined() || value.isNull())
        return QJsonArray();
    const Error notArray{ErrorCode::BadRequest,
                         u"field 'attachments' must be an array of at most 10 objects"_s};
    if (!value.isArray() || value.toArray().size() > kMaxAttachments)
        return notArray;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return notArray;
        const QJsonObject attachment = item.toObject();
        if (QJsonDocument(attachment).toJson(QJsonDocument::Compact).size() > kMaxAttachmentBytes)
            return Error{ErrorCode::TooLarge,
                         u"an attachment description has at most 8192 bytes"_s};
        // The shapes here, by the one Attachment rule the apps read with too; whether the
        // media may be sent, in the relay's store.
        if (const auto checked = Attachment::decode(attachment); !checked)
            return checked.error();
    }
    return array;
}

Result<std::optional<int>> pageLimit(const QJsonObject &fields, const Limits &limits)
{
    const auto limit = fields::optionalInteger(fields, u"limit"_s, 1, limits.maxPageSize);
    if (!limit)
        return limit.error();
    if (!limit->has_value())
        return std::optional<int>();
    return std::optional<int>(static_cast<int>(**limit));
}

void insertTarget(QJsonObject &fields, qint64 conversation, const QString &clientId)
{
    fields.insert(u"conversation"_s, conversation);
    fields.insert(u"client_id"_s, clientId);
}

/// Whether field `key` is given: absent and null are alike, as for every optional field.
bool has(const QJsonObject &fields, const QString &key)
{
    const QJsonValue value = fields.value(key);
    return !value.isUndefined() && !value.isNull();
}

/// Field `ciphertext` of an encrypted message, edit or reaction: base64 (padded, one
/// spelling) of 1 to limits.maxCiphertextBytes bytes, the first of them the version, 1. A
/// longer one is TooLarge, told from the string's length before anything is decoded, so a
/// huge one costs no decoding.
Result<QByteArray> ciphertextOf(const QJsonObject &fields, const Limits &limits,
                                std::optional<qsizetype> cap = std::nullopt)
{
    const qsizetype most = cap.value_or(limits.maxCiphertextBytes);
    const QJsonValue value = fields.value(u"ciphertext"_s);
    if (value.isString()) {
        const QString text = value.toString();
        // 4 characters spell 3 bytes; padding takes back one byte per '=' of the last group.
        const qsizetype padding = text.endsWith(u"=="_s) ? 2 : text.endsWith(u'=') ? 1 : 0;
        if (text.size() / 4 * 3 - padding > most)
            return Error{ErrorCode::TooLarge,
                         u"field 'ciphertext' must be base64 of at most %1 bytes"_s.arg(most)};
    }
    auto bytes = keyfields::bytesUpTo(fields, u"ciphertext"_s, most);
    if (!bytes)
        return bytes.error();
    if (bytes->front() != 1)
        return Error{ErrorCode::BadRequest,
                     u"field 'ciphertext' must start with its format's version 1"_s};
    return bytes;
}

/// Field `media` of an encrypted message (absent: none): the distinct media ids its
/// attachments use, at most SendMessage::kMaxMedia.
Result<QStringList> mediaOf(const QJsonObject &fields)
{
    const QJsonValue value = fields.value(u"media"_s);
    if (value.isUndefined() || value.isNull())
        return QStringList();
    const QString what = u"field 'media' must be an array of at most %1 distinct media ids"_s.arg(
        SendMessage::kMaxMedia);
    if (!value.isArray())
        return Error{ErrorCode::BadRequest, what};
    const QJsonArray array = value.toArray();
    if (array.size() > SendMessage::kMaxMedia)
        return Error{ErrorCode::TooLarge, what};
    QStringList media;
    for (const QJsonValue &item : array) {
        if (!item.isString() || !fields::isMediaId(item.toString())
            || media.contains(item.toString()))
            return Error{ErrorCode::BadRequest, what};
        media.append(item.toString());
    }
    return media;
}

/// Field `mentions` of an encrypted message (absent: none): the distinct users it mentions,
/// at most SendMessage::kMaxMentions. More are TooLarge, as for `media`.
Result<QList<qint64>> mentionsOf(const QJsonObject &fields)
{
    if (!has(fields, u"mentions"_s))
        return QList<qint64>();
    const QJsonValue value = fields.value(u"mentions"_s);
    if (value.isArray() && value.toArray().size() > SendMessage::kMaxMentions)
        return Error{ErrorCode::TooLarge,
                     u"field 'mentions' must be an array of at most %1 user ids"_s.arg(
                         SendMessage::kMaxMentions)};
    return fields::integerList(fields, u"mentions"_s, SendMessage::kMaxMentions, 1);
}

/// Field `tag` of an encrypted reaction: kTagLength characters of base64url.
Result<QString> reactionTag(const QJsonObject &fields)
{
    const QJsonValue value = fields.value(u"tag"_s);
    const Error bad{
        ErrorCode::BadRequest,
        u"field 'tag' must be %1 characters of base64url (A-Z, a-z, 0-9, '-', '_')"_s.arg(
            ReactToMessage::kTagLength)};
    if (!value.isString())
        return bad;
    const QString tag = value.toString();
    if (tag.size() != ReactToMessage::kTagLength)
        return bad;
    for (const QChar c : tag) {
        if (!((c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')
              || c == u'-' || c == u'_'))
            return bad;
    }
    return tag;
}

/// An encrypted message.send: no plaintext field goes with `ciphertext`.
Result<SendMessage> encryptedMessage(const QJsonObject &fields, SendMessage message,
                                     const Limits &limits)
{
    for (const QString &plaintext : {u"text"_s, u"attachments"_s, u"reply_to"_s}) {
        if (has(fields, plaintext))
            return Error{ErrorCode::BadRequest,
                         u"field '%1' does not go with 'ciphertext': an encrypted message "
                         "carries it inside"_s.arg(plaintext)};
    }
    auto ciphertext = ciphertextOf(fields, limits);
    if (!ciphertext)
        return ciphertext.error();
    auto media = mediaOf(fields);
    if (!media)
        return media.error();
    auto mentions = mentionsOf(fields);
    if (!mentions)
        return mentions.error();
    message.ciphertext = std::move(ciphertext).value();
    message.media = std::move(media).value();
    message.mentions = std::move(mentions).value();
    return message;
}

} // namespace

Result<SendMessage> SendMessage::decode(const QJsonObject &fields, const Limits &limits)
{
    const auto where = target(fields, false);
    if (!where)
        return where.error();
    SendMessage message;
    message.conversation = where->conversation;
    message.clientId = where->clientId;
    if (has(fields, u"ciphertext"_s))
        return encryptedMessage(fields, std::move(message), limits);
    for (const QString &encrypted : {u"media"_s, u"mentions"_s}) {
        if (has(fields, encrypted))
            return Error{ErrorCode::BadRequest,
                         u"field '%1' goes only with 'ciphertext'"_s.arg(encrypted)};
    }
    auto files = checkedAttachments(fields);
    if (!files)
        return files.error();
    auto text = messageText(fields, !files->isEmpty(), limits);
    if (!text)
        return text.error();
    const auto replyTo = fields::optionalInteger(fields, u"reply_to"_s, 1);
    if (!replyTo)
        return replyTo.error();
    message.text = std::move(text).value();
    message.replyTo = replyTo->value_or(0);
    message.attachments = std::move(files).value();
    return message;
}

QJsonObject SendMessage::encode() const
{
    QJsonObject fields;
    insertTarget(fields, conversation, clientId);
    if (encrypted()) {
        fields.insert(u"ciphertext"_s, keyfields::base64(ciphertext));
        if (!media.isEmpty())
            fields.insert(u"media"_s, QJsonArray::fromStringList(media));
        if (!mentions.isEmpty()) {
            QJsonArray users;
            for (const qint64 user : mentions)
                users.append(user);
            fields.insert(u"mentions"_s, users);
        }
        return fields;
    }
    fields.insert(u"text"_s, text);
    if (replyTo > 0)
        fields.insert(u"reply_to"_s, replyTo);
    if (!attachments.isEmpty())
        fields.insert(u"attachments"_s, attachments);
    return fields;
}

Result<EditMessage> EditMessage::decode(const QJsonObject &fields, const Limits &limits)
{
    const auto where = target(fields, true);
    if (!where)
        return where.error();
    EditMessage edit;
    edit.conversation = where->conversation;
    edit.clientId = where->clientId;
    edit.seq = where->seq;
    if (has(fields, u"ciphertext"_s)) {
        if (has(fields, u"text"_s))
            return Error{ErrorCode::BadRequest, u"give 'text' or 'ciphertext', not both"_s};
        auto ciphertext = ciphertextOf(fields, limits);
        if (!ciphertext)
            return ciphertext.error();
        edit.ciphertext = std::move(ciphertext).value();
        return edit;
    }
    auto text = messageText(fields, false, limits);
    if (!text)
        return text.error();
    edit.text = std::move(text).value();
    return edit;
}

QJsonObject EditMessage::encode() const
{
    QJsonObject fields;
    insertTarget(fields, conversation, clientId);
    fields.insert(u"seq"_s, seq);
    if (encrypted())
        fields.insert(u"ciphertext"_s, keyfields::base64(ciphertext));
    else
        fields.insert(u"text"_s, text);
    return fields;
}

Result<DeleteMessage> DeleteMessage::decode(const QJsonObject &fields, const Limits &)
{
    const auto where = target(fields, true);
    if (!where)
        return where.error();
    return DeleteMessage{where->conversation, where->clientId, where->seq};
}

QJsonObject DeleteMessage::encode() const
{
    QJsonObject fields;
    insertTarget(fields, conversation, clientId);
    fields.insert(u"seq"_s, seq);
    return fields;
}

Result<ReactToMessage> ReactToMessage::decode(const QJsonObject &fields, const Limits &limits)
{
    const auto where = target(fields, true);
    if (!where)
        return where.error();
    const auto on = fields::optionalBoolean(fields, u"on"_s);
    if (!on)
        return on.error();
    ReactToMessage reaction;
    reaction.conversation = where->conversation;
    reaction.clientId = where->clientId;
    reaction.seq = where->seq;
    reaction.on = on->value_or(true);

    const bool tagged = has(fields, u"tag"_s);
    const bool sealed = has(fields, u"ciphertext"_s);
    if (has(fields, u"emoji"_s) && (tagged || sealed))
        return Error{ErrorCode::BadRequest, u"give 'emoji', or 'tag' and 'ciphertext', not both"_s};
    if (tagged != sealed)
        return Error{ErrorCode::BadRequest,
                     tagged ? u"field 'ciphertext' goes with 'tag'"_s
                            : u"field 'tag' goes with 'ciphertext'"_s};
    if (tagged) {
        auto tag = reactionTag(fields);
        if (!tag)
            return tag.error();
        auto ciphertext = ciphertextOf(
            fields, limits,
            std::min(limits.maxCiphertextBytes, ReactToMessage::kMaxCiphertextBytes));
        if (!ciphertext)
            return ciphertext.error();
        reaction.tag = std::move(tag).value();
        reaction.ciphertext = std::move(ciphertext).value();
        return reaction;
    }

    const auto emoji = fields::string(fields, u"emoji"_s, {1, 32});
    if (!emoji)
        return emoji.error();
    for (const QChar c : *emoji) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return Error{ErrorCode::BadRequest,
                         u"field 'emoji' must not contain spaces or control characters"_s};
    }
    reaction.emoji = *emoji;
    return reaction;
}

QJsonObject ReactToMessage::encode() const
{
    QJsonObject fields;
    insertTarget(fields, conversation, clientId);
    fields.insert(u"seq"_s, seq);
    if (encrypted()) {
        fields.insert(u"tag"_s, tag);
        fields.insert(u"ciphertext"_s, keyfields::base64(ciphertext));
    } else {
        fields.insert(u"emoji"_s, emoji);
    }
    fields.insert(u"on"_s, on);
    return fields;
}

Result<Receipt> Receipt::decode(const QJsonObject &fields, const Limits &)
{
    const auto conversation = fields::integer(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto delivered = fields::optionalInteger(fields, u"delivered_seq"_s, 0);
    if (!delivered)
        return delivered.error();
    const auto read = fields::optionalInteger(fields, u"read_seq"_s, 0);
    if (!read)
        return read.error();
    if (!delivered->has_value() && !read->has_value())
        return Error{ErrorCode::BadRequest, u"give 'delivered_seq', 'read_seq' or both"_s};
    return Receipt{*conversation, *delivered, *read};
}

QJsonObject Receipt::encode() const
{
    QJsonObject fields{{u"conversation"_s, conversation}};
    if (deliveredSeq)
        fields.insert(u"delivered_seq"_s, *deliveredSeq);
    if (readSeq)
        fields.insert(u"read_seq"_s, *readSeq);
    return fields;
}

Result<Sync> Sync::decode(const QJsonObject &fields, const Limits &limits)
{
    auto limit = pageLimit(fields, limits);
    if (!limit)
        return limit.error();
    Sync sync;
    sync.limit = *limit;
    const QJsonValue cursors = fields.value(u"cursors"_s);
    if (cursors.isUndefined() || cursors.isNull())
        return sync;
    const Error bad{
        ErrorCode::BadRequest,
        u"field 'cursors' must be an array of at most 100000 {\"conversation\", \"seq\"} objects"_s};
    if (!cursors.isArray() || cursors.toArray().size() > kMaxCursors)
        return bad;
    const QJsonArray array = cursors.toArray();
    sync.cursors.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return bad;
        const auto conversation = fields::integer(item.toObject(), u"conversation"_s, 1);
        const auto seq = fields::integer(item.toObject(), u"seq"_s, 0);
        if (!conversation || !seq)
            return bad;
        sync.cursors.append({*conversation, *seq});
    }
    return sync;
}

QJsonObject Sync::encode() const
{
    QJsonArray array;
    for (const Cursor &cursor : cursors)
        array.append(QJsonObject{{u"conversation"_s, cursor.conversation}, {u"seq"_s, cursor.seq}});
    QJsonObject fields{{u"cursors"_s, array}};
    if (limit)
        fields.insert(u"limit"_s, *limit);
    return fields;
}

Result<History> History::decode(const QJsonObject &fields, const Limits &limits)
{
    const auto conversation = fields::integer(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto before = fields::optionalInteger(fields, u"before"_s, 1);
    if (!before)
        return before.error();
    const auto after = fields::optionalInteger(fields, u"after"_s, 0);
    if (!after)
        return after.error();
    if (before->has_value() && after->has_value())
        return Error{ErrorCode::BadRequest, u"give 'before' or 'after', not both"_s};
    auto limit = pageLimit(fields, limits);
    if (!limit)
        return limit.error();
    return History{*conversation, *before, *after, *limit};
}

QJsonObject History::encode() const
{
    QJsonObject fields{{u"conversation"_s, conversation}};
    if (before)
        fields.insert(u"before"_s, *before);
    if (after)
        fields.insert(u"after"_s, *after);
    if (limit)
        fields.insert(u"limit"_s, *limit);
    return fields;
}

Result<Typing> Typing::decode(const QJsonObject &fields, const Limits &)
{
    const auto conversation = fields::integer(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto typing = fields::optionalBoolean(fields, u"typing"_s);
    if (!typing)
        return typing.error();
    return Typing{*conversation, typing->value_or(true)};
}

QJsonObject Typing::encode() const
{
    QJsonObject fields{{u"conversation"_s, conversation}};
    if (!typing)
        fields.insert(u"typing"_s, false);
    return fields;
}

Result<PresenceQuery> PresenceQuery::decode(const QJsonObject &fields, const Limits &)
{
    auto users = fields::integerList(fields, u"users"_s, kMaxUsers, 1);
    if (!users)
        return users.error();
    return PresenceQuery{std::move(users).value()};
}

QJsonObject PresenceQuery::encode() const
{
    QJsonArray array;
    for (const qint64 user : users)
        array.append(user);
    return {{u"users"_s, array}};
}

Result<Report> Report::decode(const QJsonObject &fields, const Limits &)
{
    const auto user = fields::optionalInteger(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto conversation = fields::optionalInteger(fields, u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto seq = fields::optionalInteger(fields, u"seq"_s, 1);
    if (!seq)
        return seq.error();
    const auto reason = fields::string(fields, u"reason"_s, {1, 2000});
    if (!reason)
        return reason.error();
    if (!user->has_value() && !(conversation->has_value() && seq->has_value()))
        return Error{ErrorCode::BadRequest,
                     u"report a 'user', or a message by 'conversation' and 'seq'"_s};
    return Report{user->value_or(0), conversation->value_or(0), seq->value_or(0), *reason};
}

QJsonObject Report::encode() const
{
    QJsonObject fields{{u"reason"_s, reason}};
    if (user > 0)
        fields.insert(u"user"_s, user);
    if (conversation > 0)
        fields.insert(u"conversation"_s, conversation);
    if (seq > 0)
        fields.insert(u"seq"_s, seq);
    return fields;
}

} // namespace tidings::protocol::messages
