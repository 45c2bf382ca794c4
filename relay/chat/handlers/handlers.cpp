#include "chat/handlers/handlers.h"

namespace tidings::relay {

HandlerTable allHandlers()
{
    HandlerTable table;
    registerSessionHandlers(table);
    registerAccountHandlers(table);
    return table;
}

QStringList eventTypes()
{
    return {};
}

} // namespace tidings::relay
