#include "chat/handlers/handlers.h"

namespace tidings::relay {

HandlerTable allHandlers()
{
    HandlerTable table;
    registerSessionHandlers(table);
    registerAccountHandlers(table);
    registerConversationHandlers(table);
    registerMessageHandlers(table);
    registerLiveHandlers(table);
    registerPushHandlers(table);
    return table;
}

QStringList eventTypes()
{
    return {QStringLiteral("event"), QStringLiteral("receipt"), QStringLiteral("typing"),
            QStringLiteral("presence"), QStringLiteral("resync")};
}

} // namespace tidings::relay
