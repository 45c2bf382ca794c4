#include "e2e/double_ratchet.h"
#include "e2e/keys.h"
#include "e2e/pairwise_session.h"
#include "e2e/x3dh.h"

#include <QRandomGenerator>
#include <QtTest>

#include <optional>

#include <sodium.h>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;

namespace {

// Known answers of our own, from the fixed seeds below (each seed is 32 copies of one byte:
// 01 Alice's identity, 02 Alice's device, 03 Bob's identity, 04 Bob's device, 05 Bob's
// signed prekey, 06 Bob's one-time prekey, 07 Alice's ephemeral key, 08 Alice's first
// ratchet key). They were computed once with this library and then checked by
// independentDerivation() below, which recomputes every step of the spec with raw
// libsodium calls (crypto_sign_seed_keypair, the Ed25519 → X25519 conversions,
// crypto_scalarmult, HMAC-SHA-256 for HKDF and the chain, XChaCha20-Poly1305) and
// compares with both these constants and the library: a change to either side fails.
// (SK, AD and the first message key were also reproduced once, outside this repository,
// with an unrelated implementation: OpenSSL's X25519 and Python's hmac.)
const QByteArray kSharedKey = "46317a437e84549cd787850b6f6dc52d744db9fb6f6cb4104c41bb64023ce5cd";
const QByteArray kSharedKeyWithoutOneTimePreKey
    = "eb5be4153f4825c8d76a6942ccda5cbd6f5a5be25d994274393e9e26629453d6";
const QByteArray kAssociatedData
    = "60346e7c911a5f6ba154129174cafe75b294ac3bbd5549632f48cec6266f8410"
      "edd03cade80d29de6ea313a74ab369f4732ecb36649066b78b5b2dd664cb0417";
const QByteArray kFirstMessageKey
    = "adc4e5c518bcc3030e0c1ec226ce0aaaa0dd7265f56887517199f391aa89e039";
const QByteArray kFirstMessage = "0131d4ab6aceec961137917037936e60716fac573afe94d9da84a8020448dfc1"
                                 "12000000000000000066b903a74382f4147cbbc5567d89d2f33afe31e8a332a9"
                                 "7265e5fa";
const QByteArray kSecondMessage = "0131d4ab6aceec961137917037936e60716fac573afe94d9da84a8020448dfc1"
                                  "1200000000000000010b8883ca1af19647062ddc42cab4ff0e513e1ae7c0757e"
                                  "1783398af0575ebe";

const QByteArray kFirstPlaintext = "Hello, Bob!";
const QByteArray kSecondPlaintext = "Second message.";

SecretKey seed(char fill)
{
    return *SecretKey::fromBytes(QByteArray(32, fill));
}

QByteArray hex(const SecretKey &key)
{
    return key.toByteArray().toHex();
}

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

Parties fixedParties()
{
    const SigningKeyPair bobIdentity = SigningKeyPair::fromSeed(seed('\x03'));
    const DeviceKeys bobDevice
        = *DeviceKeys::create(bobIdentity, u"bob"_s, 1, SigningKeyPair::fromSeed(seed('\x04')));
    return {SigningKeyPair::fromSeed(seed('\x01')),
            SigningKeyPair::fromSeed(seed('\x02')),
            bobIdentity,
            bobDevice,
            SignedPreKey::create(bobDevice.keyPair, 1, DhKeyPair::fromSecretKey(seed('\x05'))),
            OneTimePreKey{7, DhKeyPair::fromSecretKey(seed('\x06'))}};
}

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

struct Sessions
{
    RatchetSession alice;
    RatchetSession bob;
};

/// Alice opens a session with Bob; Bob accepts it from her first message.
std::optional<Sessions> openSessions(const Parties &parties)
{
    auto outbound
        = startSession(parties.aliceDevice, parties.bundle(), parties.bobIdentity.publicKey());
    if (!outbound)
        return std::nullopt;
    const auto first = outbound->session.encrypt("hello");
    if (!first)
        return std::nullopt;
    const auto message = PreKeyMessage::decode(PreKeyMessage{outbound->header, *first}.encode());
    if (!message)
        return std::nullopt;
    auto inbound
        = acceptSession(parties.bobDevice.keyPair, parties.bobSignedPreKey,
                        parties.bobOneTimePreKey, *message, parties.aliceDevice.publicKey());
    if (!inbound || inbound->plaintext != "hello")
        return std::nullopt;
    return Sessions{outbound->session, inbound->session};
}

// The spec's algorithm with raw libsodium calls only, for independentDerivation().
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

QByteArray rawHkdf(const QByteArray &salt, const QByteArray &ikm, const QByteArray &info,
                   int length)
{
    const QByteArray prk = rawHmac(salt, ikm);
    QByteArray okm;
    QByteArray block;
    for (char counter = 1; okm.size() < length; ++counter) {
        block = rawHmac(prk, QByteArray(block + info + counter));
        okm += block;
    }
    return okm.left(length);
}

QByteArray rawScalarMult(const QByteArray &secret, const QByteArray &publicKey)
{
    QByteArray shared(32, '\0');
    const int status
        = crypto_scalarmult(reinterpret_cast<unsigned char *>(shared.data()),
                            reinterpret_cast<const unsigned char *>(secret.constData()),
                            reinterpret_cast<const unsigned char *>(publicKey.constData()));
    return status == 0 ? shared : QByteArray();
}

QByteArray rawPublicKey(const QByteArray &secret)
{
    QByteArray publicKey(32, '\0');
    crypto_scalarmult_base(reinterpret_cast<unsigned char *>(publicKey.data()),
                           reinterpret_cast<const unsigned char *>(secret.constData()));
    return publicKey;
}

QByteArray rawSeal(const QByteArray &plaintext, const QByteArray &associatedData,
                   const QByteArray &keyAndNonce)
{
    QByteArray ciphertext(plaintext.size() + 16, '\0');
    unsigned long long size = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char *>(ciphertext.data()), &size,
        reinterpret_cast<const unsigned char *>(plaintext.constData()),
        static_cast<unsigned long long>(plaintext.size()),
        reinterpret_cast<const unsigned char *>(associatedData.constData()),
        static_cast<unsigned long long>(associatedData.size()), nullptr,
        reinterpret_cast<const unsigned char *>(keyAndNonce.constData()) + 32,
        reinterpret_cast<const unsigned char *>(keyAndNonce.constData()));
    return ciphertext;
}

} // namespace

class TestE2eX3dhRatchet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }

    void knownAnswers()
    {
        const Parties parties = fixedParties();
        const DhKeyPair ephemeral = DhKeyPair::fromSecretKey(seed('\x07'));
        const auto initiation = x3dhInitiate(parties.aliceDevice, parties.bundle(),
                                             parties.bobIdentity.publicKey(), ephemeral);
        QVERIFY(initiation.ok());
        const auto withoutOneTime = x3dhInitiate(parties.aliceDevice, parties.bundle(false),
                                                 parties.bobIdentity.publicKey(), ephemeral);
        QVERIFY(withoutOneTime.ok());
        auto alice = RatchetSession::initiate(initiation->keys, initiation->theirSignedPreKey,
                                              DhKeyPair::fromSecretKey(seed('\x08')));
        QVERIFY(alice.ok());
        const auto first = alice->encrypt(kFirstPlaintext);
        const auto second = alice->encrypt(kSecondPlaintext);
        QVERIFY(first.ok() && second.ok());

        QCOMPARE(hex(initiation->keys.sharedKey), kSharedKey);
        QCOMPARE(hex(withoutOneTime->keys.sharedKey), kSharedKeyWithoutOneTimePreKey);
        QCOMPARE(initiation->keys.associatedData.toHex(), kAssociatedData);
        QCOMPARE(first->toHex(), kFirstMessage);
        QCOMPARE(second->toHex(), kSecondMessage);

        // Bob reaches the same keys and reads both messages.
        const auto bobKeys = x3dhRespond(parties.bobDevice.keyPair, parties.bobSignedPreKey,
                                         parties.bobOneTimePreKey, initiation->header,
                                         parties.aliceDevice.publicKey());
        QVERIFY(bobKeys.ok());
        QCOMPARE(hex(bobKeys->sharedKey), kSharedKey);
        QCOMPARE(bobKeys->associatedData.toHex(), kAssociatedData);
        auto bob = RatchetSession::respond(*bobKeys, parties.bobSignedPreKey.keyPair);
        QVERIFY(bob.ok());
        QCOMPARE(*bob->decrypt(*first), kFirstPlaintext);
        QCOMPARE(*bob->decrypt(*second), kSecondPlaintext);
    }

    // Every step of the spec recomputed with raw libsodium calls, compared with the
    // library and with the known answers above.
    void independentDerivation()
    {
        unsigned char alicePublic[32], aliceSecret[64], bobPublic[32], bobSecret[64];
        crypto_sign_seed_keypair(alicePublic, aliceSecret, seed('\x02').data());
        crypto_sign_seed_keypair(bobPublic, bobSecret, seed('\x04').data());
        QByteArray aliceIdentitySecret(32, '\0');
        crypto_sign_ed25519_sk_to_curve25519(
            reinterpret_cast<unsigned char *>(aliceIdentitySecret.data()), aliceSecret);
        QByteArray bobIdentityPublic(32, '\0');
        QCOMPARE(crypto_sign_ed25519_pk_to_curve25519(
                     reinterpret_cast<unsigned char *>(bobIdentityPublic.data()), bobPublic),
                 0);
        const QByteArray aliceIdentityPublic = rawPublicKey(aliceIdentitySecret);
        const QByteArray signedPreKey = rawPublicKey(QByteArray(32, '\x05'));
        const QByteArray oneTimePreKey = rawPublicKey(QByteArray(32, '\x06'));
        const QByteArray ephemeral(32, '\x07');

        const QByteArray dh1 = rawScalarMult(aliceIdentitySecret, signedPreKey);
        const QByteArray dh2 = rawScalarMult(ephemeral, bobIdentityPublic);
        const QByteArray dh3 = rawScalarMult(ephemeral, signedPreKey);
        const QByteArray dh4 = rawScalarMult(ephemeral, oneTimePreKey);
        const QByteArray zeros(32, '\0');
        const QByteArray sharedKey
            = rawHkdf(zeros, QByteArray(QByteArray(32, '\xff') + dh1 + dh2 + dh3 + dh4),
                      "Tidings X3DH v1", 32);
        const QByteArray sharedKeyWithout = rawHkdf(
            zeros, QByteArray(QByteArray(32, '\xff') + dh1 + dh2 + dh3), "Tidings X3DH v1", 32);
        const QByteArray associatedData = aliceIdentityPublic + bobIdentityPublic;

        // The initiator's first ratchet step: KDF_RK(SK, DH(ratchet, SPK_B)).
        const QByteArray ratchetSecret(32, '\x08');
        const QByteArray rootAndChain = rawHkdf(
            sharedKey, rawScalarMult(ratchetSecret, signedPreKey), "Tidings ratchet v1", 64);
        const QByteArray chainKey = rootAndChain.mid(32);
        const QByteArray firstMessageKey = rawHmac(chainKey, "\x01");
        const QByteArray secondMessageKey = rawHmac(rawHmac(chainKey, "\x02"), "\x01");

        const auto header = [&](char number) {
            return QByteArray(QByteArray("\x01") + rawPublicKey(ratchetSecret)
                              + QByteArray::fromHex("00000000") + QByteArray(3, '\0') + number);
        };
        const auto message = [&](const QByteArray &messageKey, char number,
                                 const QByteArray &plaintext) {
            const QByteArray keyAndNonce = rawHkdf(zeros, messageKey, "Tidings message v1", 56);
            return QByteArray(header(number)
                              + rawSeal(plaintext, associatedData + header(number), keyAndNonce));
        };
        const QByteArray first = message(firstMessageKey, 0, kFirstPlaintext);
        const QByteArray second = message(secondMessageKey, 1, kSecondPlaintext);

        QCOMPARE(sharedKey.toHex(), kSharedKey);
        QCOMPARE(sharedKeyWithout.toHex(), kSharedKeyWithoutOneTimePreKey);
        QCOMPARE(associatedData.toHex(), kAssociatedData);
        QCOMPARE(firstMessageKey.toHex(), kFirstMessageKey);
        QCOMPARE(first.toHex(), kFirstMessage);
        QCOMPARE(second.toHex(), kSecondMessage);

        // And the library, from the same seeds, makes the same bytes.
        const Parties parties = fixedParties();
        const auto initiation
            = x3dhInitiate(parties.aliceDevice, parties.bundle(), parties.bobIdentity.publicKey(),
                           DhKeyPair::fromSecretKey(seed('\x07')));
        QVERIFY(initiation.ok());
        QCOMPARE(hex(initiation->keys.sharedKey), sharedKey.toHex());
        QCOMPARE(initiation->keys.associatedData, associatedData);
        auto alice = RatchetSession::initiate(initiation->keys, initiation->theirSignedPreKey,
                                              DhKeyPair::fromSecretKey(seed('\x08')));
        QCOMPARE(alice->encrypt(kFirstPlaintext)->toHex(), first.toHex());
        QCOMPARE(alice->encrypt(kSecondPlaintext)->toHex(), second.toHex());
    }

    void roundTripsBothWays()
    {
        auto sessions = openSessions(randomParties());
        QVERIFY(sessions);
        for (int round = 0; round < 5; ++round) {
            const QByteArray toBob = "to Bob " + QByteArray::number(round);
            const auto sealed = sessions->alice.encrypt(toBob);
            QVERIFY(sealed.ok());
            QVERIFY(!sealed->contains(toBob));
            QCOMPARE(*sessions->bob.decrypt(*sealed), toBob);

            const QByteArray toAlice = "to Alice " + QByteArray::number(round);
            const auto answer = sessions->bob.encrypt(toAlice);
            QVERIFY(answer.ok());
            QCOMPARE(*sessions->alice.decrypt(*answer), toAlice);
        }
        // Empty and large messages too.
        QCOMPARE(*sessions->bob.decrypt(*sessions->alice.encrypt(QByteArray())), QByteArray());
        const QByteArray large(300 * 1024, 'x');
        QCOMPARE(*sessions->alice.decrypt(*sessions->bob.encrypt(large)), large);
    }

    void manyMessagesWithRatchetTurns()
    {
        const Parties parties = randomParties();
        auto sessions = openSessions(parties);
        QVERIFY(sessions);
        QRandomGenerator random(19); // a fixed pattern of who speaks
        bool aliceSpoke = true;
        int turns = 0;
        // The ratchet key each last sent with: Alice's first, Bob's signed prekey (his
        // ratchet key until Alice's first message turned it).
        QByteArray aliceKey = sessions->alice.ourRatchetKey();
        QByteArray bobKey = parties.bobSignedPreKey.keyPair.publicKey;
        QVERIFY(sessions->bob.ourRatchetKey() != bobKey);
        for (int i = 0; i < 400; ++i) {
            const bool aliceSpeaks = random.bounded(3) != 0;
            RatchetSession &sender = aliceSpeaks ? sessions->alice : sessions->bob;
            RatchetSession &receiver = aliceSpeaks ? sessions->bob : sessions->alice;
            const QByteArray plaintext = "message " + QByteArray::number(i);
            const auto sealed = sender.encrypt(plaintext);
            QVERIFY(sealed.ok());
            const auto opened = receiver.decrypt(*sealed);
            QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
            QCOMPARE(*opened, plaintext);
            // A turn brings the speaker a new ratchet key (new DH, new chains); within a
            // run of messages the key stays.
            QByteArray &previous = aliceSpeaks ? aliceKey : bobKey;
            QCOMPARE(sealed->mid(1, 32), sender.ourRatchetKey());
            if (aliceSpeaks != aliceSpoke) {
                ++turns;
                QVERIFY(sender.ourRatchetKey() != previous);
            } else {
                QCOMPARE(sender.ourRatchetKey(), previous);
            }
            previous = sender.ourRatchetKey();
            aliceSpoke = aliceSpeaks;
        }
        QVERIFY(turns > 50);
        QCOMPARE(sessions->alice.skippedMessageKeyCount(), 0);
        QCOMPARE(sessions->bob.skippedMessageKeyCount(), 0);
    }

    void sessionsAreBoundToTheirParties()
    {
        const Parties parties = randomParties();
        auto first = openSessions(parties);
        auto second = openSessions(parties);
        QVERIFY(first && second);
        // The same people, another session: its messages do not open here.
        const auto sealed = first->alice.encrypt("for the first session");
        const auto wrong = second->bob.decrypt(*sealed);
        QVERIFY(!wrong.ok());
        QCOMPARE(*first->bob.decrypt(*sealed), QByteArray("for the first session"));
    }
};

QTEST_GUILESS_MAIN(TestE2eX3dhRatchet)
#include "tst_e2e_x3dh_ratchet.moc"
