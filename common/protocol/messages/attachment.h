#pragma once

// An attachment object (docs/protocol.md, section 4, message.send): what a message says of
// one uploaded file. The relay checks its shape when the message is sent, replaces size,
// type and sha256 with what it verified at upload, and keeps the other members as sent: so
// does this value (`others`). decode() checks the fields and names a bad one; encode() gives
// the object.

#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace tidings::protocol::messages {

struct MessageState;

/// One attachment object. A number that is 0 and a string that is empty were not given (or
/// said nothing): encode() leaves them out, as MessageState does its fields.
struct Attachment
{
    QString media; ///< the uploaded file's media id (32 hex digits); empty only in decodeUnsent()
    QString name; ///< the file name to show
    QString type; ///< the MIME type (the relay's, once sent)
    qint64 size = 0; ///< bytes (the relay's, once sent)
    QString sha256; ///< hex (the relay's, once sent)
    int width = 0; ///< pictures and videos, in pixels
    int height = 0;
    qint64 durationMs = 0; ///< videos and audio
    QString thumbnail; ///< a small JPEG preview in base64, made by the sender
    QJsonObject others; ///< the members this type does not know, kept as sent

    static Result<Attachment> decode(const QJsonObject &object);
    /// The same, for a description written before its file is uploaded (a client's own,
    /// waiting in its outbox): `media` may be absent, and then is empty.
    static Result<Attachment> decodeUnsent(const QJsonObject &object);
    QJsonObject encode() const;
    friend bool operator==(const Attachment &, const Attachment &) = default;
};

/// The attachments of a message (MessageState::attachments), decoded; the first that does
/// not decode fails them all, naming "attachments" and its bad field.
Result<QList<Attachment>> attachmentsOf(const MessageState &state);

} // namespace tidings::protocol::messages
