#pragma once

// The requests about conversations and blocks (docs/protocol.md, section 4:
// conversations.list, conversation.get, direct.open, group.create, group.add, group.remove,
// group.leave, group.rename, group.set_role, user.block, user.unblock, blocks.list) as plain
// values: decode() checks a frame's fields and names the bad one, encode() gives the fields
// to send (without "type" and "id").

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace tidings::protocol::messages {

/// Where a page of conversations.list ended: the `next` the relay answered it with.
struct ListPosition
{
    qint64 at = 0; ///< the last conversation's activity time
    qint64 id = 0; ///< and its id, for conversations active at the same time
    friend bool operator==(const ListPosition &, const ListPosition &) = default;
};

/// conversations.list: a page of the user's conversations, the most recently active first.
struct ListConversations
{
    static constexpr char kType[] = "conversations.list";
    std::optional<int> limit; ///< none: the relay's page size
    std::optional<ListPosition> after; ///< none: the first page

    static Result<ListConversations> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const ListConversations &, const ListConversations &) = default;
};

/// conversation.get: one conversation with all its current members.
struct GetConversation
{
    static constexpr char kType[] = "conversation.get";
    qint64 conversation = 0;

    static Result<GetConversation> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const GetConversation &, const GetConversation &) = default;
};

/// direct.open: the direct conversation with `user`, made on first use.
struct OpenDirect
{
    static constexpr char kType[] = "direct.open";
    qint64 user = 0;

    static Result<OpenDirect> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const OpenDirect &, const OpenDirect &) = default;
};

/// group.create: a group named `title` with the sender as owner and `members` besides.
struct CreateGroup
{
    static constexpr char kType[] = "group.create";
    QString title; ///< decoded: trimmed (protocol::validTitle)
    QList<qint64> members; ///< distinct, at most Limits::maxGroupMembers; may be empty

    static Result<CreateGroup> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const CreateGroup &, const CreateGroup &) = default;
};

/// group.add: `users` join the group.
struct AddMembers
{
    static constexpr char kType[] = "group.add";
    qint64 conversation = 0;
    QList<qint64> users; ///< distinct, 1 to Limits::maxGroupMembers

    static Result<AddMembers> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const AddMembers &, const AddMembers &) = default;
};

/// group.remove: `user` is taken out of the group.
struct RemoveMember
{
    static constexpr char kType[] = "group.remove";
    qint64 conversation = 0;
    qint64 user = 0;

    static Result<RemoveMember> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const RemoveMember &, const RemoveMember &) = default;
};

/// group.leave: the sender leaves the group.
struct LeaveGroup
{
    static constexpr char kType[] = "group.leave";
    qint64 conversation = 0;

    static Result<LeaveGroup> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const LeaveGroup &, const LeaveGroup &) = default;
};

/// group.rename: the group's new title.
struct RenameGroup
{
    static constexpr char kType[] = "group.rename";
    qint64 conversation = 0;
    QString title; ///< decoded: trimmed (protocol::validTitle)

    static Result<RenameGroup> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const RenameGroup &, const RenameGroup &) = default;
};

/// group.set_role: `user`'s new role in the group.
struct SetRole
{
    static constexpr char kType[] = "group.set_role";
    qint64 conversation = 0;
    qint64 user = 0;
    /// Decoded: "owner", "admin" or "member" — the names on the wire, which relay and app
    /// each map to their own notion of a role.
    QString role;

    static Result<SetRole> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const SetRole &, const SetRole &) = default;
};

/// user.block: the sender blocks `user`.
struct BlockUser
{
    static constexpr char kType[] = "user.block";
    qint64 user = 0;

    static Result<BlockUser> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const BlockUser &, const BlockUser &) = default;
};

/// user.unblock: the sender no longer blocks `user`.
struct UnblockUser
{
    static constexpr char kType[] = "user.unblock";
    qint64 user = 0;

    static Result<UnblockUser> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const UnblockUser &, const UnblockUser &) = default;
};

/// blocks.list: whom the sender has blocked. No fields.
struct ListBlocks
{
    static constexpr char kType[] = "blocks.list";

    static Result<ListBlocks> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const ListBlocks &, const ListBlocks &) = default;
};

} // namespace tidings::protocol::messages
