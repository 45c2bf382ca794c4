#pragma once

#include <QByteArray>

namespace tidings::crypto {

/// A new random key for messageTag().
QByteArray newMessageAuthKey();

/// An HMAC-SHA-512-256 tag of `message` under `key` (libsodium's crypto_auth), in
/// unpadded base64url. What the relay signs media links with.
QByteArray messageTag(const QByteArray &key, const QByteArray &message);

/// Whether `tag` is messageTag(key, message), compared in constant time.
bool verifyMessageTag(const QByteArray &key, const QByteArray &message, const QByteArray &tag);

} // namespace tidings::crypto
