#pragma once

#include <QByteArrayView>

#include <optional>

namespace tidings::bench {

/// What the loader needs of an event frame: whose message it is and the send time the
/// loader wrote into it.
struct ScannedEvent
{
    bool message = false; ///< a chat message: of kind "message" or "encrypted"
    qint64 sender = 0;
    /// Plaintext: the text read as a number; encrypted: the time its ciphertext carries
    /// (ciphertext_payload.h). 0 if there is none.
    qint64 sentAt = 0;
    bool encrypted = false; ///< of kind "encrypted" (throughput --ciphertext)
};

/// Reads an event frame as the relay writes it (relay/chat/wire.cpp: `type`, then
/// conversation, seq, kind, sender… in that order, the body's members after them) by its
/// keys, without a JSON parse: in a 10,000-member fan-out, parsing every frame took the
/// loader's whole core and made it, not the relay, the limit. nullopt when the frame is not
/// written so — not an event, a text that is not plain digits, a ciphertext that carries
/// no send time — and the caller parses it instead.
std::optional<ScannedEvent> scanEvent(QByteArrayView frame);

} // namespace tidings::bench
