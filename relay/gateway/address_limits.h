#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>

#include <memory>

class QHostAddress;

namespace tidings::relay {

/// How many connections each client address holds, against a cap: one address (an IPv6
/// one by its /64, what one subscriber gets) cannot take every slot the relay has. Safe to
/// use from any thread; a slot may be given back on any thread.
class AddressLimits
{
public:
    explicit AddressLimits(int maxPerAddress) : m_state(std::make_shared<State>(maxPerAddress)) { }

    /// A slot for one more connection from `address`, held until the last copy of what is
    /// returned goes; empty when the address holds its fill already.
    std::shared_ptr<void> take(const QHostAddress &address);

    /// Connections `address` holds now.
    int heldBy(const QHostAddress &address) const;
    /// Connections all addresses hold now.
    int total() const;

    /// What addresses are counted by: IPv4 (also when mapped into IPv6) whole, IPv6 by its
    /// first 64 bits.
    static QByteArray keyOf(const QHostAddress &address);

private:
    struct State
    {
        explicit State(int max) : maxPerAddress(max) { }
        const int maxPerAddress;
        mutable QMutex mutex;
        QHash<QByteArray, int> held;
        int total = 0;
    };
    std::shared_ptr<State> m_state;
};

} // namespace tidings::relay
