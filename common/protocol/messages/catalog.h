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

} // namespace tidings::protocol::messages
