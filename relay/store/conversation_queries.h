#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QSqlDatabase>

/// Conversations, membership and blocks: synchronous functions of a connection, run on a
/// store thread. Every function that takes a user checks that user's membership itself:
/// a conversation the user never belonged to is NotFound, exactly like one that does not
/// exist, so nobody learns of conversations they are not in.
namespace tidings::relay::sql {

/// The membership of `user` in `conversation` (current or former).
Result<MemberRecord> membership(QSqlDatabase &db, ConversationId conversation, UserId user);
Result<ConversationRecord> conversationById(QSqlDatabase &db, ConversationId conversation);
/// Members, current ones only unless `includeFormer`.
Result<QList<MemberRecord>> members(QSqlDatabase &db, ConversationId conversation,
                                    bool includeFormer = false);
Result<QList<UserId>> currentMemberIds(QSqlDatabase &db, ConversationId conversation);

/// SQL for the last seq of the conversations row named `alias`. A message appends its event
/// and leaves its conversation's row alone (a page fewer written per message); every other
/// append brings the column up to date first. So the last seq is the larger of the column
/// and the log's highest seq, one seek in the log's primary key. On PostgreSQL every append
/// moves the column (its row lock orders the appends of all nodes), so it is the column.
QString lastSeqOf(const QSqlDatabase &db, const QString &alias);

/// Appends an entry to the conversation's log with the next seq.
Result<EventRecord> appendEvent(QSqlDatabase &db, ConversationId conversation, const QString &kind,
                                UserId sender, const QString &clientId, Seq targetSeq,
                                const QJsonObject &body);

struct OpenedDirect
{
    ConversationRecord conversation;
    std::optional<Appended> created; ///< set when this call made the conversation
};
/// The one direct conversation of `me` and `other` (with oneself: a notes-to-self chat),
/// made on first use. NotFound for an unknown or disabled user, Forbidden when either has
/// blocked the other.
Result<OpenedDirect> openDirect(QSqlDatabase &db, UserId me, UserId other);

/// A group owned by `owner` with `memberIds` as members; its log starts with "created".
Result<Appended> createGroup(QSqlDatabase &db, UserId owner, const QString &title,
                             const QList<UserId> &memberIds, int maxMembers);
/// Owner or admin adds users (current members are skipped; former ones rejoin).
Result<Appended> addMembers(QSqlDatabase &db, UserId actor, ConversationId conversation,
                            const QList<UserId> &users, int maxMembers);
/// Owner removes anyone but themself; an admin removes members.
Result<Appended> removeMember(QSqlDatabase &db, UserId actor, ConversationId conversation,
                              UserId user);
/// A member leaves a group; an owner hands the group to the longest-serving admin, else member.
Result<Appended> leaveGroup(QSqlDatabase &db, UserId user, ConversationId conversation);
/// Owner or admin renames a group.
Result<Appended> renameGroup(QSqlDatabase &db, UserId actor, ConversationId conversation,
                             const QString &title);
/// Owner makes a member admin or member; "owner" hands ownership over (the old owner
/// becomes admin).
Result<Appended> setRole(QSqlDatabase &db, UserId actor, ConversationId conversation, UserId user,
                         Role role);

Result<bool> blockedEitherWay(QSqlDatabase &db, UserId a, UserId b);
Result<void> block(QSqlDatabase &db, UserId blocker, UserId blocked);
Result<void> unblock(QSqlDatabase &db, UserId blocker, UserId blocked);
Result<QList<UserId>> blockedBy(QSqlDatabase &db, UserId blocker);

/// One line of a user's conversation list.
struct ConversationSummary
{
    ConversationRecord conversation;
    MemberRecord me;
    int memberCount = 0;
    /// Current members with their receipt cursors, when there are at most
    /// `memberListLimit` of them (otherwise empty: ask for them separately).
    QList<MemberRecord> members;
    std::optional<EventRecord> lastMessage; ///< the latest message the user may see
    int unread = 0; ///< messages of others after the read cursor (capped)
};
/// Where a conversation stands in a user's list: its last activity (the newest message the
/// user may see, else its creation), then its id, both descending.
struct ListPosition
{
    qint64 activeAt = 0;
    ConversationId id = 0;
};
struct ConversationPage
{
    QList<ConversationSummary> summaries;
    bool more = false; ///< more come after the last one
};
/// The conversations `user` is or was a member of, most recent activity first: at most
/// `limit`, those after `after` when given.
Result<ConversationPage> conversationsOf(QSqlDatabase &db, UserId user, int memberListLimit,
                                         int limit, std::optional<ListPosition> after = {});
/// Where `summary` stands in its user's list.
ListPosition positionOf(const ConversationSummary &summary);
/// One conversation as in conversationsOf, with all current members.
Result<ConversationSummary> conversationFor(QSqlDatabase &db, UserId user,
                                            ConversationId conversation);

/// Users by id (unknown ids are skipped).
Result<QList<UserRecord>> usersByIds(QSqlDatabase &db, const QList<UserId> &ids);
/// Users who share at least one conversation with `user` as current members, and have not
/// blocked each other: who may see `user`'s presence.
Result<QList<UserId>> contactsOf(QSqlDatabase &db, UserId user);

inline constexpr int kUnreadCap = 999;

} // namespace tidings::relay::sql
