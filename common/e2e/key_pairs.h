#pragma once

// The two kinds of key pair end-to-end encryption uses: Ed25519 for signing (user
// identities, device keys, sender chains) and X25519 for Diffie-Hellman (prekeys,
// ephemeral and ratchet keys), with the Ed25519 → X25519 conversion where a signing key
// takes part in a DH (docs/encryption.md, "Keys").

#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace tidings::e2e {

inline constexpr qsizetype kPublicKeyBytes = 32; ///< Ed25519 and X25519 alike
inline constexpr qsizetype kSignatureBytes = 64;
inline constexpr qsizetype kSeedBytes = 32;

/// An X25519 key pair.
struct DhKeyPair
{
    QByteArray publicKey; ///< 32 bytes
    SecretKey secretKey;

    static DhKeyPair generate();
    /// The pair whose secret key is `secretKey` (its public key is computed).
    static DhKeyPair fromSecretKey(const SecretKey &secretKey);
};

/// X25519(ourSecret, theirPublic). Refuses a public key of the wrong size and an all-zero
/// result (a low-order point: the peer would learn nothing secret from it).
Result<SecretKey> diffieHellman(const SecretKey &ourSecret, QByteArrayView theirPublic);

/// An Ed25519 key pair: a user's identity, a device key or a sender chain's signing key.
class SigningKeyPair
{
public:
    static SigningKeyPair generate();
    /// The pair crypto_sign_seed_keypair makes from `seed`: the same seed, the same keys
    /// (what fixed-seed tests and known answers rely on).
    static SigningKeyPair fromSeed(const SecretKey &seed);

    /// 32 bytes.
    const QByteArray &publicKey() const { return m_publicKey; }
    /// A detached 64-byte signature of `message`.
    QByteArray sign(QByteArrayView message) const;
    /// This key's X25519 form (crypto_sign_ed25519_*_to_curve25519), for DH.
    DhKeyPair toDhKeyPair() const;

    /// A versioned encoding (the seed); deserialise() refuses truncated input and unknown
    /// versions.
    QByteArray serialise() const;
    static Result<SigningKeyPair> deserialise(QByteArrayView data);

private:
    SigningKeyPair() = default;

    QByteArray m_publicKey;
    Secret<64> m_secretKey;
};

/// Whether `signature` is `publicKey`'s Ed25519 signature of `message`. False for keys or
/// signatures of the wrong size.
bool verifySignature(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature);

/// The X25519 form of an Ed25519 public key; refuses one that is not a valid point.
Result<QByteArray> x25519PublicKey(QByteArrayView ed25519PublicKey);

} // namespace tidings::e2e
