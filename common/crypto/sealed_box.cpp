#include "crypto/sealed_box.h"

#include "crypto/sodium.h"

#include <sodium.h>

namespace tidings::crypto {

using namespace Qt::StringLiterals;

namespace {

const unsigned char *bytes(const QByteArray &data)
{
    return reinterpret_cast<const unsigned char *>(data.constData());
}

} // namespace

BoxKeyPair newBoxKeyPair()
{
    ensureSodium();
    BoxKeyPair keys{QByteArray(crypto_box_PUBLICKEYBYTES, Qt::Uninitialized),
                    QByteArray(crypto_box_SECRETKEYBYTES, Qt::Uninitialized)};
    crypto_box_keypair(reinterpret_cast<unsigned char *>(keys.publicKey.data()),
                       reinterpret_cast<unsigned char *>(keys.secretKey.data()));
    return keys;
}

Result<QByteArray> seal(const QByteArray &publicKey, const QByteArray &message)
{
    static_assert(crypto_box_PUBLICKEYBYTES == kBoxPublicKeyBytes);
    ensureSodium();
    if (publicKey.size() != crypto_box_PUBLICKEYBYTES)
        return Error{ErrorCode::BadRequest, u"a device key has 32 bytes"_s};
    QByteArray sealed(message.size() + crypto_box_SEALBYTES, Qt::Uninitialized);
    if (crypto_box_seal(reinterpret_cast<unsigned char *>(sealed.data()), bytes(message),
                        static_cast<unsigned long long>(message.size()), bytes(publicKey))
        != 0)
        return Error{ErrorCode::BadRequest, u"not a usable device key"_s};
    return sealed;
}

Result<QByteArray> openSealed(const BoxKeyPair &keys, const QByteArray &sealed)
{
    ensureSodium();
    if (sealed.size() < crypto_box_SEALBYTES || keys.publicKey.size() != crypto_box_PUBLICKEYBYTES
        || keys.secretKey.size() != crypto_box_SECRETKEYBYTES)
        return Error{ErrorCode::BadRequest, u"not a sealed box"_s};
    QByteArray message(sealed.size() - crypto_box_SEALBYTES, Qt::Uninitialized);
    if (crypto_box_seal_open(reinterpret_cast<unsigned char *>(message.data()), bytes(sealed),
                             static_cast<unsigned long long>(sealed.size()), bytes(keys.publicKey),
                             bytes(keys.secretKey))
        != 0)
        return Error{ErrorCode::BadRequest, u"the sealed box does not open with this key"_s};
    return message;
}

QByteArray hmacSha256(const QByteArray &key, const QByteArray &message)
{
    ensureSodium();
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, bytes(key), static_cast<size_t>(key.size()));
    crypto_auth_hmacsha256_update(&state, bytes(message),
                                  static_cast<unsigned long long>(message.size()));
    QByteArray tag(crypto_auth_hmacsha256_BYTES, Qt::Uninitialized);
    crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char *>(tag.data()));
    return tag;
}

} // namespace tidings::crypto
