#pragma once

#include "sql/sql_helpers.h"

namespace tidings::relay::sql {

// The relay's queries live in tidings::relay::sql and use the shared helpers unqualified.
using tidings::sql::now;
using tidings::sql::run;
using tidings::sql::runCached;

} // namespace tidings::relay::sql
