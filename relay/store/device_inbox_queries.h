#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <optional>

/// The device inbox of end-to-end encryption (docs/encryption.md, section 4): a queue per
/// recipient device of ratchet messages from other devices, under the delivery contract.
/// Synchronous functions of a connection, run on a store thread; sends run in the writer's
/// group commit, so what they store is durable before anyone hears of it.
namespace tidings::relay::sql {

/// Rows that may wait in one device's inbox; past it a send lists the device as full.
inline constexpr qint64 kMaxInboxRows = 10000;
/// The bodies one inbox.fetch returns, past its first row.
inline constexpr qsizetype kMaxInboxPageBytes = 1024 * 1024;

/// One device of one user, as the inbox names its ends.
struct DeviceKey
{
    UserId user = 0;
    quint32 device = 0;
};

/// One body for one device, as inbox.send gives it.
struct InboxWrite
{
    DeviceKey to;
    QByteArray body;
};

/// What became of one InboxWrite, in the order given.
struct InboxOutcome
{
    enum Kind { Stored, NotRegistered, Full, Forbidden };
    Kind kind = NotRegistered;
    qint64 seq = 0; ///< Stored: its seq in the recipient's inbox
    qint64 sessionId = 0; ///< Stored: the recipient device's session (for the live event)
};

/// One row of a device's inbox.
struct InboxRow
{
    qint64 seq = 0;
    DeviceKey from;
    QByteArray body;
    qint64 createdAt = 0;
};

/// The result stored with (sender device, client id) by rememberInboxSend, if any.
Result<std::optional<QByteArray>> inboxSendResult(QSqlDatabase &db, const DeviceKey &sender,
                                                  const QString &clientId);
/// Keeps `result` (as answered) for retries of (sender, clientId) to get again.
/// Conflict when another send stored one first.
Result<void> rememberInboxSend(QSqlDatabase &db, const DeviceKey &sender, const QString &clientId,
                               const QByteArray &result);

/// Stores each write whose recipient device exists, is not full, and is the sender's own
/// user's or belongs to a user who shares a conversation with the sender, neither having
/// blocked the other. Each stored row takes the next seq of its device. `at`: the rows'
/// time.
Result<QList<InboxOutcome>> sendToInbox(QSqlDatabase &db, const DeviceKey &sender,
                                        const QList<InboxWrite> &writes, qint64 at);

/// At most `limit` rows of `device`'s inbox after `after`, oldest first, and past the first
/// row about kMaxInboxPageBytes of bodies at most (one reply stays well under a session's
/// send limit); `more` when rows after them wait too.
struct InboxFetched
{
    QList<InboxRow> rows;
    bool more = false;
};
Result<InboxFetched> fetchInbox(QSqlDatabase &db, const DeviceKey &device, qint64 after, int limit);

/// Deletes `device`'s rows up to `upTo` (beyond its last seq: up to that). Returns how many.
Result<qint64> ackInbox(QSqlDatabase &db, const DeviceKey &device, qint64 upTo);

/// Retention: deletes the inbox rows made before `cutoffMs` (found `batch` at a time; with
/// each, the rows before it in its device's inbox) and at most `batch` remembered send
/// results made before `sendsCutoffMs` (retries come within minutes: a day is plenty).
/// Returns the larger count found: below `batch`, nothing older is left.
Result<qint64> expireInbox(QSqlDatabase &db, qint64 cutoffMs, qint64 sendsCutoffMs, int batch);

} // namespace tidings::relay::sql
