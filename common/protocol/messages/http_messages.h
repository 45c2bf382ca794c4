#pragma once

// What travels over the relay's HTTP endpoints (docs/protocol.md, sections 7 and 8) as
// plain values, like the WebSocket frames: the health answer, the media API's bodies and
// its error body. decode() checks the fields and names a bad one; encode() gives the JSON.

#include "util/result.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace tidings::protocol::messages {

/// GET /healthz: {"status":"ok","version":…}.
struct Health
{
    QString status; ///< "ok"
    QString version; ///< the relay's product version

    static Result<Health> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const Health &, const Health &) = default;
};

/// POST /v1/media: what the upload will be. decode() checks the fields' types only; the
/// relay judges the values (size limit, accepted types, hash form).
struct NewUpload
{
    qint64 size = 0;
    QString type; ///< MIME type
    QString sha256; ///< 64 hex digits
    QString name; ///< for display; may be empty

    static Result<NewUpload> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const NewUpload &, const NewUpload &) = default;
};

/// A media object as the media API describes it (create, status, complete).
struct MediaObject
{
    static constexpr QStringView kUploading = u"uploading";
    static constexpr QStringView kComplete = u"complete";

    QString id; ///< 32 hex digits
    qint64 size = 0;
    QString type;
    QString sha256;
    QString name;
    QString state; ///< kUploading or kComplete
    std::optional<qint64> offset; ///< create and status: where the upload stands
    std::optional<qint64> chunkBytes; ///< create: the largest PATCH body

    static Result<MediaObject> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    bool isComplete() const { return state == kComplete; }
    friend bool operator==(const MediaObject &, const MediaObject &) = default;
};

/// POST /v1/media/<id>/link: a signed download URL (relative to the relay) and when it ends.
struct MediaLink
{
    QString url;
    qint64 expiresAt = 0; ///< ms since the epoch

    static Result<MediaLink> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const MediaLink &, const MediaLink &) = default;
};

/// The HTTP status that answers an error of `code` (docs/protocol.md, section 8): 400,
/// 401, 403, 404, 409, 413, 415, 429, 503, else 500.
int httpStatusOf(ErrorCode code);
/// The body of an HTTP error: {"code":…,"message":…}.
QJsonObject encodeHttpError(const Error &error);
/// The error an HTTP error body reports; `status` names it when the body says nothing
/// readable (e.g. a proxy's HTML page).
Error decodeHttpError(QByteArrayView body, long status);

/// The JSON object in an HTTP body: an Error (BadRequest) when it is not one. A body over
/// `maxBytes` is refused unread.
Result<QJsonObject> objectOfBody(QByteArrayView body, qsizetype maxBytes = 64 * 1024);

/// An HTTP body decoded as T (one of the values above).
template<typename T> Result<T> decodeBody(QByteArrayView body)
{
    const auto object = objectOfBody(body);
    if (!object)
        return object.error();
    return T::decode(*object);
}

} // namespace tidings::protocol::messages
