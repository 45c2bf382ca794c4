#include "e2e/prekeys.h"

#include "e2e/byte_codec_p.h"

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kPreKeyVersion = 1;

/// Reads a DhKeyPair written as secret key only, recomputing the public key.
DhKeyPair readDhKeyPair(ByteReader &reader)
{
    return DhKeyPair::fromSecretKey(reader.secret<32>());
}

} // namespace

QByteArray SignedPreKeyPublic::signedBytes() const
{
    ByteWriter writer;
    writer.bytes("tidings-spk-v1");
    writer.u32(id);
    writer.bytes(publicKey);
    return writer.take();
}

Result<void> SignedPreKeyPublic::verify(QByteArrayView deviceKey) const
{
    if (publicKey.size() != kPublicKeyBytes
        || !verifySignature(deviceKey, signedBytes(), signature))
        return Error{ErrorCode::Unauthorized,
                     u"the signed prekey is not signed by this device key"_s};
    return {};
}

QByteArray SignedPreKeyPublic::encode() const
{
    ByteWriter writer(EncodingKind::SignedPreKeyPublic, kPreKeyVersion);
    writer.u32(id);
    writer.bytes(publicKey);
    writer.bytes(signature);
    return writer.take();
}

Result<SignedPreKeyPublic> SignedPreKeyPublic::decode(QByteArrayView data)
{
    const QString what = u"signed prekey"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::SignedPreKeyPublic, kPreKeyVersion, what);
        !preamble)
        return preamble.error();
    SignedPreKeyPublic key;
    key.id = reader.u32();
    key.publicKey = reader.bytes(kPublicKeyBytes);
    key.signature = reader.bytes(kSignatureBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return key;
}

SignedPreKey SignedPreKey::generate(const SigningKeyPair &deviceKey, quint32 id)
{
    return create(deviceKey, id, DhKeyPair::generate());
}

SignedPreKey SignedPreKey::create(const SigningKeyPair &deviceKey, quint32 id,
                                  const DhKeyPair &keyPair)
{
    SignedPreKey key{id, keyPair, {}};
    key.signature = deviceKey.sign(SignedPreKeyPublic{id, keyPair.publicKey, {}}.signedBytes());
    return key;
}

SignedPreKeyPublic SignedPreKey::publicPart() const
{
    return {id, keyPair.publicKey, signature};
}

QByteArray SignedPreKey::serialise() const
{
    ByteWriter writer(EncodingKind::SignedPreKey, kPreKeyVersion);
    writer.u32(id);
    writer.secret(keyPair.secretKey);
    writer.bytes(signature);
    return writer.take();
}

Result<SignedPreKey> SignedPreKey::deserialise(QByteArrayView data)
{
    const QString what = u"signed prekey state"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::SignedPreKey, kPreKeyVersion, what);
        !preamble)
        return preamble.error();
    SignedPreKey key;
    key.id = reader.u32();
    key.keyPair = readDhKeyPair(reader);
    key.signature = reader.bytes(kSignatureBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return key;
}

QByteArray OneTimePreKeyPublic::encode() const
{
    ByteWriter writer(EncodingKind::OneTimePreKeyPublic, kPreKeyVersion);
    writer.u32(id);
    writer.bytes(publicKey);
    return writer.take();
}

Result<OneTimePreKeyPublic> OneTimePreKeyPublic::decode(QByteArrayView data)
{
    const QString what = u"one-time prekey"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::OneTimePreKeyPublic, kPreKeyVersion, what);
        !preamble)
        return preamble.error();
    OneTimePreKeyPublic key;
    key.id = reader.u32();
    key.publicKey = reader.bytes(kPublicKeyBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return key;
}

QList<OneTimePreKey> OneTimePreKey::generateBatch(quint32 firstId, int count)
{
    QList<OneTimePreKey> keys;
    keys.reserve(count);
    for (int i = 0; i < count; ++i)
        keys.append(OneTimePreKey{firstId + static_cast<quint32>(i), DhKeyPair::generate()});
    return keys;
}

QByteArray OneTimePreKey::serialise() const
{
    ByteWriter writer(EncodingKind::OneTimePreKey, kPreKeyVersion);
    writer.u32(id);
    writer.secret(keyPair.secretKey);
    return writer.take();
}

Result<OneTimePreKey> OneTimePreKey::deserialise(QByteArrayView data)
{
    const QString what = u"one-time prekey state"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::OneTimePreKey, kPreKeyVersion, what);
        !preamble)
        return preamble.error();
    OneTimePreKey key;
    key.id = reader.u32();
    key.keyPair = readDhKeyPair(reader);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return key;
}

Result<void> PreKeyBundle::verify(QByteArrayView identityKey) const
{
    if (auto certified = certificate.verify(identityKey); !certified)
        return certified;
    if (auto signedKey = signedPreKey.verify(certificate.deviceKey); !signedKey)
        return signedKey;
    if (oneTimePreKey && oneTimePreKey->publicKey.size() != kPublicKeyBytes)
        return Error{ErrorCode::BadRequest, u"a one-time prekey has 32 bytes"_s};
    return {};
}

QByteArray PreKeyBundle::encode() const
{
    ByteWriter writer(EncodingKind::PreKeyBundle, kPreKeyVersion);
    writer.blob16(certificate.encode());
    writer.blob16(signedPreKey.encode());
    writer.u8(oneTimePreKey ? 1 : 0);
    if (oneTimePreKey)
        writer.blob16(oneTimePreKey->encode());
    return writer.take();
}

Result<PreKeyBundle> PreKeyBundle::decode(QByteArrayView data)
{
    const QString what = u"prekey bundle"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::PreKeyBundle, kPreKeyVersion, what);
        !preamble)
        return preamble.error();
    const QByteArray certificateBytes = reader.blob16();
    const QByteArray signedPreKeyBytes = reader.blob16();
    const quint8 hasOneTimePreKey = reader.u8();
    const QByteArray oneTimePreKeyBytes = hasOneTimePreKey == 1 ? reader.blob16() : QByteArray();
    if (hasOneTimePreKey > 1)
        return corrupt(what);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    auto certificate = DeviceCertificate::decode(certificateBytes);
    if (!certificate)
        return certificate.error();
    auto signedPreKey = SignedPreKeyPublic::decode(signedPreKeyBytes);
    if (!signedPreKey)
        return signedPreKey.error();
    PreKeyBundle bundle{std::move(certificate).value(), std::move(signedPreKey).value(), {}};
    if (hasOneTimePreKey) {
        auto oneTimePreKey = OneTimePreKeyPublic::decode(oneTimePreKeyBytes);
        if (!oneTimePreKey)
            return oneTimePreKey.error();
        bundle.oneTimePreKey = std::move(oneTimePreKey).value();
    }
    return bundle;
}

} // namespace tidings::e2e
