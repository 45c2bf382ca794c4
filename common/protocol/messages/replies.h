#pragma once

// The relay's objects (docs/protocol.md, section 4, "Objects") and the results of requests
// that carry them, as plain values: decode() checks the fields and names a bad one (the app
// reads every reply through these), encode() gives the fields.

#include "protocol/messages/conversation_requests.h"
#include "protocol/messages/events.h"
#include "protocol/messages/message_requests.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace tidings::protocol::messages {

/// The result of hello: the version both speak and the relay's terms.
struct Welcome
{
    int version = 0;
    QString relay; ///< the relay's version
    bool registrationOpen = false;
    int heartbeatMs = 30000;
    Limits limits;
    QStringList push; ///< push providers devices may register with
    /// The relay's end-to-end encryption setting: "required", "optional" or "off"; none from
    /// a relay older than end-to-end encryption (which is as "off").
    std::optional<QString> e2e;

    static Result<Welcome> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const Welcome &, const Welcome &) = default;
};

/// user: what anyone may see of a user; with `own`, the user's own settings too.
struct User
{
    qint64 id = 0;
    QString username;
    QString displayName;
    std::optional<bool> hideLastSeen; ///< own user only
    QString groupAdds; ///< own user only: "everyone" or "contacts"; else empty

    static Result<User> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const User &, const User &) = default;
};

/// member: one's role and cursors in a conversation.
struct Member
{
    qint64 user = 0;
    QString role; ///< owner, admin or member
    qint64 joinedSeq = 1;
    qint64 deliveredSeq = 0;
    qint64 readSeq = 0;
    std::optional<qint64> leftSeq; ///< a former member's last seq

    static Result<Member> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const Member &, const Member &) = default;
};

/// conversation: as one member sees it.
struct ConversationInfo
{
    qint64 id = 0;
    QString kind; ///< direct or group
    QString title; ///< groups only
    qint64 lastSeq = 0;
    qint64 createdAt = 0;
    int memberCount = 0;
    std::optional<QList<Member>> members; ///< present when there are few enough
    Member me;
    int unread = 0;
    std::optional<LogEntry> lastMessage;
    /// The seq of its first end-to-end encrypted entry; none while it has none.
    std::optional<qint64> e2eSeq;

    static Result<ConversationInfo> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    bool isGroup() const { return kind == u"group"; }
    friend bool operator==(const ConversationInfo &, const ConversationInfo &) = default;
};

/// The result of conversations.list: a page of conversations and the users they mention.
struct ConversationPage
{
    QList<ConversationInfo> conversations;
    QList<User> users;
    bool more = false;
    std::optional<ListPosition> next; ///< where the next page starts, when `more`

    static Result<ConversationPage> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const ConversationPage &, const ConversationPage &) = default;
};

/// The result of conversation.get, direct.open and group.create: one conversation and the
/// users it mentions.
struct ConversationDetails
{
    ConversationInfo conversation;
    QList<User> users;

    static Result<ConversationDetails> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const ConversationDetails &, const ConversationDetails &) = default;
};

/// The result of a request that made a log entry (message.*, group changes): the entry, and
/// for message.* whether it was made before (a retry).
struct EntryResult
{
    LogEntry event;
    bool duplicate = false;

    static Result<EntryResult> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const EntryResult &, const EntryResult &) = default;
};

/// The result of sync and history: entries, and for sync where each conversation stands.
struct EventPage
{
    QList<LogEntry> events;
    QList<Cursor> cursors; ///< sync only
    bool more = false;

    static Result<EventPage> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const EventPage &, const EventPage &) = default;
};

/// The result of presence.query.
struct PresenceList
{
    QList<PresenceEvent> presence;

    static Result<PresenceList> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const PresenceList &, const PresenceList &) = default;
};

/// A result that is a list of users (users.search, blocks.list), or one user (profile.update,
/// and the `user` of register/login/auth).
struct UserList
{
    QList<User> users;

    static Result<UserList> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const UserList &, const UserList &) = default;
};

/// The result of register, login and auth: the own user, and a session token for register
/// and login.
struct SignedIn
{
    User user;
    QString token; ///< empty for auth

    static Result<SignedIn> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const SignedIn &, const SignedIn &) = default;
};

/// The result of report: the report's id.
struct ReportFiled
{
    qint64 report = 0;

    static Result<ReportFiled> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const ReportFiled &, const ReportFiled &) = default;
};

} // namespace tidings::protocol::messages
