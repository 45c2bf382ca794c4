#pragma once

// Sender keys for conversations (Signal's group "sender key", Matrix's Megolm shape), as
// docs/encryption.md binds them. Each device has one sending chain per conversation and shares
// it with the other members' devices over the pairwise sessions (a distribution message);
// one ciphertext per message then serves every member.
//   message i:  mk = HMAC-SHA256(ck, 0x01), next ck = HMAC-SHA256(ck, 0x02)
//               key ‖ nonce = HKDF(salt = 32 zero bytes, IKM = mk, "Tidings group v1", 56)
//   header = version 1 ‖ chain id (u32 BE) ‖ iteration (u32 BE)
//   message = header ‖ XChaCha20-Poly1305(plaintext, AD = header) ‖ Ed25519 signature of
//             (header ‖ ciphertext) by the chain's signing key

#include "e2e/key_pairs.h"
#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>

#include <deque>

namespace tidings::e2e {

inline constexpr quint8 kSenderKeyMessageVersion = 1;
inline constexpr qsizetype kSenderKeyHeaderBytes = 1 + 4 + 4;
/// The most iterations a receiver skips forward for one message.
inline constexpr quint32 kMaxSenderKeySkip = 2000;
/// The most skipped message keys a received chain keeps; the oldest go first.
inline constexpr qsizetype kMaxSenderSkippedKeys = 2000;

/// What a sender gives each member device (over the pairwise session) so that it can read
/// the chain from `iteration` on — and nothing sent before.
struct SenderKeyDistribution
{
    qint64 conversationId = 0;
    quint32 chainId = 0;
    quint32 iteration = 0;
    SecretKey chainKey; ///< the chain key at `iteration`
    QByteArray signingKey; ///< the chain's Ed25519 public key

    QByteArray encode() const;
    static Result<SenderKeyDistribution> decode(QByteArrayView data);
};

/// The chain id and iteration of a sender-key message, read without decrypting it: what
/// a receiver needs to pick the chain.
struct SenderKeyMessageHeader
{
    quint32 chainId = 0;
    quint32 iteration = 0;

    static Result<SenderKeyMessageHeader> decode(QByteArrayView message);
};

/// This device's sending chain in one conversation.
class SenderChain
{
public:
    /// A new chain: a random chain key and a new signing key pair, at iteration 0.
    static SenderChain create(qint64 conversationId, quint32 chainId);
    /// With given keys: for known-answer tests.
    static SenderChain create(qint64 conversationId, quint32 chainId, const SecretKey &chainKey,
                              const SigningKeyPair &signingKey);

    /// The chain to switch to when a member or a device leaves: the next chain id, new
    /// keys. Distribute it to the remaining members only.
    SenderChain rotated() const;

    qint64 conversationId() const { return m_conversationId; }
    quint32 chainId() const { return m_chainId; }
    /// The iteration the next message will have.
    quint32 iteration() const { return m_iteration; }
    /// The chain as it is now: a member given it reads from the next message on.
    SenderKeyDistribution distribution() const;

    /// The signed message for `plaintext`; advances the chain. TooLarge once the
    /// iterations are used up (rotate).
    Result<QByteArray> encrypt(QByteArrayView plaintext);

    QByteArray serialise() const;
    static Result<SenderChain> deserialise(QByteArrayView data);

private:
    SenderChain(qint64 conversationId, quint32 chainId, quint32 iteration,
                const SecretKey &chainKey, const SigningKeyPair &signingKey);

    qint64 m_conversationId;
    quint32 m_chainId;
    quint32 m_iteration;
    SecretKey m_chainKey;
    SigningKeyPair m_signingKey;
};

/// Another device's sending chain, as a receiver holds it. decrypt() changes the state
/// only when it succeeds. Its errors: BadRequest (malformed, or another chain),
/// Incompatible (another version), Unauthorized (not signed by the chain's key),
/// Forbidden (sent before this chain was shared with us), TooLarge (skips more than
/// kMaxSenderKeySkip), Conflict (a replay, or a key dropped), Corrupt (does not decrypt).
class ReceivedSenderChain
{
public:
    static Result<ReceivedSenderChain> fromDistribution(const SenderKeyDistribution &distribution);

    qint64 conversationId() const { return m_conversationId; }
    quint32 chainId() const { return m_chainId; }
    /// The first iteration this receiver was given.
    quint32 firstIteration() const { return m_firstIteration; }
    /// The next iteration it expects.
    quint32 iteration() const { return m_iteration; }
    const QByteArray &signingKey() const { return m_signingKey; }
    qsizetype skippedMessageKeyCount() const { return static_cast<qsizetype>(m_skipped.size()); }

    Result<QByteArray> decrypt(QByteArrayView message);

    QByteArray serialise() const;
    static Result<ReceivedSenderChain> deserialise(QByteArrayView data);

private:
    struct SkippedKey
    {
        quint32 iteration = 0;
        SecretKey messageKey;
    };

    ReceivedSenderChain() = default;

    qint64 m_conversationId = 0;
    quint32 m_chainId = 0;
    quint32 m_firstIteration = 0;
    quint32 m_iteration = 0;
    SecretKey m_chainKey;
    QByteArray m_signingKey;
    std::deque<SkippedKey> m_skipped; ///< oldest first
};

} // namespace tidings::e2e
