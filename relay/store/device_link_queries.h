#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <optional>

/// Linking a new device (docs/encryption.md, section 3): each user's one open offer, made
/// by a session with a device, answered by a session of the same user without one, and
/// completed by the first. Synchronous functions of a connection, run on a store thread.
namespace tidings::relay::sql {

inline constexpr qint64 kLinkOfferLifetimeMs = 10 * 60 * 1000;

struct LinkOfferRecord
{
    QString id; ///< 32 hex digits
    UserId user = 0;
    qint64 offerSession = 0;
    quint32 offerDevice = 0;
    QByteArray ephemeral; ///< X25519 E_O, 32 bytes
    qint64 answerSession = 0; ///< 0: not answered
    qint64 expiresAt = 0;
};

/// A new offer of `offerSession` (device `device` of `user`) with key `ephemeral`, open for
/// kLinkOfferLifetimeMs from `now`; it replaces the user's open offer, returned second if
/// there was one (its answering session is told).
struct PutOffer
{
    LinkOfferRecord offer;
    std::optional<LinkOfferRecord> replaced;
};
Result<PutOffer> putLinkOffer(QSqlDatabase &db, UserId user, qint64 offerSession, quint32 device,
                              const QByteArray &ephemeral, qint64 now);

/// The user's offer that is open at `now` and not answered yet, if any.
Result<std::optional<LinkOfferRecord>> findLinkOffer(QSqlDatabase &db, UserId user, qint64 now);

/// `answerSession` answers the user's offer `id`: NotFound when there is no such open offer,
/// Conflict when it was answered already. Returns it, answered.
Result<LinkOfferRecord> answerLinkOffer(QSqlDatabase &db, UserId user, const QString &id,
                                        qint64 answerSession, qint64 now);

/// The offering session ends its answered offer `id`, deleting it: NotFound when the user has
/// no such open offer, Forbidden when `session` did not make it, Conflict when no one
/// answered it yet. Returns it as it was.
Result<LinkOfferRecord> completeLinkOffer(QSqlDatabase &db, UserId user, const QString &id,
                                          qint64 session, qint64 now);

/// Either side ends offer `id`, deleting it: NotFound unless it is open at `now` and
/// `session` made or answered it.
Result<LinkOfferRecord> cancelLinkOffer(QSqlDatabase &db, UserId user, const QString &id,
                                        qint64 session, qint64 now);

/// Deletes offers that expired before `now`; returns how many.
Result<qint64> expireLinkOffers(QSqlDatabase &db, qint64 now);

} // namespace tidings::relay::sql
