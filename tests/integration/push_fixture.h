#pragma once

// What the push tests (tst_push_registration, tst_push_providers, tst_push_delivery) share:
// a relay configured with the webhook (a local ProviderServer) and UnifiedPush to loopback,
// users with push targets, and reading the relay's /metrics.

#include "support/protocol_client.h"
#include "support/provider_server.h"
#include "support/relay_process.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>
#include <memory>

namespace tidings::test {

inline constexpr auto kSecret = "webhook secret of the test";

QJsonObject json(const QByteArray &body);

/// The value of one series in a /metrics text, or -1.
double metric(const QByteArray &text, const QByteArray &series);

/// The relay's /metrics text.
QByteArray metrics(RelayProcess &relay);

/// A user with a connection, for sending (or for registering a target, then going away).
struct User
{
    std::unique_ptr<ProtocolClient> client = std::make_unique<ProtocolClient>();
    qint64 id = 0;
};

QJsonObject webhookTarget(const QString &token);

/// The id of a new group of `members` titled `title`, or 0.
qint64 createGroup(ProtocolClient &client, const QString &title, const QJsonArray &members);

/// Sends `text` with a client id of its own; whether the relay accepted it.
bool send(ProtocolClient &client, qint64 conversation, const QString &text);

/// The files and the webhook receiver of a push test class, and the relays and users it makes.
class PushFixture
{
protected:
    QTemporaryDir m_files;
    ProviderServer m_hook;

    /// `contents` as the file `name` in m_files; its path, or empty when not written.
    QString writeFile(const QString &name, const QByteArray &contents);

    /// A relay with the webhook (at m_hook) and UnifiedPush to loopback, and `more` settings.
    QStringList relayArguments(const QStringList &more = {});

    /// Signs up `name`, registers `target` for the new session and, unless `stay`, goes
    /// offline.
    User userWithTarget(RelayProcess &relay, const QString &name, const QJsonObject &target,
                        bool stay = false);

    static User signedUp(RelayProcess &relay, const QString &name);

    /// `count` users named `prefix`0… with the target `targetFor(i)` each, gone offline;
    /// their ids, or fewer if one could not be made.
    QJsonArray offlineUsers(RelayProcess &relay, int count, const QString &prefix,
                            const std::function<QJsonObject(int)> &targetFor);

    /// For init(): the webhook answers 200 again, with no connections and nothing received.
    void reset();
};

} // namespace tidings::test
