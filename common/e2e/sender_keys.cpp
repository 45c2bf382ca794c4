#include "e2e/sender_keys.h"

#include "e2e/byte_codec_p.h"
#include "e2e/message_keys_p.h"

#include <algorithm>
#include <limits>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kSenderKeyStateVersion = 1;
constexpr quint32 kLastIteration = std::numeric_limits<quint32>::max() - 1;

QByteArray encodeHeader(quint32 chainId, quint32 iteration)
{
    ByteWriter writer;
    writer.u8(kSenderKeyMessageVersion);
    writer.u32(chainId);
    writer.u32(iteration);
    return writer.take();
}

Error replay()
{
    return Error{ErrorCode::Conflict,
                 u"a replay: this message was decrypted already, or its key is gone"_s};
}

} // namespace

QByteArray SenderKeyDistribution::encode() const
{
    ByteWriter writer(EncodingKind::SenderKeyDistribution, kSenderKeyStateVersion);
    writer.u64(static_cast<quint64>(conversationId));
    writer.u32(chainId);
    writer.u32(iteration);
    writer.secret(chainKey);
    writer.bytes(signingKey);
    return writer.take();
}

Result<SenderKeyDistribution> SenderKeyDistribution::decode(QByteArrayView data)
{
    const QString what = u"sender key distribution"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::SenderKeyDistribution, kSenderKeyStateVersion, what);
        !preamble)
        return preamble.error();
    SenderKeyDistribution distribution;
    distribution.conversationId = static_cast<qint64>(reader.u64());
    distribution.chainId = reader.u32();
    distribution.iteration = reader.u32();
    distribution.chainKey = reader.secret<32>();
    distribution.signingKey = reader.bytes(kPublicKeyBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return distribution;
}

Result<SenderKeyMessageHeader> SenderKeyMessageHeader::decode(QByteArrayView message)
{
    if (message.isEmpty())
        return Error{ErrorCode::BadRequest, u"an empty message"_s};
    if (static_cast<quint8>(message.at(0)) != kSenderKeyMessageVersion)
        return Error{ErrorCode::Incompatible,
                     u"sender key message version %1 is not supported"_s.arg(
                         static_cast<quint8>(message.at(0)))};
    if (message.size() < kSenderKeyHeaderBytes + kAeadTagBytes + kSignatureBytes)
        return Error{ErrorCode::BadRequest, u"the sender key message is too short"_s};
    ByteReader reader(message.first(kSenderKeyHeaderBytes));
    reader.u8();
    SenderKeyMessageHeader header;
    header.chainId = reader.u32();
    header.iteration = reader.u32();
    return header;
}

SenderChain::SenderChain(qint64 conversationId, quint32 chainId, quint32 iteration,
                         const SecretKey &chainKey, const SigningKeyPair &signingKey)
    : m_conversationId(conversationId), m_chainId(chainId), m_iteration(iteration),
      m_chainKey(chainKey), m_signingKey(signingKey)
{ }

SenderChain SenderChain::create(qint64 conversationId, quint32 chainId)
{
    return create(conversationId, chainId, SecretKey::random(), SigningKeyPair::generate());
}

SenderChain SenderChain::create(qint64 conversationId, quint32 chainId, const SecretKey &chainKey,
                                const SigningKeyPair &signingKey)
{
    return SenderChain(conversationId, chainId, 0, chainKey, signingKey);
}

SenderChain SenderChain::rotated() const
{
    return create(m_conversationId, m_chainId + 1);
}

SenderKeyDistribution SenderChain::distribution() const
{
    return {m_conversationId, m_chainId, m_iteration, m_chainKey, m_signingKey.publicKey()};
}

Result<QByteArray> SenderChain::encrypt(QByteArrayView plaintext)
{
    if (m_iteration > kLastIteration)
        return Error{ErrorCode::TooLarge, u"this sender chain is used up: rotate it"_s};
    const SecretKey messageKey = advanceChain(m_chainKey);
    QByteArray message = encodeHeader(m_chainId, m_iteration);
    ++m_iteration;
    message.append(sealMessage(messageKey, kGroupMessageInfo, message, plaintext));
    message.append(m_signingKey.sign(message));
    return message;
}

QByteArray SenderChain::serialise() const
{
    ByteWriter writer(EncodingKind::SenderChain, kSenderKeyStateVersion);
    writer.u64(static_cast<quint64>(m_conversationId));
    writer.u32(m_chainId);
    writer.u32(m_iteration);
    writer.secret(m_chainKey);
    QByteArray signingKey = m_signingKey.serialise();
    writer.blob16(signingKey);
    wipe(signingKey);
    return writer.take();
}

Result<SenderChain> SenderChain::deserialise(QByteArrayView data)
{
    const QString what = u"sender chain"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::SenderChain, kSenderKeyStateVersion, what);
        !preamble)
        return preamble.error();
    const auto conversationId = static_cast<qint64>(reader.u64());
    const quint32 chainId = reader.u32();
    const quint32 iteration = reader.u32();
    const SecretKey chainKey = reader.secret<32>();
    QByteArray signingKeyBytes = reader.blob16();
    auto signingKey = SigningKeyPair::deserialise(signingKeyBytes);
    wipe(signingKeyBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    if (!signingKey)
        return signingKey.error();
    return SenderChain(conversationId, chainId, iteration, chainKey, *signingKey);
}

Result<ReceivedSenderChain>
ReceivedSenderChain::fromDistribution(const SenderKeyDistribution &distribution)
{
    if (distribution.signingKey.size() != kPublicKeyBytes)
        return Error{ErrorCode::BadRequest, u"a signing key has 32 bytes"_s};
    ReceivedSenderChain chain;
    chain.m_conversationId = distribution.conversationId;
    chain.m_chainId = distribution.chainId;
    chain.m_firstIteration = distribution.iteration;
    chain.m_iteration = distribution.iteration;
    chain.m_chainKey = distribution.chainKey;
    chain.m_signingKey = distribution.signingKey;
    return chain;
}

Result<QByteArray> ReceivedSenderChain::decrypt(QByteArrayView message)
{
    const auto header = SenderKeyMessageHeader::decode(message);
    if (!header)
        return header.error();
    if (header->chainId != m_chainId)
        return Error{ErrorCode::BadRequest,
                     u"the message is for chain %1, not %2"_s.arg(header->chainId).arg(m_chainId)};
    const QByteArrayView signedPart = message.first(message.size() - kSignatureBytes);
    if (!verifySignature(m_signingKey, signedPart, message.last(kSignatureBytes)))
        return Error{ErrorCode::Unauthorized,
                     u"the message is not signed by the sender chain's key"_s};
    if (header->iteration > kLastIteration)
        return Error{ErrorCode::BadRequest, u"the message's iteration is out of range"_s};
    if (header->iteration < m_firstIteration)
        return Error{ErrorCode::Forbidden,
                     u"the message was sent before this chain was shared with us"_s};
    const QByteArrayView headerBytes = signedPart.first(kSenderKeyHeaderBytes);
    const QByteArrayView ciphertext = signedPart.sliced(kSenderKeyHeaderBytes);

    if (header->iteration < m_iteration) {
        const auto skipped
            = std::find_if(m_skipped.begin(), m_skipped.end(), [&](const SkippedKey &key) {
                  return key.iteration == header->iteration;
              });
        if (skipped == m_skipped.end())
            return replay();
        auto plaintext
            = openMessage(skipped->messageKey, kGroupMessageInfo, headerBytes, ciphertext);
        if (plaintext)
            m_skipped.erase(skipped);
        return plaintext;
    }
    if (header->iteration - m_iteration > kMaxSenderKeySkip)
        return Error{ErrorCode::TooLarge,
                     u"the message skips more than %1 messages"_s.arg(kMaxSenderKeySkip)};

    ReceivedSenderChain next = *this;
    while (next.m_iteration < header->iteration) {
        next.m_skipped.push_back({next.m_iteration, advanceChain(next.m_chainKey)});
        ++next.m_iteration;
        if (static_cast<qsizetype>(next.m_skipped.size()) > kMaxSenderSkippedKeys)
            next.m_skipped.pop_front();
    }
    const SecretKey messageKey = advanceChain(next.m_chainKey);
    ++next.m_iteration;
    auto plaintext = openMessage(messageKey, kGroupMessageInfo, headerBytes, ciphertext);
    if (!plaintext)
        return plaintext.error();
    *this = std::move(next);
    return plaintext;
}

QByteArray ReceivedSenderChain::serialise() const
{
    ByteWriter writer(EncodingKind::ReceivedSenderChain, kSenderKeyStateVersion);
    writer.u64(static_cast<quint64>(m_conversationId));
    writer.u32(m_chainId);
    writer.u32(m_firstIteration);
    writer.u32(m_iteration);
    writer.secret(m_chainKey);
    writer.bytes(m_signingKey);
    writer.u16(static_cast<quint16>(m_skipped.size()));
    for (const SkippedKey &key : m_skipped) {
        writer.u32(key.iteration);
        writer.secret(key.messageKey);
    }
    return writer.take();
}

Result<ReceivedSenderChain> ReceivedSenderChain::deserialise(QByteArrayView data)
{
    const QString what = u"received sender chain"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::ReceivedSenderChain, kSenderKeyStateVersion, what);
        !preamble)
        return preamble.error();
    ReceivedSenderChain chain;
    chain.m_conversationId = static_cast<qint64>(reader.u64());
    chain.m_chainId = reader.u32();
    chain.m_firstIteration = reader.u32();
    chain.m_iteration = reader.u32();
    chain.m_chainKey = reader.secret<32>();
    chain.m_signingKey = reader.bytes(kPublicKeyBytes);
    const quint16 skippedCount = reader.u16();
    if (skippedCount > kMaxSenderSkippedKeys)
        return corrupt(what);
    for (quint16 i = 0; i < skippedCount && !reader.failed(); ++i) {
        SkippedKey key;
        key.iteration = reader.u32();
        key.messageKey = reader.secret<32>();
        chain.m_skipped.push_back(std::move(key));
    }
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    if (chain.m_iteration < chain.m_firstIteration)
        return corrupt(what);
    return chain;
}

} // namespace tidings::e2e
