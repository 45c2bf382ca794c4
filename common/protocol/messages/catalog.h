#pragma once

#include <QStringList>

namespace tidings::protocol::messages {

/// The request types that have a value type here (docs/protocol.md, section 4).
QStringList typedRequests();

/// The event types (frames the relay sends unasked) that have a value type here
/// (docs/protocol.md, section 5).
QStringList typedEvents();

/// Of those, the key directory's requests (docs/protocol.md, section 4, "End-to-end
/// encryption: the key directory"; key_directory.h).
QStringList keyDirectoryRequests();

/// Of those, the key directory's events (section 5: devices, prekeys.low;
/// key_directory_replies.h).
QStringList keyDirectoryEvents();

/// Of those, the device inbox's requests (docs/protocol.md, section 4, "End-to-end
/// encryption: the device inbox"; device_inbox.h).
QStringList deviceInboxRequests();

/// Of those, the device inbox's event (section 5: inbox; device_inbox.h).
QStringList deviceInboxEvents();

/// Of those, the requests that link a new device (docs/protocol.md, section 4, "End-to-end
/// encryption: linking a device"; device_link.h).
QStringList deviceLinkRequests();

/// Of those, the events of linking a device (section 5: link.answer, link.complete,
/// link.cancel; device_link.h).
QStringList deviceLinkEvents();

} // namespace tidings::protocol::messages
