#pragma once

#include <QLoggingCategory>

namespace tidings {
Q_DECLARE_LOGGING_CATEGORY(lcSql)
}
