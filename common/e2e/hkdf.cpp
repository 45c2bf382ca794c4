#include "e2e/hkdf.h"

#include "crypto/sodium.h"
#include "e2e/byte_codec_p.h"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

static_assert(crypto_auth_hmacsha256_BYTES == kHmacSha256Bytes);

void hmacSha256(QByteArrayView key, QByteArrayView message, std::span<unsigned char, 32> out)
{
    crypto::ensureSodium();
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, uchars(key), static_cast<std::size_t>(key.size()));
    crypto_auth_hmacsha256_update(&state, uchars(message),
                                  static_cast<unsigned long long>(message.size()));
    crypto_auth_hmacsha256_final(&state, out.data());
    sodium_memzero(&state, sizeof state);
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView message)
{
    QByteArray tag(kHmacSha256Bytes, Qt::Uninitialized);
    hmacSha256(key, message, std::span<unsigned char, 32>(uchars(tag), 32));
    return tag;
}

QByteArray hkdfExtract(QByteArrayView salt, QByteArrayView inputKeyMaterial)
{
    static const QByteArray kZeroSalt(kHmacSha256Bytes, '\0');
    return hmacSha256(salt.isEmpty() ? QByteArrayView(kZeroSalt) : salt, inputKeyMaterial);
}

Result<void> hkdfExpand(QByteArrayView pseudoRandomKey, QByteArrayView info,
                        std::span<unsigned char> out)
{
    if (out.size() > static_cast<std::size_t>(kHkdfMaxOutputBytes))
        return Error{ErrorCode::BadRequest,
                     u"HKDF-SHA-256 makes at most %1 bytes"_s.arg(kHkdfMaxOutputBytes)};
    crypto::ensureSodium();
    // T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty; OKM = T(1) || T(2) || ...
    std::array<unsigned char, kHmacSha256Bytes> block{};
    crypto_auth_hmacsha256_state state;
    std::size_t done = 0;
    for (unsigned counter = 1; done < out.size(); ++counter) {
        const auto counterByte = static_cast<unsigned char>(counter);
        crypto_auth_hmacsha256_init(&state, uchars(pseudoRandomKey),
                                    static_cast<std::size_t>(pseudoRandomKey.size()));
        if (counter > 1)
            crypto_auth_hmacsha256_update(&state, block.data(), block.size());
        crypto_auth_hmacsha256_update(&state, uchars(info),
                                      static_cast<unsigned long long>(info.size()));
        crypto_auth_hmacsha256_update(&state, &counterByte, 1);
        crypto_auth_hmacsha256_final(&state, block.data());
        const std::size_t count = std::min(block.size(), out.size() - done);
        std::copy_n(block.data(), count, out.data() + done);
        done += count;
    }
    sodium_memzero(&state, sizeof state);
    sodium_memzero(block.data(), block.size());
    return {};
}

Result<QByteArray> hkdfExpand(QByteArrayView pseudoRandomKey, QByteArrayView info, qsizetype length)
{
    if (length < 0 || length > kHkdfMaxOutputBytes)
        return Error{ErrorCode::BadRequest,
                     u"HKDF-SHA-256 makes 0 to %1 bytes"_s.arg(kHkdfMaxOutputBytes)};
    QByteArray out(length, Qt::Uninitialized);
    auto expanded
        = hkdfExpand(pseudoRandomKey, info,
                     std::span<unsigned char>(uchars(out), static_cast<std::size_t>(length)));
    if (!expanded)
        return expanded.error();
    return out;
}

Result<void> hkdf(QByteArrayView salt, QByteArrayView inputKeyMaterial, QByteArrayView info,
                  std::span<unsigned char> out)
{
    QByteArray prk = hkdfExtract(salt, inputKeyMaterial);
    auto expanded = hkdfExpand(prk, info, out);
    wipe(prk);
    return expanded;
}

Result<QByteArray> hkdf(QByteArrayView salt, QByteArrayView inputKeyMaterial, QByteArrayView info,
                        qsizetype length)
{
    QByteArray prk = hkdfExtract(salt, inputKeyMaterial);
    auto expanded = hkdfExpand(prk, info, length);
    wipe(prk);
    return expanded;
}

} // namespace tidings::e2e
