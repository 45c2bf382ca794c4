#include "gateway/address_limits.h"

#include <QHostAddress>

namespace tidings::relay {

QByteArray AddressLimits::keyOf(const QHostAddress &address)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    if (isIpv4) {
        const char bytes[4] = {char(ipv4 >> 24), char(ipv4 >> 16), char(ipv4 >> 8), char(ipv4)};
        return QByteArray(bytes, 4);
    }
    const Q_IPV6ADDR ipv6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(ipv6.c), 8);
}

std::shared_ptr<void> AddressLimits::take(const QHostAddress &address)
{
    QByteArray key = keyOf(address);
    {
        const QMutexLocker lock(&m_state->mutex);
        int &held = m_state->held[key];
        if (held >= m_state->maxPerAddress)
            return {};
        ++held;
        ++m_state->total;
    }
    auto *slot = new QByteArray(std::move(key));
    return std::shared_ptr<QByteArray>(slot, [state = m_state](QByteArray *given) {
        {
            const QMutexLocker lock(&state->mutex);
            auto it = state->held.find(*given);
            if (it != state->held.end()) {
                --state->total;
                if (--it.value() <= 0)
                    state->held.erase(it);
            }
        }
        delete given;
    });
}

int AddressLimits::total() const
{
    const QMutexLocker lock(&m_state->mutex);
    return m_state->total;
}

int AddressLimits::heldBy(const QHostAddress &address) const
{
    const QMutexLocker lock(&m_state->mutex);
    return m_state->held.value(keyOf(address));
}

} // namespace tidings::relay
