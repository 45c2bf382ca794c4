#include "store/report_queries.h"

#include "store/conversation_queries.h"
#include "store/sql_helpers.h"

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

Result<ReportRecord> fileReport(QSqlDatabase &db, UserId reporter, UserId user,
                                ConversationId conversation, Seq seq, const QString &reason)
{
    ReportRecord report{0, reporter, user, conversation, seq, reason, now()};
    if (conversation > 0) {
        auto member = membership(db, conversation, reporter);
        if (!member)
            return member.error();
        if (seq > 0) {
            const bool visible
                = seq >= member->joinedSeq && (!member->leftSeq || seq <= *member->leftSeq);
            auto author = run(db,
                              u"SELECT sender_id FROM events WHERE conversation_id = ? AND seq = ? "
                              "AND kind IN ('message', 'encrypted')"_s,
                              {conversation, seq});
            if (!author)
                return author.error();
            if (!visible || !author->next())
                return Error{ErrorCode::NotFound, u"no such message"_s};
            report.userId = author->value(0).toLongLong();
        }
    }
    if (report.userId > 0) {
        auto exists = usersByIds(db, {report.userId});
        if (!exists)
            return exists.error();
        if (exists->isEmpty())
            return Error{ErrorCode::NotFound, u"no such user"_s};
    }
    auto inserted = run(
        db,
        u"INSERT INTO reports (reporter_id, user_id, conversation_id, seq, reason, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"_s,
        {reporter, report.userId > 0 ? QVariant(report.userId) : QVariant(),
         conversation > 0 ? QVariant(conversation) : QVariant(),
         seq > 0 ? QVariant(seq) : QVariant(), reason, report.createdAt});
    if (!inserted)
        return inserted.error();
    inserted->next();
    report.id = inserted->value(0).toLongLong();
    return report;
}

Result<QList<ReportRecord>> recentReports(QSqlDatabase &db, int limit)
{
    auto query = run(db,
                     u"SELECT id, reporter_id, coalesce(user_id, 0), coalesce(conversation_id, 0), "
                     u"coalesce(seq, 0), "
                     "reason, created_at FROM reports ORDER BY id DESC LIMIT ?"_s,
                     {limit});
    if (!query)
        return query.error();
    QList<ReportRecord> reports;
    while (query->next()) {
        reports.append({query->value(0).toLongLong(), query->value(1).toLongLong(),
                        query->value(2).toLongLong(), query->value(3).toLongLong(),
                        query->value(4).toLongLong(), query->value(5).toString(),
                        query->value(6).toLongLong()});
    }
    return reports;
}

Result<QString> reportedContent(QSqlDatabase &db, ConversationId conversation, Seq seq)
{
    auto query = run(db, u"SELECT body FROM events WHERE conversation_id = ? AND seq = ?"_s,
                     {conversation, seq});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toString() : QString();
}

} // namespace tidings::relay::sql
