#pragma once

#include "store/conversation_queries.h"
#include "store/records.h"

#include <QJsonObject>

/// How store records look on the wire (docs/protocol.md, "Objects").
namespace tidings::relay::wire {

/// {"id","username","display_name"}: what anyone who may see a user sees.
QJsonObject publicUser(const UserRecord &user);
/// publicUser plus the user's own settings ("hide_last_seen", "group_adds").
QJsonObject ownUser(const UserRecord &user);
QJsonObject session(const SessionRecord &session, bool current);

/// A log entry: {"conversation","seq","kind","sender","time", "client_id"?, "target_seq"?,
/// …the kind's fields}.
QJsonObject event(const EventRecord &event);
/// The same, encoded: what a reply embeds and eventFrame() wraps, made once per event.
QByteArray eventJson(const EventRecord &event);
/// The event as a frame the relay pushes, {"type":"event", …}, from its eventJson(): encoded
/// once for the whole fan-out.
QByteArray eventFrame(const QByteArray &eventJson);
QJsonObject member(const MemberRecord &member);
/// A conversation as its member sees it (docs/protocol.md, "conversation").
QJsonObject conversation(const sql::ConversationSummary &summary);
/// The ids of users a summary mentions (members, authors), to send their user objects.
QList<UserId> usersMentioned(const sql::ConversationSummary &summary);

} // namespace tidings::relay::wire
