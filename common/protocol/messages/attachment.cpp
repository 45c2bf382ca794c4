#include "protocol/messages/attachment.h"

#include "protocol/fields.h"
#include "protocol/messages/events.h"

#include <QJsonArray>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

// The bounds message.send checks (message_requests.cpp), and the relay's own for what it
// fills in.
constexpr fields::StringRule kName{0, 1020};
constexpr fields::StringRule kType{0, 255};
constexpr fields::StringRule kSha256{0, 64};
constexpr fields::StringRule kThumbnail{0, 8192};
constexpr qint64 kMaxPixels = 1'000'000;

bool isKnown(const QString &key)
{
    return key == u"media" || key == u"name" || key == u"type" || key == u"size" || key == u"sha256"
        || key == u"width" || key == u"height" || key == u"duration_ms" || key == u"thumbnail";
}

Result<Attachment> decodeWith(const QJsonObject &object, bool mediaRequired)
{
    Attachment attachment;
    const auto media = fields::optionalString(object, u"media"_s, {32, 32});
    if (!media || (media->has_value() && !fields::isMediaId(**media))
        || (mediaRequired && !media->has_value()))
        return Error{ErrorCode::BadRequest,
                     u"field 'media' must be a media id (32 lower-case hex digits)"_s};
    const auto name = fields::optionalString(object, u"name"_s, kName);
    if (!name)
        return name.error();
    const auto type = fields::optionalString(object, u"type"_s, kType);
    if (!type)
        return type.error();
    const auto size = fields::optionalInteger(object, u"size"_s, 0);
    if (!size)
        return size.error();
    const auto sha256 = fields::optionalString(object, u"sha256"_s, kSha256);
    if (!sha256)
        return sha256.error();
    const auto width = fields::optionalInteger(object, u"width"_s, 0, kMaxPixels);
    if (!width)
        return width.error();
    const auto height = fields::optionalInteger(object, u"height"_s, 0, kMaxPixels);
    if (!height)
        return height.error();
    const auto durationMs = fields::optionalInteger(object, u"duration_ms"_s, 0);
    if (!durationMs)
        return durationMs.error();
    const auto thumbnail = fields::optionalString(object, u"thumbnail"_s, kThumbnail);
    if (!thumbnail)
        return thumbnail.error();
    attachment.media = media->value_or(QString());
    attachment.name = name->value_or(QString());
    attachment.type = type->value_or(QString());
    attachment.size = size->value_or(0);
    attachment.sha256 = sha256->value_or(QString());
    attachment.width = int(width->value_or(0));
    attachment.height = int(height->value_or(0));
    attachment.durationMs = durationMs->value_or(0);
    attachment.thumbnail = thumbnail->value_or(QString());
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!isKnown(it.key()))
            attachment.others.insert(it.key(), it.value());
    }
    return attachment;
}

} // namespace

Result<Attachment> Attachment::decode(const QJsonObject &object)
{
    return decodeWith(object, true);
}

Result<Attachment> Attachment::decodeUnsent(const QJsonObject &object)
{
    return decodeWith(object, false);
}

QJsonObject Attachment::encode() const
{
    QJsonObject object = others;
    const auto text = [&object](const QString &key, const QString &value) {
        if (!value.isEmpty())
            object.insert(key, value);
    };
    const auto number = [&object](const QString &key, qint64 value) {
        if (value > 0)
            object.insert(key, value);
    };
    text(u"media"_s, media);
    text(u"name"_s, name);
    text(u"type"_s, type);
    number(u"size"_s, size);
    text(u"sha256"_s, sha256);
    number(u"width"_s, width);
    number(u"height"_s, height);
    number(u"duration_ms"_s, durationMs);
    text(u"thumbnail"_s, thumbnail);
    return object;
}

Result<QList<Attachment>> attachmentsOf(const MessageState &state)
{
    QList<Attachment> attachments;
    attachments.reserve(state.attachments.size());
    for (const QJsonValue &item : state.attachments) {
        auto attachment = Attachment::decode(item.toObject());
        if (!attachment)
            return Error{attachment.error().code,
                         u"in 'attachments': %1"_s.arg(attachment.error().message)};
        attachments.append(std::move(*attachment));
    }
    return attachments;
}

} // namespace tidings::protocol::messages
