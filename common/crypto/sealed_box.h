#pragma once

#include "util/result.h"

#include <QByteArray>

namespace tidings::crypto {

/// An X25519 key pair for sealed boxes (libsodium's crypto_box_seal).
struct BoxKeyPair
{
    QByteArray publicKey; ///< 32 bytes
    QByteArray secretKey; ///< 32 bytes
};

inline constexpr qsizetype kBoxPublicKeyBytes = 32;

BoxKeyPair newBoxKeyPair();

/// `message` encrypted to `publicKey` so that only the holder of its secret key can read
/// it; the sender stays anonymous (an ephemeral key). 48 bytes longer than `message`.
Result<QByteArray> seal(const QByteArray &publicKey, const QByteArray &message);

/// Opens what seal() made for `keys`.
Result<QByteArray> openSealed(const BoxKeyPair &keys, const QByteArray &sealed);

/// HMAC-SHA-256 of `message` under `key` (any length), raw 32 bytes.
QByteArray hmacSha256(const QByteArray &key, const QByteArray &message);

} // namespace tidings::crypto
