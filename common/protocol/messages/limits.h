#pragma once

#include <QtGlobal>

namespace tidings::protocol::messages {

/// The limits a relay sets and reports in `hello` (docs/protocol.md, section 6) that
/// decoding a request checks. The defaults are the relay's.
struct Limits
{
    qsizetype maxTextBytes = 64 * 1024;
    int maxPageSize = 500;
    int maxGroupMembers = 1000;
    qsizetype maxCiphertextBytes = 160 * 1024; ///< an encrypted message's, decoded
    friend bool operator==(const Limits &, const Limits &) = default;
};

} // namespace tidings::protocol::messages
