#pragma once

// What the Double Ratchet and sender keys share: the symmetric chain step and the
// encryption of one message under one message key (docs/encryption.md).

#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace tidings::e2e {

inline constexpr char kPairwiseMessageInfo[] = "Tidings message v1";
inline constexpr char kGroupMessageInfo[] = "Tidings group v1";
inline constexpr qsizetype kAeadTagBytes = 16;

/// KDF_CK: returns the message key HMAC-SHA256(ck, 0x01) and replaces `chainKey` with
/// HMAC-SHA256(ck, 0x02).
SecretKey advanceChain(SecretKey &chainKey);

/// XChaCha20-Poly1305-IETF of `plaintext` with the key and nonce HKDF(salt = 32 zero
/// bytes, IKM = messageKey, info, 56) gives, authenticating `associatedData`.
QByteArray sealMessage(const SecretKey &messageKey, QByteArrayView info,
                       QByteArrayView associatedData, QByteArrayView plaintext);

/// Opens what sealMessage made; Corrupt when the ciphertext, the associated data or the
/// key is not the one it was sealed with.
Result<QByteArray> openMessage(const SecretKey &messageKey, QByteArrayView info,
                               QByteArrayView associatedData, QByteArrayView ciphertext);

} // namespace tidings::e2e
