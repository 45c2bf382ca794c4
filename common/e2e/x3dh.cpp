#include "e2e/x3dh.h"

#include "e2e/byte_codec_p.h"
#include "e2e/hkdf.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kX3dhHeaderVersion = 1;
constexpr quint8 kPreKeyMessageVersion = 1;
constexpr char kX3dhInfo[] = "Tidings X3DH v1";

/// SK from the DH outputs, in order: HKDF over 32 × 0xFF || DH1 || … (at most four).
Result<SecretKey> deriveSharedKey(std::initializer_list<const SecretKey *> outputs)
{
    std::array<unsigned char, 32 * 5> material;
    std::fill_n(material.begin(), 32, 0xff);
    std::size_t size = 32;
    for (const SecretKey *output : outputs) {
        std::copy_n(output->data(), 32, material.begin() + static_cast<std::ptrdiff_t>(size));
        size += 32;
    }
    static const QByteArray kZeroSalt(32, '\0');
    SecretKey sharedKey;
    auto derived = hkdf(kZeroSalt,
                        QByteArrayView(reinterpret_cast<const char *>(material.data()),
                                       static_cast<qsizetype>(size)),
                        kX3dhInfo, sharedKey.span());
    detail::wipe(material.data(), material.size());
    if (!derived)
        return derived.error();
    return sharedKey;
}

} // namespace

QByteArray X3dhHeader::encode() const
{
    ByteWriter writer(EncodingKind::X3dhHeader, kX3dhHeaderVersion);
    writer.bytes(identityKey);
    writer.bytes(ephemeralKey);
    writer.u32(signedPreKeyId);
    writer.u8(oneTimePreKeyId ? 1 : 0);
    if (oneTimePreKeyId)
        writer.u32(*oneTimePreKeyId);
    return writer.take();
}

Result<X3dhHeader> X3dhHeader::decode(QByteArrayView data)
{
    const QString what = u"X3DH header"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::X3dhHeader, kX3dhHeaderVersion, what);
        !preamble)
        return preamble.error();
    X3dhHeader header;
    header.identityKey = reader.bytes(kPublicKeyBytes);
    header.ephemeralKey = reader.bytes(kPublicKeyBytes);
    header.signedPreKeyId = reader.u32();
    const quint8 hasOneTimePreKey = reader.u8();
    if (hasOneTimePreKey > 1)
        return corrupt(what);
    if (hasOneTimePreKey)
        header.oneTimePreKeyId = reader.u32();
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return header;
}

Result<X3dhInitiation> x3dhInitiate(const SigningKeyPair &ourDeviceKey,
                                    const PreKeyBundle &theirBundle,
                                    QByteArrayView theirIdentityKey)
{
    return x3dhInitiate(ourDeviceKey, theirBundle, theirIdentityKey, DhKeyPair::generate());
}

Result<X3dhInitiation> x3dhInitiate(const SigningKeyPair &ourDeviceKey,
                                    const PreKeyBundle &theirBundle,
                                    QByteArrayView theirIdentityKey, const DhKeyPair &ephemeralKey)
{
    if (auto verified = theirBundle.verify(theirIdentityKey); !verified)
        return verified.error();
    const auto theirIdentity = x25519PublicKey(theirBundle.certificate.deviceKey);
    if (!theirIdentity)
        return theirIdentity.error();
    const DhKeyPair ourIdentity = ourDeviceKey.toDhKeyPair();
    const QByteArray &theirSignedPreKey = theirBundle.signedPreKey.publicKey;

    const auto dh1 = diffieHellman(ourIdentity.secretKey, theirSignedPreKey);
    const auto dh2 = diffieHellman(ephemeralKey.secretKey, *theirIdentity);
    const auto dh3 = diffieHellman(ephemeralKey.secretKey, theirSignedPreKey);
    for (const auto *dh : {&dh1, &dh2, &dh3}) {
        if (!*dh)
            return dh->error();
    }
    Result<SecretKey> sharedKey = Error{};
    if (theirBundle.oneTimePreKey) {
        const auto dh4
            = diffieHellman(ephemeralKey.secretKey, theirBundle.oneTimePreKey->publicKey);
        if (!dh4)
            return dh4.error();
        sharedKey = deriveSharedKey({&*dh1, &*dh2, &*dh3, &*dh4});
    } else {
        sharedKey = deriveSharedKey({&*dh1, &*dh2, &*dh3});
    }
    if (!sharedKey)
        return sharedKey.error();

    X3dhInitiation initiation{
        X3dhKeys{*sharedKey, QByteArray(ourIdentity.publicKey + *theirIdentity)},
        X3dhHeader{ourIdentity.publicKey, ephemeralKey.publicKey, theirBundle.signedPreKey.id,
                   std::nullopt},
        theirSignedPreKey};
    if (theirBundle.oneTimePreKey)
        initiation.header.oneTimePreKeyId = theirBundle.oneTimePreKey->id;
    return initiation;
}

Result<X3dhKeys> x3dhRespond(const SigningKeyPair &ourDeviceKey,
                             const SignedPreKey &ourSignedPreKey,
                             const std::optional<OneTimePreKey> &ourOneTimePreKey,
                             const X3dhHeader &header, QByteArrayView theirDeviceKey)
{
    if (header.signedPreKeyId != ourSignedPreKey.id)
        return Error{ErrorCode::NotFound, u"the message names another signed prekey"_s};
    if (header.oneTimePreKeyId.has_value() != ourOneTimePreKey.has_value()
        || (ourOneTimePreKey && *header.oneTimePreKeyId != ourOneTimePreKey->id))
        return Error{ErrorCode::NotFound, u"the message names another one-time prekey"_s};
    const auto theirIdentity = x25519PublicKey(theirDeviceKey);
    if (!theirIdentity)
        return theirIdentity.error();
    if (header.identityKey != *theirIdentity)
        return Error{ErrorCode::Unauthorized,
                     u"the session's identity key is not the sending device's key"_s};
    const DhKeyPair ourIdentity = ourDeviceKey.toDhKeyPair();

    const auto dh1 = diffieHellman(ourSignedPreKey.keyPair.secretKey, header.identityKey);
    const auto dh2 = diffieHellman(ourIdentity.secretKey, header.ephemeralKey);
    const auto dh3 = diffieHellman(ourSignedPreKey.keyPair.secretKey, header.ephemeralKey);
    for (const auto *dh : {&dh1, &dh2, &dh3}) {
        if (!*dh)
            return dh->error();
    }
    Result<SecretKey> sharedKey = Error{};
    if (ourOneTimePreKey) {
        const auto dh4 = diffieHellman(ourOneTimePreKey->keyPair.secretKey, header.ephemeralKey);
        if (!dh4)
            return dh4.error();
        sharedKey = deriveSharedKey({&*dh1, &*dh2, &*dh3, &*dh4});
    } else {
        sharedKey = deriveSharedKey({&*dh1, &*dh2, &*dh3});
    }
    if (!sharedKey)
        return sharedKey.error();
    return X3dhKeys{*sharedKey, QByteArray(header.identityKey + ourIdentity.publicKey)};
}

QByteArray PreKeyMessage::encode() const
{
    ByteWriter writer(EncodingKind::PreKeyMessage, kPreKeyMessageVersion);
    writer.blob16(header.encode());
    writer.bytes(message);
    return writer.take();
}

Result<PreKeyMessage> PreKeyMessage::decode(QByteArrayView data)
{
    const QString what = u"prekey message"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::PreKeyMessage, kPreKeyMessageVersion, what);
        !preamble)
        return preamble.error();
    const QByteArray headerBytes = reader.blob16();
    QByteArray message = reader.rest();
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    auto header = X3dhHeader::decode(headerBytes);
    if (!header)
        return header.error();
    return PreKeyMessage{std::move(header).value(), std::move(message)};
}

} // namespace tidings::e2e
