#include "protocol/messages/key_directory_replies.h"

#include "protocol/fields.h"
#include "protocol/messages/key_directory_p.h"

#include <QJsonArray>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

using keyfields::base64;

using fields::bad;

/// The objects of array `key` (required), each decoded by T::decode.
template<typename T> Result<QList<T>> keyListOf(const QJsonObject &fields, const QString &key)
{
    const QJsonValue value = fields.value(key);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    if (!value.isArray())
        return bad(key, u"an array of objects"_s);
    QList<T> items;
    const QJsonArray array = value.toArray();
    items.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return bad(key, u"an array of objects"_s);
        auto decoded = T::decode(item.toObject());
        if (!decoded)
            return keyfields::within(key, decoded.error());
        items.append(std::move(decoded).value());
    }
    return items;
}

template<typename T> QJsonArray keyArrayOf(const QList<T> &items)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(item.encode());
    return array;
}

/// Object `key`, decoded by T::decode.
template<typename T> Result<T> keyObjectOf(const QJsonObject &fields, const QString &key)
{
    const QJsonValue value = fields.value(key);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    if (!value.isObject())
        return bad(key, u"an object"_s);
    auto decoded = T::decode(value.toObject());
    if (!decoded)
        return keyfields::within(key, decoded.error());
    return decoded;
}

Result<qint64> countField(const QJsonObject &fields)
{
    return fields::integer(fields, u"count"_s, 0);
}

} // namespace

Result<DeviceInfo> DeviceInfo::decode(const QJsonObject &fields)
{
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto id = keyfields::u32(fields, u"id"_s, 1);
    if (!id)
        return id.error();
    auto key = keyfields::fixedBytes(fields, u"key"_s, keys::kPublicKeyBytes);
    if (!key)
        return key.error();
    auto certificate = keyfields::bytesUpTo(fields, u"certificate"_s, keys::kMaxCertificateBytes);
    if (!certificate)
        return certificate.error();
    auto name = fields::string(fields, u"name"_s, {0, RegisterDevice::kMaxNameBytes});
    if (!name)
        return name.error();
    const auto createdAt = fields::integer(fields, u"created_at"_s, 0);
    if (!createdAt)
        return createdAt.error();
    const auto lastSeenAt = fields::integer(fields, u"last_seen_at"_s, 0);
    if (!lastSeenAt)
        return lastSeenAt.error();
    const auto current = fields::boolean(fields, u"current"_s);
    if (!current)
        return current.error();
    return DeviceInfo{*user,
                      *id,
                      std::move(key).value(),
                      std::move(certificate).value(),
                      std::move(name).value(),
                      *createdAt,
                      *lastSeenAt,
                      *current};
}

QJsonObject DeviceInfo::encode() const
{
    return {{u"user"_s, user},
            {u"id"_s, qint64(id)},
            {u"key"_s, base64(key)},
            {u"certificate"_s, base64(certificate)},
            {u"name"_s, name},
            {u"created_at"_s, createdAt},
            {u"last_seen_at"_s, lastSeenAt},
            {u"current"_s, current}};
}

Result<UserDevices> UserDevices::decode(const QJsonObject &fields)
{
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    auto identityKey = keyfields::fixedBytes(fields, u"identity_key"_s, keys::kPublicKeyBytes);
    if (!identityKey)
        return identityKey.error();
    auto list = keyfields::bytesUpTo(fields, u"list"_s, keys::kMaxListBytes);
    if (!list)
        return list.error();
    const auto version = fields::integer(fields, u"version"_s, 1);
    if (!version)
        return version.error();
    auto devices = keyListOf<DeviceInfo>(fields, u"devices"_s);
    if (!devices)
        return devices.error();
    return UserDevices{*user, std::move(identityKey).value(), std::move(list).value(), *version,
                       std::move(devices).value()};
}

QJsonObject UserDevices::encode() const
{
    return {{u"user"_s, user},
            {u"identity_key"_s, base64(identityKey)},
            {u"list"_s, base64(list)},
            {u"version"_s, version},
            {u"devices"_s, keyArrayOf(devices)}};
}

Result<PreKeyBundleInfo> PreKeyBundleInfo::decode(const QJsonObject &fields)
{
    PreKeyBundleInfo bundle;
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto device = keyfields::u32(fields, u"device"_s, 1);
    if (!device)
        return device.error();
    auto key = keyfields::fixedBytes(fields, u"key"_s, keys::kPublicKeyBytes);
    if (!key)
        return key.error();
    auto certificate = keyfields::bytesUpTo(fields, u"certificate"_s, keys::kMaxCertificateBytes);
    if (!certificate)
        return certificate.error();
    auto signedPreKey = keyObjectOf<SignedPreKeyInfo>(fields, u"signed_prekey"_s);
    if (!signedPreKey)
        return signedPreKey.error();
    if (fields.contains(u"one_time"_s) && !fields.value(u"one_time"_s).isNull()) {
        auto oneTime = keyObjectOf<OneTimePreKeyInfo>(fields, u"one_time"_s);
        if (!oneTime)
            return oneTime.error();
        bundle.oneTime = std::move(oneTime).value();
    }
    bundle.user = *user;
    bundle.device = *device;
    bundle.key = std::move(key).value();
    bundle.certificate = std::move(certificate).value();
    bundle.signedPreKey = std::move(signedPreKey).value();
    return bundle;
}

QJsonObject PreKeyBundleInfo::encode() const
{
    QJsonObject fields{{u"user"_s, user},
                       {u"device"_s, qint64(device)},
                       {u"key"_s, base64(key)},
                       {u"certificate"_s, base64(certificate)},
                       {u"signed_prekey"_s, signedPreKey.encode()}};
    if (oneTime)
        fields.insert(u"one_time"_s, oneTime->encode());
    return fields;
}

Result<DevicesPublished> DevicesPublished::decode(const QJsonObject &fields)
{
    const auto version = fields::integer(fields, u"version"_s, 1);
    if (!version)
        return version.error();
    return DevicesPublished{*version};
}

QJsonObject DevicesPublished::encode() const
{
    return {{u"version"_s, version}};
}

Result<DeviceRegistered> DeviceRegistered::decode(const QJsonObject &fields)
{
    auto device = keyObjectOf<DeviceInfo>(fields, u"device"_s);
    if (!device)
        return device.error();
    return DeviceRegistered{std::move(device).value()};
}

QJsonObject DeviceRegistered::encode() const
{
    return {{u"device"_s, device.encode()}};
}

Result<DeviceDirectory> DeviceDirectory::decode(const QJsonObject &fields)
{
    auto users = keyListOf<UserDevices>(fields, u"users"_s);
    if (!users)
        return users.error();
    return DeviceDirectory{std::move(users).value()};
}

QJsonObject DeviceDirectory::encode() const
{
    return {{u"users"_s, keyArrayOf(users)}};
}

Result<PreKeysStored> PreKeysStored::decode(const QJsonObject &fields)
{
    const auto stored = countField(fields);
    if (!stored)
        return stored.error();
    return PreKeysStored{*stored};
}

QJsonObject PreKeysStored::encode() const
{
    return {{u"count"_s, count}};
}

Result<ClaimedPreKeys> ClaimedPreKeys::decode(const QJsonObject &fields)
{
    auto bundles = keyListOf<PreKeyBundleInfo>(fields, u"bundles"_s);
    if (!bundles)
        return bundles.error();
    return ClaimedPreKeys{std::move(bundles).value()};
}

QJsonObject ClaimedPreKeys::encode() const
{
    return {{u"bundles"_s, keyArrayOf(bundles)}};
}

Result<PreKeyCount> PreKeyCount::decode(const QJsonObject &fields)
{
    const auto left = countField(fields);
    if (!left)
        return left.error();
    PreKeyCount result{*left, std::nullopt, std::nullopt};
    if (fields.contains(u"signed_prekey"_s) && !fields.value(u"signed_prekey"_s).isNull()) {
        const auto id = keyfields::u32(fields, u"signed_prekey"_s);
        if (!id)
            return id.error();
        result.signedPreKey = *id;
    }
    const auto at = fields::optionalInteger(fields, u"signed_prekey_at"_s, 0);
    if (!at)
        return at.error();
    result.signedPreKeyAt = *at;
    return result;
}

QJsonObject PreKeyCount::encode() const
{
    QJsonObject fields{{u"count"_s, count}};
    if (signedPreKey)
        fields.insert(u"signed_prekey"_s, qint64(*signedPreKey));
    if (signedPreKeyAt)
        fields.insert(u"signed_prekey_at"_s, *signedPreKeyAt);
    return fields;
}

Result<DevicesEvent> DevicesEvent::decode(const QJsonObject &fields)
{
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto version = fields::integer(fields, u"version"_s, 1);
    if (!version)
        return version.error();
    const auto identityChanged = fields::boolean(fields, u"identity_changed"_s);
    if (!identityChanged)
        return identityChanged.error();
    return DevicesEvent{*user, *version, *identityChanged};
}

QJsonObject DevicesEvent::encode() const
{
    return {{u"user"_s, user}, {u"version"_s, version}, {u"identity_changed"_s, identityChanged}};
}

Result<PreKeysLowEvent> PreKeysLowEvent::decode(const QJsonObject &fields)
{
    const auto left = countField(fields);
    if (!left)
        return left.error();
    return PreKeysLowEvent{*left};
}

QJsonObject PreKeysLowEvent::encode() const
{
    return {{u"count"_s, count}};
}

} // namespace tidings::protocol::messages
