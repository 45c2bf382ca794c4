#include "protocol/messages/http_messages.h"

#include "protocol/fields.h"

#include <QJsonDocument>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

using fields::bad;

/// A media id: 32 lower-case hex digits (the relay names every media object so).
Result<QString> mediaId(const QJsonObject &fields)
{
    const auto id = fields::string(fields, u"id"_s, {32, 32});
    if (!id)
        return id.error();
    for (const QChar c : *id) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return bad(u"id"_s, u"32 hex digits"_s);
    }
    return id;
}

} // namespace

Result<Health> Health::decode(const QJsonObject &fields)
{
    const auto status = fields::string(fields, u"status"_s, {1, 32});
    if (!status)
        return status.error();
    const auto version = fields::string(fields, u"version"_s, {1, 64});
    if (!version)
        return version.error();
    return Health{*status, *version};
}

QJsonObject Health::encode() const
{
    return {{u"status"_s, status}, {u"version"_s, version}};
}

Result<NewUpload> NewUpload::decode(const QJsonObject &fields)
{
    const auto size = fields::integer(fields, u"size"_s);
    if (!size)
        return size.error();
    const auto type = fields::string(fields, u"type"_s, {0, 1024});
    if (!type)
        return type.error();
    const auto sha256 = fields::string(fields, u"sha256"_s, {0, 64});
    if (!sha256)
        return sha256.error();
    const auto name = fields::optionalString(fields, u"name"_s, {0, 4096});
    if (!name)
        return name.error();
    return NewUpload{*size, *type, *sha256, name->value_or(QString())};
}

QJsonObject NewUpload::encode() const
{
    return {{u"size"_s, size}, {u"type"_s, type}, {u"sha256"_s, sha256}, {u"name"_s, name}};
}

Result<MediaObject> MediaObject::decode(const QJsonObject &fields)
{
    MediaObject media;
    auto id = mediaId(fields);
    if (!id)
        return id.error();
    media.id = std::move(*id);
    const auto size = fields::integer(fields, u"size"_s);
    if (!size)
        return size.error();
    media.size = *size;
    const auto type = fields::string(fields, u"type"_s, {1, 256});
    if (!type)
        return type.error();
    media.type = *type;
    const auto sha256 = fields::string(fields, u"sha256"_s, {64, 64});
    if (!sha256)
        return sha256.error();
    media.sha256 = *sha256;
    const auto name = fields::optionalString(fields, u"name"_s, {0, 4096});
    if (!name)
        return name.error();
    media.name = name->value_or(QString());
    const auto state = fields::string(fields, u"state"_s, {1, 16});
    if (!state)
        return state.error();
    if (*state != kUploading && *state != kComplete)
        return bad(u"state"_s, u"\"uploading\" or \"complete\""_s);
    media.state = *state;
    const auto offset = fields::optionalInteger(fields, u"offset"_s);
    if (!offset)
        return offset.error();
    media.offset = *offset;
    const auto chunkBytes = fields::optionalInteger(fields, u"chunk_bytes"_s, 1);
    if (!chunkBytes)
        return chunkBytes.error();
    media.chunkBytes = *chunkBytes;
    return media;
}

QJsonObject MediaObject::encode() const
{
    QJsonObject fields{{u"id"_s, id},         {u"size"_s, size}, {u"type"_s, type},
                       {u"sha256"_s, sha256}, {u"name"_s, name}, {u"state"_s, state}};
    if (offset)
        fields.insert(u"offset"_s, *offset);
    if (chunkBytes)
        fields.insert(u"chunk_bytes"_s, *chunkBytes);
    return fields;
}

Result<MediaLink> MediaLink::decode(const QJsonObject &fields)
{
    const auto url = fields::string(fields, u"url"_s, {1, 4096});
    if (!url)
        return url.error();
    const auto expiresAt = fields::integer(fields, u"expires_at"_s);
    if (!expiresAt)
        return expiresAt.error();
    return MediaLink{*url, *expiresAt};
}

QJsonObject MediaLink::encode() const
{
    return {{u"url"_s, url}, {u"expires_at"_s, expiresAt}};
}

QJsonObject encodeHttpError(const Error &error)
{
    return {{u"code"_s, errorCodeName(error.code)}, {u"message"_s, error.message}};
}

int httpStatusOf(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest:
        return 400;
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::Forbidden:
    case ErrorCode::EncryptionRequired:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::TooLarge:
        return 413;
    case ErrorCode::Unsupported:
        return 415;
    case ErrorCode::RateLimited:
        return 429;
    case ErrorCode::Unavailable:
        return 503;
    default:
        return 500;
    }
}

Error decodeHttpError(QByteArrayView body, long status)
{
    // What the body says, where it says it; the status for the rest.
    std::optional<ErrorCode> code;
    QString message;
    if (const auto object = objectOfBody(body)) {
        code = errorCodeFromName(object->value(u"code"_s).toString());
        if (const auto said = fields::string(*object, u"message"_s, {1, 4096}))
            message = *said;
    }
    for (const ErrorCode known :
         {ErrorCode::BadRequest, ErrorCode::Unauthorized, ErrorCode::Forbidden, ErrorCode::NotFound,
          ErrorCode::Conflict, ErrorCode::TooLarge, ErrorCode::Unsupported, ErrorCode::RateLimited,
          ErrorCode::Unavailable}) {
        if (!code && httpStatusOf(known) == status)
            code = known;
    }
    return Error{code.value_or(ErrorCode::Internal),
                 message.isEmpty() ? u"the relay answered HTTP %1"_s.arg(status) : message};
}

Result<QJsonObject> objectOfBody(QByteArrayView body, qsizetype maxBytes)
{
    if (body.size() > maxBytes)
        return Error{ErrorCode::TooLarge, u"a JSON body has at most %1 bytes"_s.arg(maxBytes)};
    QJsonParseError parsed;
    const QJsonDocument document
        = QJsonDocument::fromJson(QByteArray::fromRawData(body.data(), body.size()), &parsed);
    if (parsed.error != QJsonParseError::NoError || !document.isObject())
        return Error{ErrorCode::BadRequest, u"the body is not a JSON object"_s};
    return document.object();
}

} // namespace tidings::protocol::messages
