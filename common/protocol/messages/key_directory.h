#pragma once

// The key directory's requests (docs/protocol.md, section 4, "End-to-end encryption: the key
// directory": devices.publish, device.register, devices.get, device.remove, prekeys.upload,
// prekeys.claim, prekeys.count) as plain values: decode() checks a frame's fields and names
// the bad one, encode() gives the fields to send (without "type" and "id"). Binary fields
// are base64 on the wire and bytes here; decoding refuses base64 that is not canonical and
// keys or signatures of the wrong size.
//
// Nothing here verifies a signature or knows what is stored: whether a certificate or a list
// verifies, whether a version is higher, whether an id is taken, whether the user may claim a
// device's prekeys, all stay with the relay's handlers.

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace tidings::protocol::messages {

/// The sizes the key directory's fields have (docs/encryption.md, section 2).
namespace keys {
inline constexpr qsizetype kPublicKeyBytes = 32; ///< Ed25519 and X25519 public keys alike
inline constexpr qsizetype kSignatureBytes = 64; ///< Ed25519
/// A device certificate as the e2e library encodes it (about 120 bytes), with room to spare.
inline constexpr qsizetype kMaxCertificateBytes = 1024;
/// A signed device list as the e2e library encodes it: 36 bytes per device, at most 1000.
inline constexpr qsizetype kMaxListBytes = 64 * 1024;
inline constexpr qint64 kMaxU32 = 0xffffffffLL;
} // namespace keys

/// A signed prekey as published: its u32 id, its X25519 public key and the device key's
/// signature over it. The `signed_prekey` of prekeys.upload and of a claimed bundle.
struct SignedPreKeyInfo
{
    quint32 id = 0;
    QByteArray key; ///< 32 bytes
    QByteArray signature; ///< 64 bytes

    static Result<SignedPreKeyInfo> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const SignedPreKeyInfo &, const SignedPreKeyInfo &) = default;
};

/// A one-time prekey as published: its u32 id and X25519 public key.
struct OneTimePreKeyInfo
{
    quint32 id = 0;
    QByteArray key; ///< 32 bytes

    static Result<OneTimePreKeyInfo> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const OneTimePreKeyInfo &, const OneTimePreKeyInfo &) = default;
};

/// One device of one user, as prekeys.claim names it.
struct DeviceAddress
{
    qint64 user = 0;
    quint32 device = 0; ///< never 0

    friend bool operator==(const DeviceAddress &, const DeviceAddress &) = default;
};

/// devices.publish: the user's identity key and a new signed device list. `reset` replaces
/// another identity key (and ends the user's other sessions).
struct PublishDevices
{
    static constexpr char kType[] = "devices.publish";
    QByteArray identityKey; ///< Ed25519, 32 bytes
    qint64 version = 0; ///< the list's version: at least 1
    QByteArray list; ///< the signed list, as the e2e library encodes it
    bool reset = false;

    static Result<PublishDevices> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const PublishDevices &, const PublishDevices &) = default;
};

/// device.register: makes this session the user's e2e device `device`.
struct RegisterDevice
{
    static constexpr char kType[] = "device.register";
    static constexpr qsizetype kMaxNameBytes = 128;
    quint32 device = 0; ///< chosen by the device; never 0
    QByteArray key; ///< the device's Ed25519 public key, 32 bytes
    QByteArray certificate; ///< the identity's certificate for it, as the e2e library encodes it
    QString name; ///< may be empty

    static Result<RegisterDevice> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const RegisterDevice &, const RegisterDevice &) = default;
};

/// devices.get: the published lists and registered devices of `users` (distinct ids).
struct GetDevices
{
    static constexpr char kType[] = "devices.get";
    static constexpr qsizetype kMaxUsers = 256;
    QList<qint64> users;

    static Result<GetDevices> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const GetDevices &, const GetDevices &) = default;
};

/// device.remove: ends the user's device `device`; `list` is the signed list without it.
struct RemoveDevice
{
    static constexpr char kType[] = "device.remove";
    quint32 device = 0; ///< never 0
    QByteArray list;

    static Result<RemoveDevice> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const RemoveDevice &, const RemoveDevice &) = default;
};

/// prekeys.upload: this device's new signed prekey (if any) and one-time prekeys. More than
/// kMaxOneTime is TooLarge. Ids used twice are the relay's to refuse (conflict), like ids
/// it has stored already.
struct UploadPreKeys
{
    static constexpr char kType[] = "prekeys.upload";
    static constexpr qsizetype kMaxOneTime = 100;
    std::optional<SignedPreKeyInfo> signedPreKey;
    QList<OneTimePreKeyInfo> oneTime;

    static Result<UploadPreKeys> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const UploadPreKeys &, const UploadPreKeys &) = default;
};

/// prekeys.claim: a prekey bundle for each of `devices` (distinct).
struct ClaimPreKeys
{
    static constexpr char kType[] = "prekeys.claim";
    static constexpr qsizetype kMaxDevices = 256;
    QList<DeviceAddress> devices;

    static Result<ClaimPreKeys> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const ClaimPreKeys &, const ClaimPreKeys &) = default;
};

/// prekeys.count: no fields.
struct CountPreKeys
{
    static constexpr char kType[] = "prekeys.count";

    static Result<CountPreKeys> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const CountPreKeys &, const CountPreKeys &) = default;
};

} // namespace tidings::protocol::messages
