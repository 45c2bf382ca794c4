#include "e2e/message_keys_p.h"

#include "crypto/sodium.h"
#include "e2e/byte_codec_p.h"
#include "e2e/hkdf.h"

#include <sodium.h>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kAeadTagBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);

/// The 32-byte key followed by the 24-byte nonce.
Secret<56> messageKeyAndNonce(const SecretKey &messageKey, QByteArrayView info)
{
    static const QByteArray kZeroSalt(32, '\0');
    Secret<56> keyAndNonce;
    // 56 bytes is far below HKDF's limit: this cannot fail.
    auto derived = hkdf(kZeroSalt, messageKey.view(), info, keyAndNonce.span());
    Q_ASSERT(derived.ok());
    Q_UNUSED(derived);
    return keyAndNonce;
}

} // namespace

SecretKey advanceChain(SecretKey &chainKey)
{
    static constexpr char kMessageKeyByte = 0x01;
    static constexpr char kChainKeyByte = 0x02;
    SecretKey messageKey;
    SecretKey nextChainKey;
    hmacSha256(chainKey.view(), QByteArrayView(&kMessageKeyByte, 1), messageKey.span());
    hmacSha256(chainKey.view(), QByteArrayView(&kChainKeyByte, 1), nextChainKey.span());
    chainKey = nextChainKey;
    return messageKey;
}

QByteArray sealMessage(const SecretKey &messageKey, QByteArrayView info,
                       QByteArrayView associatedData, QByteArrayView plaintext)
{
    crypto::ensureSodium();
    const Secret<56> keyAndNonce = messageKeyAndNonce(messageKey, info);
    QByteArray ciphertext(plaintext.size() + kAeadTagBytes, Qt::Uninitialized);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        uchars(ciphertext), &written, uchars(plaintext),
        static_cast<unsigned long long>(plaintext.size()), uchars(associatedData),
        static_cast<unsigned long long>(associatedData.size()), nullptr, keyAndNonce.data() + 32,
        keyAndNonce.data());
    Q_ASSERT(written == static_cast<unsigned long long>(ciphertext.size()));
    return ciphertext;
}

Result<QByteArray> openMessage(const SecretKey &messageKey, QByteArrayView info,
                               QByteArrayView associatedData, QByteArrayView ciphertext)
{
    crypto::ensureSodium();
    if (ciphertext.size() < kAeadTagBytes)
        return Error{ErrorCode::BadRequest, u"the ciphertext is too short"_s};
    const Secret<56> keyAndNonce = messageKeyAndNonce(messageKey, info);
    QByteArray plaintext(ciphertext.size() - kAeadTagBytes, Qt::Uninitialized);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            uchars(plaintext), &written, nullptr, uchars(ciphertext),
            static_cast<unsigned long long>(ciphertext.size()), uchars(associatedData),
            static_cast<unsigned long long>(associatedData.size()), keyAndNonce.data() + 32,
            keyAndNonce.data())
        != 0)
        return Error{ErrorCode::Corrupt,
                     u"the message does not decrypt: altered, or not for this key"_s};
    return plaintext;
}

} // namespace tidings::e2e
