#include "e2e/double_ratchet.h"
#include "e2e/keys.h"
#include "e2e/pairwise_session.h"

#include <QtTest>

#include <optional>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;

// The Double Ratchet's edges: delivery out of order, the bounds on skipped keys, replays,
// tampering (a failed decryption never changes the session), and serialisation.
// tst_e2e_x3dh_ratchet has the known answers and the ordinary round trips.

namespace {

struct Sessions
{
    RatchetSession alice;
    RatchetSession bob;
    QByteArray bobSignedPreKey; ///< Bob's first ratchet key
};

/// Alice opens a session with Bob; Bob accepts it from her first message.
std::optional<Sessions> openSessions()
{
    const SigningKeyPair aliceDevice = SigningKeyPair::generate();
    const SigningKeyPair bobIdentity = SigningKeyPair::generate();
    const auto bobDevice = DeviceKeys::create(bobIdentity, u"bob"_s, 1, SigningKeyPair::generate());
    const SignedPreKey signedPreKey = SignedPreKey::generate(bobDevice->keyPair, 1);
    const OneTimePreKey oneTime = OneTimePreKey::generateBatch(1, 1).first();
    auto outbound = startSession(
        aliceDevice, {bobDevice->certificate, signedPreKey.publicPart(), oneTime.publicPart()},
        bobIdentity.publicKey());
    if (!outbound)
        return std::nullopt;
    const auto first = outbound->session.encrypt("hello");
    auto inbound = acceptSession(bobDevice->keyPair, signedPreKey, oneTime,
                                 {outbound->header, *first}, aliceDevice.publicKey());
    if (!inbound)
        return std::nullopt;
    return Sessions{outbound->session, inbound->session, signedPreKey.keyPair.publicKey};
}

QList<QByteArray> encryptMany(RatchetSession &sender, int count, const QByteArray &prefix)
{
    QList<QByteArray> messages;
    for (int i = 0; i < count; ++i)
        messages.append(*sender.encrypt(QByteArray(prefix + QByteArray::number(i))));
    return messages;
}

QString errorOf(const Result<QByteArray> &result)
{
    return result.ok() ? u"ok"_s : errorCodeName(result.error().code);
}

QString name(ErrorCode code)
{
    return errorCodeName(code);
}

} // namespace

class TestE2eDoubleRatchet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outOfOrderDelivery()
    {
        auto s = openSessions();
        QVERIFY(s);
        const QList<QByteArray> messages = encryptMany(s->alice, 10, "m");
        const QList<int> order{9, 0, 5, 1, 8, 2, 7, 3, 6, 4};
        for (const int i : order) {
            const auto opened = s->bob.decrypt(messages[i]);
            QVERIFY2(opened.ok(), qPrintable(errorOf(opened)));
            QCOMPARE(*opened, QByteArray("m" + QByteArray::number(i)));
            if (i == 9)
                QCOMPARE(s->bob.skippedMessageKeyCount(), 9);
        }
        QCOMPARE(s->bob.skippedMessageKeyCount(), 0);
    }

    void outOfOrderAcrossRatchetTurns()
    {
        auto s = openSessions();
        QVERIFY(s);
        const QList<QByteArray> firstChain = encryptMany(s->alice, 3, "a");
        QCOMPARE(*s->bob.decrypt(firstChain[1]), QByteArray("a1"));
        QCOMPARE(*s->alice.decrypt(*s->bob.encrypt("b0")), QByteArray("b0")); // Alice turns
        const QList<QByteArray> secondChain = encryptMany(s->alice, 2, "c");
        QVERIFY(secondChain[0].mid(1, 32) != firstChain[0].mid(1, 32));
        // The new chain's second message first: Bob keeps the old chain's missing key (PN
        // says there were 3) and the new chain's first.
        QCOMPARE(*s->bob.decrypt(secondChain[1]), QByteArray("c1"));
        QCOMPARE(s->bob.skippedMessageKeyCount(), 3);
        QCOMPARE(*s->bob.decrypt(firstChain[0]), QByteArray("a0"));
        QCOMPARE(*s->bob.decrypt(firstChain[2]), QByteArray("a2"));
        QCOMPARE(*s->bob.decrypt(secondChain[0]), QByteArray("c0"));
        QCOMPARE(s->bob.skippedMessageKeyCount(), 0);
    }

    void skipBoundPerStep()
    {
        auto s = openSessions();
        QVERIFY(s);
        const QList<QByteArray> messages = encryptMany(s->alice, 1002, "m");
        // Message 1001 needs 1001 skipped keys (0–1000 of this chain; Bob has read none of
        // it yet): refused, and the session is as it was.
        const QByteArray before = s->bob.serialise();
        const auto tooFar = s->bob.decrypt(messages[1001]);
        QCOMPARE(errorOf(tooFar), name(ErrorCode::TooLarge));
        QCOMPARE(s->bob.serialise(), before);
        // Exactly kMaxSkip is allowed, and every skipped message still opens.
        QCOMPARE(*s->bob.decrypt(messages[1000]), QByteArray("m1000"));
        QCOMPARE(s->bob.skippedMessageKeyCount(), 1000);
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(*s->bob.decrypt(messages[i]), QByteArray("m" + QByteArray::number(i)));
        QCOMPARE(*s->bob.decrypt(messages[1001]), QByteArray("m1001"));
    }

    void skipBoundOnThePreviousChain()
    {
        auto s = openSessions();
        QVERIFY(s);
        const QList<QByteArray> messages = encryptMany(s->alice, 1002, "m");
        QCOMPARE(*s->bob.decrypt(messages[0]), QByteArray("m0"));
        QCOMPARE(*s->alice.decrypt(*s->bob.encrypt("turn")), QByteArray("turn"));
        // Alice's next chain says her previous one had 1002 messages: Bob would have to
        // keep 1001 keys of it.
        const QByteArray next = *s->alice.encrypt("next chain");
        const QByteArray before = s->bob.serialise();
        QCOMPARE(errorOf(s->bob.decrypt(next)), name(ErrorCode::TooLarge));
        QCOMPARE(s->bob.serialise(), before);
    }

    void skippedKeysAreBoundedInAll()
    {
        auto s = openSessions();
        QVERIFY(s);
        // Three of Alice's chains, each read only at its last message: 3 × 1000 skipped
        // keys, of which the session keeps the newest kMaxSkippedMessageKeys.
        QList<QList<QByteArray>> chains;
        for (int chain = 0; chain < 3; ++chain) {
            chains.append(
                encryptMany(s->alice, 1001, QByteArray("c" + QByteArray::number(chain) + "-")));
            QVERIFY(s->bob.decrypt(chains.last().last()).ok());
            QVERIFY(s->alice.decrypt(*s->bob.encrypt("turn")).ok());
        }
        QCOMPARE(s->bob.skippedMessageKeyCount(), kMaxSkippedMessageKeys);
        // The oldest chain's keys went first.
        QCOMPARE(errorOf(s->bob.decrypt(chains[0][0])), name(ErrorCode::Conflict));
        QCOMPARE(errorOf(s->bob.decrypt(chains[0][999])), name(ErrorCode::Conflict));
        QCOMPARE(*s->bob.decrypt(chains[1][0]), QByteArray("c1-0"));
        QCOMPARE(*s->bob.decrypt(chains[2][999]), QByteArray("c2-999"));
        QCOMPARE(s->bob.skippedMessageKeyCount(), kMaxSkippedMessageKeys - 2);
    }

    void replayRefused()
    {
        auto s = openSessions();
        QVERIFY(s);
        const QList<QByteArray> messages = encryptMany(s->alice, 3, "m");
        QCOMPARE(*s->bob.decrypt(messages[0]), QByteArray("m0"));
        QByteArray before = s->bob.serialise();
        QCOMPARE(errorOf(s->bob.decrypt(messages[0])), name(ErrorCode::Conflict));
        QCOMPARE(s->bob.serialise(), before);

        // A message read from the skipped keys: its key is gone after one use.
        QCOMPARE(*s->bob.decrypt(messages[2]), QByteArray("m2"));
        QCOMPARE(*s->bob.decrypt(messages[1]), QByteArray("m1"));
        before = s->bob.serialise();
        QCOMPARE(errorOf(s->bob.decrypt(messages[1])), name(ErrorCode::Conflict));
        QCOMPARE(errorOf(s->bob.decrypt(messages[2])), name(ErrorCode::Conflict));
        QCOMPARE(s->bob.serialise(), before);

        // After turns, a message of a retired chain.
        QVERIFY(s->alice.decrypt(*s->bob.encrypt("turn")).ok());
        QVERIFY(s->bob.decrypt(*s->alice.encrypt("turn again")).ok());
        before = s->bob.serialise();
        QCOMPARE(errorOf(s->bob.decrypt(messages[0])), name(ErrorCode::Conflict));
        QCOMPARE(s->bob.serialise(), before);
    }

    void tamperingRefusedAndStateUnchanged_data()
    {
        QTest::addColumn<int>("offset"); // from the start; negative: from the end
        QTest::addColumn<QString>("error");
        QTest::newRow("version") << 0 << name(ErrorCode::Incompatible);
        QTest::newRow("ratchet key") << 5 << name(ErrorCode::Corrupt);
        QTest::newRow("previous chain length") << 36 << name(ErrorCode::Corrupt);
        QTest::newRow("message number, low byte") << 40 << name(ErrorCode::Corrupt);
        QTest::newRow("message number, high byte") << 37 << name(ErrorCode::TooLarge);
        QTest::newRow("ciphertext") << 41 << name(ErrorCode::Corrupt);
        QTest::newRow("tag") << -1 << name(ErrorCode::Corrupt);
    }

    void tamperingRefusedAndStateUnchanged()
    {
        QFETCH(int, offset);
        QFETCH(QString, error);
        auto s = openSessions();
        QVERIFY(s);
        QVERIFY(s->alice.decrypt(*s->bob.encrypt("turn")).ok());
        const QList<QByteArray> messages = encryptMany(s->alice, 3, "m");
        QVERIFY(s->bob.decrypt(messages[2]).ok()); // 0 and 1 wait in the skipped keys

        // A message on the chain's edge (1 after 2 is a skipped key; 3 is new).
        const QByteArray fresh = *s->alice.encrypt("m3");
        for (const QByteArray &genuine : {messages[1], fresh}) {
            QByteArray tampered = genuine;
            const qsizetype at = offset >= 0 ? offset : tampered.size() + offset;
            // 0x04: message numbers move forward (1 → 5, 3 → 7), past what Bob has read.
            tampered[at] = static_cast<char>(tampered[at] ^ 0x04);
            const QByteArray before = s->bob.serialise();
            QCOMPARE(errorOf(s->bob.decrypt(tampered)), error);
            QCOMPARE(s->bob.serialise(), before);
            QVERIFY(s->bob.decrypt(genuine).ok());
        }
        QCOMPARE(*s->bob.decrypt(messages[0]), QByteArray("m0"));
    }

    void malformedMessagesRefused()
    {
        auto s = openSessions();
        QVERIFY(s);
        const QByteArray message = *s->alice.encrypt("m");
        const QByteArray before = s->bob.serialise();
        QCOMPARE(errorOf(s->bob.decrypt(QByteArray())), name(ErrorCode::BadRequest));
        QCOMPARE(errorOf(s->bob.decrypt(message.first(kRatchetHeaderBytes))),
                 name(ErrorCode::BadRequest));
        QCOMPARE(errorOf(s->bob.decrypt(message.first(kRatchetHeaderBytes + 15))),
                 name(ErrorCode::BadRequest));
        QCOMPARE(errorOf(s->bob.decrypt(message.chopped(1))), name(ErrorCode::Corrupt));
        // A low-order ratchet key: the DH is refused.
        QByteArray lowOrder = message;
        lowOrder.replace(1, 32, QByteArray(32, '\0'));
        QCOMPARE(errorOf(s->bob.decrypt(lowOrder)), name(ErrorCode::BadRequest));
        QCOMPARE(s->bob.serialise(), before);

        // Alice has no receiving chain for Bob's signed prekey (her first peer key).
        const QByteArray aliceBefore = s->alice.serialise();
        const QByteArray forged
            = RatchetHeader{s->bobSignedPreKey, 0, 0}.encode() + QByteArray(16, 'x');
        QCOMPARE(errorOf(s->alice.decrypt(forged)), name(ErrorCode::Corrupt));
        QCOMPARE(s->alice.serialise(), aliceBefore);
        QCOMPARE(*s->bob.decrypt(message), QByteArray("m"));
    }

    void serialiseMidConversation()
    {
        auto s = openSessions();
        QVERIFY(s);
        QVERIFY(s->alice.decrypt(*s->bob.encrypt("turn")).ok());
        const QList<QByteArray> pending = encryptMany(s->alice, 3, "p");
        QVERIFY(s->bob.decrypt(pending[2]).ok());

        const QByteArray aliceState = s->alice.serialise();
        const QByteArray bobState = s->bob.serialise();
        auto alice = RatchetSession::deserialise(aliceState);
        auto bob = RatchetSession::deserialise(bobState);
        QVERIFY(alice.ok() && bob.ok());
        QCOMPARE(alice->serialise(), aliceState);
        QCOMPARE(bob->serialise(), bobState);
        QCOMPARE(bob->skippedMessageKeyCount(), 2);
        QCOMPARE(bob->associatedData(), s->bob.associatedData());

        // The restored sessions carry on: skipped keys, then turns both ways.
        QCOMPARE(*bob->decrypt(pending[0]), QByteArray("p0"));
        QCOMPARE(*bob->decrypt(pending[1]), QByteArray("p1"));
        for (int i = 0; i < 20; ++i) {
            const QByteArray text = "after " + QByteArray::number(i);
            if (i % 3 == 0)
                QCOMPARE(*alice->decrypt(*bob->encrypt(text)), text);
            else
                QCOMPARE(*bob->decrypt(*alice->encrypt(text)), text);
        }
        // The originals still hold the old state: what Alice sends now, Bob's old copy
        // reads as well — serialisation is a snapshot, not a move.
        QVERIFY(s->bob.decrypt(*s->alice.encrypt("from the original")).ok());
    }

    void serialisedStateRefusesBadInput()
    {
        auto s = openSessions();
        QVERIFY(s);
        QVERIFY(s->alice.decrypt(*s->bob.encrypt("turn")).ok());
        const QList<QByteArray> pending = encryptMany(s->alice, 3, "p");
        QVERIFY(s->bob.decrypt(pending[2]).ok()); // skipped keys and a retired key to encode
        const QByteArray state = s->bob.serialise();

        const auto codeOf = [](QByteArrayView data) {
            const auto session = RatchetSession::deserialise(data);
            return session.ok() ? u"ok"_s : errorCodeName(session.error().code);
        };
        QCOMPARE(codeOf(state), u"ok"_s);
        for (qsizetype size = 0; size < state.size(); ++size)
            QCOMPARE(codeOf(state.first(size)), name(ErrorCode::Corrupt));
        QCOMPARE(codeOf(QByteArray(state + '\0')), name(ErrorCode::Corrupt));
        QByteArray newer = state;
        newer[1] = static_cast<char>(newer[1] + 1);
        QCOMPARE(codeOf(newer), name(ErrorCode::Incompatible));
        QByteArray otherKind = state;
        otherKind[0] = static_cast<char>(0x20);
        QCOMPARE(codeOf(otherKind), name(ErrorCode::Corrupt));
        QByteArray unknownFlags = state;
        unknownFlags[2] = static_cast<char>(unknownFlags[2] | 0x80);
        QCOMPARE(codeOf(unknownFlags), name(ErrorCode::Corrupt));
    }
};

QTEST_GUILESS_MAIN(TestE2eDoubleRatchet)
#include "tst_e2e_double_ratchet.moc"
