#pragma once

// Prekeys: what a device publishes so others can start a session with it while it is
// offline (X3DH). One signed prekey at a time, signed by the device key; one-time prekeys
// uploaded in batches and used at most once (docs/encryption.md, "Keys").

#include "e2e/device_keys.h"
#include "e2e/key_pairs.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace tidings::e2e {

/// Upload more one-time prekeys when the relay reports fewer than this many left.
inline constexpr int kOneTimePreKeyRefillBelow = 20;

/// The public half of a signed prekey, as published.
struct SignedPreKeyPublic
{
    quint32 id = 0;
    QByteArray publicKey; ///< X25519, 32 bytes
    QByteArray signature; ///< by the device key, over signedBytes()

    /// "tidings-spk-v1" || key id u32 BE || public key.
    QByteArray signedBytes() const;
    /// Whether the device key `deviceKey` signed it (Unauthorized when not).
    Result<void> verify(QByteArrayView deviceKey) const;

    QByteArray encode() const;
    static Result<SignedPreKeyPublic> decode(QByteArrayView data);

    friend bool operator==(const SignedPreKeyPublic &, const SignedPreKeyPublic &) = default;
};

/// A signed prekey with its secret, as the device keeps it.
struct SignedPreKey
{
    quint32 id = 0;
    DhKeyPair keyPair;
    QByteArray signature;

    static SignedPreKey generate(const SigningKeyPair &deviceKey, quint32 id);
    /// With a given key pair: for deterministic tests.
    static SignedPreKey create(const SigningKeyPair &deviceKey, quint32 id,
                               const DhKeyPair &keyPair);
    SignedPreKeyPublic publicPart() const;

    QByteArray serialise() const;
    static Result<SignedPreKey> deserialise(QByteArrayView data);
};

struct OneTimePreKeyPublic
{
    quint32 id = 0;
    QByteArray publicKey; ///< X25519, 32 bytes

    QByteArray encode() const;
    static Result<OneTimePreKeyPublic> decode(QByteArrayView data);

    friend bool operator==(const OneTimePreKeyPublic &, const OneTimePreKeyPublic &) = default;
};

/// A one-time prekey with its secret; delete it once a session used it.
struct OneTimePreKey
{
    quint32 id = 0;
    DhKeyPair keyPair;

    /// `count` new keys with ids firstId, firstId + 1, …
    static QList<OneTimePreKey> generateBatch(quint32 firstId, int count);
    OneTimePreKeyPublic publicPart() const { return {id, keyPair.publicKey}; }

    QByteArray serialise() const;
    static Result<OneTimePreKey> deserialise(QByteArrayView data);
};

/// What the relay hands out to start a session with one device: its certificate, its
/// signed prekey and, while any are left, one one-time prekey.
struct PreKeyBundle
{
    DeviceCertificate certificate;
    SignedPreKeyPublic signedPreKey;
    std::optional<OneTimePreKeyPublic> oneTimePreKey;

    /// The certificate against the user's trusted identity key, then the signed prekey
    /// against the certified device key, then the sizes of the keys.
    Result<void> verify(QByteArrayView identityKey) const;

    QByteArray encode() const;
    static Result<PreKeyBundle> decode(QByteArrayView data);
};

} // namespace tidings::e2e
