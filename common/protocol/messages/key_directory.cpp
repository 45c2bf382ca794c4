#include "protocol/messages/key_directory.h"

#include "protocol/fields.h"
#include "protocol/messages/key_directory_p.h"

#include <QJsonArray>
#include <QSet>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace keyfields {

namespace {

/// The value of base64 character `c` (RFC 4648's alphabet), or -1.
int base64Value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/// Whether `text`, which decoded to `decoded`, is the one spelling of those bytes: padded to
/// a multiple of four, nothing skipped, no stray bits in the last group. Checked on the text
/// itself: encoding the bytes again to compare costs a copy on every message.
bool isCanonical(QByteArrayView text, qsizetype decoded)
{
    if (text.size() % 4 != 0)
        return false;
    const qsizetype padding = text.endsWith("==") ? 2 : text.endsWith('=') ? 1 : 0;
    if (decoded != text.size() / 4 * 3 - padding)
        return false; // a character was skipped, or the padding was not at the end
    if (padding == 0)
        return true;
    const int last = base64Value(text[text.size() - padding - 1]);
    return last >= 0 && (last & (padding == 2 ? 0x0f : 0x03)) == 0;
}

Result<QByteArray> decodeBase64(const QJsonObject &fields, const QString &key, qsizetype minBytes,
                                qsizetype maxBytes)
{
    const QJsonValue value = fields.value(key);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    // Made only when needed: this runs for every encrypted message.
    const auto bad = [&] {
        return Error{
            ErrorCode::BadRequest,
            minBytes == maxBytes
                ? u"field '%1' must be base64 of %2 bytes"_s.arg(key).arg(maxBytes)
                : u"field '%1' must be base64 of %2 to %3 bytes"_s.arg(key).arg(minBytes).arg(
                    maxBytes)};
    };
    if (!value.isString())
        return bad();
    const QString text = value.toString();
    // Bounded before decoding: base64 spells 3 bytes in 4 characters.
    if (text.size() > (maxBytes + 2) / 3 * 4)
        return bad();
    const QByteArray latin1 = text.toLatin1();
    auto decoded = QByteArray::fromBase64Encoding(latin1, QByteArray::AbortOnBase64DecodingErrors);
    // One spelling per value: padded, no stray bits, so what is stored is what was signed.
    if (!decoded || !isCanonical(latin1, decoded.decoded.size())
        || decoded.decoded.size() < minBytes || decoded.decoded.size() > maxBytes)
        return bad();
    return std::move(decoded.decoded);
}

} // namespace

Result<QByteArray> fixedBytes(const QJsonObject &fields, const QString &key, qsizetype bytes)
{
    return decodeBase64(fields, key, bytes, bytes);
}

Result<QByteArray> bytesUpTo(const QJsonObject &fields, const QString &key, qsizetype maxBytes)
{
    return decodeBase64(fields, key, 1, maxBytes);
}

Result<quint32> u32(const QJsonObject &fields, const QString &key, qint64 min)
{
    const auto value = fields::integer(fields, key, min, keys::kMaxU32);
    if (!value)
        return value.error();
    return static_cast<quint32>(*value);
}

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

Error within(const QString &key, const Error &error)
{
    return Error{error.code, u"in '%1': %2"_s.arg(key, error.message)};
}

} // namespace keyfields

namespace {

using keyfields::base64;

/// A device list's version: the u64 of the signed list, within what JSON holds exactly.
Result<qint64> listVersion(const QJsonObject &fields)
{
    return fields::integer(fields, u"version"_s, 1);
}

} // namespace

Result<SignedPreKeyInfo> SignedPreKeyInfo::decode(const QJsonObject &fields)
{
    const auto id = keyfields::u32(fields, u"id"_s);
    if (!id)
        return id.error();
    auto key = keyfields::fixedBytes(fields, u"key"_s, keys::kPublicKeyBytes);
    if (!key)
        return key.error();
    auto signature = keyfields::fixedBytes(fields, u"signature"_s, keys::kSignatureBytes);
    if (!signature)
        return signature.error();
    return SignedPreKeyInfo{*id, std::move(key).value(), std::move(signature).value()};
}

QJsonObject SignedPreKeyInfo::encode() const
{
    return {{u"id"_s, qint64(id)}, {u"key"_s, base64(key)}, {u"signature"_s, base64(signature)}};
}

Result<OneTimePreKeyInfo> OneTimePreKeyInfo::decode(const QJsonObject &fields)
{
    const auto id = keyfields::u32(fields, u"id"_s);
    if (!id)
        return id.error();
    auto key = keyfields::fixedBytes(fields, u"key"_s, keys::kPublicKeyBytes);
    if (!key)
        return key.error();
    return OneTimePreKeyInfo{*id, std::move(key).value()};
}

QJsonObject OneTimePreKeyInfo::encode() const
{
    return {{u"id"_s, qint64(id)}, {u"key"_s, base64(key)}};
}

Result<PublishDevices> PublishDevices::decode(const QJsonObject &fields, const Limits &)
{
    auto identityKey = keyfields::fixedBytes(fields, u"identity_key"_s, keys::kPublicKeyBytes);
    if (!identityKey)
        return identityKey.error();
    const auto version = listVersion(fields);
    if (!version)
        return version.error();
    auto list = keyfields::bytesUpTo(fields, u"list"_s, keys::kMaxListBytes);
    if (!list)
        return list.error();
    const auto reset = fields::optionalBoolean(fields, u"reset"_s);
    if (!reset)
        return reset.error();
    return PublishDevices{std::move(identityKey).value(), *version, std::move(list).value(),
                          reset->value_or(false)};
}

QJsonObject PublishDevices::encode() const
{
    return {{u"identity_key"_s, base64(identityKey)},
            {u"version"_s, version},
            {u"list"_s, base64(list)},
            {u"reset"_s, reset}};
}

Result<RegisterDevice> RegisterDevice::decode(const QJsonObject &fields, const Limits &)
{
    const auto device = keyfields::u32(fields, u"device"_s, 1);
    if (!device)
        return device.error();
    auto key = keyfields::fixedBytes(fields, u"key"_s, keys::kPublicKeyBytes);
    if (!key)
        return key.error();
    auto certificate = keyfields::bytesUpTo(fields, u"certificate"_s, keys::kMaxCertificateBytes);
    if (!certificate)
        return certificate.error();
    auto name = fields::string(fields, u"name"_s, {0, kMaxNameBytes});
    if (!name)
        return name.error();
    return RegisterDevice{*device, std::move(key).value(), std::move(certificate).value(),
                          std::move(name).value()};
}

QJsonObject RegisterDevice::encode() const
{
    return {{u"device"_s, qint64(device)},
            {u"key"_s, base64(key)},
            {u"certificate"_s, base64(certificate)},
            {u"name"_s, name}};
}

Result<GetDevices> GetDevices::decode(const QJsonObject &fields, const Limits &)
{
    auto users = fields::integerList(fields, u"users"_s, kMaxUsers, 1);
    if (!users)
        return users.error();
    return GetDevices{std::move(users).value()};
}

QJsonObject GetDevices::encode() const
{
    QJsonArray array;
    for (const qint64 user : users)
        array.append(user);
    return {{u"users"_s, array}};
}

Result<RemoveDevice> RemoveDevice::decode(const QJsonObject &fields, const Limits &)
{
    const auto device = keyfields::u32(fields, u"device"_s, 1);
    if (!device)
        return device.error();
    auto list = keyfields::bytesUpTo(fields, u"list"_s, keys::kMaxListBytes);
    if (!list)
        return list.error();
    return RemoveDevice{*device, std::move(list).value()};
}

QJsonObject RemoveDevice::encode() const
{
    return {{u"device"_s, qint64(device)}, {u"list"_s, base64(list)}};
}

Result<UploadPreKeys> UploadPreKeys::decode(const QJsonObject &fields, const Limits &)
{
    UploadPreKeys upload;
    const QJsonValue signedPreKey = fields.value(u"signed_prekey"_s);
    if (signedPreKey.isObject()) {
        auto decoded = SignedPreKeyInfo::decode(signedPreKey.toObject());
        if (!decoded)
            return keyfields::within(u"signed_prekey"_s, decoded.error());
        upload.signedPreKey = std::move(decoded).value();
    } else if (!signedPreKey.isUndefined() && !signedPreKey.isNull()) {
        return Error{ErrorCode::BadRequest,
                     u"field 'signed_prekey' must be an object {\"id\", \"key\", \"signature\"}"_s};
    }
    const QJsonValue oneTime = fields.value(u"one_time"_s);
    if (oneTime.isUndefined() || oneTime.isNull())
        return Error{ErrorCode::BadRequest, u"field 'one_time' is required"_s};
    if (!oneTime.isArray())
        return Error{ErrorCode::BadRequest,
                     u"field 'one_time' must be an array of {\"id\", \"key\"} objects"_s};
    const QJsonArray array = oneTime.toArray();
    if (array.size() > kMaxOneTime)
        return Error{ErrorCode::TooLarge,
                     u"field 'one_time' holds at most %1 prekeys"_s.arg(kMaxOneTime)};
    upload.oneTime.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return Error{ErrorCode::BadRequest,
                         u"field 'one_time' must be an array of {\"id\", \"key\"} objects"_s};
        auto decoded = OneTimePreKeyInfo::decode(item.toObject());
        if (!decoded)
            return keyfields::within(u"one_time"_s, decoded.error());
        upload.oneTime.append(std::move(decoded).value());
    }
    return upload;
}

QJsonObject UploadPreKeys::encode() const
{
    QJsonArray array;
    for (const OneTimePreKeyInfo &key : oneTime)
        array.append(key.encode());
    QJsonObject fields{{u"one_time"_s, array}};
    if (signedPreKey)
        fields.insert(u"signed_prekey"_s, signedPreKey->encode());
    return fields;
}

Result<ClaimPreKeys> ClaimPreKeys::decode(const QJsonObject &fields, const Limits &)
{
    const QJsonValue value = fields.value(u"devices"_s);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field 'devices' is required"_s};
    const Error bad{ErrorCode::BadRequest,
                    u"field 'devices' must be an array of at most %1 distinct "
                    u"{\"user\", \"device\"} objects"_s.arg(kMaxDevices)};
    if (!value.isArray() || value.toArray().size() > kMaxDevices)
        return bad;
    ClaimPreKeys claim;
    QSet<QPair<qint64, quint32>> seen;
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isObject())
            return bad;
        const auto user = fields::integer(item.toObject(), u"user"_s, 1);
        if (!user)
            return keyfields::within(u"devices"_s, user.error());
        const auto device = keyfields::u32(item.toObject(), u"device"_s, 1);
        if (!device)
            return keyfields::within(u"devices"_s, device.error());
        // A device twice would hand out two of its one-time prekeys for one session.
        if (seen.contains({*user, *device}))
            return bad;
        seen.insert({*user, *device});
        claim.devices.append(DeviceAddress{*user, *device});
    }
    return claim;
}

QJsonObject ClaimPreKeys::encode() const
{
    QJsonArray array;
    for (const DeviceAddress &address : devices)
        array.append(QJsonObject{{u"user"_s, address.user}, {u"device"_s, qint64(address.device)}});
    return {{u"devices"_s, array}};
}

// No fields: other members are ignored, as for every request without any.
Result<CountPreKeys> CountPreKeys::decode(const QJsonObject &, const Limits &)
{
    return CountPreKeys{};
}

QJsonObject CountPreKeys::encode() const
{
    return {};
}

} // namespace tidings::protocol::messages
