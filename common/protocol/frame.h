#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace tidings::protocol {

/// Protocol version this build speaks (see docs/protocol.md).
inline constexpr int kProtocolVersion = 1;

/// Longest request id a peer may choose, in UTF-16 code units.
inline constexpr qsizetype kMaxRequestIdLength = 64;
/// Longest frame type name.
inline constexpr qsizetype kMaxTypeLength = 64;

/// One protocol frame: a JSON object in one WebSocket text frame. "type" names the frame,
/// "id" correlates a request with its single reply (empty for events), and every other
/// member travels in fields.
struct Frame
{
    QString type;
    QString id;
    QJsonObject fields;

    friend bool operator==(const Frame &, const Frame &) = default;
};

/// Decodes one frame from the bytes of a text message. Anything that is not a well-formed
/// frame is an Error with code BadRequest (or TooLarge above maxBytes); nothing throws.
/// `requestId`, when given, receives the frame's "id" whenever the bytes are a JSON object
/// with a valid one — also when the frame is refused (a bad "type"), so that the error
/// can carry it.
Result<Frame> decodeFrame(QByteArrayView bytes, qsizetype maxBytes, QString *requestId = nullptr);

/// Encodes a frame as compact UTF-8 JSON. decodeFrame(encodeFrame(f)) == f for any frame
/// whose fields do not themselves contain "type" or "id".
QByteArray encodeFrame(const Frame &frame);

/// The reply to request `requestId` (may be empty when the request could not be read)
/// reporting `error`: {"type":"error","id":…,"code":…,"message":…}.
Frame errorFrame(const QString &requestId, const Error &error);

/// The error an error frame reports (its code by name; an unknown code is Internal).
Error errorOf(const Frame &frame);

} // namespace tidings::protocol
