#include "bus/bus_logging.h"

namespace tidings::relay {
Q_LOGGING_CATEGORY(lcBus, "tidings.relay.bus")
}
