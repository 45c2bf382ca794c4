#pragma once

// End-to-end encryption in the app's local store (docs/encryption.md, sections 2–6): this
// device's keys, what it trusts of other users, its pairwise sessions and sender chains,
// and the crypto that must commit together with them. Synchronous functions of the local
// connection, run on LocalStore's worker thread like local_queries.h: a ratchet or chain
// that advanced is written in the same transaction as what it produced, so nothing leaves
// the process before the state that made it is stored.

#include "core/local_queries.h"
#include "protocol/messages/device_inbox.h"
#include "protocol/messages/events.h"
#include "protocol/messages/key_directory.h"
#include "protocol/messages/key_directory_replies.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace tidings::app::local::e2e {

/// What this device publishes about itself at sign-in.
struct Setup
{
    /// Nothing was here: this device made a new identity (devices.publish it first).
    bool newIdentity = false;
    QByteArray identityKey;
    qint64 listVersion = 0;
    QByteArray list; ///< the signed list, encoded
    protocol::messages::RegisterDevice registration;
    /// The prekeys to upload now (a new signed prekey, one-time prekeys): none when the
    /// relay holds enough (see prekeysToUpload()).
    std::optional<protocol::messages::UploadPreKeys> prekeys;
};

/// This device's keys for user `me`, made the first time (an identity, a device key with a
/// random id, list version 1, a signed prekey and 100 one-time prekeys, all stored before
/// anything is published). `published` is what the relay holds for `me` (devices.get):
/// an identity published by another device that this one does not hold is Forbidden
/// ("link this device from another one": docs/encryption.md, section 3).
Result<Setup> setUp(QSqlDatabase &db, qint64 me,
                    const std::optional<protocol::messages::UserDevices> &published,
                    const QString &deviceName);
/// Linking (docs/encryption.md, section 3), on the device that has the keys: what the new
/// device gets (`completion`: e2e::LinkCompletion, encoded) and the list to publish now.
struct LinkGrant
{
    QByteArray completion;
    QByteArray identityKey;
    qint64 listVersion = 0;
    QByteArray list;
};
/// Issues the certificate of the new device (`deviceKey`, `deviceId`) and signs the list the
/// relay holds (`published`) with it added, at the next version, which this device keeps.
/// Conflict when the id is taken.
Result<LinkGrant> grantLink(QSqlDatabase &db, qint64 me,
                            const std::optional<protocol::messages::UserDevices> &published,
                            const QByteArray &deviceKey, quint32 deviceId);
/// On the new device: takes the account's identity from `completion` (opened from the
/// offering device's box) and its own `deviceKeyPair` (e2e::SigningKeyPair, serialised),
/// makes its prekeys, and returns what to register and upload. Conflict when this store has
/// keys already; BadRequest when the completion is not for this user and key, or its
/// identity is not `publishedIdentity`, the one the relay publishes for the account.
Result<Setup> adoptLink(QSqlDatabase &db, qint64 me, const QByteArray &completion,
                        const QByteArray &deviceKeyPair, const QString &deviceName,
                        const QByteArray &publishedIdentity);

/// After linking, on the offering device: opens a session with the new device from its
/// `bundle` and queues, over it, every chain this device can read history with (the
/// earliest state of each it received, each of its own as made), as inbox.send items.
/// Returns false when there was nothing to give. The new device takes them only from its
/// own user's devices, and reads the history those chains open: nothing else.
Result<bool> sealHistory(QSqlDatabase &db, qint64 me,
                         const protocol::messages::PreKeyBundleInfo &bundle);

/// "Remove this device": the list the relay holds (`published`) without device `device`,
/// signed at the next version (which this device keeps), encoded. NotFound when it is not
/// in the list; BadRequest for this device itself (signing out removes it).
Result<QByteArray> listWithout(QSqlDatabase &db, qint64 me,
                               const protocol::messages::UserDevices &published, quint32 device);

/// Signing out ends this device on the relay: its keys, sessions, chains and everything
/// opened with them go too (docs/encryption.md, section 3). The store key goes with them.
Result<void> forgetDevice(QSqlDatabase &db);

/// A signed prekey is replaced once the relay has held it this long (milliseconds)…
inline constexpr qint64 kSignedPreKeyLifetime = qint64(7) * 24 * 3600 * 1000;
/// …and its secret is kept this long after, for the sessions started with it while it was
/// published (an X3DH message can wait in the device inbox that long).
inline constexpr qint64 kRetiredSignedPreKeyKept = qint64(30) * 24 * 3600 * 1000;

/// What to upload after prekeys.count answered `count` at `now` (ms since the epoch):
/// one-time prekeys to top the relay up to 100 (none when it has 20 or more), and a new
/// signed prekey once the relay's is kSignedPreKeyLifetime old (the one replaced is
/// kept for kRetiredSignedPreKeyKept), or this device's when the relay holds another.
/// Retired signed prekeys older than that are deleted. Nothing to upload: nullopt.
Result<std::optional<protocol::messages::UploadPreKeys>>
prekeysToUpload(QSqlDatabase &db, const protocol::messages::PreKeyCount &count, qint64 now);
/// This device's id once set up (0 before).
Result<quint32> deviceId(QSqlDatabase &db);

/// Verifies the published devices of other users against the identity key this device
/// trusts for each (trust on first use) and keeps, per user, the devices to encrypt to:
/// those both in the signed list and registered. A list signed by another identity key
/// than the trusted one is not used: the user is marked changed (sending to them waits
/// until acknowledged). Returns the users whose devices changed.
Result<QList<qint64>> storeDevices(QSqlDatabase &db, qint64 me,
                                   const QList<protocol::messages::UserDevices> &users);
/// Forgets what is known of `user`'s devices, so the next send asks again (a `devices`
/// event).
Result<void> devicesChanged(QSqlDatabase &db, qint64 user);
/// The members of `conversation` (me included) whose devices are not known yet.
Result<QList<qint64>> usersToLookUp(QSqlDatabase &db, qint64 conversation);

/// What this device trusts of one other user (docs/encryption.md, section 7).
struct Trust
{
    qint64 user = 0;
    bool known = false; ///< an identity key is trusted for them
    bool verified = false; ///< the user compared safety numbers and said they match
    bool changed = false; ///< another identity key came, not acknowledged: sending waits
    QString safetyNumber; ///< 60 digits in groups of five, of the trusted key; empty if none
    QByteArray qrPayload; ///< the same for a QR code
    /// While `changed`: the safety number of the new key, to compare before acknowledging.
    QString changedSafetyNumber;
};
Result<Trust> trustOf(QSqlDatabase &db, qint64 me, qint64 user);
/// Users whose identity key changed and who wait for the user to acknowledge it.
Result<QList<qint64>> changedIdentities(QSqlDatabase &db);
/// "I understand": the new identity key of `user` is trusted from now on (not verified),
/// their devices are looked up again, and the sessions with their old devices go.
/// Returns whether there was a change to acknowledge.
Result<bool> acknowledgeIdentity(QSqlDatabase &db, qint64 user);
/// Marks `user`'s current identity key verified (or not).
Result<void> setVerified(QSqlDatabase &db, qint64 user, bool verified);

/// What sealing an outbox item still needs from the relay.
struct SealNeeds
{
    QList<qint64> lookUp; ///< members whose devices are unknown: devices.get
    QList<protocol::messages::DeviceAddress> claim; ///< devices without a session: prekeys.claim
    QList<qint64> changed; ///< members whose identity changed: nothing goes until acknowledged
};
/// What sealing outbox item `key` (queued with sealing asked for) needs first.
Result<SealNeeds> sealNeeds(QSqlDatabase &db, const QString &key, qint64 me);

/// Seals outbox item `key` in one transaction: opens sessions from `bundles` (verified
/// against the trusted identity keys), makes or rotates the conversation's sender chain,
/// queues the chain's distribution to every member device that lacks it as one inbox.send
/// item before it, and replaces the item's payload with the ciphertext. Returns false when
/// there was nothing to seal (gone, or sealed already).
Result<bool> seal(QSqlDatabase &db, const QString &key, qint64 me,
                  const QList<protocol::messages::PreKeyBundleInfo> &bundles);

/// Marks outbox item `key` (just queued) to be sealed before it is sent.
Result<void> askToSeal(QSqlDatabase &db, const QString &key);
/// Marks `item` (an edit or reaction just queued) to be sealed when the message it
/// changes is encrypted; returns whether it did.
Result<bool> sealIfEncrypted(QSqlDatabase &db, const OutboxItem &item);

/// What one inbox message did.
struct Received
{
    bool applied = false; ///< false: seen before, or did not decrypt (acked either way)
    QList<qint64> conversations; ///< conversations whose waiting messages now show
};
/// Decrypts one inbox message with the pairwise session of its sender (accepting a new one
/// from a prekey message), applies what it carries (a sender chain) and moves the inbox
/// cursor, in one transaction; messages that waited for that chain are opened. `me` is
/// the signed-in user. A message at or below the cursor changes nothing.
Result<Received> receive(QSqlDatabase &db, const protocol::messages::InboxMessage &message,
                         qint64 me);
/// The inbox cursor: the highest seq applied.
Result<qint64> inboxCursor(QSqlDatabase &db);
/// The users that inbox messages come from whose devices this device does not know.
Result<QList<qint64>> unknownSenders(QSqlDatabase &db,
                                     const QList<protocol::messages::InboxMessage> &messages);

/// The plaintext form of an encrypted entry (kind encrypted, encrypted_edit,
/// encrypted_reaction), opened with the sending device's chain: a `message`, `edit` or
/// `reaction` entry, or, when its chain has not arrived, a `message` that says it is
/// waiting for its key (body "e2e": "waiting"), kept to open later. Other kinds come back
/// unchanged. Applying the same entry again opens nothing twice.
Result<protocol::messages::LogEntry> open(QSqlDatabase &db,
                                          const protocol::messages::LogEntry &entry, qint64 me);

} // namespace tidings::app::local::e2e
