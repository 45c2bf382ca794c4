#include "support/e2e_keys.h"

#include "e2e/device_keys.h"
#include "e2e/prekeys.h"

#include <QJsonArray>

namespace tidings::test {

using namespace Qt::StringLiterals;

QString b64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

e2e::SigningKeyPair &E2eKeys::device(quint32 id)
{
    auto it = devices.find(id);
    if (it == devices.end())
        it = devices.emplace(id, e2e::SigningKeyPair::generate()).first;
    return it->second;
}

QJsonObject E2eKeys::publish(const QList<quint32> &ids, bool reset)
{
    QList<e2e::DeviceListEntry> entries;
    for (const quint32 id : ids)
        entries.append({id, device(id).publicKey()});
    const auto list = e2e::DeviceList::sign(identity, QString::number(user), ++version, entries);
    return {{u"identity_key"_s, b64(identity.publicKey())},
            {u"version"_s, qint64(version)},
            {u"list"_s, b64(list->encode())},
            {u"reset"_s, reset}};
}

QJsonObject E2eKeys::registration(quint32 id, const QString &name)
{
    const auto certificate = e2e::DeviceCertificate::issue(identity, QString::number(user), id,
                                                           device(id).publicKey());
    return {{u"device"_s, qint64(id)},
            {u"key"_s, b64(device(id).publicKey())},
            {u"certificate"_s, b64(certificate->encode())},
            {u"name"_s, name}};
}

QJsonObject E2eKeys::prekeys(quint32 id, quint32 firstId, int count)
{
    const e2e::SignedPreKeyPublic signedPrekey
        = e2e::SignedPreKey::generate(device(id), 1).publicPart();
    QJsonArray oneTime;
    for (const e2e::OneTimePreKey &key : e2e::OneTimePreKey::generateBatch(firstId, count))
        oneTime.append(
            QJsonObject{{u"id"_s, qint64(key.id)}, {u"key"_s, b64(key.keyPair.publicKey)}});
    return {{u"signed_prekey"_s,
             QJsonObject{{u"id"_s, qint64(signedPrekey.id)},
                         {u"key"_s, b64(signedPrekey.publicKey)},
                         {u"signature"_s, b64(signedPrekey.signature)}}},
            {u"one_time"_s, oneTime}};
}

} // namespace tidings::test
