#include "e2e/sender_keys.h"

#include <QtTest>

#include <sodium.h>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kConversation = 4242;

// A known answer of our own: chain key 32 × 0x09, signing seed 32 × 0x0a, conversation
// 4242, chain 1, iteration 0, plaintext "group hello". Computed once with this library
// and checked by knownAnswer(), which recomputes it with raw libsodium calls.
const QByteArray kFirstMessage = "0100000001000000008d0ca5c4a06a331f7a25377d3a928403a75bab9703ef63"
                                 "5d85df0da966a3650836c12faf1d88ffef6c317c3988b558e0f6f17ab44c3add"
                                 "433c9ffc7bda2aa821791fb0746678c0152a91f18a1d2b5e39255a2e2313a16a"
                                 "3ed3c504";

SecretKey filled(char fill)
{
    return *SecretKey::fromBytes(QByteArray(32, fill));
}

QString errorOf(const Result<QByteArray> &result)
{
    return result.ok() ? u"ok"_s : errorCodeName(result.error().code);
}

QString name(ErrorCode code)
{
    return errorCodeName(code);
}

QByteArray plaintextOf(int iteration)
{
    return "m" + QByteArray::number(iteration);
}

QList<QByteArray> encryptMany(SenderChain &chain, int count)
{
    QList<QByteArray> messages;
    for (int i = 0; i < count; ++i)
        messages.append(*chain.encrypt(plaintextOf(static_cast<int>(chain.iteration()))));
    return messages;
}

ReceivedSenderChain receiverOf(const SenderChain &chain)
{
    return *ReceivedSenderChain::fromDistribution(
        *SenderKeyDistribution::decode(chain.distribution().encode()));
}

QByteArray rawHmac(const QByteArray &key, const QByteArray &message)
{
    QByteArray tag(32, '\0');
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char *>(key.constData()),
                                static_cast<size_t>(key.size()));
    crypto_auth_hmacsha256_update(&state,
                                  reinterpret_cast<const unsigned char *>(message.constData()),
                                  static_cast<unsigned long long>(message.size()));
    crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char *>(tag.data()));
    return tag;
}

} // namespace

class TestE2eSenderKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }

    void knownAnswer()
    {
        SenderChain chain = SenderChain::create(kConversation, 1, filled('\x09'),
                                                SigningKeyPair::fromSeed(filled('\x0a')));
        const auto message = chain.encrypt("group hello");
        QVERIFY(message.ok());

        // The spec with raw libsodium calls: mk = HMAC(ck, 0x01); key ‖ nonce = HKDF(zero
        // salt, mk, "Tidings group v1", 56); AEAD with AD = header; Ed25519 over the rest.
        const QByteArray messageKey = rawHmac(QByteArray(32, '\x09'), "\x01");
        const QByteArray prk = rawHmac(QByteArray(32, '\0'), messageKey);
        const QByteArray block1 = rawHmac(prk, "Tidings group v1\x01");
        const QByteArray block2 = rawHmac(prk, QByteArray(block1 + "Tidings group v1\x02"));
        const QByteArray keyAndNonce = QByteArray(block1 + block2).left(56);
        const QByteArray header = QByteArray::fromHex("01"
                                                      "00000001"
                                                      "00000000");
        QByteArray ciphertext(11 + 16, '\0');
        unsigned long long size = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            reinterpret_cast<unsigned char *>(ciphertext.data()), &size,
            reinterpret_cast<const unsigned char *>("group hello"), 11,
            reinterpret_cast<const unsigned char *>(header.constData()), header.size(), nullptr,
            reinterpret_cast<const unsigned char *>(keyAndNonce.constData()) + 32,
            reinterpret_cast<const unsigned char *>(keyAndNonce.constData()));
        unsigned char publicKey[32], secretKey[64];
        crypto_sign_seed_keypair(publicKey, secretKey, filled('\x0a').data());
        const QByteArray signedPart = header + ciphertext;
        QByteArray signature(64, '\0');
        crypto_sign_detached(reinterpret_cast<unsigned char *>(signature.data()), nullptr,
                             reinterpret_cast<const unsigned char *>(signedPart.constData()),
                             static_cast<unsigned long long>(signedPart.size()), secretKey);

        QCOMPARE(message->toHex(), QByteArray(signedPart + signature).toHex());
        QCOMPARE(message->toHex(), kFirstMessage);
        QCOMPARE(chain.distribution().signingKey,
                 QByteArray(reinterpret_cast<const char *>(publicKey), 32));
    }

    void distribution()
    {
        const SenderChain chain = SenderChain::create(kConversation, 7);
        const SenderKeyDistribution distribution = chain.distribution();
        const auto decoded = SenderKeyDistribution::decode(distribution.encode());
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->conversationId, kConversation);
        QCOMPARE(decoded->chainId, 7u);
        QCOMPARE(decoded->iteration, 0u);
        QVERIFY(decoded->chainKey == distribution.chainKey);
        QCOMPARE(decoded->signingKey, distribution.signingKey);

        const QByteArray encoded = distribution.encode();
        for (qsizetype size = 0; size < encoded.size(); ++size) {
            const auto truncated = SenderKeyDistribution::decode(encoded.first(size));
            QVERIFY(!truncated.ok());
            QCOMPARE(truncated.error().code, ErrorCode::Corrupt);
        }
        QByteArray newer = encoded;
        newer[1] = static_cast<char>(newer[1] + 1);
        QCOMPARE(SenderKeyDistribution::decode(newer).error().code, ErrorCode::Incompatible);
    }

    void inOrder()
    {
        SenderChain chain = SenderChain::create(kConversation, 1);
        ReceivedSenderChain receiver = receiverOf(chain);
        for (int i = 0; i < 20; ++i) {
            const QByteArray message = *chain.encrypt(plaintextOf(i));
            const auto header = SenderKeyMessageHeader::decode(message);
            QCOMPARE(header->chainId, 1u);
            QCOMPARE(header->iteration, quint32(i));
            QCOMPARE(*receiver.decrypt(message), plaintextOf(i));
            QCOMPARE(receiver.iteration(), quint32(i + 1));
        }
        QCOMPARE(receiver.skippedMessageKeyCount(), 0);
    }

    void outOfOrder()
    {
        SenderChain chain = SenderChain::create(kConversation, 1);
        ReceivedSenderChain receiver = receiverOf(chain);
        const QList<QByteArray> messages = encryptMany(chain, 10);
        for (const int i : {9, 0, 5, 1, 8, 2, 7, 3, 6, 4})
            QCOMPARE(*receiver.decrypt(messages[i]), plaintextOf(i));
        QCOMPARE(receiver.skippedMessageKeyCount(), 0);
    }

    void skipBound()
    {
        SenderChain chain = SenderChain::create(kConversation, 1);
        ReceivedSenderChain receiver = receiverOf(chain);
        QList<QByteArray> messages = encryptMany(chain, 2002);
        const QByteArray before = receiver.serialise();
        QCOMPARE(errorOf(receiver.decrypt(messages[2001])), name(ErrorCode::TooLarge));
        QCOMPARE(receiver.serialise(), before);
        QCOMPARE(*receiver.decrypt(messages[2000]), plaintextOf(2000));
        QCOMPARE(receiver.skippedMessageKeyCount(), 2000);

        // Another 2000 skipped: the receiver keeps the newest kMaxSenderSkippedKeys.
        messages += encryptMany(chain, 2000);
        QCOMPARE(*receiver.decrypt(messages[4001]), plaintextOf(4001));
        QCOMPARE(receiver.skippedMessageKeyCount(), kMaxSenderSkippedKeys);
        QCOMPARE(errorOf(receiver.decrypt(messages[0])), name(ErrorCode::Conflict));
        QCOMPARE(errorOf(receiver.decrypt(messages[1999])), name(ErrorCode::Conflict));
        QCOMPARE(*receiver.decrypt(messages[2001]), plaintextOf(2001));
        QCOMPARE(*receiver.decrypt(messages[4000]), plaintextOf(4000));
    }

    void replayRefused()
    {
        SenderChain chain = SenderChain::create(kConversation, 1);
        ReceivedSenderChain receiver = receiverOf(chain);
        const QList<QByteArray> messages = encryptMany(chain, 3);
        QCOMPARE(*receiver.decrypt(messages[0]), plaintextOf(0));
        QCOMPARE(*receiver.decrypt(messages[2]), plaintextOf(2));
        QCOMPARE(*receiver.decrypt(messages[1]), plaintextOf(1));
        const QByteArray before = receiver.serialise();
        for (const QByteArray &message : messages)
            QCOMPARE(errorOf(receiver.decrypt(message)), name(ErrorCode::Conflict));
        QCOMPARE(receiver.serialise(), before);
    }

    void badSignatureRefused()
    {
        const SigningKeyPair signingKey = SigningKeyPair::generate();
        SenderChain chain = SenderChain::create(kConversation, 1, SecretKey::random(), signingKey);
        ReceivedSenderChain receiver = receiverOf(chain);
        const QByteArray message = *chain.encrypt("genuine");
        const QByteArray before = receiver.serialise();

        // The iteration, the ciphertext, the signature.
        for (const qsizetype at : {qsizetype(8), qsizetype(12), message.size() - 1}) {
            QByteArray tampered = message;
            tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
            QCOMPARE(errorOf(receiver.decrypt(tampered)), name(ErrorCode::Unauthorized));
        }
        // Another member knows the chain key but not the signing key: it cannot speak as
        // this sender.
        SenderChain impostor = SenderChain::create(kConversation, 1, chain.distribution().chainKey,
                                                   SigningKeyPair::generate());
        QCOMPARE(errorOf(receiver.decrypt(*impostor.encrypt("forged"))),
                 name(ErrorCode::Unauthorized));
        // A signed message that does not decrypt (the signer broke it): refused, no change.
        QByteArray broken = message.chopped(kSignatureBytes);
        broken[kSenderKeyHeaderBytes] = static_cast<char>(broken[kSenderKeyHeaderBytes] ^ 0x01);
        broken += signingKey.sign(broken);
        QCOMPARE(errorOf(receiver.decrypt(broken)), name(ErrorCode::Corrupt));
        QCOMPARE(receiver.serialise(), before);
        QCOMPARE(*receiver.decrypt(message), QByteArray("genuine"));
    }

    void newMemberCannotReadEarlierMessages()
    {
        SenderChain chain = SenderChain::create(kConversation, 1);
        ReceivedSenderChain earlyMember = receiverOf(chain);
        const QList<QByteArray> before = encryptMany(chain, 5);
        const SenderKeyDistribution joined = chain.distribution(); // a member joins now
        ReceivedSenderChain newMember = *ReceivedSenderChain::fromDistribution(joined);
        QCOMPARE(newMember.firstIteration(), 5u);
        const QByteArray after = *chain.encrypt(plaintextOf(5));

        for (int i = 0; i < 5; ++i) {
            QCOMPARE(*earlyMember.decrypt(before[i]), plaintextOf(i));
            QCOMPARE(errorOf(newMember.decrypt(before[i])), name(ErrorCode::Forbidden));
        }
        QCOMPARE(*newMember.decrypt(after), plaintextOf(5));
        QCOMPARE(*earlyMember.decrypt(after), plaintextOf(5));

        // Claiming the current chain key is an earlier one does not help: the chain only
        // runs forward.
        SenderKeyDistribution rewound = joined;
        rewound.iteration = 0;
        ReceivedSenderChain cheat = *ReceivedSenderChain::fromDistribution(rewound);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(errorOf(cheat.decrypt(before[i])), name(ErrorCode::Corrupt));
    }

    void rotation()
    {
        SenderChain chain = SenderChain::create(kConversation, 1);
        ReceivedSenderChain staying = receiverOf(chain);
        ReceivedSenderChain leaving = receiverOf(chain);
        QVERIFY(staying.decrypt(*chain.encrypt("before")).ok());
        QVERIFY(leaving.decrypt(*chain.encrypt("before, too")).ok());
        const SenderKeyDistribution old = chain.distribution();

        // A member leaves: a new chain, given to those who stay.
        SenderChain next = chain.rotated();
        QCOMPARE(next.chainId(), 2u);
        QCOMPARE(next.iteration(), 0u);
        QCOMPARE(next.conversationId(), kConversation);
        QVERIFY(next.distribution().signingKey != old.signingKey);
        QVERIFY(!(next.distribution().chainKey == old.chainKey));
        staying = receiverOf(next);
        const QByteArray message = *next.encrypt("after");
        QCOMPARE(*staying.decrypt(message), QByteArray("after"));

        // Whoever left holds only the old chain: it names another chain, and the old keys
        // under the new chain's id open nothing either.
        QCOMPARE(errorOf(leaving.decrypt(message)), name(ErrorCode::BadRequest));
        SenderKeyDistribution guess = old;
        guess.chainId = 2;
        guess.iteration = 0;
        guess.signingKey = next.distribution().signingKey;
        ReceivedSenderChain guessed = *ReceivedSenderChain::fromDistribution(guess);
        QCOMPARE(errorOf(guessed.decrypt(message)), name(ErrorCode::Corrupt));
    }

    void serialisation()
    {
        SenderChain chain = SenderChain::create(kConversation, 3);
        ReceivedSenderChain receiver = receiverOf(chain);
        const QList<QByteArray> messages = encryptMany(chain, 4);
        QVERIFY(receiver.decrypt(messages[3]).ok()); // 0–2 wait as skipped keys

        const QByteArray chainState = chain.serialise();
        const QByteArray receiverState = receiver.serialise();
        auto restoredChain = SenderChain::deserialise(chainState);
        auto restoredReceiver = ReceivedSenderChain::deserialise(receiverState);
        QVERIFY(restoredChain.ok() && restoredReceiver.ok());
        QCOMPARE(restoredChain->serialise(), chainState);
        QCOMPARE(restoredReceiver->serialise(), receiverState);
        QCOMPARE(restoredReceiver->skippedMessageKeyCount(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(*restoredReceiver->decrypt(messages[i]), plaintextOf(i));
        const QByteArray later = *restoredChain->encrypt(plaintextOf(4));
        QCOMPARE(*restoredReceiver->decrypt(later), plaintextOf(4));
        QCOMPARE(restoredChain->distribution().signingKey, chain.distribution().signingKey);

        for (const QByteArray &state : {chainState, receiverState}) {
            const bool isChain = state == chainState;
            const auto codeOf = [isChain](QByteArrayView data) {
                if (isChain) {
                    const auto decoded = SenderChain::deserialise(data);
                    return decoded.ok() ? u"ok"_s : errorCodeName(decoded.error().code);
                }
                const auto decoded = ReceivedSenderChain::deserialise(data);
                return decoded.ok() ? u"ok"_s : errorCodeName(decoded.error().code);
            };
            for (qsizetype size = 0; size < state.size(); ++size)
                QCOMPARE(codeOf(state.first(size)), name(ErrorCode::Corrupt));
            QCOMPARE(codeOf(QByteArray(state + 'x')), name(ErrorCode::Corrupt));
            QByteArray newer = state;
            newer[1] = static_cast<char>(newer[1] + 1);
            QCOMPARE(codeOf(newer), name(ErrorCode::Incompatible));
        }
    }

    void malformedMessagesRefused()
    {
        SenderChain chain = SenderChain::create(kConversation, 1);
        ReceivedSenderChain receiver = receiverOf(chain);
        const QByteArray message = *chain.encrypt("m");
        QCOMPARE(errorOf(receiver.decrypt(QByteArray())), name(ErrorCode::BadRequest));
        QCOMPARE(errorOf(receiver.decrypt(message.first(kSenderKeyHeaderBytes + 16 + 63))),
                 name(ErrorCode::BadRequest));
        QByteArray otherVersion = message;
        otherVersion[0] = 2;
        QCOMPARE(errorOf(receiver.decrypt(otherVersion)), name(ErrorCode::Incompatible));
        SenderChain other = SenderChain::create(kConversation, 9);
        QCOMPARE(errorOf(receiver.decrypt(*other.encrypt("m"))), name(ErrorCode::BadRequest));
        QCOMPARE(*receiver.decrypt(message), QByteArray("m"));
    }
};

QTEST_GUILESS_MAIN(TestE2eSenderKeys)
#include "tst_e2e_sender_keys.moc"
