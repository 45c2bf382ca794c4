#include "chat/delivery.h"

#include "chat/chat_core.h"
#include "chat/cluster_link.h"
#include "chat/member_cache.h"
#include "chat/wire.h"

namespace tidings::relay {

void deliverEvent(ChatCore &core, const Appended &appended, const Session *except)
{
    if (appended.duplicate)
        return;
    deliverEvent(core, appended, except, wire::eventJson(appended.event));
}

void deliverEvent(ChatCore &core, const Appended &appended, const Session *except,
                  const QByteArray &eventJson)
{
    if (appended.duplicate)
        return;
    if (core.memberCache().observe(appended) && core.clusterLink())
        core.clusterLink()->membersChanged(appended.event.conversationId);
    core.sendToUsers(appended.recipients, wire::eventFrame(eventJson), except);
}

} // namespace tidings::relay
