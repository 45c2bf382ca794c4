#pragma once

#include "store/records.h"

#include <QJsonObject>

/// How store records look on the wire (docs/protocol.md, "Objects").
namespace tidings::relay::wire {

/// {"id","username","display_name"}: what anyone who may see a user sees.
QJsonObject publicUser(const UserRecord &user);
/// publicUser plus the user's own settings ("hide_last_seen").
QJsonObject ownUser(const UserRecord &user);
QJsonObject session(const SessionRecord &session, bool current);

} // namespace tidings::relay::wire
