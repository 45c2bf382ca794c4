#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

namespace tidings::relay {

/// Where a Redis server is and how to sign in to it.
///
/// The host is always a numeric address: the client connects without a DNS lookup, which
/// would block the event loop (hiredis resolves synchronously). "localhost" is taken as
/// 127.0.0.1; any other name is refused when parsing.
struct RedisAddress
{
    QString host = QStringLiteral("127.0.0.1"); ///< numeric IPv4 or IPv6 address
    quint16 port = 6379;
    int database = 0;
    QByteArray username; ///< empty: AUTH with the password alone (the "default" user)
    QByteArray password; ///< empty: no AUTH. Never logged.

    /// `redis://[[user]:password@]host[:port][/db]`: an IPv6 host in brackets, the port 6379
    /// when not given, the database 0. The password is percent-decoded; without one in the
    /// URL, `fallbackPassword` is used. Errors never quote the URL (it may hold a password).
    static Result<RedisAddress> fromUrl(const QString &url, const QByteArray &fallbackPassword);

    /// For logs: `redis://host:port/db`, never the credentials.
    QString displayString() const;

    friend bool operator==(const RedisAddress &, const RedisAddress &) = default;
};

} // namespace tidings::relay
