#pragma once

#include "protocol/messages/attachment.h"
#include "util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace tidings::app {

/// What a sealed (end-to-end encrypted) upload gives its attachment: the key that opens the
/// ciphertext the relay holds, and the size and SHA-256 of the plaintext it came from
/// (docs/encryption.md, section 6). An empty key: the file went up in clear.
struct SealedFile
{
    QString key; ///< base64 of e2e::FileKey::encode()
    qint64 size = 0; ///< bytes of the plaintext
    QString sha256; ///< hex, of the plaintext

    bool isSealed() const { return !key.isEmpty(); }
    friend bool operator==(const SealedFile &, const SealedFile &) = default;
};

/// An attachment as this app keeps it in a message: the protocol's attachment object, the
/// two members only the sender's device writes into its own copy while the file goes up
/// (ChatClient::sendFiles; the outbox takes them off what it sends, local_outbox_queries.cpp),
/// and, for a file sent end to end encrypted, the key that opens it: that one travels only
/// inside the sealed message (forSealing), never to the relay in clear (forRelay).
/// What MessageListModel::AttachmentsRole holds, as a QList.
struct MessageAttachment
{
    static constexpr QStringView kUpload = u"upload";
    static constexpr QStringView kLocalPath = u"local_path";
    static constexpr QStringView kKey = u"key";

    protocol::messages::Attachment file;
    QString upload; ///< the upload's transfer id, on the sender's device; else empty
    QString localPath; ///< the sender's own file on this device; else empty
    /// End to end: base64 of the e2e::FileKey that opens the uploaded ciphertext; then
    /// `file`'s size, type, name and sha256 are the plaintext's. Empty: a plaintext upload.
    QString key;

    /// Still going up: its upload is known, its media id not yet.
    bool isUploading() const { return file.media.isEmpty() && !upload.isEmpty(); }

    /// An end-to-end encrypted file: what was uploaded is its ciphertext.
    bool isSealed() const { return !key.isEmpty(); }

    /// An attachment object as the LocalStore keeps it: the sender's own may have no
    /// "media" yet (Attachment::decodeUnsent), and may have the local members; a sealed
    /// file's has its "key".
    static Result<MessageAttachment> decode(const QJsonObject &object);
    QJsonObject encode() const;
    /// The attachments of a message (MessageState::attachments) that decode. The relay
    /// sends only ones that do, and this app writes only such ones, so none is left out in
    /// practice; one that does not could not be shown or fetched anyway.
    static QList<MessageAttachment> listOf(const QJsonArray &attachments);
    /// The attachments of a message body or a message.send payload ("attachments"), and
    /// the same object with `attachments` in their place (none: the member goes).
    static QList<MessageAttachment> in(const QJsonObject &message);
    static QJsonObject with(QJsonObject message, const QList<MessageAttachment> &attachments);
    /// `message` as the relay gets it: each attachment without what only this device knows
    /// (upload, localPath) and without its key, which never goes in clear. One that does not
    /// decode goes as an empty object, so the relay refuses the message (which fails where
    /// the user sees it) rather than getting a part.
    static QJsonObject forRelay(QJsonObject message);
    /// `message` as it is sealed for the other members (docs/encryption.md, section 6): as
    /// forRelay(), but each attachment keeps its key, which the ciphertext carries to them.
    static QJsonObject forSealing(QJsonObject message);
    friend bool operator==(const MessageAttachment &, const MessageAttachment &) = default;
};

} // namespace tidings::app

Q_DECLARE_METATYPE(tidings::app::SealedFile)
Q_DECLARE_METATYPE(tidings::app::MessageAttachment)
