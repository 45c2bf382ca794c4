#include "core/core_logging.h"

namespace tidings::app {
Q_LOGGING_CATEGORY(lcConnection, "tidings.app.connection")
Q_LOGGING_CATEGORY(lcSync, "tidings.app.sync")
Q_LOGGING_CATEGORY(lcOutbox, "tidings.app.outbox")
Q_LOGGING_CATEGORY(lcAccount, "tidings.app.account")
} // namespace tidings::app
