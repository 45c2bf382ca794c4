#include "store/key_directory_queries.h"

#include "store/sql_helpers.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

/// Values per IN (…) list, as endedSessions() does: far below either database's limit.
constexpr qsizetype kChunk = 500;
/// One-time prekeys per INSERT (four values each).
constexpr qsizetype kInsertRows = 100;

const QStringList kDeviceColumnNames{u"user_id"_s,    u"device_id"_s,   u"session_id"_s,
                                     u"key"_s,        u"certificate"_s, u"name"_s,
                                     u"created_at"_s, u"last_seen_at"_s};

/// The columns readDevice() reads, in its order, each prefixed with `alias` if given.
QString deviceColumns(const QString &alias = {})
{
    if (alias.isEmpty())
        return kDeviceColumnNames.join(u", "_s);
    QStringList qualified;
    for (const QString &column : kDeviceColumnNames)
        qualified.append(alias + u'.' + column);
    return qualified.join(u", "_s);
}

quint32 readId(const QVariant &value)
{
    return static_cast<quint32>(value.toLongLong());
}

DeviceRecord readDevice(const QSqlQuery &query, int first = 0)
{
    DeviceRecord device;
    device.user = query.value(first).toLongLong();
    device.id = readId(query.value(first + 1));
    device.sessionId = query.value(first + 2).toLongLong();
    device.key = query.value(first + 3).toByteArray();
    device.certificate = query.value(first + 4).toByteArray();
    device.name = query.value(first + 5).toString();
    device.createdAt = query.value(first + 6).toLongLong();
    device.lastSeenAt = query.value(first + 7).toLongLong();
    return device;
}

IdentityRecord readIdentity(const QSqlQuery &query)
{
    IdentityRecord identity;
    identity.user = query.value(0).toLongLong();
    identity.identityKey = query.value(1).toByteArray();
    identity.list = query.value(2).toByteArray();
    identity.version = query.value(3).toLongLong();
    return identity;
}

/// `users` without repeats, ascending.
QList<UserId> distinctUsers(QList<UserId> users)
{
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    return users;
}

/// Runs `statement` once per chunk of `ids`: its "%1" becomes the chunk's placeholders,
/// bound after `leading`. Hands every row to `read`.
template<typename Id, typename Read>
Result<void> forEachChunk(QSqlDatabase &db, const QString &statement, const QVariantList &leading,
                          const QList<Id> &ids, Read read)
{
    for (qsizetype start = 0; start < ids.size(); start += kChunk) {
        const QList<Id> chunk = ids.mid(start, kChunk);
        QVariantList values = leading;
        for (const Id id : chunk)
            values.append(qint64(id));
        auto query = run(db, statement.arg(placeholders(chunk.size())), values);
        if (!query)
            return query.error();
        while (query->next())
            read(*query);
    }
    return {};
}

/// A lock on the rows read, held to commit, on PostgreSQL (where other nodes write too); the
/// SQLite store has one writer.
QString locking(const QSqlDatabase &db, const QString &clause)
{
    return isPostgres(db) ? u" "_s + clause : QString();
}

Error noSuchDevice()
{
    return Error{ErrorCode::NotFound, u"no such device"_s};
}

Result<int> oneTimeCount(QSqlDatabase &db, UserId user, quint32 device)
{
    auto counted = runCached(
        db, u"SELECT count(*) FROM one_time_prekeys WHERE user_id = ? AND device_id = ?"_s,
        {user, qint64(device)});
    if (!counted)
        return counted.error();
    if (!counted->next())
        return Error{ErrorCode::Io, u"count returned no row"_s};
    return counted->value(0).toInt();
}

} // namespace

Result<QList<IdentityRecord>> identitiesOf(QSqlDatabase &db, const QList<UserId> &users)
{
    QList<IdentityRecord> identities;
    auto read = forEachChunk(db,
                             u"SELECT user_id, identity_key, list, version FROM identities "
                             "WHERE user_id IN (%1) ORDER BY user_id"_s,
                             {}, distinctUsers(users), [&](const QSqlQuery &query) {
                                 identities.append(readIdentity(query));
                             });
    if (!read)
        return read.error();
    return identities;
}

Result<QList<qint64>> publishIdentity(QSqlDatabase &db, const IdentityRecord &identity, bool reset,
                                      qint64 keepSession)
{
    const qint64 at = now();
    QByteArray storedKey;
    qint64 storedVersion = 0;
    {
        // Locked on PostgreSQL: publishes and registrations of one user take turns.
        auto stored = runCached(db,
                                u"SELECT identity_key, version FROM identities WHERE user_id = ?"_s
                                    + locking(db, u"FOR UPDATE"_s),
                                {identity.user});
        if (!stored)
            return stored.error();
        if (!stored->next()) {
            stored->finish();
            auto inserted = runCached(
                db,
                u"INSERT INTO identities (user_id, identity_key, list, "
                "version, updated_at) VALUES (?, ?, ?, ?, ?)"_s,
                {identity.user, identity.identityKey, identity.list, identity.version, at});
            if (!inserted) {
                if (inserted.error().code == ErrorCode::Conflict)
                    return Error{ErrorCode::Conflict,
                                 u"another identity was published meanwhile; fetch it and publish "
                                 "a higher version"_s};
                return inserted.error();
            }
            return QList<qint64>();
        }
        storedKey = stored->value(0).toByteArray();
        storedVersion = stored->value(1).toLongLong();
    }

    const bool newKey = storedKey != identity.identityKey;
    if (newKey && !reset)
        return Error{ErrorCode::Conflict,
                     u"the user has published another identity key; replacing it needs a reset"_s};
    if (identity.version <= storedVersion)
        return Error{
            ErrorCode::Conflict,
            u"the list's version %1 is not above the published version %2"_s.arg(identity.version)
                .arg(storedVersion)};

    QList<qint64> ended;
    if (newKey) {
        // Devices certified by the old identity go, their prekeys with them (cascade).
        auto deleted = run(db, u"DELETE FROM devices WHERE user_id = ? RETURNING session_id"_s,
                           {identity.user});
        if (!deleted)
            return deleted.error();
        while (deleted->next()) {
            const qint64 session = deleted->value(0).toLongLong();
            if (session != keepSession)
                ended.append(session);
        }
        std::sort(ended.begin(), ended.end());
    }
    auto updated
        = runCached(db,
                    u"UPDATE identities SET identity_key = ?, list = ?, version = ?, "
                    "updated_at = ? WHERE user_id = ?"_s,
                    {identity.identityKey, identity.list, identity.version, at, identity.user});
    if (!updated)
        return updated.error();
    return ended;
}

Result<DeviceRecord> registerDevice(QSqlDatabase &db, const DeviceRecord &device)
{
    if (device.id == 0)
        return Error{ErrorCode::BadRequest, u"a device id is never 0"_s};
    {
        // Shared lock on PostgreSQL: a reset of the identity waits for this registration.
        auto identity = runCached(
            db, u"SELECT 1 FROM identities WHERE user_id = ?"_s + locking(db, u"FOR SHARE"_s),
            {device.user});
        if (!identity)
            return identity.error();
        if (!identity->next())
            return Error{ErrorCode::NotFound,
                         u"the user has published no identity; publish one first"_s};
    }
    {
        auto taken
            = runCached(db,
                        u"SELECT (SELECT count(*) FROM devices WHERE session_id = ?), "
                        "(SELECT count(*) FROM devices WHERE user_id = ? AND device_id = ?), "
                        "(SELECT count(*) FROM devices WHERE user_id = ?)"_s,
                        {device.sessionId, device.user, qint64(device.id), device.user});
        if (!taken)
            return taken.error();
        if (!taken->next())
            return Error{ErrorCode::Io, u"count returned no row"_s};
        if (taken->value(0).toInt() > 0)
            return Error{ErrorCode::Conflict, u"this session has a device already"_s};
        if (taken->value(1).toInt() > 0)
            return Error{
                ErrorCode::Conflict,
                u"the device id %1 is taken by another device of the user"_s.arg(device.id)};
        if (taken->value(2).toInt() >= kMaxDevicesPerUser)
            return Error{
                ErrorCode::TooLarge,
                u"the user has %1 devices, the most there may be"_s.arg(kMaxDevicesPerUser)};
    }
    const qint64 at = now();
    auto inserted = runCached(db,
                              u"INSERT INTO devices (user_id, device_id, session_id, key, "
                              "certificate, name, created_at, last_seen_at) "
                              "VALUES (?, ?, ?, ?, ?, coalesce(?, ''), ?, ?) RETURNING "_s
                                  + deviceColumns(),
                              {device.user, qint64(device.id), device.sessionId, device.key,
                               device.certificate, device.name, at, at});
    if (!inserted) {
        // Another node registered the same id or session first.
        if (inserted.error().code == ErrorCode::Conflict)
            return Error{ErrorCode::Conflict,
                         u"the device id %1 or this session was taken meanwhile"_s.arg(device.id)};
        return inserted.error();
    }
    if (!inserted->next())
        return Error{ErrorCode::Io, u"insert returned no row"_s};
    return readDevice(*inserted);
}

Result<QList<DeviceRecord>> devicesOf(QSqlDatabase &db, const QList<UserId> &users)
{
    QList<DeviceRecord> devices;
    auto read = forEachChunk(db,
                             u"SELECT "_s + deviceColumns()
                                 + u" FROM devices WHERE user_id IN (%1) "
                                   "ORDER BY user_id, device_id"_s,
                             {}, distinctUsers(users),
                             [&](const QSqlQuery &query) { devices.append(readDevice(query)); });
    if (!read)
        return read.error();
    return devices;
}

Result<std::optional<DeviceRecord>> deviceOfSession(QSqlDatabase &db, qint64 sessionId)
{
    // Cached: every e2e request asks whether its session is a device.
    auto query = runCached(
        db, u"SELECT "_s + deviceColumns() + u" FROM devices WHERE session_id = ?"_s, {sessionId});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<DeviceRecord>();
    return std::optional<DeviceRecord>(readDevice(*query));
}

Result<DeviceRecord> removeDevice(QSqlDatabase &db, UserId user, quint32 device)
{
    // Its prekeys go with it (cascade).
    auto removed = run(db,
                       u"DELETE FROM devices WHERE user_id = ? AND device_id = ? RETURNING "_s
                           + deviceColumns(),
                       {user, qint64(device)});
    if (!removed)
        return removed.error();
    if (!removed->next())
        return noSuchDevice();
    return readDevice(*removed);
}

Result<int> storePrekeys(QSqlDatabase &db, UserId user, quint32 device,
                         const std::optional<SignedPrekeyRecord> &signedPrekey,
                         const QList<OneTimePrekeyRecord> &oneTime)
{
    int stored = 0;
    {
        auto found = runCached(db,
                               u"SELECT (SELECT count(*) FROM one_time_prekeys o WHERE "
                               "o.user_id = d.user_id AND o.device_id = d.device_id) "
                               "FROM devices d WHERE d.user_id = ? AND d.device_id = ?"_s,
                               {user, qint64(device)});
        if (!found)
            return found.error();
        if (!found->next())
            return noSuchDevice();
        stored = found->value(0).toInt();
    }

    // Everything refused is refused before anything is written.
    QList<quint32> ids;
    QSet<quint32> given;
    for (const OneTimePrekeyRecord &prekey : oneTime) {
        if (given.contains(prekey.id))
            return Error{ErrorCode::Conflict,
                         u"the one-time prekey id %1 is given twice"_s.arg(prekey.id)};
        given.insert(prekey.id);
        ids.append(prekey.id);
    }
    if (stored > 0 && !ids.isEmpty()) {
        std::optional<quint32> reused;
        auto checked = forEachChunk(db,
                                    u"SELECT min(key_id) FROM one_time_prekeys WHERE user_id = ? "
                                    "AND device_id = ? AND key_id IN (%1)"_s,
                                    {user, qint64(device)}, ids, [&](const QSqlQuery &query) {
                                        if (!reused && !query.value(0).isNull())
                                            reused = readId(query.value(0));
                                    });
        if (!checked)
            return checked.error();
        if (reused)
            return Error{ErrorCode::Conflict,
                         u"the one-time prekey id %1 is stored already"_s.arg(*reused)};
    }
    if (stored + oneTime.size() > kMaxOneTimePrekeys)
        return Error{ErrorCode::TooLarge,
                     u"the device would hold %1 one-time prekeys; at most %2 are kept"_s
                         .arg(stored + oneTime.size())
                         .arg(kMaxOneTimePrekeys)};

    if (signedPrekey) {
        auto replaced = runCached(
            db,
            u"INSERT INTO signed_prekeys (user_id, device_id, key_id, key, signature, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, device_id) DO UPDATE SET "
            "key_id = excluded.key_id, key = excluded.key, signature = excluded.signature, "
            "created_at = excluded.created_at"_s,
            {user, qint64(device), qint64(signedPrekey->id), signedPrekey->key,
             signedPrekey->signature, now()});
        if (!replaced)
            return replaced.error();
    }
    for (qsizetype start = 0; start < oneTime.size(); start += kInsertRows) {
        const QList<OneTimePrekeyRecord> chunk = oneTime.mid(start, kInsertRows);
        QStringList rows;
        QVariantList values;
        for (const OneTimePrekeyRecord &prekey : chunk) {
            rows.append(u"(?, ?, ?, ?)"_s);
            values << user << qint64(device) << qint64(prekey.id) << prekey.key;
        }
        auto inserted = run(db,
                            u"INSERT INTO one_time_prekeys (user_id, device_id, key_id, key) "
                            "VALUES "_s
                                + rows.join(u", "_s),
                            values);
        if (!inserted)
            return inserted.error();
    }
    return oneTimeCount(db, user, device);
}

Result<QList<PrekeyBundleRecord>> claimPrekeys(QSqlDatabase &db,
                                               const QList<std::pair<UserId, quint32>> &devices)
{
    using DeviceKey = std::pair<UserId, quint32>;
    QList<DeviceKey> asked;
    QSet<DeviceKey> wanted;
    QList<UserId> users;
    for (const DeviceKey &device : devices) {
        if (wanted.contains(device))
            continue;
        wanted.insert(device);
        asked.append(device);
        users.append(device.first);
    }

    // The asked users' devices that have a signed prekey, a chunk of users at a time; those
    // not asked for are passed over.
    QHash<DeviceKey, PrekeyBundleRecord> found;
    auto read = forEachChunk(
        db,
        u"SELECT "_s + deviceColumns(u"d"_s)
            + u", s.key_id, s.key, s.signature, s.created_at FROM devices d "
              "JOIN signed_prekeys s ON s.user_id = d.user_id AND s.device_id = d.device_id "
              "WHERE d.user_id IN (%1)"_s,
        {}, distinctUsers(users), [&](const QSqlQuery &query) {
            PrekeyBundleRecord bundle;
            bundle.device = readDevice(query);
            const DeviceKey key{bundle.device.user, bundle.device.id};
            if (!wanted.contains(key))
                return;
            bundle.signedPrekey.id = readId(query.value(8));
            bundle.signedPrekey.key = query.value(9).toByteArray();
            bundle.signedPrekey.signature = query.value(10).toByteArray();
            bundle.signedPrekey.createdAt = query.value(11).toLongLong();
            found.insert(key, bundle);
        });
    if (!read)
        return read.error();

    // The lowest one-time prekey of each, deleted as it is handed out. On PostgreSQL a row
    // another node is handing out right now is passed over for the next one.
    const QString handOut
        = u"DELETE FROM one_time_prekeys WHERE user_id = ? AND device_id = ? AND key_id = "
          "(SELECT key_id FROM one_time_prekeys WHERE user_id = ? AND device_id = ? "
          "ORDER BY key_id LIMIT 1"_s
        + locking(db, u"FOR UPDATE SKIP LOCKED"_s) + u") RETURNING key_id, key"_s;
    QList<PrekeyBundleRecord> bundles;
    for (const DeviceKey &device : std::as_const(asked)) {
        const auto bundle = found.find(device);
        if (bundle == found.end())
            continue;
        auto oneTime
            = runCached(db, handOut,
                        {device.first, qint64(device.second), device.first, qint64(device.second)});
        if (!oneTime)
            return oneTime.error();
        if (oneTime->next())
            bundle->oneTime
                = OneTimePrekeyRecord{readId(oneTime->value(0)), oneTime->value(1).toByteArray()};
        bundles.append(*bundle);
    }
    return bundles;
}

Result<PrekeyCount> prekeyCount(QSqlDatabase &db, UserId user, quint32 device)
{
    auto query = runCached(db,
                           u"SELECT (SELECT count(*) FROM one_time_prekeys o WHERE "
                           "o.user_id = d.user_id AND o.device_id = d.device_id), "
                           "s.key_id, s.created_at FROM devices d LEFT JOIN signed_prekeys s "
                           "ON s.user_id = d.user_id AND s.device_id = d.device_id "
                           "WHERE d.user_id = ? AND d.device_id = ?"_s,
                           {user, qint64(device)});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchDevice();
    PrekeyCount count;
    count.count = query->value(0).toInt();
    count.signedPrekeyId = readId(query->value(1));
    count.signedPrekeyAt = query->value(2).toLongLong();
    return count;
}

} // namespace tidings::relay::sql
