#pragma once

#include "store/records.h"

#include <QSqlQuery>
#include <QString>

// Helpers shared by message_queries.cpp and message_log.cpp; not part of the store's API.
namespace tidings::relay::sql {

/// The columns of an event, in the order readEvent() reads them.
extern const QString kEventColumns;
EventRecord readEvent(const QSqlQuery &query);

} // namespace tidings::relay::sql
