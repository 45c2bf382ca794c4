#pragma once

// One user's end-to-end keys as an app would hold them, for tests that talk to the relay's
// key directory and device inbox with ProtocolClient: the identity, each device's key pair,
// and the request fields that publish and register them.

#include "e2e/key_pairs.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <map>

namespace tidings::test {

/// `bytes` as the wire's base64.
QString b64(const QByteArray &bytes);

struct E2eKeys
{
    qint64 user = 0;
    e2e::SigningKeyPair identity = e2e::SigningKeyPair::generate();
    std::map<quint32, e2e::SigningKeyPair> devices;
    quint64 version = 0;

    /// Device `id`'s key pair, made the first time it is asked for.
    e2e::SigningKeyPair &device(quint32 id);
    /// devices.publish's fields for a new list of `ids` (the next version).
    QJsonObject publish(const QList<quint32> &ids, bool reset = false);
    /// device.register's fields for device `id`.
    QJsonObject registration(quint32 id, const QString &name = QStringLiteral("laptop"));
    /// prekeys.upload's fields: a signed prekey and `count` one-time prekeys from `firstId`.
    QJsonObject prekeys(quint32 id, quint32 firstId, int count);
};

} // namespace tidings::test
