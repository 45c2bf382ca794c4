#include "gateway/gateway_logging.h"

namespace tidings::relay {
Q_LOGGING_CATEGORY(lcGateway, "tidings.relay.gateway")
}
