#pragma once

#include <QByteArray>

namespace tidings::crypto {

/// A new session token: 256 random bits, as 43 characters of unpadded base64url. This is
/// what the client keeps (in the OS keychain) and presents in the handshake.
QByteArray newSessionToken();

/// What the relay stores instead of the token: a 256-bit BLAKE2b digest. A stolen store
/// does not give working tokens; a token is looked up by its digest.
QByteArray sessionTokenDigest(const QByteArray &token);

} // namespace tidings::crypto
