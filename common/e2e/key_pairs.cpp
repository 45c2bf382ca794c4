#include "e2e/key_pairs.h"

#include "crypto/sodium.h"
#include "e2e/byte_codec_p.h"

#include <sodium.h>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kSigningKeyPairVersion = 1;

static_assert(crypto_scalarmult_curve25519_BYTES == kPublicKeyBytes);
static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeyBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_SEEDBYTES == kSeedBytes);
static_assert(crypto_sign_BYTES == kSignatureBytes);

} // namespace

DhKeyPair DhKeyPair::generate()
{
    return fromSecretKey(SecretKey::random());
}

DhKeyPair DhKeyPair::fromSecretKey(const SecretKey &secretKey)
{
    crypto::ensureSodium();
    DhKeyPair pair{QByteArray(kPublicKeyBytes, Qt::Uninitialized), secretKey};
    crypto_scalarmult_curve25519_base(uchars(pair.publicKey), secretKey.data());
    return pair;
}

Result<SecretKey> diffieHellman(const SecretKey &ourSecret, QByteArrayView theirPublic)
{
    crypto::ensureSodium();
    if (theirPublic.size() != kPublicKeyBytes)
        return Error{ErrorCode::BadRequest, u"an X25519 public key has 32 bytes"_s};
    SecretKey shared;
    // libsodium refuses an all-zero result itself; the explicit check says why, and holds
    // whatever the library version.
    if (crypto_scalarmult_curve25519(shared.data(), ourSecret.data(), uchars(theirPublic)) != 0
        || shared.isZero())
        return Error{ErrorCode::BadRequest,
                     u"the Diffie-Hellman result is all zero (a low-order public key)"_s};
    return shared;
}

SigningKeyPair SigningKeyPair::generate()
{
    return fromSeed(SecretKey::random());
}

SigningKeyPair SigningKeyPair::fromSeed(const SecretKey &seed)
{
    crypto::ensureSodium();
    SigningKeyPair pair;
    pair.m_publicKey = QByteArray(kPublicKeyBytes, Qt::Uninitialized);
    crypto_sign_seed_keypair(uchars(pair.m_publicKey), pair.m_secretKey.data(), seed.data());
    return pair;
}

QByteArray SigningKeyPair::sign(QByteArrayView message) const
{
    crypto::ensureSodium();
    QByteArray signature(kSignatureBytes, Qt::Uninitialized);
    crypto_sign_detached(uchars(signature), nullptr, uchars(message),
                         static_cast<unsigned long long>(message.size()), m_secretKey.data());
    return signature;
}

DhKeyPair SigningKeyPair::toDhKeyPair() const
{
    crypto::ensureSodium();
    SecretKey secret;
    crypto_sign_ed25519_sk_to_curve25519(secret.data(), m_secretKey.data());
    return DhKeyPair::fromSecretKey(secret);
}

QByteArray SigningKeyPair::serialise() const
{
    SecretKey seed;
    crypto_sign_ed25519_sk_to_seed(seed.data(), m_secretKey.data());
    ByteWriter writer(EncodingKind::SigningKeyPair, kSigningKeyPairVersion);
    writer.secret(seed);
    return writer.take();
}

Result<SigningKeyPair> SigningKeyPair::deserialise(QByteArrayView data)
{
    const QString what = u"signing key pair"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::SigningKeyPair, kSigningKeyPairVersion, what);
        !preamble)
        return preamble.error();
    const SecretKey seed = reader.secret<32>();
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return fromSeed(seed);
}

bool verifySignature(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature)
{
    crypto::ensureSodium();
    if (publicKey.size() != kPublicKeyBytes || signature.size() != kSignatureBytes)
        return false;
    return crypto_sign_verify_detached(uchars(signature), uchars(message),
                                       static_cast<unsigned long long>(message.size()),
                                       uchars(publicKey))
        == 0;
}

Result<QByteArray> x25519PublicKey(QByteArrayView ed25519PublicKey)
{
    crypto::ensureSodium();
    QByteArray converted(kPublicKeyBytes, Qt::Uninitialized);
    if (ed25519PublicKey.size() != kPublicKeyBytes
        || crypto_sign_ed25519_pk_to_curve25519(uchars(converted), uchars(ed25519PublicKey)) != 0)
        return Error{ErrorCode::BadRequest, u"not an Ed25519 public key"_s};
    return converted;
}

} // namespace tidings::e2e
