#pragma once

#include <QStringList>

namespace tidings::protocol::messages {

/// The request types that have a value type here (docs/protocol.md, section 4).
QStringList typedRequests();

/// The event types (frames the relay sends unasked) that have a value type here
/// (docs/protocol.md, section 5).
QStringList typedEvents();

} // namespace tidings::protocol::messages
