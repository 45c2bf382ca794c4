#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QJsonArray>
#include <QList>
#include <QSqlDatabase>

// Helpers shared by conversation_queries.cpp and group_queries.cpp; not part of the store's API.
namespace tidings::relay::sql {

QJsonArray idArray(const QList<UserId> &ids);

/// `event`, with the current members of its conversation (and `alsoTo`) as its recipients.
Result<Appended> appended(QSqlDatabase &db, Result<EventRecord> event, QList<UserId> alsoTo = {});

} // namespace tidings::relay::sql
