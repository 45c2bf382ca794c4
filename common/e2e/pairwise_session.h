#pragma once

// X3DH and the Double Ratchet together: how a device opens a pairwise session with
// another device, and how that device accepts it from the first message.

#include "e2e/double_ratchet.h"
#include "e2e/prekeys.h"
#include "e2e/x3dh.h"
#include "util/result.h"

#include <optional>

namespace tidings::e2e {

struct OutboundSession
{
    RatchetSession session;
    /// Send every message as a PreKeyMessage with this header until the other side has
    /// answered.
    X3dhHeader header;
};

/// X3DH towards `theirBundle` (checked against the trusted `theirIdentityKey`), then a
/// new ratchet session on it.
Result<OutboundSession> startSession(const SigningKeyPair &ourDeviceKey,
                                     const PreKeyBundle &theirBundle,
                                     QByteArrayView theirIdentityKey);

struct InboundSession
{
    RatchetSession session;
    QByteArray plaintext; ///< of the first message
};

/// X3DH from the responder's side, then the first message decrypted: a session only
/// exists when that message authenticates, so a forged first message consumes nothing.
/// Delete the one-time prekey (if any) once this succeeds.
Result<InboundSession> acceptSession(const SigningKeyPair &ourDeviceKey,
                                     const SignedPreKey &ourSignedPreKey,
                                     const std::optional<OneTimePreKey> &ourOneTimePreKey,
                                     const PreKeyMessage &message, QByteArrayView theirDeviceKey);

} // namespace tidings::e2e
