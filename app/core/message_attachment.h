#pragma once

#include "protocol/messages/attachment.h"
#include "util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace tidings::app {

/// An attachment as this app keeps it in a message: the protocol's attachment object, and
/// the two members only the sender's device writes into its own copy while the file goes up
/// (ChatClient::sendFiles; the outbox takes them off what it sends, local_outbox_queries.cpp).
/// What MessageListModel::AttachmentsRole holds, as a QList.
struct MessageAttachment
{
    static constexpr QStringView kUpload = u"upload";
    static constexpr QStringView kLocalPath = u"local_path";

    protocol::messages::Attachment file;
    QString upload; ///< the upload's transfer id, on the sender's device; else empty
    QString localPath; ///< the sender's own file on this device; else empty

    /// Still going up: its upload is known, its media id not yet.
    bool isUploading() const { return file.media.isEmpty() && !upload.isEmpty(); }

    /// An attachment object as the LocalStore keeps it: the sender's own may have no
    /// "media" yet (Attachment::decodeUnsent), and may have the local members.
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
    /// (upload, localPath). One that does not decode goes as an empty object, so the relay
    /// refuses the message (which fails where the user sees it) rather than getting a part.
    static QJsonObject forRelay(QJsonObject message);
    friend bool operator==(const MessageAttachment &, const MessageAttachment &) = default;
};

} // namespace tidings::app

Q_DECLARE_METATYPE(tidings::app::MessageAttachment)
