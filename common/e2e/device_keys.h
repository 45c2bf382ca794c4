#pragma once

// Devices under a user identity: the certificate by which the identity vouches for one
// device key, the signed list of all of a user's devices the relay publishes, and a
// device's own keys (docs/encryption.md, "Keys").

#include "e2e/key_pairs.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace tidings::e2e {

/// The most devices a signed device list may hold.
inline constexpr qsizetype kMaxDevicesPerUser = 1000;

/// The identity's signature that `deviceKey` is device `deviceId` of `userId`.
struct DeviceCertificate
{
    QString userId;
    quint32 deviceId = 0;
    QByteArray deviceKey; ///< the device's Ed25519 public key
    QByteArray signature; ///< by the user's identity key, over signedBytes()

    /// "tidings-device-v1" || u16 length || user id UTF-8 || device id u32 BE || device key.
    QByteArray signedBytes() const;

    /// Signs a certificate with `identity`; refuses an empty or over-long user id and a
    /// device key that is not 32 bytes.
    static Result<DeviceCertificate> issue(const SigningKeyPair &identity, const QString &userId,
                                           quint32 deviceId, const QByteArray &deviceKey);
    /// Whether the signature is `identityKey`'s (Unauthorized when not).
    Result<void> verify(QByteArrayView identityKey) const;

    QByteArray encode() const;
    static Result<DeviceCertificate> decode(QByteArrayView data);

    friend bool operator==(const DeviceCertificate &, const DeviceCertificate &) = default;
};

struct DeviceListEntry
{
    quint32 deviceId = 0;
    QByteArray deviceKey; ///< Ed25519 public key

    friend bool operator==(const DeviceListEntry &, const DeviceListEntry &) = default;
};

/// All of a user's devices, signed by the identity key. The relay stores and publishes it;
/// clients verify it against the identity key they trust and refuse a lower version than
/// one they have seen.
struct DeviceList
{
    QString userId;
    quint64 version = 0;
    QList<DeviceListEntry> devices;
    QByteArray signature;

    /// "tidings-devices-v1" || u16 length || user id UTF-8 || version u64 BE ||
    /// each (device id u32 BE || device key), in list order.
    QByteArray signedBytes() const;

    /// Refuses duplicate device ids, malformed keys and more than kMaxDevicesPerUser.
    static Result<DeviceList> sign(const SigningKeyPair &identity, const QString &userId,
                                   quint64 version, const QList<DeviceListEntry> &devices);
    Result<void> verify(QByteArrayView identityKey) const;
    std::optional<QByteArray> deviceKey(quint32 deviceId) const;

    QByteArray encode() const;
    static Result<DeviceList> decode(QByteArrayView data);

    friend bool operator==(const DeviceList &, const DeviceList &) = default;
};

/// One device's own keys: its Ed25519 key pair and its certificate from the identity.
struct DeviceKeys
{
    SigningKeyPair keyPair;
    DeviceCertificate certificate;

    const QString &userId() const { return certificate.userId; }
    quint32 deviceId() const { return certificate.deviceId; }

    static Result<DeviceKeys> create(const SigningKeyPair &identity, const QString &userId,
                                     quint32 deviceId, const SigningKeyPair &deviceKey);

    QByteArray serialise() const;
    /// Also refuses a certificate for another key than the pair's.
    static Result<DeviceKeys> deserialise(QByteArrayView data);
};

} // namespace tidings::e2e
