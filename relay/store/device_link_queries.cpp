#include "store/device_link_queries.h"

#include "store/sql_helpers.h"

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

const QString kColumns
    = u"id, user_id, offer_session, offer_device, ephemeral, answer_session, expires_at"_s;

LinkOfferRecord readOffer(const QSqlQuery &query)
{
    LinkOfferRecord offer;
    offer.id = query.value(0).toString();
    offer.user = query.value(1).toLongLong();
    offer.offerSession = query.value(2).toLongLong();
    offer.offerDevice = quint32(query.value(3).toLongLong());
    offer.ephemeral = query.value(4).toByteArray();
    offer.answerSession = query.value(5).toLongLong();
    offer.expiresAt = query.value(6).toLongLong();
    return offer;
}

/// The user's offer `id` if it is open at `now`.
Result<std::optional<LinkOfferRecord>> openOffer(QSqlDatabase &db, UserId user, const QString &id,
                                                 qint64 now)
{
    auto query = run(db,
                     u"SELECT "_s + kColumns
                         + u" FROM link_offers WHERE id = ? AND user_id = ? AND expires_at > ?"_s,
                     {id, user, now});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<LinkOfferRecord>();
    return std::optional<LinkOfferRecord>(readOffer(*query));
}

Error noOffer()
{
    return Error{ErrorCode::NotFound, u"no such link offer: it was cancelled or expired"_s};
}

} // namespace

Result<PutOffer> putLinkOffer(QSqlDatabase &db, UserId user, qint64 offerSession, quint32 device,
                              const QByteArray &ephemeral, qint64 now)
{
    PutOffer put;
    {
        auto replaced
            = run(db, u"DELETE FROM link_offers WHERE user_id = ? RETURNING "_s + kColumns, {user});
        if (!replaced)
            return replaced.error();
        if (replaced->next() && replaced->value(6).toLongLong() > now)
            put.replaced = readOffer(*replaced);
    }
    auto inserted
        = run(db,
              u"INSERT INTO link_offers (id, user_id, offer_session, offer_device, "
              "ephemeral, created_at, expires_at) VALUES (%1, ?, ?, ?, ?, ?, ?) "
              "RETURNING "_s.arg(randomKey(db))
                  + kColumns,
              {user, offerSession, qint64(device), ephemeral, now, now + kLinkOfferLifetimeMs});
    if (!inserted)
        return inserted.error();
    if (!inserted->next())
        return Error{ErrorCode::Io, u"insert returned no row"_s};
    put.offer = readOffer(*inserted);
    return put;
}

Result<std::optional<LinkOfferRecord>> findLinkOffer(QSqlDatabase &db, UserId user, qint64 now)
{
    auto query = run(db,
                     u"SELECT "_s + kColumns
                         + u" FROM link_offers WHERE user_id = ? AND expires_at > ? "
                           "AND answer_session IS NULL"_s,
                     {user, now});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<LinkOfferRecord>();
    return std::optional<LinkOfferRecord>(readOffer(*query));
}

Result<LinkOfferRecord> answerLinkOffer(QSqlDatabase &db, UserId user, const QString &id,
                                        qint64 answerSession, qint64 now)
{
    // One statement: of two answers at once, one finds the offer unanswered.
    auto answered = run(db,
                        u"UPDATE link_offers SET answer_session = ? WHERE id = ? AND user_id = ? "
                        "AND expires_at > ? AND answer_session IS NULL RETURNING "_s
                            + kColumns,
                        {answerSession, id, user, now});
    if (!answered)
        return answered.error();
    if (answered->next())
        return readOffer(*answered);
    answered->finish();
    auto open = openOffer(db, user, id, now);
    if (!open)
        return open.error();
    if (!*open)
        return noOffer();
    return Error{ErrorCode::Conflict, u"this link offer was answered already"_s};
}

Result<LinkOfferRecord> completeLinkOffer(QSqlDatabase &db, UserId user, const QString &id,
                                          qint64 session, qint64 now)
{
    // One statement: a cancel or a replacement at the same moment either comes first (and
    // this finds nothing) or finds nothing itself.
    auto completed = run(db,
                         u"DELETE FROM link_offers WHERE id = ? AND user_id = ? AND expires_at > ? "
                         "AND offer_session = ? AND answer_session IS NOT NULL RETURNING "_s
                             + kColumns,
                         {id, user, now, session});
    if (!completed)
        return completed.error();
    if (completed->next())
        return readOffer(*completed);
    completed->finish();
    // Nothing deleted: say why.
    auto open = openOffer(db, user, id, now);
    if (!open)
        return open.error();
    if (!*open)
        return noOffer();
    if ((*open)->offerSession != session)
        return Error{ErrorCode::Forbidden, u"only the device that made the offer completes it"_s};
    return Error{ErrorCode::Conflict, u"no new device has answered this offer yet"_s};
}

Result<LinkOfferRecord> cancelLinkOffer(QSqlDatabase &db, UserId user, const QString &id,
                                        qint64 session, qint64 now)
{
    auto query = run(db,
                     u"DELETE FROM link_offers WHERE id = ? AND user_id = ? AND expires_at > ? "
                     "AND (offer_session = ? OR answer_session = ?) RETURNING "_s
                         + kColumns,
                     {id, user, now, session, session});
    if (!query)
        return query.error();
    if (!query->next())
        return noOffer();
    return readOffer(*query);
}

Result<qint64> expireLinkOffers(QSqlDatabase &db, qint64 now)
{
    auto deleted = run(db, u"DELETE FROM link_offers WHERE expires_at <= ?"_s, {now});
    if (!deleted)
        return deleted.error();
    return deleted->numRowsAffected();
}

} // namespace tidings::relay::sql
