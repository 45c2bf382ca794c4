#pragma once

// The Double Ratchet (Signal's published algorithm) for one pairwise device session, as
// docs/encryption.md binds it:
//   KDF_RK(rk, dh) = HKDF(salt = rk, IKM = dh, info = "Tidings ratchet v1", 64) → (rk, ck)
//   KDF_CK(ck): mk = HMAC-SHA256(ck, 0x01), next ck = HMAC-SHA256(ck, 0x02)
//   key ‖ nonce = HKDF(salt = 32 zero bytes, IKM = mk, info = "Tidings message v1", 56)
//   ciphertext = XChaCha20-Poly1305-IETF(plaintext, AD ‖ header)
//   header = version 1 ‖ ratchet public key (32) ‖ PN (u32 BE) ‖ N (u32 BE)
// A message on the wire is header ‖ ciphertext.

#include "e2e/key_pairs.h"
#include "e2e/secret.h"
#include "e2e/x3dh.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>

#include <deque>
#include <optional>

namespace tidings::e2e {

inline constexpr quint8 kRatchetMessageVersion = 1;
inline constexpr qsizetype kRatchetHeaderBytes = 1 + kPublicKeyBytes + 4 + 4;
/// The most message keys one step (one chain) may skip.
inline constexpr quint32 kMaxSkip = 1000;
/// The most skipped message keys a session keeps; the oldest go first.
inline constexpr qsizetype kMaxSkippedMessageKeys = 2000;
/// How many earlier peer ratchet keys a session remembers, to call a message on one of
/// them (with no skipped key left) a replay rather than a failed decryption.
inline constexpr qsizetype kRetiredRatchetKeysKept = 32;

struct RatchetHeader
{
    QByteArray ratchetKey; ///< the sender's current ratchet public key
    quint32 previousChainLength = 0; ///< PN: messages in the sender's previous sending chain
    quint32 messageNumber = 0; ///< N: this message's number in its chain

    /// kRatchetHeaderBytes, starting with kRatchetMessageVersion.
    QByteArray encode() const;
    /// The header at the start of `message`; refuses another version (Incompatible) and
    /// input shorter than a header (BadRequest).
    static Result<RatchetHeader> decode(QByteArrayView message);
};

/// One side of a pairwise session. encrypt() and decrypt() change the state only when they
/// succeed: decrypt() works on a copy and keeps it only if the message authenticates, so
/// a forged, altered or replayed message leaves the session as it was.
///
/// Errors from decrypt(): BadRequest (malformed), Incompatible (another header version),
/// TooLarge (more than kMaxSkip skipped in one chain), Conflict (a replay: that message
/// key was used already or is gone), Corrupt (does not authenticate).
class RatchetSession
{
public:
    /// The initiator, after x3dhInitiate: `theirRatchetKey` is the responder's signed
    /// prekey; the first ratchet key pair is new (or given, for known-answer tests).
    static Result<RatchetSession> initiate(const X3dhKeys &keys, QByteArrayView theirRatchetKey);
    static Result<RatchetSession> initiate(const X3dhKeys &keys, QByteArrayView theirRatchetKey,
                                           const DhKeyPair &ourRatchetKey);
    /// The responder, after x3dhRespond: `ourRatchetKey` is the signed prekey the initiator
    /// used. It can encrypt once it has decrypted the initiator's first message.
    static Result<RatchetSession> respond(const X3dhKeys &keys, const DhKeyPair &ourRatchetKey);

    bool canEncrypt() const { return m_sendingChain.has_value(); }
    /// header ‖ ciphertext.
    Result<QByteArray> encrypt(QByteArrayView plaintext);
    Result<QByteArray> decrypt(QByteArrayView message);

    qsizetype skippedMessageKeyCount() const { return static_cast<qsizetype>(m_skipped.size()); }
    const QByteArray &associatedData() const { return m_associatedData; }
    const QByteArray &ourRatchetKey() const { return m_ourRatchet.publicKey; }

    /// A versioned encoding of the whole state (secrets included: store it encrypted).
    /// deserialise() refuses truncated input, unknown versions and inconsistent state.
    QByteArray serialise() const;
    static Result<RatchetSession> deserialise(QByteArrayView data);

private:
    struct SkippedKey
    {
        QByteArray ratchetKey;
        quint32 messageNumber = 0;
        SecretKey messageKey;
    };

    RatchetSession() = default;

    Result<void> skipMessageKeys(quint32 until);
    Result<void> ratchetStep(const QByteArray &theirRatchetKey);
    bool isRetired(const QByteArray &ratchetKey) const;

    DhKeyPair m_ourRatchet;
    QByteArray m_theirRatchetKey; ///< empty until the first message arrives
    SecretKey m_rootKey;
    std::optional<SecretKey> m_sendingChain;
    std::optional<SecretKey> m_receivingChain;
    quint32 m_sent = 0; ///< Ns
    quint32 m_received = 0; ///< Nr
    quint32 m_previousSent = 0; ///< PN
    QByteArray m_associatedData;
    std::deque<SkippedKey> m_skipped; ///< oldest first
    QList<QByteArray> m_retiredRatchetKeys; ///< oldest first
};

} // namespace tidings::e2e
