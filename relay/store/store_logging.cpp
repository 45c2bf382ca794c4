#include "store/store_logging.h"

namespace tidings::relay {
Q_LOGGING_CATEGORY(lcStore, "tidings.relay.store")
}
