#pragma once

// What the key directory answers and tells (docs/protocol.md, section 4, "End-to-end
// encryption: the key directory", and section 5): its objects (a device, a user's devices, a
// prekey bundle), the results of its requests, and the events `devices` and `prekeys.low`,
// as plain values in the style of replies.h and events.h: decode() checks the fields and
// names a bad one (keys and signatures of the wrong size included), encode() gives the
// fields. Verifying signatures is the e2e library's.

#include "protocol/messages/key_directory.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace tidings::protocol::messages {

/// device: one registered e2e device of a user.
struct DeviceInfo
{
    qint64 user = 0;
    quint32 id = 0; ///< never 0
    QByteArray key; ///< Ed25519 public key, 32 bytes
    QByteArray certificate; ///< as the e2e library encodes it
    QString name;
    qint64 createdAt = 0;
    qint64 lastSeenAt = 0;
    bool current = false; ///< the device of the session that asked

    static Result<DeviceInfo> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const DeviceInfo &, const DeviceInfo &) = default;
};

/// user devices: one user's identity key, signed device list as published, and registered
/// devices (one entry of a devices.get result).
struct UserDevices
{
    qint64 user = 0;
    QByteArray identityKey; ///< Ed25519, 32 bytes
    QByteArray list; ///< the signed list, as the e2e library encodes it
    qint64 version = 0; ///< the list's version, at least 1
    QList<DeviceInfo> devices;

    static Result<UserDevices> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const UserDevices &, const UserDevices &) = default;
};

/// prekey bundle: what starts a session with one device (one entry of a prekeys.claim
/// result). `oneTime` is absent when the device has none left.
struct PreKeyBundleInfo
{
    qint64 user = 0;
    quint32 device = 0; ///< never 0
    QByteArray key; ///< the device's Ed25519 public key, 32 bytes
    QByteArray certificate;
    SignedPreKeyInfo signedPreKey;
    std::optional<OneTimePreKeyInfo> oneTime;

    static Result<PreKeyBundleInfo> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const PreKeyBundleInfo &, const PreKeyBundleInfo &) = default;
};

/// The result of devices.publish: the version now published.
struct DevicesPublished
{
    qint64 version = 0;

    static Result<DevicesPublished> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const DevicesPublished &, const DevicesPublished &) = default;
};

/// The result of device.register: the device as registered.
struct DeviceRegistered
{
    DeviceInfo device;

    static Result<DeviceRegistered> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const DeviceRegistered &, const DeviceRegistered &) = default;
};

/// The result of devices.get: the users asked for that have an identity.
struct DeviceDirectory
{
    QList<UserDevices> users;

    static Result<DeviceDirectory> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const DeviceDirectory &, const DeviceDirectory &) = default;
};

/// The result of prekeys.upload: how many one-time prekeys the relay now stores.
struct PreKeysStored
{
    qint64 count = 0;

    static Result<PreKeysStored> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const PreKeysStored &, const PreKeysStored &) = default;
};

/// The result of prekeys.claim: a bundle for each registered device asked for.
struct ClaimedPreKeys
{
    QList<PreKeyBundleInfo> bundles;

    static Result<ClaimedPreKeys> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const ClaimedPreKeys &, const ClaimedPreKeys &) = default;
};

/// The result of prekeys.count: this device's one-time prekeys on the relay, and its signed
/// prekey's id and upload time (absent while it has uploaded none).
struct PreKeyCount
{
    qint64 count = 0;
    std::optional<quint32> signedPreKey;
    std::optional<qint64> signedPreKeyAt;

    static Result<PreKeyCount> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const PreKeyCount &, const PreKeyCount &) = default;
};

/// devices (event): `user`'s devices or list changed; refetch them with devices.get.
/// `identityChanged` when the user reset their identity key.
struct DevicesEvent
{
    static constexpr char kType[] = "devices";
    qint64 user = 0;
    qint64 version = 0; ///< the list's version now published
    bool identityChanged = false;

    static Result<DevicesEvent> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const DevicesEvent &, const DevicesEvent &) = default;
};

/// prekeys.low (event): fewer than kBelow one-time prekeys of this device remain.
struct PreKeysLowEvent
{
    static constexpr char kType[] = "prekeys.low";
    static constexpr int kBelow = 20;
    qint64 count = 0;

    static Result<PreKeysLowEvent> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const PreKeysLowEvent &, const PreKeysLowEvent &) = default;
};

} // namespace tidings::protocol::messages
