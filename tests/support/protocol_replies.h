#pragma once

// Short names for what a reply of the relay says, for the assertions of the protocol tests:
// QVERIFY(ok(alice.request(…))), QCOMPARE(code(reply), u"not_found"_s).

#include "support/protocol_client.h"

#include <QJsonObject>
#include <QString>

namespace tidings::test {

/// Whether `reply` is a result (an error, or {} after a timeout, is not).
inline bool ok(const QJsonObject &reply)
{
    return ProtocolClient::isOk(reply);
}

/// The error code `reply` carries ("not_found", "forbidden"…); empty for a result.
inline QString code(const QJsonObject &reply)
{
    return ProtocolClient::errorCode(reply);
}

} // namespace tidings::test
