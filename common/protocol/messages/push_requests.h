#pragma once

// The push requests (docs/protocol.md, section 4: push.register, push.list, push.remove) as
// plain values: decode() checks a frame's fields and names the bad one, encode() gives the
// fields to send (without "type" and "id").
//
// Whether the relay offers a provider, and whether it can use an address, is its push
// service's to say; whether a device key can be sealed to is the relay's crypto's. Both stay
// in the relay's handler.

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace tidings::protocol::messages {

/// Where push.register asks to be woken. The relay's push service judges these two before
/// it reads the other fields of push.register, so they decode on their own too.
struct PushAddress
{
    QString provider;
    QString address;

    static Result<PushAddress> decode(const QJsonObject &fields);
    friend bool operator==(const PushAddress &, const PushAddress &) = default;
};

/// push.register: wake this device through `provider` at `address`.
struct RegisterPushTarget
{
    static constexpr char kType[] = "push.register";
    static constexpr qsizetype kDeviceKeyBytes = 32; ///< an X25519 public key
    QString provider;
    QString address;
    QString notify = QStringLiteral("all"); ///< "all", "direct_and_mentions" or "none"
    QByteArray deviceKey; ///< empty: pushes are not sealed

    static Result<RegisterPushTarget> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    /// The answer to a device key that is not one; the relay's too, for a key of the right
    /// shape that nothing can be sealed to (e.g. a low-order point).
    static Error badDeviceKey();
    friend bool operator==(const RegisterPushTarget &, const RegisterPushTarget &) = default;
};

/// push.list: no fields.
struct ListPushTargets
{
    static constexpr char kType[] = "push.list";

    static Result<ListPushTargets> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const ListPushTargets &, const ListPushTargets &) = default;
};

/// push.remove: the account's push target `target`.
struct RemovePushTarget
{
    static constexpr char kType[] = "push.remove";
    qint64 target = 0;

    static Result<RemovePushTarget> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const RemovePushTarget &, const RemovePushTarget &) = default;
};

} // namespace tidings::protocol::messages
