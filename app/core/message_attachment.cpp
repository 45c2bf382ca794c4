#include "core/message_attachment.h"

#include "protocol/fields.h"

namespace tidings::app {

namespace {

/// A path on this device, or a transfer id: strings of any reasonable length.
constexpr protocol::fields::StringRule kLocal{0, 64 * 1024};

} // namespace

Result<MessageAttachment> MessageAttachment::decode(const QJsonObject &object)
{
    const QString uploadKey = kUpload.toString();
    const QString localPathKey = kLocalPath.toString();
    const auto upload = protocol::fields::optionalString(object, uploadKey, kLocal);
    if (!upload)
        return upload.error();
    const auto localPath = protocol::fields::optionalString(object, localPathKey, kLocal);
    if (!localPath)
        return localPath.error();
    QJsonObject shared = object;
    shared.remove(uploadKey);
    shared.remove(localPathKey);
    auto file = protocol::messages::Attachment::decodeUnsent(shared);
    if (!file)
        return file.error();
    return MessageAttachment{std::move(*file), upload->value_or(QString()),
                             localPath->value_or(QString())};
}

QJsonObject MessageAttachment::encode() const
{
    QJsonObject object = file.encode();
    if (!upload.isEmpty())
        object.insert(kUpload.toString(), upload);
    if (!localPath.isEmpty())
        object.insert(kLocalPath.toString(), localPath);
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
    const QJsonArray attachments = message.value(u"attachments").toArray();
    if (attachments.isEmpty())
        return message;
    QJsonArray wire;
    for (const QJsonValue &item : attachments) {
        const auto attachment = decode(item.toObject());
        wire.append(attachment ? attachment->file.encode() : QJsonObject());
    }
    message.insert(u"attachments", wire);
    return message;
}

} // namespace tidings::app
