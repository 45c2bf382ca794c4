#include "chat/wire.h"

namespace tidings::relay::wire {

using namespace Qt::StringLiterals;

QJsonObject publicUser(const UserRecord &user)
{
    return QJsonObject{
        {u"id"_s, user.id}, {u"username"_s, user.username}, {u"display_name"_s, user.displayName}};
}

QJsonObject ownUser(const UserRecord &user)
{
    QJsonObject object = publicUser(user);
    object.insert(u"hide_last_seen"_s, user.hideLastSeen);
    return object;
}

QJsonObject session(const SessionRecord &session, bool current)
{
    return QJsonObject{{u"id"_s, session.id},
                       {u"device"_s, session.device},
                       {u"created_at"_s, session.createdAt},
                       {u"last_used_at"_s, session.lastUsedAt},
                       {u"current"_s, current}};
}

} // namespace tidings::relay::wire
