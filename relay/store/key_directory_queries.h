#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QSqlDatabase>

#include <optional>
#include <utility>

/// The key directory of end-to-end encryption (docs/encryption.md, sections 2, 4 and 10):
/// each user's identity key and signed device list, the devices registered on the relay
/// (one per session: a device goes when its session ends, its prekeys with it) and their
/// prekeys. Synchronous functions of a connection, run on a store thread; the writes
/// check what they refuse before they write anything.
namespace tidings::relay::sql {

/// What a user last published: the identity key and the device list it signed.
struct IdentityRecord
{
    UserId user = 0;
    QByteArray identityKey; ///< Ed25519, 32 bytes
    QByteArray list; ///< the signed device list, as published
    qint64 version = 0; ///< the list's version; each publish raises it
};

/// A registered e2e device: one relay session of its user.
struct DeviceRecord
{
    UserId user = 0;
    quint32 id = 0; ///< chosen by the device; never 0
    qint64 sessionId = 0;
    QByteArray key; ///< Ed25519, 32 bytes
    QByteArray certificate; ///< the identity's signature over the device
    QString name;
    qint64 createdAt = 0;
    qint64 lastSeenAt = 0;
};

/// A device's current signed prekey (X25519, signed by the device key).
struct SignedPrekeyRecord
{
    quint32 id = 0;
    QByteArray key;
    QByteArray signature;
    qint64 createdAt = 0; ///< when the relay stored it
};

struct OneTimePrekeyRecord
{
    quint32 id = 0;
    QByteArray key; ///< X25519, 32 bytes
};

/// What one claimed device hands out for X3DH.
struct PrekeyBundleRecord
{
    DeviceRecord device;
    SignedPrekeyRecord signedPrekey;
    std::optional<OneTimePrekeyRecord> oneTime; ///< none left: X3DH runs without DH4
};

/// A device's prekeys on the relay, so it knows when to top them up or rotate.
struct PrekeyCount
{
    int count = 0; ///< one-time prekeys stored
    quint32 signedPrekeyId = 0; ///< 0 with signedPrekeyAt 0: none uploaded yet
    qint64 signedPrekeyAt = 0;
};

inline constexpr int kMaxDevicesPerUser = 100;
inline constexpr int kMaxOneTimePrekeys = 1000;

/// The identities of those of `users` who published one, by user id (others left out).
Result<QList<IdentityRecord>> identitiesOf(QSqlDatabase &db, const QList<UserId> &users);
/// The first publish sets the identity; later ones need a higher version (else Conflict
/// "…version…"); a different identity key needs `reset` (else Conflict), and then replaces it and
/// deletes all the user's devices (their prekeys go with them). Returns the user's session ids
/// other than `keepSession` that had a device when reset (the caller ends them), empty otherwise.
Result<QList<qint64>> publishIdentity(QSqlDatabase &db, const IdentityRecord &identity, bool reset,
                                      qint64 keepSession);

/// Makes `device.sessionId` a device of `device.user` (its createdAt and lastSeenAt are now);
/// returns it as stored.
/// NotFound when the user has published no identity; Conflict when the id is taken by another
/// session's device or this session already has a device; TooLarge at kMaxDevicesPerUser;
/// BadRequest for the id 0.
Result<DeviceRecord> registerDevice(QSqlDatabase &db, const DeviceRecord &device);
/// The registered devices of `users`, by user and device id.
Result<QList<DeviceRecord>> devicesOf(QSqlDatabase &db, const QList<UserId> &users);
/// The device of a session, if it registered one.
Result<std::optional<DeviceRecord>> deviceOfSession(QSqlDatabase &db, qint64 sessionId);
/// NotFound if there is none. Returns the removed device (its sessionId: the caller ends it).
Result<DeviceRecord> removeDevice(QSqlDatabase &db, UserId user, quint32 device);

/// Replaces the signed prekey when given; adds one-time prekeys. Conflict if a one-time id is
/// already stored for the device (or given twice); TooLarge if the stored count would pass
/// kMaxOneTimePrekeys; NotFound if the device does not exist. Returns the stored one-time count
/// after.
Result<int> storePrekeys(QSqlDatabase &db, UserId user, quint32 device,
                         const std::optional<SignedPrekeyRecord> &signedPrekey,
                         const QList<OneTimePrekeyRecord> &oneTime);
/// One bundle per existing device that has a signed prekey (others left out), each with at most
/// one one-time prekey (the lowest id), which is deleted as it is handed out (in this
/// transaction). In the order asked, a device asked twice once.
Result<QList<PrekeyBundleRecord>> claimPrekeys(QSqlDatabase &db,
                                               const QList<std::pair<UserId, quint32>> &devices);
/// NotFound if the device does not exist.
Result<PrekeyCount> prekeyCount(QSqlDatabase &db, UserId user, quint32 device);

} // namespace tidings::relay::sql
