#pragma once

// HKDF (RFC 5869) with HMAC-SHA-256, on libsodium's crypto_auth_hmacsha256: libsodium
// 1.0.18 has no HKDF of its own. Every key the e2e library derives goes through here.

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <span>

namespace tidings::e2e {

inline constexpr qsizetype kHmacSha256Bytes = 32;
/// RFC 5869: L <= 255 * HashLen.
inline constexpr qsizetype kHkdfMaxOutputBytes = 255 * kHmacSha256Bytes;

/// HMAC-SHA-256 of `message` under `key` (any length) into `out`.
void hmacSha256(QByteArrayView key, QByteArrayView message, std::span<unsigned char, 32> out);
QByteArray hmacSha256(QByteArrayView key, QByteArrayView message);

/// HKDF-Extract: PRK = HMAC(salt, IKM); an empty salt is HashLen zero bytes.
QByteArray hkdfExtract(QByteArrayView salt, QByteArrayView inputKeyMaterial);

/// HKDF-Expand: fills `out` (at most kHkdfMaxOutputBytes) from `pseudoRandomKey` and `info`.
Result<void> hkdfExpand(QByteArrayView pseudoRandomKey, QByteArrayView info,
                        std::span<unsigned char> out);
Result<QByteArray> hkdfExpand(QByteArrayView pseudoRandomKey, QByteArrayView info,
                              qsizetype length);

/// Extract then Expand, into `out`, wiping the intermediate key.
Result<void> hkdf(QByteArrayView salt, QByteArrayView inputKeyMaterial, QByteArrayView info,
                  std::span<unsigned char> out);
Result<QByteArray> hkdf(QByteArrayView salt, QByteArrayView inputKeyMaterial, QByteArrayView info,
                        qsizetype length);

} // namespace tidings::e2e
