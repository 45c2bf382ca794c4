#include "store/device_inbox_queries.h"

#include "store/conversation_queries.h"
#include "store/sql_helpers.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

Result<bool> deviceExists(QSqlDatabase &db, const DeviceKey &device)
{
    auto query = runCached(db, u"SELECT 1 FROM devices WHERE user_id = ? AND device_id = ?"_s,
                           {device.user, qint64(device.device)});
    if (!query)
        return query.error();
    return query->next();
}

/// The users `sender` may write to: their own, and whoever shares a conversation with them
/// with no block either way (contactsOf). Read only when a write names another user.
class Audience
{
public:
    explicit Audience(UserId sender) : m_sender(sender) { }

    Result<bool> allows(QSqlDatabase &db, UserId user)
    {
        if (user == m_sender)
            return true;
        if (!m_contacts) {
            auto contacts = contactsOf(db, m_sender);
            if (!contacts)
                return contacts.error();
            m_contacts = QSet<UserId>(contacts->cbegin(), contacts->cend());
        }
        return m_contacts->contains(user);
    }

private:
    UserId m_sender;
    std::optional<QSet<UserId>> m_contacts;
};

} // namespace

Result<std::optional<QByteArray>> inboxSendResult(QSqlDatabase &db, const DeviceKey &sender,
                                                  const QString &clientId)
{
    auto query = runCached(db,
                           u"SELECT result FROM inbox_sends WHERE user_id = ? AND device_id = ? "
                           "AND client_id = ?"_s,
                           {sender.user, qint64(sender.device), clientId});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(query->value(0).toByteArray());
}

Result<void> rememberInboxSend(QSqlDatabase &db, const DeviceKey &sender, const QString &clientId,
                               const QByteArray &result)
{
    auto inserted = runCached(db,
                              u"INSERT INTO inbox_sends (user_id, device_id, client_id, result, "
                              "created_at) VALUES (?, ?, ?, ?, ?)"_s,
                              {sender.user, qint64(sender.device), clientId, result, now()});
    if (!inserted)
        return inserted.error();
    return {};
}

Result<QList<InboxOutcome>> sendToInbox(QSqlDatabase &db, const DeviceKey &sender,
                                        const QList<InboxWrite> &writes, qint64 at)
{
    Audience audience(sender.user);
    // Devices are taken in one order, (user, device), whatever the request's: on PostgreSQL
    // their rows stay locked to commit, and two sends that took them in opposite orders
    // would deadlock.
    QList<qsizetype> order(writes.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        return std::pair(writes[a].to.user, writes[a].to.device)
            < std::pair(writes[b].to.user, writes[b].to.device);
    });
    QList<InboxOutcome> outcomes(writes.size());
    for (const qsizetype index : std::as_const(order)) {
        const InboxWrite &write = writes[index];
        auto allowed = audience.allows(db, write.to.user);
        if (!allowed)
            return allowed.error();
        if (!*allowed) {
            outcomes[index] = InboxOutcome{InboxOutcome::Forbidden};
            continue;
        }
        // The device's next seq, unless it is full. On PostgreSQL the row stays locked to
        // commit: the device's sends take turns, so seqs commit in order.
        qint64 seq = 0;
        qint64 session = 0;
        {
            auto taken = runCached(db,
                                   u"UPDATE devices SET inbox_seq = inbox_seq + 1 "
                                   "WHERE user_id = ? AND device_id = ? "
                                   "AND inbox_seq - inbox_gone < ? "
                                   "RETURNING inbox_seq, session_id"_s,
                                   {write.to.user, qint64(write.to.device), kMaxInboxRows});
            if (!taken)
                return taken.error();
            if (taken->next()) {
                seq = taken->value(0).toLongLong();
                session = taken->value(1).toLongLong();
            }
        }
        if (seq == 0) {
            auto exists = deviceExists(db, write.to);
            if (!exists)
                return exists.error();
            outcomes[index]
                = InboxOutcome{*exists ? InboxOutcome::Full : InboxOutcome::NotRegistered};
            continue;
        }
        auto inserted = runCached(db,
                                  u"INSERT INTO inbox (user_id, device_id, seq, sender_id, "
                                  "sender_device, body, created_at) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                                  {write.to.user, qint64(write.to.device), seq, sender.user,
                                   qint64(sender.device), write.body, at});
        if (!inserted)
            return inserted.error();
        outcomes[index] = InboxOutcome{InboxOutcome::Stored, seq, session};
    }
    return outcomes;
}

Result<InboxFetched> fetchInbox(QSqlDatabase &db, const DeviceKey &device, qint64 after, int limit)
{
    auto query = runCached(db,
                           u"SELECT seq, sender_id, sender_device, body, created_at FROM inbox "
                           "WHERE user_id = ? AND device_id = ? AND seq > ? "
                           "ORDER BY seq LIMIT ?"_s,
                           {device.user, qint64(device.device), after, limit + 1});
    if (!query)
        return query.error();
    InboxFetched fetched;
    qsizetype bytes = 0;
    while (query->next()) {
        if (fetched.rows.size() == limit
            || (!fetched.rows.isEmpty() && bytes >= kMaxInboxPageBytes)) {
            fetched.more = true;
            break;
        }
        InboxRow row;
        row.seq = query->value(0).toLongLong();
        row.from = {query->value(1).toLongLong(), quint32(query->value(2).toLongLong())};
        row.body = query->value(3).toByteArray();
        row.createdAt = query->value(4).toLongLong();
        bytes += row.body.size();
        fetched.rows.append(std::move(row));
    }
    return fetched;
}

Result<qint64> ackInbox(QSqlDatabase &db, const DeviceKey &device, qint64 upTo)
{
    // Everything up to inbox_gone is gone: the count of waiting rows stays exact.
    auto raised = runCached(db,
                            u"UPDATE devices SET inbox_gone = %1(inbox_gone, %2(?, inbox_seq)) "
                            "WHERE user_id = ? AND device_id = ?"_s.arg(greatest(db), least(db)),
                            {upTo, device.user, qint64(device.device)});
    if (!raised)
        return raised.error();
    auto deleted
        = runCached(db, u"DELETE FROM inbox WHERE user_id = ? AND device_id = ? AND seq <= ?"_s,
                    {device.user, qint64(device.device), upTo});
    if (!deleted)
        return deleted.error();
    return static_cast<const QSqlQuery &>(*deleted).numRowsAffected();
}

Result<qint64> expireInbox(QSqlDatabase &db, qint64 cutoffMs, qint64 sendsCutoffMs, int batch)
{
    // The oldest rows, and per device the highest seq among them: a device's rows are in
    // the order of their seqs, so deleting up to it deletes a prefix of its inbox.
    std::map<std::pair<UserId, quint32>, qint64> upTo;
    qint64 found = 0;
    {
        auto old = run(db,
                       u"SELECT user_id, device_id, seq FROM inbox WHERE created_at < ? "
                       "ORDER BY created_at LIMIT ?"_s,
                       {cutoffMs, batch});
        if (!old)
            return old.error();
        while (old->next()) {
            ++found;
            qint64 &seq = upTo[{old->value(0).toLongLong(), quint32(old->value(1).toLongLong())}];
            seq = std::max(seq, old->value(2).toLongLong());
        }
    }
    for (const auto &[device, seq] : upTo) {
        if (auto acked = ackInbox(db, {device.first, device.second}, seq); !acked)
            return acked.error();
    }
    auto sends = run(db,
                     u"DELETE FROM inbox_sends WHERE (user_id, device_id, client_id) IN ("
                     "SELECT user_id, device_id, client_id FROM inbox_sends "
                     "WHERE created_at < ? ORDER BY created_at LIMIT ?)"_s,
                     {sendsCutoffMs, batch});
    if (!sends)
        return sends.error();
    return std::max<qint64>(found, sends->numRowsAffected());
}

} // namespace tidings::relay::sql
