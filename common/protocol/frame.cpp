#include "protocol/frame.h"

#include "protocol/json_writer.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace tidings::protocol {

using namespace Qt::StringLiterals;

namespace {

bool isValidTypeName(const QString &type)
{
    if (type.isEmpty() || type.size() > kMaxTypeLength)
        return false;
    for (const QChar c : type) {
        const bool allowed
            = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'.';
        if (!allowed)
            return false;
    }
    return true;
}

Error badRequest(QString message)
{
    return Error{ErrorCode::BadRequest, std::move(message)};
}

} // namespace

Result<Frame> decodeFrame(QByteArrayView bytes, qsizetype maxBytes, QString *requestId)
{
    if (bytes.size() > maxBytes) {
        return Error{
            ErrorCode::TooLarge,
            u"frame of %1 bytes exceeds the limit of %2 bytes"_s.arg(bytes.size()).arg(maxBytes)};
    }

    QByteArray json = bytes.toByteArray();
    // Qt 6.4 keeps a raw U+FEFF that opens a string in the key or value it stores, but drops
    // it when the string is read: "\xEF\xBB\xBFid" is not "id" to lookups and is "id" to
    // whatever iterates or writes the object (Qt's toJson too), so a member could pass the
    // checks under one name and be sent on under another. Escaped it is a plain character,
    // and after a quote the escape means what the raw bytes meant (fuzz/protocol_frame).
    json.replace("\"\xEF\xBB\xBF", "\"\\ufeff");
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return badRequest(
            u"frame is not valid JSON: %1 at offset %2"_s.arg(parseError.errorString())
                .arg(parseError.offset));
    }
    if (!document.isObject())
        return badRequest(u"frame must be a JSON object"_s);

    QJsonObject object = document.object();
    // The id first: a request refused for its type still gets its one reply by id.
    const QJsonValue id = object.take(u"id"_s);
    const bool validId
        = id.isString() && !id.toString().isEmpty() && id.toString().size() <= kMaxRequestIdLength;
    if (validId && requestId)
        *requestId = id.toString();
    const QJsonValue type = object.take(u"type"_s);
    if (!type.isString())
        return badRequest(u"frame needs a string member \"type\""_s);
    if (!isValidTypeName(type.toString()))
        return badRequest(u"frame type must be 1 to 64 characters of a-z, 0-9, '_' or '.'"_s);

    Frame frame;
    frame.type = type.toString();

    if (!id.isUndefined()) {
        if (!id.isString())
            return badRequest(u"member \"id\" must be a string"_s);
        if (!validId)
            return badRequest(u"member \"id\" must be 1 to 64 characters"_s);
        frame.id = id.toString();
    }

    frame.fields = std::move(object);
    return frame;
}

QByteArray encodeFrame(const Frame &frame)
{
    QByteArray out;
    out.reserve(128);
    out.append("{\"type\":");
    json::appendString(out, frame.type);
    if (!frame.id.isEmpty()) {
        out.append(",\"id\":");
        json::appendString(out, frame.id);
    }
    const qsizetype before = out.size();
    out.append(',');
    // The frame's own "type" and "id" win over members of the same name.
    json::appendMembers(
        out, frame.fields,
        frame.id.isEmpty() ? +[](QStringView key) { return key == u"type"; }
                           : +[](QStringView key) { return key == u"type" || key == u"id"; });
    if (out.size() == before + 1)
        out.chop(1);
    out.append('}');
    return out;
}

Frame errorFrame(const QString &requestId, const Error &error)
{
    Frame frame;
    frame.type = u"error"_s;
    frame.id = requestId;
    frame.fields.insert(u"code"_s, errorCodeName(error.code));
    frame.fields.insert(u"message"_s, error.message);
    return frame;
}

Error errorOf(const Frame &frame)
{
    const QString code = frame.fields.value(u"code"_s).toString();
    return Error{errorCodeFromName(code).value_or(ErrorCode::Internal),
                 frame.fields.value(u"message"_s).toString()};
}

} // namespace tidings::protocol
