#include "protocol/messages/conversation_requests.h"

#include "protocol/account_rules.h"
#include "protocol/fields.h"

#include <QJsonArray>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

/// Titles on the wire: a string of 1 to 512 bytes first (which bounds the work), then the
/// title rules proper (1 to 128 characters after trimming, no control characters).
Result<QString> groupTitle(const QJsonObject &fields)
{
    const auto title = fields::string(fields, u"title"_s, {1, 512});
    if (!title)
        return title.error();
    return validTitle(*title);
}

Result<qint64> conversationField(const QJsonObject &fields)
{
    return fields::integer(fields, u"conversation"_s, 1);
}

Result<qint64> userField(const QJsonObject &fields)
{
    return fields::integer(fields, u"user"_s, 1);
}

QJsonArray integerArray(const QList<qint64> &numbers)
{
    QJsonArray array;
    for (const qint64 number : numbers)
        array.append(number);
    return array;
}

} // namespace

Result<ListConversations> ListConversations::decode(const QJsonObject &fields, const Limits &limits)
{
    const auto limit = fields::optionalInteger(fields, u"limit"_s, 1, limits.maxPageSize);
    if (!limit)
        return limit.error();
    ListConversations list;
    if (limit->has_value())
        list.limit = static_cast<int>(**limit);
    // Only absence means the first page: a null or malformed `after` is an error, so a
    // client that lost its place does not silently start over.
    if (const QJsonValue value = fields.value(u"after"_s); !value.isUndefined()) {
        const QJsonObject object = value.toObject();
        const auto at = fields::integer(object, u"at"_s, 0);
        const auto id = fields::integer(object, u"id"_s, 1);
        if (!value.isObject() || !at || !id)
            return Error{ErrorCode::BadRequest,
                         u"field 'after' must be the 'next' of an earlier page"_s};
        list.after = ListPosition{*at, *id};
    }
    return list;
}

QJsonObject ListConversations::encode() const
{
    QJsonObject fields;
    if (limit)
        fields.insert(u"limit"_s, *limit);
    if (after)
        fields.insert(u"after"_s, QJsonObject{{u"at"_s, after->at}, {u"id"_s, after->id}});
    return fields;
}

Result<GetConversation> GetConversation::decode(const QJsonObject &fields, const Limits &)
{
    const auto conversation = conversationField(fields);
    if (!conversation)
        return conversation.error();
    return GetConversation{*conversation};
}

QJsonObject GetConversation::encode() const
{
    return {{u"conversation"_s, conversation}};
}

Result<OpenDirect> OpenDirect::decode(const QJsonObject &fields, const Limits &)
{
    const auto user = userField(fields);
    if (!user)
        return user.error();
    return OpenDirect{*user};
}

QJsonObject OpenDirect::encode() const
{
    return {{u"user"_s, user}};
}

Result<CreateGroup> CreateGroup::decode(const QJsonObject &fields, const Limits &limits)
{
    auto title = groupTitle(fields);
    if (!title)
        return title.error();
    auto members = fields::integerList(fields, u"members"_s, limits.maxGroupMembers, 1);
    if (!members)
        return members.error();
    return CreateGroup{std::move(title).value(), std::move(members).value()};
}

QJsonObject CreateGroup::encode() const
{
    return {{u"title"_s, title}, {u"members"_s, integerArray(members)}};
}

Result<AddMembers> AddMembers::decode(const QJsonObject &fields, const Limits &limits)
{
    const auto conversation = conversationField(fields);
    if (!conversation)
        return conversation.error();
    auto users = fields::integerList(fields, u"users"_s, limits.maxGroupMembers, 1);
    if (!users)
        return users.error();
    if (users->isEmpty())
        return Error{ErrorCode::BadRequest, u"field 'users' must name at least one user"_s};
    return AddMembers{*conversation, std::move(users).value()};
}

QJsonObject AddMembers::encode() const
{
    return {{u"conversation"_s, conversation}, {u"users"_s, integerArray(users)}};
}

Result<RemoveMember> RemoveMember::decode(const QJsonObject &fields, const Limits &)
{
    const auto conversation = conversationField(fields);
    if (!conversation)
        return conversation.error();
    const auto user = userField(fields);
    if (!user)
        return user.error();
    return RemoveMember{*conversation, *user};
}

QJsonObject RemoveMember::encode() const
{
    return {{u"conversation"_s, conversation}, {u"user"_s, user}};
}

Result<LeaveGroup> LeaveGroup::decode(const QJsonObject &fields, const Limits &)
{
    const auto conversation = conversationField(fields);
    if (!conversation)
        return conversation.error();
    return LeaveGroup{*conversation};
}

QJsonObject LeaveGroup::encode() const
{
    return {{u"conversation"_s, conversation}};
}

Result<RenameGroup> RenameGroup::decode(const QJsonObject &fields, const Limits &)
{
    const auto conversation = conversationField(fields);
    if (!conversation)
        return conversation.error();
    auto title = groupTitle(fields);
    if (!title)
        return title.error();
    return RenameGroup{*conversation, std::move(title).value()};
}

QJsonObject RenameGroup::encode() const
{
    return {{u"conversation"_s, conversation}, {u"title"_s, title}};
}

Result<SetRole> SetRole::decode(const QJsonObject &fields, const Limits &)
{
    const auto conversation = conversationField(fields);
    if (!conversation)
        return conversation.error();
    const auto user = userField(fields);
    if (!user)
        return user.error();
    auto role = fields::string(fields, u"role"_s, {1, 16});
    if (!role)
        return role.error();
    if (*role != u"owner" && *role != u"admin" && *role != u"member")
        return Error{ErrorCode::BadRequest, u"field 'role' must be 'owner', 'admin' or 'member'"_s};
    return SetRole{*conversation, *user, std::move(role).value()};
}

QJsonObject SetRole::encode() const
{
    return {{u"conversation"_s, conversation}, {u"user"_s, user}, {u"role"_s, role}};
}

Result<BlockUser> BlockUser::decode(const QJsonObject &fields, const Limits &)
{
    const auto user = userField(fields);
    if (!user)
        return user.error();
    return BlockUser{*user};
}

QJsonObject BlockUser::encode() const
{
    return {{u"user"_s, user}};
}

Result<UnblockUser> UnblockUser::decode(const QJsonObject &fields, const Limits &)
{
    const auto user = userField(fields);
    if (!user)
        return user.error();
    return UnblockUser{*user};
}

QJsonObject UnblockUser::encode() const
{
    return {{u"user"_s, user}};
}

Result<ListBlocks> ListBlocks::decode(const QJsonObject &, const Limits &)
{
    return ListBlocks{};
}

QJsonObject ListBlocks::encode() const
{
    return {};
}

} // namespace tidings::protocol::messages
