#pragma once

// X3DH (Signal's Extended Triple Diffie-Hellman) between two devices, as docs/encryption.md
// binds it: IK is the X25519 form of a device's Ed25519 key;
//   DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B) [, DH4 = DH(EK_A, OPK_B)]
//   SK = HKDF-SHA256(salt = 32 zero bytes, IKM = 32 × 0xFF || DH1 || DH2 || DH3 [|| DH4],
//                    info = "Tidings X3DH v1", L = 32)
//   AD = IK_A || IK_B (public keys, 32 bytes each).
// The initiator (A) then starts a RatchetSession with SPK_B as the peer's ratchet key.

#include "e2e/key_pairs.h"
#include "e2e/prekeys.h"
#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>

#include <optional>

namespace tidings::e2e {

inline constexpr qsizetype kAssociatedDataBytes = 2 * kPublicKeyBytes;

/// What the first messages of a session carry so that the responder can run X3DH.
struct X3dhHeader
{
    QByteArray identityKey; ///< IK_A: the X25519 form of the initiator's device key
    QByteArray ephemeralKey; ///< EK_A
    quint32 signedPreKeyId = 0;
    std::optional<quint32> oneTimePreKeyId;

    QByteArray encode() const;
    static Result<X3dhHeader> decode(QByteArrayView data);

    friend bool operator==(const X3dhHeader &, const X3dhHeader &) = default;
};

/// The agreement X3DH reaches: the shared secret SK and the associated data AD.
struct X3dhKeys
{
    SecretKey sharedKey;
    QByteArray associatedData; ///< kAssociatedDataBytes
};

/// The initiator's side: the keys, the header to send, and the responder's signed prekey
/// (the first ratchet key of the session).
struct X3dhInitiation
{
    X3dhKeys keys;
    X3dhHeader header;
    QByteArray theirSignedPreKey;
};

/// Runs X3DH towards the device of `theirBundle`. Refuses (Unauthorized) a bundle whose
/// certificate is not signed by `theirIdentityKey` — the identity key the caller trusts
/// for that user — or whose signed prekey is not signed by the certified device key, and
/// (BadRequest) an all-zero DH. The caller checks the certificate's user and device id.
Result<X3dhInitiation> x3dhInitiate(const SigningKeyPair &ourDeviceKey,
                                    const PreKeyBundle &theirBundle,
                                    QByteArrayView theirIdentityKey);
/// The same with a given ephemeral key: for known-answer tests only.
Result<X3dhInitiation> x3dhInitiate(const SigningKeyPair &ourDeviceKey,
                                    const PreKeyBundle &theirBundle,
                                    QByteArrayView theirIdentityKey, const DhKeyPair &ephemeralKey);

/// The responder's side, for a header that named `ourSignedPreKey` (and `ourOneTimePreKey`,
/// which the caller looked up by the header's id and deletes once the session is accepted).
/// `theirDeviceKey` is the initiator's Ed25519 device key from their verified device list:
/// a header whose IK is not its X25519 form is refused (Unauthorized).
Result<X3dhKeys> x3dhRespond(const SigningKeyPair &ourDeviceKey,
                             const SignedPreKey &ourSignedPreKey,
                             const std::optional<OneTimePreKey> &ourOneTimePreKey,
                             const X3dhHeader &header, QByteArrayView theirDeviceKey);

/// A message that opens a session: the X3DH header and the first ratchet message. The
/// initiator sends its messages in this form until the responder has answered.
struct PreKeyMessage
{
    X3dhHeader header;
    QByteArray message; ///< what RatchetSession::encrypt made

    QByteArray encode() const;
    static Result<PreKeyMessage> decode(QByteArrayView data);
};

} // namespace tidings::e2e
