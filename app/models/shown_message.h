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
    protocol::messages::MessageState state;
    QList<MessageAttachment> attachments;

    /// `body` read. One that does not decode shows as an empty message: the relay and this
    /// app store only ones that do.
    static ShownMessage of(const QJsonObject &body);
};

} // namespace tidings::app
