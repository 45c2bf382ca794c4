#include "chat/chat_logging.h"

namespace tidings::relay {
Q_LOGGING_CATEGORY(lcChat, "tidings.relay.chat")
}
