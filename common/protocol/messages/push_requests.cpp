#include "protocol/messages/push_requests.h"

#include "protocol/fields.h"

#include <QStringList>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

const QStringList kNotifyChoices{u"all"_s, u"direct_and_mentions"_s, u"none"_s};

} // namespace

Result<PushAddress> PushAddress::decode(const QJsonObject &fields)
{
    auto provider = fields::string(fields, u"provider"_s, {1, 32});
    if (!provider)
        return provider.error();
    auto address = fields::string(fields, u"address"_s, {1, 4096});
    if (!address)
        return address.error();
    return PushAddress{std::move(provider).value(), std::move(address).value()};
}

Error RegisterPushTarget::badDeviceKey()
{
    return Error{ErrorCode::BadRequest,
                 u"field 'device_key' is a base64 X25519 public key (32 bytes)"_s};
}

Result<RegisterPushTarget> RegisterPushTarget::decode(const QJsonObject &fields, const Limits &)
{
    auto target = PushAddress::decode(fields);
    if (!target)
        return target.error();
    const auto notify = fields::optionalString(fields, u"notify"_s, {1, 32});
    if (!notify)
        return notify.error();
    RegisterPushTarget request;
    request.provider = std::move(target->provider);
    request.address = std::move(target->address);
    request.notify = notify->value_or(u"all"_s);
    if (!kNotifyChoices.contains(request.notify))
        return Error{ErrorCode::BadRequest,
                     u"field 'notify' is one of: %1"_s.arg(kNotifyChoices.join(u", "_s))};
    const auto deviceKey = fields::optionalString(fields, u"device_key"_s, {0, 64});
    if (!deviceKey)
        return deviceKey.error();
    // An empty key is none.
    if (deviceKey->has_value() && !(*deviceKey)->isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(
            (*deviceKey)->toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != kDeviceKeyBytes)
            return badDeviceKey();
        request.deviceKey = decoded.decoded;
    }
    return request;
}

QJsonObject RegisterPushTarget::encode() const
{
    QJsonObject fields{{u"provider"_s, provider}, {u"address"_s, address}, {u"notify"_s, notify}};
    if (!deviceKey.isEmpty())
        fields.insert(u"device_key"_s, QString::fromLatin1(deviceKey.toBase64()));
    return fields;
}

// No fields: other members are ignored, as the relay always did.
Result<ListPushTargets> ListPushTargets::decode(const QJsonObject &, const Limits &)
{
    return ListPushTargets{};
}

QJsonObject ListPushTargets::encode() const
{
    return {};
}

Result<RemovePushTarget> RemovePushTarget::decode(const QJsonObject &fields, const Limits &)
{
    const auto target = fields::integer(fields, u"target"_s, 1);
    if (!target)
        return target.error();
    return RemovePushTarget{*target};
}

QJsonObject RemovePushTarget::encode() const
{
    return {{u"target"_s, target}};
}

} // namespace tidings::protocol::messages
