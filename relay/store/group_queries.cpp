#include "store/account_queries.h"
#include "store/conversation_queries.h"
#include "store/conversation_queries_p.h"
#include "store/sql_helpers.h"

#include <QHash>

// Groups: creating one, and the changes of its members, roles and title.
namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

Error notAMemberAnyMore()
{
    return Error{ErrorCode::Forbidden, u"you are no longer a member of this conversation"_s};
}

/// The current membership of `user`, for actions only members may take.
Result<MemberRecord> currentMembership(QSqlDatabase &db, ConversationId conversation, UserId user)
{
    auto member = membership(db, conversation, user);
    if (!member)
        return member.error();
    if (!member->isCurrent())
        return notAMemberAnyMore();
    return member;
}

Result<ConversationRecord> groupById(QSqlDatabase &db, ConversationId conversation)
{
    auto record = conversationById(db, conversation);
    if (!record)
        return record.error();
    if (!record->isGroup)
        return Error{ErrorCode::BadRequest, u"this is a direct conversation, not a group"_s};
    return record;
}

/// The current membership of `user` in a group (a direct conversation is refused).
Result<MemberRecord> groupMembership(QSqlDatabase &db, ConversationId conversation, UserId user)
{
    auto member = currentMembership(db, conversation, user);
    if (!member)
        return member.error();
    if (auto group = groupById(db, conversation); !group)
        return group.error();
    return member;
}

} // namespace

namespace {

/// Whether `actor` may put each of `ids` into a group: an active account, no block either
/// way, and their consent — someone who takes groups from contacts only must have written
/// to `actor` in their direct chat (decision 41).
Result<void> requireAddable(QSqlDatabase &db, UserId actor, const QList<UserId> &ids)
{
    auto users = usersByIds(db, ids);
    if (!users)
        return users.error();
    QHash<UserId, UserRecord> byId;
    for (const UserRecord &user : std::as_const(*users)) {
        if (!user.disabled)
            byId.insert(user.id, user);
    }
    for (const UserId id : ids) {
        const auto user = byId.constFind(id);
        if (user == byId.cend())
            return Error{ErrorCode::NotFound, u"no such user: %1"_s.arg(id)};
        auto blocked = blockedEitherWay(db, actor, id);
        if (!blocked)
            return blocked.error();
        if (*blocked)
            return Error{ErrorCode::Forbidden, u"user %1 cannot be added by you"_s.arg(id)};
        if (user->groupAdds != u"contacts")
            continue;
        // Bounded by one direct chat's log, and group changes are rate limited.
        auto wrote = run(db,
                         u"SELECT EXISTS (SELECT 1 FROM events WHERE conversation_id = "
                         "(SELECT id FROM conversations WHERE direct_key = ?) "
                         "AND sender_id = ? AND kind IN ('message', 'encrypted'))"_s,
                         {u"%1:%2"_s.arg(std::min(actor, id)).arg(std::max(actor, id)), id});
        if (!wrote)
            return wrote.error();
        if (!wrote->next() || !wrote->value(0).toBool())
            return Error{ErrorCode::Forbidden,
                         u"%1 can be added to groups only by people they have written to"_s.arg(
                             user->username)};
    }
    return {};
}

} // namespace

Result<Appended> createGroup(QSqlDatabase &db, UserId owner, const QString &title,
                             const QList<UserId> &memberIds, int maxMembers)
{
    QList<UserId> others;
    for (const UserId id : memberIds) {
        if (id != owner && !others.contains(id))
            others.append(id);
    }
    if (others.size() + 1 > maxMembers)
        return Error{ErrorCode::TooLarge, u"a group has at most %1 members"_s.arg(maxMembers)};
    if (auto addable = requireAddable(db, owner, others); !addable)
        return addable.error();

    auto created = run(
        db,
        u"INSERT INTO conversations (kind, title, created_at) VALUES ('group', ?, ?) RETURNING id"_s,
        {title, now()});
    if (!created)
        return created.error();
    created->next();
    const ConversationId id = created->value(0).toLongLong();
    created->finish();
    if (auto added = run(
            db,
            u"INSERT INTO members (conversation_id, user_id, role, joined_seq) VALUES (?, ?, 'owner', 1)"_s,
            {id, owner});
        !added) {
        return added.error();
    }
    for (const UserId member : std::as_const(others)) {
        if (auto added = run(
                db,
                u"INSERT INTO members (conversation_id, user_id, role, joined_seq) VALUES (?, ?, 'member', 1)"_s,
                {id, member});
            !added) {
            return added.error();
        }
    }
    QList<UserId> everyone{owner};
    everyone += others;
    return appended(db,
                    appendEvent(db, id, u"created"_s, owner, {}, 0,
                                {{u"title"_s, title}, {u"members"_s, idArray(everyone)}}));
}

Result<Appended> addMembers(QSqlDatabase &db, UserId actor, ConversationId conversation,
                            const QList<UserId> &users, int maxMembers)
{
    auto me = groupMembership(db, conversation, actor);
    if (!me)
        return me.error();
    if (me->role == Role::Member)
        return Error{ErrorCode::Forbidden, u"only the owner and admins add members"_s};

    auto current = currentMemberIds(db, conversation);
    if (!current)
        return current.error();
    QList<UserId> joining;
    for (const UserId id : users) {
        if (!current->contains(id) && !joining.contains(id))
            joining.append(id);
    }
    if (joining.isEmpty())
        return Error{ErrorCode::Conflict, u"they are members already"_s};
    if (current->size() + joining.size() > maxMembers)
        return Error{ErrorCode::TooLarge, u"a group has at most %1 members"_s.arg(maxMembers)};
    if (auto addable = requireAddable(db, actor, joining); !addable)
        return addable.error();

    auto event = appendEvent(db, conversation, u"member_added"_s, actor, {}, 0,
                             {{u"users"_s, idArray(joining)}});
    if (!event)
        return event.error();
    // New and returning members see the conversation from this event on.
    for (const UserId id : std::as_const(joining)) {
        auto upsert = run(
            db,
            u"INSERT INTO members (conversation_id, user_id, role, joined_seq, delivered_seq, "
            u"read_seq) "
            "VALUES (?, ?, 'member', ?, 0, 0) ON CONFLICT (conversation_id, user_id) DO UPDATE SET "
            "role = 'member', joined_seq = excluded.joined_seq, left_seq = NULL, delivered_seq = 0, read_seq = 0"_s,
            {conversation, id, event->seq});
        if (!upsert)
            return upsert.error();
    }
    return appended(db, *event);
}

Result<Appended> removeMember(QSqlDatabase &db, UserId actor, ConversationId conversation,
                              UserId user)
{
    auto me = groupMembership(db, conversation, actor);
    if (!me)
        return me.error();
    if (user == actor)
        return Error{ErrorCode::BadRequest, u"to remove yourself, leave the group"_s};
    auto target = membership(db, conversation, user);
    if (!target || !target->isCurrent())
        return Error{ErrorCode::NotFound, u"user %1 is not a member"_s.arg(user)};
    const bool allowed
        = me->role == Role::Owner || (me->role == Role::Admin && target->role == Role::Member);
    if (!allowed)
        return Error{ErrorCode::Forbidden, u"you cannot remove this member"_s};

    auto event
        = appendEvent(db, conversation, u"member_removed"_s, actor, {}, 0, {{u"user"_s, user}});
    if (!event)
        return event.error();
    if (auto left
        = run(db, u"UPDATE members SET left_seq = ? WHERE conversation_id = ? AND user_id = ?"_s,
              {event->seq, conversation, user});
        !left) {
        return left.error();
    }
    // The removed member hears of it too, and of nothing after.
    return appended(db, *event, {user});
}

Result<Appended> leaveGroup(QSqlDatabase &db, UserId user, ConversationId conversation)
{
    auto me = groupMembership(db, conversation, user);
    if (!me)
        return me.error();

    QJsonObject body{{u"user"_s, user}};
    std::optional<UserId> heir;
    if (me->role == Role::Owner) {
        auto query = run(
            db,
            u"SELECT user_id FROM members WHERE conversation_id = ? AND left_seq IS NULL AND "
            u"user_id <> ? "
            "ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined_seq, user_id LIMIT 1"_s,
            {conversation, user});
        if (!query)
            return query.error();
        if (query->next()) {
            heir = query->value(0).toLongLong();
            body.insert(u"new_owner"_s, *heir);
        }
    }
    auto event = appendEvent(db, conversation, u"member_left"_s, user, {}, 0, body);
    if (!event)
        return event.error();
    if (auto left = run(
            db,
            u"UPDATE members SET left_seq = ?, role = 'member' WHERE conversation_id = ? AND user_id = ?"_s,
            {event->seq, conversation, user});
        !left) {
        return left.error();
    }
    if (heir) {
        if (auto promoted
            = run(db,
                  u"UPDATE members SET role = 'owner' WHERE conversation_id = ? AND user_id = ?"_s,
                  {conversation, *heir});
            !promoted) {
            return promoted.error();
        }
    }
    return appended(db, *event, {user});
}

Result<Appended> renameGroup(QSqlDatabase &db, UserId actor, ConversationId conversation,
                             const QString &title)
{
    auto me = groupMembership(db, conversation, actor);
    if (!me)
        return me.error();
    if (me->role == Role::Member)
        return Error{ErrorCode::Forbidden, u"only the owner and admins rename the group"_s};
    if (auto renamed
        = run(db, u"UPDATE conversations SET title = ? WHERE id = ?"_s, {title, conversation});
        !renamed)
        return renamed.error();
    return appended(
        db, appendEvent(db, conversation, u"renamed"_s, actor, {}, 0, {{u"title"_s, title}}));
}

Result<Appended> setRole(QSqlDatabase &db, UserId actor, ConversationId conversation, UserId user,
                         Role role)
{
    auto me = groupMembership(db, conversation, actor);
    if (!me)
        return me.error();
    if (me->role != Role::Owner)
        return Error{ErrorCode::Forbidden, u"only the owner changes roles"_s};
    if (user == actor)
        return Error{ErrorCode::BadRequest,
                     u"to stop being the owner, make someone else the owner"_s};
    auto target = membership(db, conversation, user);
    if (!target || !target->isCurrent())
        return Error{ErrorCode::NotFound, u"user %1 is not a member"_s.arg(user)};

    auto event = appendEvent(db, conversation, u"role_changed"_s, actor, {}, 0,
                             {{u"user"_s, user}, {u"role"_s, roleName(role)}});
    if (!event)
        return event.error();
    if (auto changed
        = run(db, u"UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?"_s,
              {roleName(role), conversation, user});
        !changed) {
        return changed.error();
    }
    if (role == Role::Owner) {
        if (auto demoted
            = run(db,
                  u"UPDATE members SET role = 'admin' WHERE conversation_id = ? AND user_id = ?"_s,
                  {conversation, actor});
            !demoted) {
            return demoted.error();
        }
    }
    return appended(db, *event);
}

} // namespace tidings::relay::sql
