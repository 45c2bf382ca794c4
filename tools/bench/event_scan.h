#pragma once

#include <QByteArrayView>

#include <optional>

namespace tidings::bench {

/// What the loader needs of an event frame: whose message it is and the send time the
/// loader wrote into its text.
struct ScannedEvent
{
    bool message = false; ///< of kind "message"
    qint64 sender = 0;
    qint64 sentAt = 0; ///< the text read as a number; 0 if it is not one
};

/// Reads an event frame as the relay writes it (relay/chat/wire.cpp: `type`, then
/// conversation, seq, kind, sender… in that order) by its keys, without a JSON parse: in a
/// 10,000-member fan-out, parsing every frame took the loader's whole core and made it,
/// not the relay, the limit. nullopt when the frame is not written so — not an event, or
/// a text that is not plain digits — and the caller parses it instead.
std::optional<ScannedEvent> scanEvent(QByteArrayView frame);

} // namespace tidings::bench
