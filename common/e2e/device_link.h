#pragma once

// Linking a new device to an account (docs/encryption.md, section 3): the link code the
// offering device shows and the new device types, the keys both derive from it and their
// two X25519 keys, the two boxes the relay passes between them, and what each box holds.
//   code      = Crockford base32 of (s: 5 random bytes ‖ first 10 bytes of BLAKE2b-256(E_O)),
//               24 characters shown in six groups of four ("K7QM-3XPA-…")
//   k_answer ‖ k_complete = HKDF-SHA256(salt = s, IKM = X25519(e, E_other),
//               info = "Tidings link v1" ‖ E_O ‖ E_N, L = 64)
//   box       = nonce (24, random) ‖ XChaCha20-Poly1305-IETF(key, plaintext,
//               AD = "tidings-link-v1" ‖ offer id (ASCII) ‖ E_O ‖ E_N)

#include "e2e/device_keys.h"
#include "e2e/key_pairs.h"
#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>
#include <QString>

namespace tidings::e2e {

inline constexpr qsizetype kLinkSecretBytes = 5; ///< s: 40 bits
inline constexpr qsizetype kLinkKeyHashBytes = 10; ///< 80 bits of BLAKE2b-256(E_O)
inline constexpr qsizetype kLinkCodeCharacters = 24; ///< without the dashes
inline constexpr qsizetype kLinkBoxOverheadBytes = 24 + 16; ///< nonce and tag

/// The code the offering device shows and the new device types.
struct LinkCode
{
    QByteArray secret; ///< kLinkSecretBytes
    QByteArray keyHash; ///< kLinkKeyHashBytes: the start of BLAKE2b-256 of E_O

    /// A new code for the offering device's key `offeringKey` (E_O), with a random secret.
    static LinkCode generate(QByteArrayView offeringKey);
    /// Six groups of four Crockford base32 characters (0-9, A-Z without I, L, O, U), joined
    /// by '-'.
    QString text() const;
    /// What a person typed: case, spaces and dashes do not matter, and I and L read as 1, O
    /// as 0 (Crockford). BadRequest, in words a person reads, for anything else or the
    /// wrong length.
    static Result<LinkCode> parse(const QString &typed);
    /// Whether `offeringKey` is the key this code was made for (constant time).
    bool matches(QByteArrayView offeringKey) const;
};

/// The two keys one link derives.
struct LinkKeys
{
    SecretKey answer; ///< seals the new device's answer
    SecretKey complete; ///< seals the offering device's completion

    /// Either side: `ours` is its own X25519 key pair, `theirs` the other's public key;
    /// `offeringKey` and `newKey` are E_O and E_N in that order, whichever side asks.
    /// BadRequest for keys of the wrong size or an all-zero DH.
    static Result<LinkKeys> derive(const LinkCode &code, const DhKeyPair &ours,
                                   QByteArrayView theirs, QByteArrayView offeringKey,
                                   QByteArrayView newKey);
};

/// Seals `plaintext` for the other side of offer `offerId`.
QByteArray sealLinkBox(const SecretKey &key, const QString &offerId, QByteArrayView offeringKey,
                       QByteArrayView newKey, QByteArrayView plaintext);
/// Opens a box; Unauthorized when it does not authenticate (a wrong code, or someone
/// guessing), BadRequest when it is too short.
Result<QByteArray> openLinkBox(const SecretKey &key, const QString &offerId,
                               QByteArrayView offeringKey, QByteArrayView newKey,
                               QByteArrayView box);

/// What the new device's answer box holds.
struct LinkAnswer
{
    QByteArray deviceKey; ///< its Ed25519 public key, 32 bytes
    quint32 deviceId = 0; ///< the id it proposes; never 0
    QString name; ///< at most 128 bytes of UTF-8

    QByteArray encode() const;
    static Result<LinkAnswer> decode(QByteArrayView data);
};

/// What the offering device's completion box holds.
struct LinkCompletion
{
    SigningKeyPair identity; ///< the account's identity key pair
    DeviceCertificate certificate; ///< the new device's
    DeviceList list; ///< the new list, with the new device in it
    /// The history bundle, if one was uploaded: its media id, size and SHA-256 (hex) and
    /// the key that opens it (FileKey::encode()); empty when there is none.
    QString historyMedia;
    qint64 historySize = 0;
    QString historySha256;
    QByteArray historyKey;

    QByteArray encode() const;
    /// Also refuses a certificate or list that the identity did not sign.
    static Result<LinkCompletion> decode(QByteArrayView data);
};

} // namespace tidings::e2e
