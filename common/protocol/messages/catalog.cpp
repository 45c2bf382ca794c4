#include "protocol/messages/catalog.h"

#include "protocol/messages/message_requests.h"

namespace tidings::protocol::messages {

QStringList typedRequests()
{
    QStringList types;
    for (const char *type :
         {SendMessage::kType, EditMessage::kType, DeleteMessage::kType, ReactToMessage::kType,
          Receipt::kType, Sync::kType, History::kType, Typing::kType, PresenceQuery::kType}) {
        types.append(QString::fromLatin1(type));
    }
    return types;
}

} // namespace tidings::protocol::messages
