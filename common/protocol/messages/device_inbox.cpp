#include "protocol/messages/device_inbox.h"

#include "protocol/fields.h"
#include "protocol/messages/key_directory_p.h"

#include <QJsonArray>
#include <QPair>
#include <QSet>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

using keyfields::base64;

using fields::bad;

/// Field `body` of an inbox.send message: base64 of 1 to kMaxBodyBytes bytes. A longer one
/// is TooLarge, told from the string's length before anything is decoded, so a huge body
/// costs no decoding.
Result<QByteArray> recipientBody(const QJsonObject &fields)
{
    const QJsonValue value = fields.value(u"body"_s);
    if (value.isString()) {
        const QString text = value.toString();
        // 4 characters spell 3 bytes; padding takes back one byte per '=' of the last group.
        const qsizetype padding = text.endsWith(u"=="_s) ? 2 : text.endsWith(u'=') ? 1 : 0;
        if (text.size() / 4 * 3 - padding > SendToInbox::kMaxBodyBytes)
            return Error{
                ErrorCode::TooLarge,
                u"field 'body' must be base64 of 1 to %1 bytes"_s.arg(SendToInbox::kMaxBodyBytes)};
    }
    return keyfields::bytesUpTo(fields, u"body"_s, SendToInbox::kMaxBodyBytes);
}

Result<InboxRecipient> decodeRecipient(const QJsonObject &fields)
{
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto device = keyfields::u32(fields, u"device"_s, 1);
    if (!device)
        return device.error();
    auto body = recipientBody(fields);
    if (!body)
        return body.error();
    return InboxRecipient{*user, *device, std::move(body).value()};
}

QJsonObject encodeRecipient(const InboxRecipient &recipient)
{
    return {{u"user"_s, recipient.user},
            {u"device"_s, qint64(recipient.device)},
            {u"body"_s, base64(recipient.body)}};
}

QString refusalName(InboxRefusal reason)
{
    switch (reason) {
    case InboxRefusal::NotRegistered:
        return u"not_registered"_s;
    case InboxRefusal::Full:
        return u"full"_s;
    case InboxRefusal::Forbidden:
        return u"forbidden"_s;
    }
    Q_UNREACHABLE();
    return {};
}

Result<InboxUndelivered> decodeUndelivered(const QJsonObject &fields)
{
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto device = keyfields::u32(fields, u"device"_s, 1);
    if (!device)
        return device.error();
    const QJsonValue reason = fields.value(u"reason"_s);
    if (reason.isUndefined() || reason.isNull())
        return Error{ErrorCode::BadRequest, u"field 'reason' is required"_s};
    for (const InboxRefusal known :
         {InboxRefusal::NotRegistered, InboxRefusal::Full, InboxRefusal::Forbidden}) {
        if (reason.isString() && reason.toString() == refusalName(known))
            return InboxUndelivered{*user, *device, known};
    }
    return bad(u"reason"_s, u"\"not_registered\", \"full\" or \"forbidden\""_s);
}

QJsonObject encodeUndelivered(const InboxUndelivered &undelivered)
{
    return {{u"user"_s, undelivered.user},
            {u"device"_s, qint64(undelivered.device)},
            {u"reason"_s, refusalName(undelivered.reason)}};
}

/// The objects of array `key` (required), each read by `decode`.
template<typename T, typename Decode>
Result<QList<T>> listOf(const QJsonObject &fields, const QString &key, Decode decode)
{
    const QJsonValue value = fields.value(key);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    if (!value.isArray())
        return bad(key, u"an array of objects"_s);
    QList<T> items;
    const QJsonArray array = value.toArray();
    items.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return bad(key, u"an array of objects"_s);
        auto decoded = decode(item.toObject());
        if (!decoded)
            return keyfields::within(key, decoded.error());
        items.append(std::move(decoded).value());
    }
    return items;
}

template<typename T, typename Encode> QJsonArray arrayOf(const QList<T> &items, Encode encode)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(encode(item));
    return array;
}

} // namespace

Result<SendToInbox> SendToInbox::decode(const QJsonObject &fields, const Limits &)
{
    auto clientId = fields::string(fields, u"client_id"_s, fields::kClientId);
    if (!clientId)
        return clientId.error();
    const QJsonValue value = fields.value(u"messages"_s);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field 'messages' is required"_s};
    const Error badList = bad(u"messages"_s,
                              u"an array of 1 to %1 {\"user\", \"device\", \"body\"} objects, "
                              u"each device once"_s.arg(kMaxRecipients));
    if (!value.isArray())
        return badList;
    const QJsonArray array = value.toArray();
    if (array.isEmpty())
        return badList;
    // Counted before any item is read: a huge list costs nothing.
    if (array.size() > kMaxRecipients)
        return Error{ErrorCode::TooLarge,
                     u"field 'messages' holds at most %1 messages"_s.arg(kMaxRecipients)};
    SendToInbox send;
    send.clientId = std::move(clientId).value();
    send.messages.reserve(array.size());
    QSet<QPair<qint64, quint32>> seen;
    seen.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return badList;
        auto recipient = decodeRecipient(item.toObject());
        if (!recipient)
            return keyfields::within(u"messages"_s, recipient.error());
        // One row per recipient device: a device twice would be two rows for one delivery.
        if (seen.contains({recipient->user, recipient->device}))
            return badList;
        seen.insert({recipient->user, recipient->device});
        send.messages.append(std::move(recipient).value());
    }
    return send;
}

QJsonObject SendToInbox::encode() const
{
    return {{u"client_id"_s, clientId}, {u"messages"_s, arrayOf(messages, encodeRecipient)}};
}

Result<FetchInbox> FetchInbox::decode(const QJsonObject &fields, const Limits &limits)
{
    const auto after = fields::integer(fields, u"after"_s, 0);
    if (!after)
        return after.error();
    const auto limit = fields::integer(fields, u"limit"_s, 1, limits.maxPageSize);
    if (!limit)
        return limit.error();
    return FetchInbox{*after, static_cast<int>(*limit)};
}

QJsonObject FetchInbox::encode() const
{
    return {{u"after"_s, after}, {u"limit"_s, limit}};
}

Result<AckInbox> AckInbox::decode(const QJsonObject &fields, const Limits &)
{
    const auto upTo = fields::integer(fields, u"up_to"_s, 0);
    if (!upTo)
        return upTo.error();
    return AckInbox{*upTo};
}

QJsonObject AckInbox::encode() const
{
    return {{u"up_to"_s, upTo}};
}

Result<InboxSent> InboxSent::decode(const QJsonObject &fields)
{
    const auto duplicate = fields::boolean(fields, u"duplicate"_s);
    if (!duplicate)
        return duplicate.error();
    const auto stored = fields::integer(fields, u"stored"_s, 0);
    if (!stored)
        return stored.error();
    auto undelivered = listOf<InboxUndelivered>(fields, u"undelivered"_s, decodeUndelivered);
    if (!undelivered)
        return undelivered.error();
    return InboxSent{*duplicate, *stored, std::move(undelivered).value()};
}

QJsonObject InboxSent::encode() const
{
    return {{u"duplicate"_s, duplicate},
            {u"stored"_s, stored},
            {u"undelivered"_s, arrayOf(undelivered, encodeUndelivered)}};
}

Result<InboxMessage> InboxMessage::decode(const QJsonObject &fields)
{
    const auto seq = fields::integer(fields, u"seq"_s, 1);
    if (!seq)
        return seq.error();
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto device = keyfields::u32(fields, u"device"_s, 1);
    if (!device)
        return device.error();
    auto body = keyfields::bytesUpTo(fields, u"body"_s, SendToInbox::kMaxBodyBytes);
    if (!body)
        return body.error();
    const auto time = fields::integer(fields, u"time"_s, 0);
    if (!time)
        return time.error();
    return InboxMessage{*seq, *user, *device, std::move(body).value(), *time};
}

QJsonObject InboxMessage::encode() const
{
    return {{u"seq"_s, seq},
            {u"user"_s, user},
            {u"device"_s, qint64(device)},
            {u"body"_s, base64(body)},
            {u"time"_s, time}};
}

Result<InboxPage> InboxPage::decode(const QJsonObject &fields)
{
    auto messages = listOf<InboxMessage>(fields, u"messages"_s, &InboxMessage::decode);
    if (!messages)
        return messages.error();
    const auto more = fields::boolean(fields, u"more"_s);
    if (!more)
        return more.error();
    return InboxPage{std::move(messages).value(), *more};
}

QJsonObject InboxPage::encode() const
{
    return {{u"messages"_s,
             arrayOf(messages, [](const InboxMessage &message) { return message.encode(); })},
            {u"more"_s, more}};
}

} // namespace tidings::protocol::messages
