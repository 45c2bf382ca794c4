#include "chat/handlers/handlers.h"

#include "chat/chat_core.h"
#include "chat/request.h"
#include "chat/session.h"

namespace tidings::relay {

protocol::messages::Limits decodeLimits(const Request &request)
{
    const ChatOptions &options = request.core().options();
    protocol::messages::Limits limits{options.maxTextBytes, options.maxPageSize};
    limits.maxGroupMembers = options.maxGroupMembers;
    return limits;
}

const QJsonObject &fieldsOf(const Request &request)
{
    return request.fields();
}

void refuse(const Request &request, const Error &error)
{
    request.fail(error);
}

HandlerTable allHandlers()
{
    HandlerTable table;
    registerSessionHandlers(table);
    registerAccountHandlers(table);
    registerConversationHandlers(table);
    registerMessageHandlers(table);
    registerLiveHandlers(table);
    registerPushHandlers(table);
    registerKeyHandlers(table);
    return table;
}

QStringList eventTypes()
{
    return {QStringLiteral("event"),      QStringLiteral("receipt"), QStringLiteral("typing"),
            QStringLiteral("presence"),   QStringLiteral("resync"),  QStringLiteral("devices"),
            QStringLiteral("prekeys.low")};
}

} // namespace tidings::relay
