#include "e2e/double_ratchet.h"
#include "e2e/keys.h"
#include "e2e/pairwise_session.h"
#include "e2e/x3dh.h"

#include <QtTest>

#include <optional>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;

// X3DH's rules: both sides agree, and a bundle, a header or a first message that is not
// what it claims is refused. tst_e2e_x3dh_ratchet has the known answers.

namespace {

struct Parties
{
    SigningKeyPair aliceIdentity;
    SigningKeyPair aliceDevice;
    SigningKeyPair bobIdentity;
    DeviceKeys bobDevice;
    SignedPreKey bobSignedPreKey;
    OneTimePreKey bobOneTimePreKey;

    PreKeyBundle bundle(bool withOneTimePreKey = true) const
    {
        PreKeyBundle bundle{bobDevice.certificate, bobSignedPreKey.publicPart(), std::nullopt};
        if (withOneTimePreKey)
            bundle.oneTimePreKey = bobOneTimePreKey.publicPart();
        return bundle;
    }
};

Parties randomParties()
{
    const SigningKeyPair bobIdentity = SigningKeyPair::generate();
    const DeviceKeys bobDevice
        = *DeviceKeys::create(bobIdentity, u"bob"_s, 1, SigningKeyPair::generate());
    return {SigningKeyPair::generate(),
            SigningKeyPair::generate(),
            bobIdentity,
            bobDevice,
            SignedPreKey::generate(bobDevice.keyPair, 1),
            OneTimePreKey::generateBatch(7, 1).first()};
}

} // namespace

class TestE2eX3dh : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void x3dhAgreesWithAndWithoutOneTimePreKey()
    {
        const Parties parties = randomParties();
        for (const bool withOneTime : {true, false}) {
            const auto initiation = x3dhInitiate(parties.aliceDevice, parties.bundle(withOneTime),
                                                 parties.bobIdentity.publicKey());
            QVERIFY(initiation.ok());
            QCOMPARE(initiation->header.oneTimePreKeyId.has_value(), withOneTime);
            QCOMPARE(initiation->header.identityKey, parties.aliceDevice.toDhKeyPair().publicKey);
            const auto responded
                = x3dhRespond(parties.bobDevice.keyPair, parties.bobSignedPreKey,
                              withOneTime ? std::optional(parties.bobOneTimePreKey) : std::nullopt,
                              initiation->header, parties.aliceDevice.publicKey());
            QVERIFY(responded.ok());
            QVERIFY(responded->sharedKey == initiation->keys.sharedKey);
            QCOMPARE(responded->associatedData, initiation->keys.associatedData);
            QCOMPARE(responded->associatedData.size(), kAssociatedDataBytes);
        }
        // A new ephemeral key each time: a new shared key each time.
        const auto again
            = x3dhInitiate(parties.aliceDevice, parties.bundle(), parties.bobIdentity.publicKey());
        const auto once
            = x3dhInitiate(parties.aliceDevice, parties.bundle(), parties.bobIdentity.publicKey());
        QVERIFY(!(again->keys.sharedKey == once->keys.sharedKey));
    }

    void x3dhRefusesBadSignatures()
    {
        const Parties parties = randomParties();
        const QByteArray trusted = parties.bobIdentity.publicKey();

        PreKeyBundle badPreKeySignature = parties.bundle();
        badPreKeySignature.signedPreKey.signature[5] ^= 0x20;
        auto refused = x3dhInitiate(parties.aliceDevice, badPreKeySignature, trusted);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Unauthorized);

        // A device certified by someone else's identity, with a validly signed prekey.
        const SigningKeyPair mallory = SigningKeyPair::generate();
        const DeviceKeys malloryDevice
            = *DeviceKeys::create(mallory, u"bob"_s, 1, SigningKeyPair::generate());
        const PreKeyBundle impostor{malloryDevice.certificate,
                                    SignedPreKey::generate(malloryDevice.keyPair, 1).publicPart(),
                                    std::nullopt};
        refused = x3dhInitiate(parties.aliceDevice, impostor, trusted);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Unauthorized);
        // Trusting another identity key refuses Bob's genuine bundle too.
        QCOMPARE(
            x3dhInitiate(parties.aliceDevice, parties.bundle(), mallory.publicKey()).error().code,
            ErrorCode::Unauthorized);

        // The responder refuses a header whose IK is not the sending device's key.
        const auto initiation = x3dhInitiate(parties.aliceDevice, parties.bundle(), trusted);
        QVERIFY(initiation.ok());
        const auto wrongSender
            = x3dhRespond(parties.bobDevice.keyPair, parties.bobSignedPreKey,
                          parties.bobOneTimePreKey, initiation->header, mallory.publicKey());
        QVERIFY(!wrongSender.ok());
        QCOMPARE(wrongSender.error().code, ErrorCode::Unauthorized);
        // … and one naming prekeys it does not hold.
        QCOMPARE(x3dhRespond(parties.bobDevice.keyPair, parties.bobSignedPreKey, std::nullopt,
                             initiation->header, parties.aliceDevice.publicKey())
                     .error()
                     .code,
                 ErrorCode::NotFound);
        X3dhHeader otherPreKey = initiation->header;
        otherPreKey.signedPreKeyId = 2;
        QCOMPARE(x3dhRespond(parties.bobDevice.keyPair, parties.bobSignedPreKey,
                             parties.bobOneTimePreKey, otherPreKey, parties.aliceDevice.publicKey())
                     .error()
                     .code,
                 ErrorCode::NotFound);
    }

    void x3dhRefusesAllZeroDh()
    {
        const Parties parties = randomParties();
        const QByteArray trusted = parties.bobIdentity.publicKey();
        const QByteArray lowOrder(32, '\0');

        // A low-order signed prekey, validly signed by Bob's device: the signature holds, the
        // DH is all zero.
        PreKeyBundle zeroSignedPreKey = parties.bundle();
        zeroSignedPreKey.signedPreKey.publicKey = lowOrder;
        zeroSignedPreKey.signedPreKey.signature
            = parties.bobDevice.keyPair.sign(zeroSignedPreKey.signedPreKey.signedBytes());
        QVERIFY(zeroSignedPreKey.signedPreKey.verify(parties.bobDevice.keyPair.publicKey()).ok());
        auto refused = x3dhInitiate(parties.aliceDevice, zeroSignedPreKey, trusted);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::BadRequest);

        PreKeyBundle zeroOneTime = parties.bundle();
        zeroOneTime.oneTimePreKey->publicKey = lowOrder;
        refused = x3dhInitiate(parties.aliceDevice, zeroOneTime, trusted);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::BadRequest);

        // The responder side: a low-order ephemeral key.
        auto initiation = x3dhInitiate(parties.aliceDevice, parties.bundle(), trusted);
        initiation->header.ephemeralKey = lowOrder;
        const auto responded = x3dhRespond(parties.bobDevice.keyPair, parties.bobSignedPreKey,
                                           parties.bobOneTimePreKey, initiation->header,
                                           parties.aliceDevice.publicKey());
        QVERIFY(!responded.ok());
        QCOMPARE(responded.error().code, ErrorCode::BadRequest);
    }

    void responderSendsOnlyAfterTheFirstMessage()
    {
        const Parties parties = randomParties();
        const auto initiation
            = x3dhInitiate(parties.aliceDevice, parties.bundle(), parties.bobIdentity.publicKey());
        const auto keys = x3dhRespond(parties.bobDevice.keyPair, parties.bobSignedPreKey,
                                      parties.bobOneTimePreKey, initiation->header,
                                      parties.aliceDevice.publicKey());
        auto bob = RatchetSession::respond(*keys, parties.bobSignedPreKey.keyPair);
        QVERIFY(bob.ok());
        QVERIFY(!bob->canEncrypt());
        const auto early = bob->encrypt("too early");
        QVERIFY(!early.ok());
        QCOMPARE(early.error().code, ErrorCode::Unavailable);
    }

    void acceptSessionNeedsAnAuthenticFirstMessage()
    {
        const Parties parties = randomParties();
        auto outbound
            = startSession(parties.aliceDevice, parties.bundle(), parties.bobIdentity.publicKey());
        QVERIFY(outbound.ok());
        QByteArray first = *outbound->session.encrypt("hello");
        first[first.size() - 1] = static_cast<char>(first[first.size() - 1] ^ 1);
        const auto accepted = acceptSession(
            parties.bobDevice.keyPair, parties.bobSignedPreKey, parties.bobOneTimePreKey,
            PreKeyMessage{outbound->header, first}, parties.aliceDevice.publicKey());
        QVERIFY(!accepted.ok());
        QCOMPARE(accepted.error().code, ErrorCode::Corrupt);
    }
};

QTEST_GUILESS_MAIN(TestE2eX3dh)
#include "tst_e2e_x3dh.moc"
