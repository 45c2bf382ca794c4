#pragma once

#include <QStringList>

namespace tidings::protocol::messages {

/// The request types that have a value type here (docs/protocol.md, section 4).
QStringList typedRequests();

} // namespace tidings::protocol::messages
