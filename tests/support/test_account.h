#pragma once

#include "support/protocol_client.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <memory>
#include <utility>

namespace tidings::test {

/// A user signed up on a relay: its protocol connection, name, id and session token.
struct TestAccount
{
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    std::unique_ptr<ProtocolClient> client = std::make_unique<ProtocolClient>();
    QString name;
    qint64 id = 0;
    QString token;

    /// `more` headers after the bearer token (for the media API).
    Headers auth(Headers more = {}) const;

    /// Opens `url` and registers `name`; id 0 when that failed.
    static TestAccount signUp(const QUrl &url, const QString &name);
};

} // namespace tidings::test
