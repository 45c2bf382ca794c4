#include "core/message_attachment.h"

#include "protocol/fields.h"

namespace tidings::app {

namespace {

/// A path on this device, or a transfer id: strings of any reasonable length.
constexpr protocol::fields::StringRule kLocal{0, 64 * 1024};
/// A file key in base64 (e2e::FileKey::encode() is under a hundred bytes).
constexpr protocol::fields::StringRule kFileKey{0, 1024};

/// `message` with each attachment as `encode` makes it of the decoded one; one that does not
/// decode becomes an empty object.
template<typename Encode> QJsonObject withEachAttachment(QJsonObject message, Encode encode)
{
    const QJsonArray attachments = message.value(u"attachments").toArray();
    if (attachments.isEmpty())
        return message;
    QJsonArray encoded;
    for (const QJsonValue &item : attachments) {
        const auto attachment = MessageAttachment::decode(item.toObject());
        encoded.append(attachment ? encode(*attachment) : QJsonObject());
    }
    message.insert(u"attachments", encoded);
    return message;
}

} // namespace

Result<MessageAttachment> MessageAttachment::decode(const QJsonObject &object)
{
    const QString uploadKey = kUpload.toString();
    const QString localPathKey = kLocalPath.toString();
    const QString keyKey = kKey.toString();
    const auto upload = protocol::fields::optionalString(object, uploadKey, kLocal);
    if (!upload)
        return upload.error();
    const auto localPath = protocol::fields::optionalString(object, localPathKey, kLocal);
    if (!localPath)
        return localPath.error();
    const auto key = protocol::fields::optionalString(object, keyKey, kFileKey);
    if (!key)
        return key.error();
    QJsonObject shared = object;
    shared.remove(uploadKey);
    shared.remove(localPathKey);
    shared.remove(keyKey); // so no copy of it stays among the members kept as sent
    auto file = protocol::messages::Attachment::decodeUnsent(shared);
    if (!file)
        return file.error();
    return MessageAttachment{std::move(*file), upload->value_or(QString()),
                             localPath->value_or(QString()), key->value_or(QString())};
}

QJsonObject MessageAttachment::encode() const
{
    QJsonObject object = file.encode();
    if (!upload.isEmpty())
        object.insert(kUpload.toString(), upload);
    if (!localPath.isEmpty())
        object.insert(kLocalPath.toString(), localPath);
    if (!key.isEmpty())
        object.insert(kKey.toString(), key);
    return object;
}

QList<MessageAttachment> MessageAttachment::listOf(const QJsonArray &attachments)
{
    QList<MessageAttachment> list;
    list.reserve(attachments.size());
    for (const QJsonValue &item : attachments) {
        if (auto attachment = decode(item.toObject()))
            list.append(std::move(*attachment));
    }
    return list;
}

QList<MessageAttachment> MessageAttachment::in(const QJsonObject &message)
{
    return listOf(message.value(u"attachments").toArray());
}

QJsonObject MessageAttachment::with(QJsonObject message,
                                    const QList<MessageAttachment> &attachments)
{
    if (attachments.isEmpty()) {
        message.remove(u"attachments");
        return message;
    }
    QJsonArray array;
    for (const MessageAttachment &attachment : attachments)
        array.append(attachment.encode());
    message.insert(u"attachments", array);
    return message;
}

QJsonObject MessageAttachment::forRelay(QJsonObject message)
{
    return withEachAttachment(std::move(message), [](const MessageAttachment &attachment) {
        return attachment.file.encode();
    });
}

QJsonObject MessageAttachment::forSealing(QJsonObject message)
{
    return withEachAttachment(std::move(message), [](const MessageAttachment &attachment) {
        QJsonObject sealed = attachment.file.encode();
        if (!attachment.key.isEmpty())
            sealed.insert(kKey.toString(), attachment.key);
        return sealed;
    });
}

} // namespace tidings::app
