#pragma once

#include <QLoggingCategory>

namespace tidings::relay {
Q_DECLARE_LOGGING_CATEGORY(lcBus)
}
