#include "e2e/device_keys.h"

#include "e2e/byte_codec_p.h"

#include <QSet>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kCertificateVersion = 1;
constexpr quint8 kDeviceListVersion = 1;
constexpr quint8 kDeviceKeysVersion = 1;

/// User ids are decimal numbers. The bound keeps a certificate short enough to nest in
/// the u16-length fields of the device key state and the prekey bundle.
constexpr qsizetype kMaxUserIdBytes = 1024;

Result<QByteArray> userIdBytes(const QString &userId)
{
    QByteArray utf8 = userId.toUtf8();
    if (utf8.isEmpty() || utf8.size() > kMaxUserIdBytes)
        return Error{ErrorCode::BadRequest,
                     u"a user id has 1 to %1 bytes of UTF-8"_s.arg(kMaxUserIdBytes)};
    return utf8;
}

Result<void> checkEntries(const QList<DeviceListEntry> &devices)
{
    if (devices.size() > kMaxDevicesPerUser)
        return Error{ErrorCode::TooLarge,
                     u"a device list holds at most %1 devices"_s.arg(kMaxDevicesPerUser)};
    QSet<quint32> seen;
    for (const DeviceListEntry &entry : devices) {
        if (entry.deviceKey.size() != kPublicKeyBytes)
            return Error{ErrorCode::BadRequest, u"a device key has 32 bytes"_s};
        if (seen.contains(entry.deviceId))
            return Error{ErrorCode::BadRequest,
                         u"device %1 is in the device list twice"_s.arg(entry.deviceId)};
        seen.insert(entry.deviceId);
    }
    return {};
}

} // namespace

QByteArray DeviceCertificate::signedBytes() const
{
    ByteWriter writer;
    writer.bytes("tidings-device-v1");
    writer.blob16(userId.toUtf8());
    writer.u32(deviceId);
    writer.bytes(deviceKey);
    return writer.take();
}

Result<DeviceCertificate> DeviceCertificate::issue(const SigningKeyPair &identity,
                                                   const QString &userId, quint32 deviceId,
                                                   const QByteArray &deviceKey)
{
    if (auto utf8 = userIdBytes(userId); !utf8)
        return utf8.error();
    if (deviceKey.size() != kPublicKeyBytes)
        return Error{ErrorCode::BadRequest, u"a device key has 32 bytes"_s};
    DeviceCertificate certificate{userId, deviceId, deviceKey, {}};
    certificate.signature = identity.sign(certificate.signedBytes());
    return certificate;
}

Result<void> DeviceCertificate::verify(QByteArrayView identityKey) const
{
    if (!userIdBytes(userId) || deviceKey.size() != kPublicKeyBytes
        || !verifySignature(identityKey, signedBytes(), signature))
        return Error{ErrorCode::Unauthorized,
                     u"the device certificate is not signed by this identity key"_s};
    return {};
}

QByteArray DeviceCertificate::encode() const
{
    ByteWriter writer(EncodingKind::DeviceCertificate, kCertificateVersion);
    writer.blob16(userId.toUtf8());
    writer.u32(deviceId);
    writer.bytes(deviceKey);
    writer.bytes(signature);
    return writer.take();
}

Result<DeviceCertificate> DeviceCertificate::decode(QByteArrayView data)
{
    const QString what = u"device certificate"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::DeviceCertificate, kCertificateVersion, what);
        !preamble)
        return preamble.error();
    DeviceCertificate certificate;
    const QByteArray userId = reader.blob16();
    certificate.userId = QString::fromUtf8(userId);
    certificate.deviceId = reader.u32();
    certificate.deviceKey = reader.bytes(kPublicKeyBytes);
    certificate.signature = reader.bytes(kSignatureBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    if (userId.size() > kMaxUserIdBytes)
        return corrupt(what);
    return certificate;
}

QByteArray DeviceList::signedBytes() const
{
    ByteWriter writer;
    writer.bytes("tidings-devices-v1");
    writer.blob16(userId.toUtf8());
    writer.u64(version);
    for (const DeviceListEntry &entry : devices) {
        writer.u32(entry.deviceId);
        writer.bytes(entry.deviceKey);
    }
    return writer.take();
}

Result<DeviceList> DeviceList::sign(const SigningKeyPair &identity, const QString &userId,
                                    quint64 version, const QList<DeviceListEntry> &devices)
{
    if (auto utf8 = userIdBytes(userId); !utf8)
        return utf8.error();
    if (auto entries = checkEntries(devices); !entries)
        return entries.error();
    DeviceList list{userId, version, devices, {}};
    list.signature = identity.sign(list.signedBytes());
    return list;
}

Result<void> DeviceList::verify(QByteArrayView identityKey) const
{
    if (auto entries = checkEntries(devices); !entries)
        return entries.error();
    if (!userIdBytes(userId) || !verifySignature(identityKey, signedBytes(), signature))
        return Error{ErrorCode::Unauthorized,
                     u"the device list is not signed by this identity key"_s};
    return {};
}

std::optional<QByteArray> DeviceList::deviceKey(quint32 deviceId) const
{
    for (const DeviceListEntry &entry : devices) {
        if (entry.deviceId == deviceId)
            return entry.deviceKey;
    }
    return std::nullopt;
}

QByteArray DeviceList::encode() const
{
    ByteWriter writer(EncodingKind::DeviceList, kDeviceListVersion);
    writer.blob16(userId.toUtf8());
    writer.u64(version);
    writer.u16(static_cast<quint16>(devices.size()));
    for (const DeviceListEntry &entry : devices) {
        writer.u32(entry.deviceId);
        writer.bytes(entry.deviceKey);
    }
    writer.bytes(signature);
    return writer.take();
}

Result<DeviceList> DeviceList::decode(QByteArrayView data)
{
    const QString what = u"device list"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::DeviceList, kDeviceListVersion, what);
        !preamble)
        return preamble.error();
    DeviceList list;
    list.userId = QString::fromUtf8(reader.blob16());
    list.version = reader.u64();
    const quint16 count = reader.u16();
    if (count > kMaxDevicesPerUser)
        return corrupt(what);
    for (quint16 i = 0; i < count && !reader.failed(); ++i) {
        DeviceListEntry entry;
        entry.deviceId = reader.u32();
        entry.deviceKey = reader.bytes(kPublicKeyBytes);
        list.devices.append(entry);
    }
    list.signature = reader.bytes(kSignatureBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return list;
}

Result<DeviceKeys> DeviceKeys::create(const SigningKeyPair &identity, const QString &userId,
                                      quint32 deviceId, const SigningKeyPair &deviceKey)
{
    auto certificate = DeviceCertificate::issue(identity, userId, deviceId, deviceKey.publicKey());
    if (!certificate)
        return certificate.error();
    return DeviceKeys{deviceKey, std::move(certificate).value()};
}

QByteArray DeviceKeys::serialise() const
{
    ByteWriter writer(EncodingKind::DeviceKeys, kDeviceKeysVersion);
    QByteArray pair = keyPair.serialise();
    writer.blob16(pair);
    wipe(pair);
    writer.blob16(certificate.encode());
    return writer.take();
}

Result<DeviceKeys> DeviceKeys::deserialise(QByteArrayView data)
{
    const QString what = u"device key state"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::DeviceKeys, kDeviceKeysVersion, what);
        !preamble)
        return preamble.error();
    QByteArray pairBytes = reader.blob16();
    const QByteArray certificateBytes = reader.blob16();
    auto pair = SigningKeyPair::deserialise(pairBytes);
    wipe(pairBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    if (!pair)
        return pair.error();
    auto certificate = DeviceCertificate::decode(certificateBytes);
    if (!certificate)
        return certificate.error();
    if (certificate->deviceKey != pair->publicKey())
        return Error{ErrorCode::Corrupt, u"the device certificate is for another key"_s};
    return DeviceKeys{std::move(pair).value(), std::move(certificate).value()};
}

} // namespace tidings::e2e
