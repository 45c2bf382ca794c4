#include "sql/sql_logging.h"

namespace tidings {
Q_LOGGING_CATEGORY(lcSql, "tidings.sql")
}
