#include "bench/loader_device.h"

#include "e2e/device_keys.h"

#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace tidings::bench {

namespace {

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

} // namespace

LoaderDevice::LoaderDevice(qint64 userId, quint64 version)
    : m_userId(QString::number(userId)), m_version(version),
      // A device id is a u32 other than 0.
      m_deviceId(QRandomGenerator::global()->bounded(1u, 0xffffffffu)),
      m_identity(e2e::SigningKeyPair::generate()), m_device(e2e::SigningKeyPair::generate())
{ }

QJsonObject LoaderDevice::publishFields(bool reset) const
{
    // Signing fails only for a malformed key or user id, which these are not.
    const auto list = e2e::DeviceList::sign(m_identity, m_userId, m_version,
                                            {{m_deviceId, m_device.publicKey()}});
    Q_ASSERT(list);
    QJsonObject fields{{u"identity_key"_s, base64(m_identity.publicKey())},
                       {u"version"_s, qint64(m_version)},
                       {u"list"_s, list ? base64(list->encode()) : QString()}};
    if (reset)
        fields.insert(u"reset"_s, true);
    return fields;
}

QJsonObject LoaderDevice::registrationFields() const
{
    const auto certificate
        = e2e::DeviceCertificate::issue(m_identity, m_userId, m_deviceId, m_device.publicKey());
    Q_ASSERT(certificate);
    return {{u"device"_s, qint64(m_deviceId)},
            {u"key"_s, base64(m_device.publicKey())},
            {u"certificate"_s, certificate ? base64(certificate->encode()) : QString()},
            {u"name"_s, u"tidings-bench"_s}};
}

} // namespace tidings::bench
