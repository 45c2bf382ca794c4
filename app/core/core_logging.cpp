#include "core/core_logging.h"

namespace tidings::app {
// Debug output is off unless asked for (QT_LOGGING_RULES="tidings.app.*.debug=true").
Q_LOGGING_CATEGORY(lcConnection, "tidings.app.connection", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSync, "tidings.app.sync", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOutbox, "tidings.app.outbox", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAccount, "tidings.app.account", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTransfers, "tidings.app.transfers", QtInfoMsg)
} // namespace tidings::app
