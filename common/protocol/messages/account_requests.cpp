#include "protocol/messages/account_requests.h"

#include "protocol/account_rules.h"
#include "protocol/fields.h"

#include <QJsonArray>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

// The field rules are the relay's as they were before these types: the same bounds give the
// same error texts.
constexpr fields::StringRule kNameField{1, 64}; // a username or a prefix of one
constexpr fields::StringRule kPasswordField{0, kMaxPasswordBytes};
constexpr fields::StringRule kDeviceField{0, 128};
constexpr fields::StringRule kDisplayNameField{0, 256};

void insertDevice(QJsonObject &fields, const QString &device)
{
    if (!device.isEmpty())
        fields.insert(u"device"_s, device);
}

} // namespace

Result<Hello> Hello::decode(const QJsonObject &fields, const Limits &)
{
    // Only the shapes: which version both speak is the relay's to say.
    auto versions = fields::integerList(fields, u"versions"_s, kMaxVersions);
    if (!versions)
        return versions.error();
    auto client = fields::optionalString(fields, u"client"_s, {0, 128});
    if (!client)
        return client.error();
    return Hello{std::move(versions).value(), std::move(client).value()};
}

QJsonObject Hello::encode() const
{
    QJsonArray list;
    for (const qint64 version : versions)
        list.append(version);
    QJsonObject fields{{u"versions"_s, list}};
    if (client)
        fields.insert(u"client"_s, *client);
    return fields;
}

// A request with no fields decodes from anything: other members are ignored, as the relay
// always did.
Result<Ping> Ping::decode(const QJsonObject &, const Limits &)
{
    return Ping{};
}

QJsonObject Ping::encode() const
{
    return {};
}

Result<Register> Register::decode(const QJsonObject &fields, const Limits &)
{
    const auto username = fields::string(fields, u"username"_s, kNameField);
    if (!username)
        return username.error();
    auto canonical = canonicalUsername(*username);
    if (!canonical)
        return canonical.error();
    auto password = fields::string(fields, u"password"_s, kPasswordField);
    if (!password)
        return password.error();
    if (auto checked = checkPassword(*password, *canonical); !checked)
        return checked.error();
    const auto displayNameField
        = fields::optionalString(fields, u"display_name"_s, kDisplayNameField);
    if (!displayNameField)
        return displayNameField.error();
    auto displayName = validDisplayName(displayNameField->value_or(*username));
    if (!displayName)
        return displayName.error();
    auto device = fields::optionalString(fields, u"device"_s, kDeviceField);
    if (!device)
        return device.error();
    return Register{std::move(canonical).value(), std::move(password).value(),
                    std::move(displayName).value(), device->value_or(QString())};
}

QJsonObject Register::encode() const
{
    QJsonObject fields{{u"username"_s, username}, {u"password"_s, password}};
    if (!displayName.isEmpty())
        fields.insert(u"display_name"_s, displayName);
    insertDevice(fields, device);
    return fields;
}

Result<Login> Login::decode(const QJsonObject &fields, const Limits &)
{
    // No username rules: a name that could not be registered is answered like a wrong
    // password, not told apart.
    auto username = fields::string(fields, u"username"_s, kNameField);
    if (!username)
        return username.error();
    auto password = fields::string(fields, u"password"_s, kPasswordField);
    if (!password)
        return password.error();
    auto device = fields::optionalString(fields, u"device"_s, kDeviceField);
    if (!device)
        return device.error();
    return Login{std::move(username).value(), std::move(password).value(),
                 device->value_or(QString())};
}

QJsonObject Login::encode() const
{
    QJsonObject fields{{u"username"_s, username}, {u"password"_s, password}};
    insertDevice(fields, device);
    return fields;
}

Result<Auth> Auth::decode(const QJsonObject &fields, const Limits &)
{
    auto token = fields::string(fields, u"token"_s, {1, 256});
    if (!token)
        return token.error();
    return Auth{std::move(token).value()};
}

QJsonObject Auth::encode() const
{
    return {{u"token"_s, token}};
}

Result<Logout> Logout::decode(const QJsonObject &, const Limits &)
{
    return Logout{};
}

QJsonObject Logout::encode() const
{
    return {};
}

Result<ListSessions> ListSessions::decode(const QJsonObject &, const Limits &)
{
    return ListSessions{};
}

QJsonObject ListSessions::encode() const
{
    return {};
}

Result<RevokeOtherSessions> RevokeOtherSessions::decode(const QJsonObject &, const Limits &)
{
    return RevokeOtherSessions{};
}

QJsonObject RevokeOtherSessions::encode() const
{
    return {};
}

Result<ChangePassword> ChangePassword::decode(const QJsonObject &fields, const Limits &)
{
    auto current = fields::string(fields, u"current_password"_s, kPasswordField);
    if (!current)
        return current.error();
    auto next = fields::string(fields, u"new_password"_s, kPasswordField);
    if (!next)
        return next.error();
    return ChangePassword{std::move(current).value(), std::move(next).value()};
}

QJsonObject ChangePassword::encode() const
{
    return {{u"current_password"_s, currentPassword}, {u"new_password"_s, newPassword}};
}

Result<UpdateProfile> UpdateProfile::decode(const QJsonObject &fields, const Limits &)
{
    UpdateProfile update;
    const auto displayNameField
        = fields::optionalString(fields, u"display_name"_s, kDisplayNameField);
    if (!displayNameField)
        return displayNameField.error();
    if (displayNameField->has_value()) {
        auto valid = validDisplayName(**displayNameField);
        if (!valid)
            return valid.error();
        update.displayName = std::move(valid).value();
    }
    const auto hideLastSeen = fields::optionalBoolean(fields, u"hide_last_seen"_s);
    if (!hideLastSeen)
        return hideLastSeen.error();
    update.hideLastSeen = *hideLastSeen;
    auto groupAdds = fields::optionalString(fields, u"group_adds"_s, {1, 16});
    if (!groupAdds)
        return groupAdds.error();
    if (groupAdds->has_value() && **groupAdds != u"everyone" && **groupAdds != u"contacts")
        return Error{ErrorCode::BadRequest,
                     u"field 'group_adds' must be \"everyone\" or \"contacts\""_s};
    update.groupAdds = std::move(groupAdds).value();
    return update;
}

QJsonObject UpdateProfile::encode() const
{
    QJsonObject fields;
    if (displayName)
        fields.insert(u"display_name"_s, *displayName);
    if (hideLastSeen)
        fields.insert(u"hide_last_seen"_s, *hideLastSeen);
    if (groupAdds)
        fields.insert(u"group_adds"_s, *groupAdds);
    return fields;
}

Result<SearchUsers> SearchUsers::decode(const QJsonObject &fields, const Limits &)
{
    auto prefix = fields::string(fields, u"prefix"_s, kNameField);
    if (!prefix)
        return prefix.error();
    const auto limit = fields::optionalInteger(fields, u"limit"_s, 1, kMaxLimit);
    if (!limit)
        return limit.error();
    SearchUsers search{std::move(prefix).value(), std::nullopt};
    if (limit->has_value())
        search.limit = static_cast<int>(**limit);
    return search;
}

QJsonObject SearchUsers::encode() const
{
    QJsonObject fields{{u"prefix"_s, prefix}};
    if (limit)
        fields.insert(u"limit"_s, *limit);
    return fields;
}

} // namespace tidings::protocol::messages
