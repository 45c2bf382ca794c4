#pragma once

#include "e2e/key_pairs.h"

#include <QJsonObject>
#include <QString>

namespace tidings::bench {

/// One loader user's end-to-end identity and its single device, for `throughput
/// --ciphertext`: the relay takes an encrypted message only from a session that registered
/// a device (docs/protocol.md, "End-to-end encryption: the key directory"). Fresh keys each
/// run: the loader keeps none, so a rerun on the same data directory replaces the identity
/// (`"reset": true`) under a higher list version.
class LoaderDevice
{
public:
    /// Keys for user `userId` (a random device id); `version` is the device list's, ≥ 1 and
    /// above whatever an earlier run published (the loader passes the wall clock in ms).
    LoaderDevice(qint64 userId, quint64 version);

    /// devices.publish's fields: the identity key and a signed list of this one device.
    QJsonObject publishFields(bool reset) const;
    /// device.register's fields: the device id, its key and the identity's certificate.
    QJsonObject registrationFields() const;

    quint32 deviceId() const { return m_deviceId; }

private:
    QString m_userId; ///< as the signed list and certificate name it: the id in decimal
    quint64 m_version;
    quint32 m_deviceId;
    e2e::SigningKeyPair m_identity;
    e2e::SigningKeyPair m_device;
};

} // namespace tidings::bench
