#include "e2e/double_ratchet.h"

#include "e2e/byte_codec_p.h"
#include "e2e/hkdf.h"
#include "e2e/message_keys_p.h"

#include <algorithm>
#include <limits>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kSessionStateVersion = 1;
constexpr char kRatchetInfo[] = "Tidings ratchet v1";

enum StateFlag : quint8 {
    HasTheirRatchetKey = 0x01,
    HasSendingChain = 0x02,
    HasReceivingChain = 0x04,
};
constexpr quint8 kKnownStateFlags = HasTheirRatchetKey | HasSendingChain | HasReceivingChain;

/// KDF_RK: (rootKey, dhOutput) → (new rootKey, chain key).
SecretKey advanceRoot(SecretKey &rootKey, const SecretKey &dhOutput)
{
    Secret<64> derived;
    // 64 bytes is far below HKDF's limit: this cannot fail.
    auto expanded = hkdf(rootKey.view(), dhOutput.view(), kRatchetInfo, derived.span());
    Q_ASSERT(expanded.ok());
    Q_UNUSED(expanded);
    rootKey = *SecretKey::fromBytes(derived.view().first(32));
    return *SecretKey::fromBytes(derived.view().sliced(32));
}

Result<void> checkStart(const X3dhKeys &keys)
{
    if (keys.associatedData.size() != kAssociatedDataBytes)
        return Error{ErrorCode::BadRequest, u"the associated data has 64 bytes"_s};
    return {};
}

} // namespace

QByteArray RatchetHeader::encode() const
{
    ByteWriter writer;
    writer.u8(kRatchetMessageVersion);
    writer.bytes(ratchetKey);
    writer.u32(previousChainLength);
    writer.u32(messageNumber);
    return writer.take();
}

Result<RatchetHeader> RatchetHeader::decode(QByteArrayView message)
{
    if (message.isEmpty())
        return Error{ErrorCode::BadRequest, u"an empty message"_s};
    if (static_cast<quint8>(message.at(0)) != kRatchetMessageVersion)
        return Error{
            ErrorCode::Incompatible,
            u"message version %1 is not supported"_s.arg(static_cast<quint8>(message.at(0)))};
    if (message.size() < kRatchetHeaderBytes)
        return Error{ErrorCode::BadRequest, u"the message is shorter than its header"_s};
    ByteReader reader(message.first(kRatchetHeaderBytes));
    reader.u8();
    RatchetHeader header;
    header.ratchetKey = reader.bytes(kPublicKeyBytes);
    header.previousChainLength = reader.u32();
    header.messageNumber = reader.u32();
    return header;
}

Result<RatchetSession> RatchetSession::initiate(const X3dhKeys &keys,
                                                QByteArrayView theirRatchetKey)
{
    return initiate(keys, theirRatchetKey, DhKeyPair::generate());
}

Result<RatchetSession> RatchetSession::initiate(const X3dhKeys &keys,
                                                QByteArrayView theirRatchetKey,
                                                const DhKeyPair &ourRatchetKey)
{
    if (auto started = checkStart(keys); !started)
        return started.error();
    const auto shared = diffieHellman(ourRatchetKey.secretKey, theirRatchetKey);
    if (!shared)
        return shared.error();
    RatchetSession session;
    session.m_associatedData = keys.associatedData;
    session.m_ourRatchet = ourRatchetKey;
    session.m_theirRatchetKey = theirRatchetKey.toByteArray();
    session.m_rootKey = keys.sharedKey;
    session.m_sendingChain = advanceRoot(session.m_rootKey, *shared);
    return session;
}

Result<RatchetSession> RatchetSession::respond(const X3dhKeys &keys, const DhKeyPair &ourRatchetKey)
{
    if (auto started = checkStart(keys); !started)
        return started.error();
    RatchetSession session;
    session.m_associatedData = keys.associatedData;
    session.m_ourRatchet = ourRatchetKey;
    session.m_rootKey = keys.sharedKey;
    return session;
}

Result<QByteArray> RatchetSession::encrypt(QByteArrayView plaintext)
{
    if (!m_sendingChain)
        return Error{ErrorCode::Unavailable,
                     u"this session can send once the other side's first message arrived"_s};
    if (m_sent == std::numeric_limits<quint32>::max())
        return Error{ErrorCode::TooLarge, u"this sending chain is used up"_s};
    const SecretKey messageKey = advanceChain(*m_sendingChain);
    const QByteArray header
        = RatchetHeader{m_ourRatchet.publicKey, m_previousSent, m_sent}.encode();
    ++m_sent;
    const QByteArray associatedData = m_associatedData + header;
    return QByteArray(header
                      + sealMessage(messageKey, kPairwiseMessageInfo, associatedData, plaintext));
}

Result<QByteArray> RatchetSession::decrypt(QByteArrayView message)
{
    const auto header = RatchetHeader::decode(message);
    if (!header)
        return header.error();
    if (message.size() < kRatchetHeaderBytes + kAeadTagBytes)
        return Error{ErrorCode::BadRequest, u"the message is too short"_s};
    const QByteArrayView headerBytes = message.first(kRatchetHeaderBytes);
    const QByteArrayView ciphertext = message.sliced(kRatchetHeaderBytes);

    // Everything below changes `next`; this session takes it only if the message opens.
    RatchetSession next = *this;
    const auto skipped
        = std::find_if(next.m_skipped.begin(), next.m_skipped.end(), [&](const SkippedKey &key) {
              return key.messageNumber == header->messageNumber
                  && key.ratchetKey == header->ratchetKey;
          });
    if (skipped != next.m_skipped.end()) {
        auto plaintext = openMessage(skipped->messageKey, kPairwiseMessageInfo,
                                     concat(m_associatedData, headerBytes), ciphertext);
        if (!plaintext)
            return plaintext.error();
        next.m_skipped.erase(skipped);
        *this = std::move(next);
        return plaintext;
    }

    if (header->ratchetKey != m_theirRatchetKey) {
        if (isRetired(header->ratchetKey))
            return Error{ErrorCode::Conflict,
                         u"a replay: this message was decrypted already, or its key is gone"_s};
        if (auto skippedOld = next.skipMessageKeys(header->previousChainLength); !skippedOld)
            return skippedOld.error();
        if (auto stepped = next.ratchetStep(header->ratchetKey); !stepped)
            return stepped.error();
    } else if (header->messageNumber < m_received) {
        return Error{ErrorCode::Conflict,
                     u"a replay: this message was decrypted already, or its key is gone"_s};
    }
    if (!next.m_receivingChain)
        return Error{ErrorCode::Corrupt, u"the message names a ratchet key with no chain"_s};
    if (auto skippedNew = next.skipMessageKeys(header->messageNumber); !skippedNew)
        return skippedNew.error();
    const SecretKey messageKey = advanceChain(*next.m_receivingChain);
    ++next.m_received;
    auto plaintext = openMessage(messageKey, kPairwiseMessageInfo,
                                 concat(m_associatedData, headerBytes), ciphertext);
    if (!plaintext)
        return plaintext.error();
    *this = std::move(next);
    return plaintext;
}

Result<void> RatchetSession::skipMessageKeys(quint32 until)
{
    if (quint64(m_received) + kMaxSkip < until)
        return Error{ErrorCode::TooLarge,
                     u"the message skips more than %1 messages of a chain"_s.arg(kMaxSkip)};
    if (!m_receivingChain)
        return {};
    while (m_received < until) {
        m_skipped.push_back({m_theirRatchetKey, m_received, advanceChain(*m_receivingChain)});
        ++m_received;
        if (static_cast<qsizetype>(m_skipped.size()) > kMaxSkippedMessageKeys)
            m_skipped.pop_front();
    }
    return {};
}

Result<void> RatchetSession::ratchetStep(const QByteArray &theirRatchetKey)
{
    if (!m_theirRatchetKey.isEmpty()) {
        m_retiredRatchetKeys.append(m_theirRatchetKey);
        while (m_retiredRatchetKeys.size() > kRetiredRatchetKeysKept)
            m_retiredRatchetKeys.removeFirst();
    }
    m_previousSent = m_sent;
    m_sent = 0;
    m_received = 0;
    m_theirRatchetKey = theirRatchetKey;
    const auto receiving = diffieHellman(m_ourRatchet.secretKey, theirRatchetKey);
    if (!receiving)
        return receiving.error();
    m_receivingChain = advanceRoot(m_rootKey, *receiving);
    m_ourRatchet = DhKeyPair::generate();
    const auto sending = diffieHellman(m_ourRatchet.secretKey, theirRatchetKey);
    if (!sending)
        return sending.error();
    m_sendingChain = advanceRoot(m_rootKey, *sending);
    return {};
}

bool RatchetSession::isRetired(const QByteArray &ratchetKey) const
{
    return m_retiredRatchetKeys.contains(ratchetKey);
}

QByteArray RatchetSession::serialise() const
{
    ByteWriter writer(EncodingKind::RatchetSession, kSessionStateVersion);
    quint8 flags = 0;
    if (!m_theirRatchetKey.isEmpty())
        flags |= HasTheirRatchetKey;
    if (m_sendingChain)
        flags |= HasSendingChain;
    if (m_receivingChain)
        flags |= HasReceivingChain;
    writer.u8(flags);
    writer.secret(m_ourRatchet.secretKey);
    if (!m_theirRatchetKey.isEmpty())
        writer.bytes(m_theirRatchetKey);
    writer.secret(m_rootKey);
    if (m_sendingChain)
        writer.secret(*m_sendingChain);
    if (m_receivingChain)
        writer.secret(*m_receivingChain);
    writer.u32(m_sent);
    writer.u32(m_received);
    writer.u32(m_previousSent);
    writer.bytes(m_associatedData);
    writer.u16(static_cast<quint16>(m_skipped.size()));
    for (const SkippedKey &key : m_skipped) {
        writer.bytes(key.ratchetKey);
        writer.u32(key.messageNumber);
        writer.secret(key.messageKey);
    }
    writer.u8(static_cast<quint8>(m_retiredRatchetKeys.size()));
    for (const QByteArray &key : m_retiredRatchetKeys)
        writer.bytes(key);
    return writer.take();
}

Result<RatchetSession> RatchetSession::deserialise(QByteArrayView data)
{
    const QString what = u"ratchet session"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::RatchetSession, kSessionStateVersion, what);
        !preamble)
        return preamble.error();
    RatchetSession session;
    const quint8 flags = reader.u8();
    if (flags & ~kKnownStateFlags)
        return corrupt(what);
    session.m_ourRatchet = DhKeyPair::fromSecretKey(reader.secret<32>());
    if (flags & HasTheirRatchetKey)
        session.m_theirRatchetKey = reader.bytes(kPublicKeyBytes);
    session.m_rootKey = reader.secret<32>();
    if (flags & HasSendingChain)
        session.m_sendingChain = reader.secret<32>();
    if (flags & HasReceivingChain)
        session.m_receivingChain = reader.secret<32>();
    session.m_sent = reader.u32();
    session.m_received = reader.u32();
    session.m_previousSent = reader.u32();
    session.m_associatedData = reader.bytes(kAssociatedDataBytes);
    const quint16 skippedCount = reader.u16();
    if (skippedCount > kMaxSkippedMessageKeys)
        return corrupt(what);
    for (quint16 i = 0; i < skippedCount && !reader.failed(); ++i) {
        SkippedKey key;
        key.ratchetKey = reader.bytes(kPublicKeyBytes);
        key.messageNumber = reader.u32();
        key.messageKey = reader.secret<32>();
        session.m_skipped.push_back(std::move(key));
    }
    const quint8 retiredCount = reader.u8();
    if (retiredCount > kRetiredRatchetKeysKept)
        return corrupt(what);
    for (quint8 i = 0; i < retiredCount && !reader.failed(); ++i)
        session.m_retiredRatchetKeys.append(reader.bytes(kPublicKeyBytes));
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    if ((flags & HasReceivingChain) && !(flags & HasTheirRatchetKey))
        return corrupt(what);
    return session;
}

} // namespace tidings::e2e
