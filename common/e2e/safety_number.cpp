#include "e2e/safety_number.h"

#include "crypto/sodium.h"
#include "e2e/byte_codec_p.h"
#include "e2e/key_pairs.h"
#include "e2e/secret.h"

#include <sodium.h>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kQrHashBytes = 32;

struct Half
{
    QByteArray userId; ///< UTF-8
    QByteArray hash;
    QString digits;
};

Half half(const QString &userId, QByteArrayView identityKey)
{
    Half result{userId.toUtf8(), fingerprintHash(identityKey, userId), {}};
    result.digits = fingerprintDigits(result.hash);
    return result;
}

} // namespace

QByteArray fingerprintHash(QByteArrayView identityKey, const QString &userId)
{
    crypto::ensureSodium();
    ByteWriter writer;
    writer.u16(kSafetyNumberVersion);
    writer.bytes(identityKey);
    writer.bytes(userId.toUtf8());
    QByteArray hash = writer.take();
    QByteArray next(crypto_hash_sha512_BYTES, Qt::Uninitialized);
    for (int i = 0; i < kSafetyNumberIterations; ++i) {
        crypto_hash_sha512_state state;
        crypto_hash_sha512_init(&state);
        crypto_hash_sha512_update(&state, uchars(hash),
                                  static_cast<unsigned long long>(hash.size()));
        crypto_hash_sha512_update(&state, uchars(identityKey),
                                  static_cast<unsigned long long>(identityKey.size()));
        crypto_hash_sha512_final(&state, uchars(next));
        hash = next;
        next.detach();
    }
    return hash;
}

QString fingerprintDigits(QByteArrayView hash)
{
    if (hash.size() < 30)
        return {};
    QString digits;
    digits.reserve(30);
    for (qsizetype offset = 0; offset < 30; offset += 5) {
        quint64 chunk = 0;
        for (qsizetype i = 0; i < 5; ++i)
            chunk = (chunk << 8) | static_cast<quint8>(hash.at(offset + i));
        digits += u"%1"_s.arg(chunk % 100000, 5, 10, QLatin1Char('0'));
    }
    return digits;
}

QString SafetyNumber::displayText() const
{
    QString text;
    for (qsizetype i = 0; i < digits.size(); i += 5) {
        if (i > 0)
            text += u' ';
        text += QStringView(digits).sliced(i, qMin<qsizetype>(5, digits.size() - i));
    }
    return text;
}

bool SafetyNumber::matchesQrPayload(QByteArrayView scanned) const
{
    return scanned.size() == qrPayload.size() && !qrPayload.isEmpty()
        && detail::constantTimeEqual(scanned.data(), qrPayload.constData(),
                                     static_cast<std::size_t>(qrPayload.size()));
}

Result<SafetyNumber> safetyNumber(const QString &ourUserId, QByteArrayView ourIdentityKey,
                                  const QString &theirUserId, QByteArrayView theirIdentityKey)
{
    if (ourIdentityKey.size() != kPublicKeyBytes || theirIdentityKey.size() != kPublicKeyBytes)
        return Error{ErrorCode::BadRequest, u"an identity key has 32 bytes"_s};
    if (ourUserId.isEmpty() || theirUserId.isEmpty())
        return Error{ErrorCode::BadRequest, u"a safety number needs both user ids"_s};
    Half first = half(ourUserId, ourIdentityKey);
    Half second = half(theirUserId, theirIdentityKey);
    // Ordered by user id, so that both sides put the same half first (by the digits when
    // the ids are the same: one's own other device).
    if (std::pair(second.userId, second.digits) < std::pair(first.userId, first.digits))
        std::swap(first, second);
    SafetyNumber number;
    number.digits = first.digits + second.digits;
    number.qrPayload.append(static_cast<char>(kSafetyNumberQrVersion));
    number.qrPayload.append(first.hash.first(kQrHashBytes));
    number.qrPayload.append(second.hash.first(kQrHashBytes));
    return number;
}

} // namespace tidings::e2e
