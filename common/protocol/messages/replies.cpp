#include "protocol/messages/replies.h"

#include "protocol/fields.h"

#include <QJsonArray>

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

using fields::bad;

/// The objects of array `key` (absent: none), each decoded by T::decode.
template<typename T> Result<QList<T>> listOf(const QJsonObject &fields, const QString &key)
{
    QList<T> items;
    const QJsonValue value = fields.value(key);
    if (value.isUndefined() || value.isNull())
        return items;
    if (!value.isArray())
        return bad(key, u"an array of objects"_s);
    const QJsonArray array = value.toArray();
    items.reserve(array.size());
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return bad(key, u"an array of objects"_s);
        auto decoded = T::decode(item.toObject());
        if (!decoded)
            return Error{decoded.error().code, u"in '%1': %2"_s.arg(key, decoded.error().message)};
        items.append(std::move(*decoded));
    }
    return items;
}

template<typename T> QJsonArray arrayOf(const QList<T> &items)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(item.encode());
    return array;
}

/// Object `key`, decoded by T::decode.
template<typename T> Result<T> objectOf(const QJsonObject &fields, const QString &key)
{
    const QJsonValue value = fields.value(key);
    if (!value.isObject())
        return bad(key, u"an object"_s);
    auto decoded = T::decode(value.toObject());
    if (!decoded)
        return Error{decoded.error().code, u"in '%1': %2"_s.arg(key, decoded.error().message)};
    return decoded;
}

Result<bool> flag(const QJsonObject &fields, const QString &key)
{
    const auto value = fields::optionalBoolean(fields, key);
    if (!value)
        return value.error();
    return value->value_or(false);
}

} // namespace

Result<Welcome> Welcome::decode(const QJsonObject &fields)
{
    Welcome welcome;
    const auto version = fields::integer(fields, u"version"_s, 1, 1 << 20);
    if (!version)
        return version.error();
    const auto relay = fields::optionalString(fields, u"relay"_s, {0, 128});
    if (!relay)
        return relay.error();
    const auto registration = fields::optionalString(fields, u"registration"_s, {0, 16});
    if (!registration)
        return registration.error();
    const auto heartbeat = fields::optionalInteger(fields, u"heartbeat_ms"_s, 1000, 3600 * 1000);
    if (!heartbeat)
        return heartbeat.error();
    const QJsonValue limits = fields.value(u"limits"_s);
    if (limits.isObject()) {
        const QJsonObject object = limits.toObject();
        const auto text = fields::optionalInteger(object, u"max_text_bytes"_s, 1, 1 << 30);
        const auto members = fields::optionalInteger(object, u"max_group_members"_s, 1, 1 << 30);
        const auto page = fields::optionalInteger(object, u"max_page_size"_s, 1, 1 << 30);
        const auto ciphertext
            = fields::optionalInteger(object, u"max_ciphertext_bytes"_s, 1, 1 << 30);
        if (!text || !members || !page || !ciphertext)
            return bad(u"limits"_s, u"an object of positive integers"_s);
        welcome.limits.maxTextBytes = text->value_or(welcome.limits.maxTextBytes);
        welcome.limits.maxGroupMembers = int(members->value_or(welcome.limits.maxGroupMembers));
        welcome.limits.maxPageSize = int(page->value_or(welcome.limits.maxPageSize));
        welcome.limits.maxCiphertextBytes = ciphertext->value_or(welcome.limits.maxCiphertextBytes);
    } else if (!limits.isUndefined() && !limits.isNull()) {
        return bad(u"limits"_s, u"an object"_s);
    }
    const QJsonValue push = fields.value(u"push"_s);
    if (push.isArray()) {
        for (const QJsonValue &provider : push.toArray()) {
            if (!provider.isString())
                return bad(u"push"_s, u"an array of strings"_s);
            welcome.push.append(provider.toString());
        }
    } else if (!push.isUndefined() && !push.isNull()) {
        return bad(u"push"_s, u"an array of strings"_s);
    }
    const auto e2e = fields::optionalString(fields, u"e2e"_s, {1, 16});
    if (!e2e)
        return e2e.error();
    if (e2e->has_value() && **e2e != u"required" && **e2e != u"optional" && **e2e != u"off")
        return bad(u"e2e"_s, u"\"required\", \"optional\" or \"off\""_s);
    welcome.e2e = *e2e;
    welcome.version = int(*version);
    welcome.relay = relay->value_or(QString());
    welcome.registrationOpen = registration->value_or(QString()) == u"open";
    welcome.heartbeatMs = int(heartbeat->value_or(welcome.heartbeatMs));
    return welcome;
}

QJsonObject Welcome::encode() const
{
    QJsonObject fields{{u"version"_s, version},
                       {u"relay"_s, relay},
                       {u"registration"_s, registrationOpen ? u"open"_s : u"closed"_s},
                       {u"heartbeat_ms"_s, heartbeatMs},
                       {u"limits"_s,
                        QJsonObject{{u"max_text_bytes"_s, limits.maxTextBytes},
                                    {u"max_group_members"_s, limits.maxGroupMembers},
                                    {u"max_page_size"_s, limits.maxPageSize},
                                    {u"max_ciphertext_bytes"_s, limits.maxCiphertextBytes}}},
                       {u"push"_s, QJsonArray::fromStringList(push)}};
    if (e2e)
        fields.insert(u"e2e"_s, *e2e);
    return fields;
}

Result<User> User::decode(const QJsonObject &fields)
{
    const auto id = fields::integer(fields, u"id"_s, 1);
    if (!id)
        return id.error();
    const auto username = fields::string(fields, u"username"_s, {1, 256});
    if (!username)
        return username.error();
    const auto displayName = fields::optionalString(fields, u"display_name"_s, {0, 1024});
    if (!displayName)
        return displayName.error();
    const auto hide = fields::optionalBoolean(fields, u"hide_last_seen"_s);
    if (!hide)
        return hide.error();
    const auto groupAdds = fields::optionalString(fields, u"group_adds"_s, {0, 32});
    if (!groupAdds)
        return groupAdds.error();
    return User{*id, *username, displayName->value_or(*username), *hide,
                groupAdds->value_or(QString())};
}

QJsonObject User::encode() const
{
    QJsonObject fields{{u"id"_s, id}, {u"username"_s, username}, {u"display_name"_s, displayName}};
    if (hideLastSeen)
        fields.insert(u"hide_last_seen"_s, *hideLastSeen);
    if (!groupAdds.isEmpty())
        fields.insert(u"group_adds"_s, groupAdds);
    return fields;
}

Result<Member> Member::decode(const QJsonObject &fields)
{
    const auto user = fields::integer(fields, u"user"_s, 1);
    if (!user)
        return user.error();
    const auto role = fields::optionalString(fields, u"role"_s, {1, 16});
    if (!role)
        return role.error();
    const auto joined = fields::optionalInteger(fields, u"joined_seq"_s, 0);
    if (!joined)
        return joined.error();
    const auto delivered = fields::optionalInteger(fields, u"delivered_seq"_s, 0);
    if (!delivered)
        return delivered.error();
    const auto read = fields::optionalInteger(fields, u"read_seq"_s, 0);
    if (!read)
        return read.error();
    const auto left = fields::optionalInteger(fields, u"left_seq"_s, 0);
    if (!left)
        return left.error();
    return Member{*user,
                  role->value_or(u"member"_s),
                  joined->value_or(1),
                  delivered->value_or(0),
                  read->value_or(0),
                  *left};
}

QJsonObject Member::encode() const
{
    QJsonObject fields{{u"user"_s, user},
                       {u"role"_s, role},
                       {u"joined_seq"_s, joinedSeq},
                       {u"delivered_seq"_s, deliveredSeq},
                       {u"read_seq"_s, readSeq}};
    if (leftSeq)
        fields.insert(u"left_seq"_s, *leftSeq);
    return fields;
}

Result<ConversationInfo> ConversationInfo::decode(const QJsonObject &fields)
{
    ConversationInfo info;
    const auto id = fields::integer(fields, u"id"_s, 1);
    if (!id)
        return id.error();
    const auto kind = fields::string(fields, u"kind"_s, {1, 16});
    if (!kind)
        return kind.error();
    if (*kind != u"direct" && *kind != u"group")
        return bad(u"kind"_s, u"'direct' or 'group'"_s);
    const auto title = fields::optionalString(fields, u"title"_s, {0, 1024});
    if (!title)
        return title.error();
    const auto lastSeq = fields::integer(fields, u"last_seq"_s, 0);
    if (!lastSeq)
        return lastSeq.error();
    const auto createdAt = fields::optionalInteger(fields, u"created_at"_s, 0);
    if (!createdAt)
        return createdAt.error();
    const auto memberCount = fields::optionalInteger(fields, u"member_count"_s, 0, 1 << 30);
    if (!memberCount)
        return memberCount.error();
    const auto unread = fields::optionalInteger(fields, u"unread"_s, 0, 1 << 30);
    if (!unread)
        return unread.error();
    const auto e2eSeq = fields::optionalInteger(fields, u"e2e_seq"_s, 1);
    if (!e2eSeq)
        return e2eSeq.error();
    auto me = objectOf<Member>(fields, u"me"_s);
    if (!me)
        return me.error();
    if (fields.contains(u"members"_s)) {
        auto members = listOf<Member>(fields, u"members"_s);
        if (!members)
            return members.error();
        info.members = std::move(*members);
    }
    if (fields.contains(u"last_message"_s)) {
        auto last = objectOf<LogEntry>(fields, u"last_message"_s);
        if (!last)
            return last.error();
        info.lastMessage = std::move(*last);
    }
    info.id = *id;
    info.kind = *kind;
    info.title = title->value_or(QString());
    info.lastSeq = *lastSeq;
    info.createdAt = createdAt->value_or(0);
    info.memberCount = int(memberCount->value_or(0));
    info.me = std::move(*me);
    info.unread = int(unread->value_or(0));
    info.e2eSeq = *e2eSeq;
    return info;
}

QJsonObject ConversationInfo::encode() const
{
    QJsonObject fields{{u"id"_s, id},
                       {u"kind"_s, kind},
                       {u"last_seq"_s, lastSeq},
                       {u"created_at"_s, createdAt},
                       {u"member_count"_s, memberCount},
                       {u"me"_s, me.encode()},
                       {u"unread"_s, unread}};
    if (isGroup())
        fields.insert(u"title"_s, title);
    if (members)
        fields.insert(u"members"_s, arrayOf(*members));
    if (lastMessage)
        fields.insert(u"last_message"_s, lastMessage->encode());
    if (e2eSeq)
        fields.insert(u"e2e_seq"_s, *e2eSeq);
    return fields;
}

Result<ConversationPage> ConversationPage::decode(const QJsonObject &fields)
{
    ConversationPage page;
    auto conversations = listOf<ConversationInfo>(fields, u"conversations"_s);
    if (!conversations)
        return conversations.error();
    auto users = listOf<User>(fields, u"users"_s);
    if (!users)
        return users.error();
    const auto more = flag(fields, u"more"_s);
    if (!more)
        return more.error();
    if (const QJsonValue next = fields.value(u"next"_s); next.isObject()) {
        const QJsonObject position = next.toObject();
        const auto at = fields::integer(position, u"at"_s, 0);
        if (!at)
            return at.error();
        const auto id = fields::integer(position, u"id"_s, 1);
        if (!id)
            return id.error();
        page.next = ListPosition{*at, *id};
    } else if (!next.isUndefined() && !next.isNull()) {
        return bad(u"next"_s, u"an object"_s);
    }
    page.conversations = std::move(*conversations);
    page.users = std::move(*users);
    page.more = *more;
    return page;
}

QJsonObject ConversationPage::encode() const
{
    QJsonObject fields{{u"conversations"_s, arrayOf(conversations)},
                       {u"users"_s, arrayOf(users)},
                       {u"more"_s, more}};
    if (next)
        fields.insert(u"next"_s, QJsonObject{{u"at"_s, next->at}, {u"id"_s, next->id}});
    return fields;
}

Result<ConversationDetails> ConversationDetails::decode(const QJsonObject &fields)
{
    auto conversation = objectOf<ConversationInfo>(fields, u"conversation"_s);
    if (!conversation)
        return conversation.error();
    auto users = listOf<User>(fields, u"users"_s);
    if (!users)
        return users.error();
    return ConversationDetails{std::move(*conversation), std::move(*users)};
}

QJsonObject ConversationDetails::encode() const
{
    return {{u"conversation"_s, conversation.encode()}, {u"users"_s, arrayOf(users)}};
}

Result<EntryResult> EntryResult::decode(const QJsonObject &fields)
{
    auto event = objectOf<LogEntry>(fields, u"event"_s);
    if (!event)
        return event.error();
    const auto duplicate = flag(fields, u"duplicate"_s);
    if (!duplicate)
        return duplicate.error();
    return EntryResult{std::move(*event), *duplicate};
}

QJsonObject EntryResult::encode() const
{
    return {{u"event"_s, event.encode()}, {u"duplicate"_s, duplicate}};
}

Result<EventPage> EventPage::decode(const QJsonObject &fields)
{
    auto events = listOf<LogEntry>(fields, u"events"_s);
    if (!events)
        return events.error();
    EventPage page;
    page.events = std::move(*events);
    const QJsonValue cursors = fields.value(u"cursors"_s);
    if (!cursors.isUndefined() && !cursors.isNull()) {
        if (!cursors.isArray())
            return bad(u"cursors"_s, u"an array of {conversation, seq}"_s);
        for (const QJsonValue &value : cursors.toArray()) {
            const QJsonObject cursor = value.toObject();
            const auto conversation = fields::integer(cursor, u"conversation"_s, 1);
            const auto seq = fields::integer(cursor, u"seq"_s, 0);
            if (!value.isObject() || !conversation || !seq)
                return bad(u"cursors"_s, u"an array of {conversation, seq}"_s);
            page.cursors.append(Cursor{*conversation, *seq});
        }
    }
    const auto more = flag(fields, u"more"_s);
    if (!more)
        return more.error();
    page.more = *more;
    return page;
}

QJsonObject EventPage::encode() const
{
    QJsonArray cursorArray;
    for (const Cursor &cursor : cursors)
        cursorArray.append(
            QJsonObject{{u"conversation"_s, cursor.conversation}, {u"seq"_s, cursor.seq}});
    QJsonObject fields{{u"events"_s, arrayOf(events)}, {u"more"_s, more}};
    if (!cursors.isEmpty())
        fields.insert(u"cursors"_s, cursorArray);
    return fields;
}

Result<PresenceList> PresenceList::decode(const QJsonObject &fields)
{
    auto presence = listOf<PresenceEvent>(fields, u"presence"_s);
    if (!presence)
        return presence.error();
    return PresenceList{std::move(*presence)};
}

QJsonObject PresenceList::encode() const
{
    return {{u"presence"_s, arrayOf(presence)}};
}

Result<UserList> UserList::decode(const QJsonObject &fields)
{
    if (fields.contains(u"user"_s) && !fields.contains(u"users"_s)) {
        auto user = objectOf<User>(fields, u"user"_s);
        if (!user)
            return user.error();
        return UserList{{std::move(*user)}};
    }
    auto users = listOf<User>(fields, u"users"_s);
    if (!users)
        return users.error();
    return UserList{std::move(*users)};
}

QJsonObject UserList::encode() const
{
    return {{u"users"_s, arrayOf(users)}};
}

Result<SignedIn> SignedIn::decode(const QJsonObject &fields)
{
    auto user = objectOf<User>(fields, u"user"_s);
    if (!user)
        return user.error();
    const auto token = fields::optionalString(fields, u"token"_s, {1, 1024});
    if (!token)
        return token.error();
    return SignedIn{std::move(*user), token->value_or(QString())};
}

QJsonObject SignedIn::encode() const
{
    QJsonObject fields{{u"user"_s, user.encode()}};
    if (!token.isEmpty())
        fields.insert(u"token"_s, token);
    return fields;
}

Result<ReportFiled> ReportFiled::decode(const QJsonObject &fields)
{
    const auto report = fields::integer(fields, u"report"_s, 1);
    if (!report)
        return report.error();
    return ReportFiled{*report};
}

QJsonObject ReportFiled::encode() const
{
    return {{u"report"_s, report}};
}

} // namespace tidings::protocol::messages
