#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace tidings::relay {

/// What push is configured with (from RelayConfig; docs/operations.md, "Push
/// notifications"). Credentials are the contents of the files the config names.
struct PushOptions
{
    /// This node's lasting name (kept in its data directory): jobs an earlier run of this
    /// node claimed and never finished are taken again at once, not after their lease.
    QString nodeId;
    /// A job waits this long after its first message, collecting the burst that follows.
    qint64 coalesceMs = 3000;
    /// Backoff after the n-th failure: retryBaseMs * 2^(n-1), at most retryMaxMs, times a
    /// random factor in [0.5, 1]; a Retry-After the provider sends wins.
    qint64 retryBaseMs = 2000;
    qint64 retryMaxMs = 3600 * 1000;
    /// Tries before a job goes to the dead letters.
    int maxAttempts = 8;
    int timeoutMs = 10000;
    int maxInFlight = 256;
    /// Whether a push names the sender (their display name); a sealed push always does.
    bool showSender = false;

    /// UnifiedPush / ntfy endpoints must start with one of these; empty: UnifiedPush off.
    QStringList unifiedPushPrefixes{QStringLiteral("https://")};

    QByteArray webhookUrl; ///< empty: the webhook provider is off
    QByteArray webhookSecret;

    QByteArray fcmCredentials; ///< a service-account JSON file's contents; empty: FCM off
    QByteArray fcmUrl = "https://fcm.googleapis.com";

    QByteArray apnsKey; ///< the .p8 PEM key's contents; empty: APNs off
    QString apnsKeyId;
    QString apnsTeamId;
    QString apnsTopic; ///< the app's bundle id
    QByteArray apnsUrl = "https://api.push.apple.com";
};

} // namespace tidings::relay
