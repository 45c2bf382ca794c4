#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <algorithm>
#include <optional>

namespace tidings::relay {

using UserId = qint64;
using ConversationId = qint64;
using Seq = qint64;

struct UserRecord
{
    UserId id = 0;
    QString username;
    QString displayName;
    bool disabled = false;
    bool hideLastSeen = false;
    /// Who may add this user to a group: "everyone", or "contacts" (people who have
    /// written to them in a direct chat).
    QString groupAdds = QStringLiteral("everyone");
    qint64 lastSeenAt = 0;
    qint64 createdAt = 0;
};

struct Credentials
{
    UserRecord user;
    QByteArray passwordHash;
};

struct SessionRecord
{
    qint64 id = 0;
    UserId userId = 0;
    QString device;
    qint64 createdAt = 0;
    qint64 lastUsedAt = 0;
};

struct AuthenticatedSession
{
    UserRecord user;
    SessionRecord session;
};

enum class Role { Member, Admin, Owner };
QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);

struct MemberRecord
{
    UserId userId = 0;
    Role role = Role::Member;
    Seq joinedSeq = 1; ///< first seq this member may see
    std::optional<Seq> leftSeq; ///< last seq visible after leaving; empty while a member
    Seq deliveredSeq = 0;
    Seq readSeq = 0;

    bool isCurrent() const { return !leftSeq.has_value(); }
    /// The last seq this member may see, given the conversation's last seq.
    Seq visibleUpTo(Seq lastSeq) const { return leftSeq ? std::min(*leftSeq, lastSeq) : lastSeq; }
};

struct ConversationRecord
{
    ConversationId id = 0;
    bool isGroup = false;
    QString title;
    Seq lastSeq = 0;
    qint64 createdAt = 0;
    Seq e2eSeq = 0; ///< its first end-to-end encrypted entry; 0: none yet
};

/// One entry of a conversation's log.
struct EventRecord
{
    ConversationId conversationId = 0;
    Seq seq = 0;
    QString kind; ///< message, edit, delete, reaction, created, member_added, …
    UserId senderId = 0;
    QString clientId; ///< empty when the relay made the event
    Seq targetSeq = 0; ///< edit, delete, reaction: the message they change; else 0
    QJsonObject body;
    qint64 createdAt = 0;
};

/// What a write that adds to a conversation's log hands back for delivery.
struct Appended
{
    EventRecord event;
    /// Users whose sessions should receive the event: the members after the change, plus
    /// anyone it removed.
    QList<UserId> recipients;
    /// The event existed already (a retry with the same client id): nothing new was stored.
    bool duplicate = false;
    /// When the earliest push job this write opened is due (ms since the epoch); 0: none.
    qint64 pushDueAt = 0;
    /// Whether a recipient other than the sender may have a push target (false: the write
    /// knew none has, and no push query is needed).
    bool mayPush = true;
};

} // namespace tidings::relay
