#include "e2e/double_ratchet.h"
#include "e2e/keys.h"
#include "e2e/sender_keys.h"
#include "e2e/x3dh.h"
#include "freed_memory_check.h"

#include <QSet>
#include <QtTest>

#include <array>
#include <cstring>
#include <functional>
#include <optional>
#include <utility>

#include <sodium.h>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;
#ifdef TIDINGS_TEST_ASAN
using tidings::test::secretsLeftInFreedMemory;
#endif

namespace {

SecretKey seed(char fill)
{
    return *SecretKey::fromBytes(QByteArray(32, fill));
}

QByteArray u16(quint16 value)
{
    return QByteArray::fromHex(QByteArray::number(value, 16).rightJustified(4, '0'));
}

QByteArray u32(quint32 value)
{
    return QByteArray::fromHex(QByteArray::number(value, 16).rightJustified(8, '0'));
}

QByteArray u64(quint64 value)
{
    return QByteArray::fromHex(QByteArray::number(value, 16).rightJustified(16, '0'));
}

QByteArray flipped(QByteArray bytes, qsizetype at)
{
    bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
    return bytes;
}

/// How one encoding decodes: "ok", or the name of the error code.
using Decoder = std::function<QString(QByteArrayView)>;

template<typename T, typename F> Decoder decoderOf(F decode)
{
    return [decode](QByteArrayView data) {
        const Result<T> decoded = decode(data);
        return decoded.ok() ? u"ok"_s : errorCodeName(decoded.error().code);
    };
}

} // namespace

class TestE2eKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedsMakeTheSameKeysAsLibsodium()
    {
        const SigningKeyPair pair = SigningKeyPair::fromSeed(seed('\x01'));
        unsigned char publicKey[32];
        unsigned char secretKey[64];
        crypto_sign_seed_keypair(publicKey, secretKey, seed('\x01').data());
        QCOMPARE(pair.publicKey(), QByteArray(reinterpret_cast<const char *>(publicKey), 32));
        QCOMPARE(SigningKeyPair::fromSeed(seed('\x01')).publicKey(), pair.publicKey());
        QVERIFY(SigningKeyPair::fromSeed(seed('\x02')).publicKey() != pair.publicKey());
        QVERIFY(SigningKeyPair::generate().publicKey() != SigningKeyPair::generate().publicKey());

        // The X25519 form of the pair matches the conversion of its public key alone.
        unsigned char curve[32];
        QCOMPARE(crypto_sign_ed25519_pk_to_curve25519(curve, publicKey), 0);
        QCOMPARE(pair.toDhKeyPair().publicKey,
                 QByteArray(reinterpret_cast<const char *>(curve), 32));
        QCOMPARE(*x25519PublicKey(pair.publicKey()), pair.toDhKeyPair().publicKey);
    }

    void signAndVerify()
    {
        const SigningKeyPair pair = SigningKeyPair::fromSeed(seed('\x01'));
        const QByteArray signature = pair.sign("message");
        QCOMPARE(signature.size(), kSignatureBytes);
        QVERIFY(verifySignature(pair.publicKey(), "message", signature));
        QVERIFY(!verifySignature(pair.publicKey(), "messagE", signature));
        QVERIFY(!verifySignature(pair.publicKey(), "message", flipped(signature, 10)));
        QVERIFY(!verifySignature(SigningKeyPair::fromSeed(seed('\x02')).publicKey(), "message",
                                 signature));
        QVERIFY(!verifySignature(pair.publicKey(), "message", signature.first(63)));
        QVERIFY(!verifySignature(pair.publicKey().first(31), "message", signature));
    }

    void diffieHellmanAgreesAndRefusesZero()
    {
        const DhKeyPair a = DhKeyPair::fromSecretKey(seed('\x05'));
        const DhKeyPair b = DhKeyPair::generate();
        const auto ab = diffieHellman(a.secretKey, b.publicKey);
        const auto ba = diffieHellman(b.secretKey, a.publicKey);
        QVERIFY(ab.ok() && ba.ok());
        QVERIFY(*ab == *ba);
        // The identity point and other low-order points give an all-zero secret.
        for (const QByteArray &lowOrder :
             {QByteArray(32, '\0'), QByteArray(QByteArray::fromHex("01") + QByteArray(31, '\0'))}) {
            const auto zero = diffieHellman(a.secretKey, lowOrder);
            QVERIFY(!zero.ok());
            QCOMPARE(zero.error().code, ErrorCode::BadRequest);
        }
        QVERIFY(!diffieHellman(a.secretKey, b.publicKey.first(31)).ok());
    }

    void deviceCertificate()
    {
        const SigningKeyPair identity = SigningKeyPair::fromSeed(seed('\x01'));
        const SigningKeyPair device = SigningKeyPair::fromSeed(seed('\x02'));
        const auto certificate
            = DeviceCertificate::issue(identity, u"ünïcode"_s, 7, device.publicKey());
        QVERIFY(certificate.ok());
        // The exact bytes the spec names.
        const QByteArray userId = u"ünïcode"_s.toUtf8();
        QCOMPARE(certificate->signedBytes(),
                 QByteArray(QByteArray("tidings-device-v1") + u16(userId.size()) + userId + u32(7)
                            + device.publicKey()));
        QVERIFY(certificate->verify(identity.publicKey()).ok());
        QVERIFY(verifySignature(identity.publicKey(), certificate->signedBytes(),
                                certificate->signature));

        const auto other = certificate->verify(device.publicKey());
        QVERIFY(!other.ok());
        QCOMPARE(other.error().code, ErrorCode::Unauthorized);
        DeviceCertificate changed = *certificate;
        changed.deviceId = 8;
        QVERIFY(!changed.verify(identity.publicKey()).ok());
        changed = *certificate;
        changed.userId = u"someone else"_s;
        QVERIFY(!changed.verify(identity.publicKey()).ok());
        changed = *certificate;
        changed.deviceKey = SigningKeyPair::fromSeed(seed('\x03')).publicKey();
        QVERIFY(!changed.verify(identity.publicKey()).ok());

        QCOMPARE(*DeviceCertificate::decode(certificate->encode()), *certificate);
        QVERIFY(!DeviceCertificate::issue(identity, QString(), 1, device.publicKey()).ok());
        QVERIFY(!DeviceCertificate::issue(identity, u"u"_s, 1, QByteArray(31, 'x')).ok());
    }

    void deviceList()
    {
        const SigningKeyPair identity = SigningKeyPair::fromSeed(seed('\x01'));
        const QList<DeviceListEntry> devices{
            {1, SigningKeyPair::fromSeed(seed('\x02')).publicKey()},
            {2, SigningKeyPair::fromSeed(seed('\x03')).publicKey()}};
        const auto list = DeviceList::sign(identity, u"alice"_s, 5, devices);
        QVERIFY(list.ok());
        QCOMPARE(list->signedBytes(),
                 QByteArray(QByteArray("tidings-devices-v1") + u16(5) + "alice" + u64(5) + u32(1)
                            + devices[0].deviceKey + u32(2) + devices[1].deviceKey));
        QVERIFY(list->verify(identity.publicKey()).ok());
        QCOMPARE(*list->deviceKey(2), devices[1].deviceKey);
        QVERIFY(!list->deviceKey(3).has_value());
        QCOMPARE(*DeviceList::decode(list->encode()), *list);

        QCOMPARE(list->verify(SigningKeyPair::fromSeed(seed('\x02')).publicKey()).error().code,
                 ErrorCode::Unauthorized);
        DeviceList changed = *list;
        changed.version = 6;
        QVERIFY(!changed.verify(identity.publicKey()).ok());
        changed = *list;
        changed.devices.append({3, SigningKeyPair::fromSeed(seed('\x04')).publicKey()});
        QVERIFY(!changed.verify(identity.publicKey()).ok());
        changed = *list;
        changed.devices.removeLast();
        QVERIFY(!changed.verify(identity.publicKey()).ok());
        changed = *list;
        changed.devices[0].deviceId = 9;
        QVERIFY(!changed.verify(identity.publicKey()).ok());

        QVERIFY(!DeviceList::sign(identity, u"alice"_s, 1, {devices[0], devices[0]}).ok());
        QVERIFY(DeviceList::sign(identity, u"alice"_s, 1, {}).ok());
    }

    void prekeys()
    {
        const SigningKeyPair device = SigningKeyPair::fromSeed(seed('\x02'));
        const SignedPreKey signedPreKey
            = SignedPreKey::create(device, 42, DhKeyPair::fromSecretKey(seed('\x05')));
        const SignedPreKeyPublic published = signedPreKey.publicPart();
        QCOMPARE(
            published.signedBytes(),
            QByteArray(QByteArray("tidings-spk-v1") + u32(42) + signedPreKey.keyPair.publicKey));
        QVERIFY(published.verify(device.publicKey()).ok());
        QCOMPARE(published.verify(SigningKeyPair::fromSeed(seed('\x03')).publicKey()).error().code,
                 ErrorCode::Unauthorized);
        SignedPreKeyPublic changed = published;
        changed.id = 43;
        QVERIFY(!changed.verify(device.publicKey()).ok());
        changed = published;
        changed.publicKey = DhKeyPair::generate().publicKey;
        QVERIFY(!changed.verify(device.publicKey()).ok());
        QCOMPARE(*SignedPreKeyPublic::decode(published.encode()), published);
        const auto restored = SignedPreKey::deserialise(signedPreKey.serialise());
        QVERIFY(restored.ok());
        QCOMPARE(restored->publicPart(), published);
        QVERIFY(restored->keyPair.secretKey == signedPreKey.keyPair.secretKey);

        const QList<OneTimePreKey> batch = OneTimePreKey::generateBatch(100, 25);
        QCOMPARE(batch.size(), 25);
        QSet<QByteArray> publicKeys;
        for (int i = 0; i < batch.size(); ++i) {
            QCOMPARE(batch[i].id, quint32(100 + i));
            publicKeys.insert(batch[i].keyPair.publicKey);
            const auto one = OneTimePreKey::deserialise(batch[i].serialise());
            QVERIFY(one.ok());
            QCOMPARE(one->publicPart(), batch[i].publicPart());
        }
        QCOMPARE(publicKeys.size(), 25);
        QVERIFY(kOneTimePreKeyRefillBelow == 20);
    }

    void bundleVerifiesTheWholeChain()
    {
        const SigningKeyPair identity = SigningKeyPair::fromSeed(seed('\x01'));
        const auto device
            = DeviceKeys::create(identity, u"bob"_s, 3, SigningKeyPair::fromSeed(seed('\x02')));
        QVERIFY(device.ok());
        const SignedPreKey signedPreKey = SignedPreKey::generate(device->keyPair, 1);
        const OneTimePreKey oneTime = OneTimePreKey::generateBatch(1, 1).first();
        const PreKeyBundle bundle{device->certificate, signedPreKey.publicPart(),
                                  oneTime.publicPart()};
        QVERIFY(bundle.verify(identity.publicKey()).ok());
        const auto decoded = PreKeyBundle::decode(bundle.encode());
        QVERIFY(decoded.ok());
        QVERIFY(decoded->verify(identity.publicKey()).ok());
        QCOMPARE(decoded->oneTimePreKey, bundle.oneTimePreKey);

        // A prekey signed by a device key the identity did not certify.
        PreKeyBundle forged = bundle;
        forged.signedPreKey = SignedPreKey::generate(SigningKeyPair::generate(), 1).publicPart();
        QCOMPARE(forged.verify(identity.publicKey()).error().code, ErrorCode::Unauthorized);
        QCOMPARE(bundle.verify(SigningKeyPair::generate().publicKey()).error().code,
                 ErrorCode::Unauthorized);
    }

    void deviceKeysRoundTrip()
    {
        const SigningKeyPair identity = SigningKeyPair::fromSeed(seed('\x01'));
        const auto device
            = DeviceKeys::create(identity, u"bob"_s, 3, SigningKeyPair::fromSeed(seed('\x02')));
        const auto restored = DeviceKeys::deserialise(device->serialise());
        QVERIFY(restored.ok());
        QCOMPARE(restored->keyPair.publicKey(), device->keyPair.publicKey());
        QCOMPARE(restored->certificate, device->certificate);
        QCOMPARE(restored->keyPair.sign("x"), device->keyPair.sign("x"));
        QCOMPARE(restored->userId(), u"bob"_s);
        QCOMPARE(restored->deviceId(), 3u);
    }

    // A user id must fit every encoding that nests a certificate in a u16-length field
    // (device key state, prekey bundle): a longer one used to be certified, and then the
    // device state could not be encoded.
    void userIdsAreBounded()
    {
        const SigningKeyPair identity = SigningKeyPair::fromSeed(seed('\x01'));
        const QByteArray deviceKey = SigningKeyPair::fromSeed(seed('\x02')).publicKey();
        const QString longest(1024, u'7');
        const auto device
            = DeviceKeys::create(identity, longest, 1, SigningKeyPair::fromSeed(seed('\x02')));
        QVERIFY(device.ok());
        QCOMPARE(DeviceKeys::deserialise(device->serialise())->userId(), longest);
        QVERIFY(device->certificate.verify(identity.publicKey()).ok());

        for (const qsizetype size : {qsizetype(1025), qsizetype(65000)}) {
            const QString tooLong(size, u'7');
            const auto issued = DeviceCertificate::issue(identity, tooLong, 1, deviceKey);
            QVERIFY(!issued.ok());
            QCOMPARE(issued.error().code, ErrorCode::BadRequest);
            QVERIFY(
                !DeviceKeys::create(identity, tooLong, 1, SigningKeyPair::fromSeed(seed('\x02')))
                     .ok());
            QVERIFY(!DeviceList::sign(identity, tooLong, 1, {}).ok());
            // Decoded from elsewhere (the relay), it is refused as well.
            const QByteArray encoded = QByteArray::fromHex("0201") + u16(quint16(size))
                + tooLong.toUtf8() + u32(1) + deviceKey + QByteArray(kSignatureBytes, 's');
            const auto decoded = DeviceCertificate::decode(encoded);
            QVERIFY(!decoded.ok());
            QCOMPARE(decoded.error().code, ErrorCode::Corrupt);
        }
    }

    // Encoding a state copies its secrets into a growing buffer: every buffer left behind
    // is wiped, as are the copies a decoder makes, also when it refuses the input.
    void encodingsLeaveNoSecretsInFreedMemory()
    {
#ifndef TIDINGS_TEST_ASAN
        QSKIP("needs AddressSanitizer's free hook");
#else
        const SigningKeyPair identity = SigningKeyPair::fromSeed(seed('\x01'));
        const DeviceKeys device
            = *DeviceKeys::create(identity, u"bob"_s, 3, SigningKeyPair::fromSeed(seed('\x0b')));
        const SignedPreKey signedPreKey
            = SignedPreKey::create(device.keyPair, 1, DhKeyPair::fromSecretKey(seed('\x0c')));
        const OneTimePreKey oneTime{2, DhKeyPair::fromSecretKey(seed('\x0d'))};
        const SenderChain chain
            = SenderChain::create(7, 1, seed('\x0e'), SigningKeyPair::fromSeed(seed('\x0f')));
        const ReceivedSenderChain received
            = *ReceivedSenderChain::fromDistribution(chain.distribution());
        const auto session = RatchetSession::initiate(
            X3dhKeys{seed('\x10'), QByteArray(kAssociatedDataBytes, 'a')},
            DhKeyPair::fromSecretKey(seed('\x11')).publicKey,
            DhKeyPair::fromSecretKey(seed('\x12')));
        QVERIFY(session.ok());
        const QByteArray deviceState = device.serialise();
        const QByteArray chainState = chain.serialise();
        const QByteArray deviceStateRunningOn = deviceState + 'x';
        const QByteArray chainStateRunningOn = chainState + 'x';

        QList<QByteArray> encoded;
        encoded.reserve(16);
        std::optional<DeviceKeys> decodedDevice;
        std::optional<SenderChain> decodedChain;
        bool refused = false;
        const QStringList leaked = secretsLeftInFreedMemory(
            {{u"device key"_s, QByteArray(32, '\x0b')},
             {u"signed prekey"_s, QByteArray(32, '\x0c')},
             {u"one-time prekey"_s, QByteArray(32, '\x0d')},
             {u"chain key"_s, QByteArray(32, '\x0e')},
             {u"chain signing key"_s, QByteArray(32, '\x0f')},
             {u"ratchet key"_s, QByteArray(32, '\x12')}},
            [&] {
                encoded.append(device.serialise());
                encoded.append(device.keyPair.serialise());
                encoded.append(signedPreKey.serialise());
                encoded.append(oneTime.serialise());
                encoded.append(chain.serialise());
                encoded.append(chain.distribution().encode());
                encoded.append(received.serialise());
                encoded.append(session->serialise());
                decodedDevice = *DeviceKeys::deserialise(deviceState);
                decodedChain = *SenderChain::deserialise(chainState);
                refused = !DeviceKeys::deserialise(deviceStateRunningOn).ok()
                    && !SenderChain::deserialise(chainStateRunningOn).ok();
            });
        QVERIFY2(leaked.isEmpty(), qPrintable(u"left in freed memory: "_s + leaked.join(u", ")));
        QVERIFY(refused);
        QCOMPARE(encoded.size(), 8);
        QCOMPARE(encoded.first(), deviceState);
        QCOMPARE(decodedChain->serialise(), chainState);
#endif
    }

    // Every encoding refuses each truncation (Corrupt), another version (Incompatible),
    // another kind and trailing bytes (Corrupt), and decodes what it encoded.
    void encodingsRefuseBadInput_data()
    {
        QTest::addColumn<QByteArray>("encoded");
        QTest::addColumn<Decoder>("decode");

        const SigningKeyPair identity = SigningKeyPair::fromSeed(seed('\x01'));
        const auto device
            = *DeviceKeys::create(identity, u"bob"_s, 3, SigningKeyPair::fromSeed(seed('\x02')));
        const SignedPreKey signedPreKey = SignedPreKey::generate(device.keyPair, 1);
        const OneTimePreKey oneTime = OneTimePreKey::generateBatch(1, 1).first();
        const PreKeyBundle bundle{device.certificate, signedPreKey.publicPart(),
                                  oneTime.publicPart()};
        const auto list
            = *DeviceList::sign(identity, u"bob"_s, 1, {{3, device.keyPair.publicKey()}});
        const X3dhHeader header{QByteArray(32, 'i'), QByteArray(32, 'e'), 1, 9};

        QTest::newRow("signing key pair")
            << identity.serialise() << decoderOf<SigningKeyPair>(&SigningKeyPair::deserialise);
        QTest::newRow("device keys")
            << device.serialise() << decoderOf<DeviceKeys>(&DeviceKeys::deserialise);
        QTest::newRow("certificate") << device.certificate.encode()
                                     << decoderOf<DeviceCertificate>(&DeviceCertificate::decode);
        QTest::newRow("device list") << list.encode() << decoderOf<DeviceList>(&DeviceList::decode);
        QTest::newRow("signed prekey")
            << signedPreKey.serialise() << decoderOf<SignedPreKey>(&SignedPreKey::deserialise);
        QTest::newRow("signed prekey public")
            << signedPreKey.publicPart().encode()
            << decoderOf<SignedPreKeyPublic>(&SignedPreKeyPublic::decode);
        QTest::newRow("one-time prekey")
            << oneTime.serialise() << decoderOf<OneTimePreKey>(&OneTimePreKey::deserialise);
        QTest::newRow("one-time prekey public")
            << oneTime.publicPart().encode()
            << decoderOf<OneTimePreKeyPublic>(&OneTimePreKeyPublic::decode);
        QTest::newRow("bundle") << bundle.encode()
                                << decoderOf<PreKeyBundle>(&PreKeyBundle::decode);
        QTest::newRow("x3dh header")
            << header.encode() << decoderOf<X3dhHeader>(&X3dhHeader::decode);
    }

    void encodingsRefuseBadInput()
    {
        QFETCH(QByteArray, encoded);
        QFETCH(Decoder, decode);

        const QString corrupt = errorCodeName(ErrorCode::Corrupt);
        QCOMPARE(decode(encoded), u"ok"_s);
        for (qsizetype size = 0; size < encoded.size(); ++size)
            QCOMPARE(decode(encoded.first(size)), corrupt);
        QCOMPARE(decode(QByteArray(encoded + '\0')), corrupt);
        QByteArray newer = encoded;
        newer[1] = static_cast<char>(newer[1] + 1);
        QCOMPARE(decode(newer), errorCodeName(ErrorCode::Incompatible));
        QByteArray otherKind = encoded;
        otherKind[0] = static_cast<char>(0x7f);
        QCOMPARE(decode(otherKind), corrupt);
    }
};

QTEST_GUILESS_MAIN(TestE2eKeys)
#include "tst_e2e_keys.moc"
