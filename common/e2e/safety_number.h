#pragma once

// Safety numbers (Signal's numeric fingerprint shape), as docs/encryption.md binds them: two
// users compare 60 digits, or scan a QR code, to check they see each other's identity
// keys. Per user: hash = version (u16 BE = 0) ‖ identity key ‖ user id (UTF-8), then
// 5200 times hash = SHA-512(hash ‖ identity key); the first 30 bytes, as six 5-byte
// big-endian numbers each mod 100000, give 30 digits. The conversation's number is the two
// users' digits ordered by user id (UTF-8 bytes), so both sides compute the same one.

#include "util/result.h"

#include <QByteArray>
#include <QString>

namespace tidings::e2e {

inline constexpr int kSafetyNumberIterations = 5200;
inline constexpr quint16 kSafetyNumberVersion = 0;
/// The first byte of a QR payload.
inline constexpr quint8 kSafetyNumberQrVersion = 0;
inline constexpr qsizetype kSafetyNumberDigits = 60;
/// Version byte, then the first 32 bytes of each user's hash.
inline constexpr qsizetype kSafetyNumberQrBytes = 1 + 2 * 32;

/// One user's 64-byte fingerprint hash.
QByteArray fingerprintHash(QByteArrayView identityKey, const QString &userId);

/// The 30 digits of one user's fingerprint hash (nothing for fewer than 30 bytes).
QString fingerprintDigits(QByteArrayView hash);

struct SafetyNumber
{
    QString digits; ///< kSafetyNumberDigits digits
    QByteArray qrPayload; ///< kSafetyNumberQrBytes

    /// The digits in twelve groups of five, separated by spaces.
    QString displayText() const;
    /// Whether `scanned` (the other side's QR payload) is this one.
    bool matchesQrPayload(QByteArrayView scanned) const;
};

/// The safety number of a conversation between two users. Refuses identity keys that are
/// not 32 bytes and empty user ids.
Result<SafetyNumber> safetyNumber(const QString &ourUserId, QByteArrayView ourIdentityKey,
                                  const QString &theirUserId, QByteArrayView theirIdentityKey);

} // namespace tidings::e2e
