#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QSqlDatabase>

namespace tidings::relay::sql {

struct ReportRecord
{
    qint64 id = 0;
    UserId reporterId = 0;
    UserId userId = 0; ///< 0: not about a user
    ConversationId conversationId = 0;
    Seq seq = 0; ///< 0: not about a message
    QString reason;
    qint64 createdAt = 0;
};

/// Files a report. About a message: the reporter must be able to see it (NotFound
/// otherwise), and the report names its author. About a user: the user must exist.
Result<ReportRecord> fileReport(QSqlDatabase &db, UserId reporter, UserId user,
                                ConversationId conversation, Seq seq, const QString &reason);
/// The newest reports first, for the admin CLI.
Result<QList<ReportRecord>> recentReports(QSqlDatabase &db, int limit);
/// What the log holds for a reported message now (its body, with edits, deletion and
/// expiry applied), for the admin CLI; empty when there is no such entry.
Result<QString> reportedContent(QSqlDatabase &db, ConversationId conversation, Seq seq);

} // namespace tidings::relay::sql
