#pragma once

#include "core/message_attachment.h"
#include "protocol/messages/events.h"

#include <QJsonObject>
#include <QList>

namespace tidings::app {

/// What a stored message shows (local::Message::body), read through the protocol's types:
/// its current state and its attachments.
struct ShownMessage
{
    /// How end-to-end encryption brought it (the body's "e2e": true, "waiting", "failed").
    enum class Sealing {
        None, ///< not end-to-end encrypted
        Opened, ///< encrypted, and decrypted here
        Waiting, ///< encrypted; its key has not come yet (its text is empty until then)
        Failed, ///< encrypted, and could not be decrypted (its text is empty)
    };

    protocol::messages::MessageState state;
    QList<MessageAttachment> attachments;
    Sealing sealing = Sealing::None;

    /// Its text cannot be shown: the key is missing or it did not decrypt.
    bool isUnreadable() const { return sealing == Sealing::Waiting || sealing == Sealing::Failed; }

    /// `body` read. One that does not decode shows as an empty message: the relay and this
    /// app store only ones that do.
    static ShownMessage of(const QJsonObject &body);
};

} // namespace tidings::app
