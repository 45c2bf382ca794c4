#pragma once

#include "push/push_options.h"
#include "util/result.h"

#include <QJsonObject>

#include <functional>
#include <memory>

class QObject;

namespace tidings::relay {

class PushHttp;
struct PushHttpResponse;

/// One push to one device, as the providers send it.
struct PushNotice
{
    QString address; ///< device token or endpoint URL
    QString key; ///< the job's idempotency key (the same on every retry)
    /// What the device gets: {"kind", "id", "conversation", "count", "unread"[, "sender"]}, or
    /// {"id", "sealed"} when it has a device key (docs/protocol.md, "Push").
    QJsonObject notification;
    int unread = 0;
    bool sealed = false;
    /// Groups a conversation's pushes on the device (collapse key, thread id): "c<id>", or
    /// for a sealed push a keyed hash the provider cannot map to a conversation.
    QString collapseId;
};

/// How a provider answered.
struct PushOutcome
{
    enum class Kind {
        Accepted,
        Retry, ///< try again later (5xx, 429, timeout, network)
        InvalidTarget, ///< the device is gone: remove the target
        Failed, ///< the provider refused this push for good: dead-letter it
    };
    Kind kind = Kind::Failed;
    /// For metrics: http_5xx, rate_limited, timeout, network, unauthorized, invalid_target,
    /// rejected.
    QByteArray reason;
    QString detail; ///< for the dead letters and the log; never a credential
    qint64 retryAfterMs = -1; ///< the provider's Retry-After; -1: none
};

/// A push provider: builds and sends its request, with its own auth, and reads the answer.
class PushProvider
{
public:
    virtual ~PushProvider() = default;
    virtual QString name() const = 0;
    /// The one spelling of `address` targets are stored under (APNs tokens: lower case).
    virtual QString normalized(const QString &address) const { return address; }
    /// The endpoint a target's pushes go to, for the per-endpoint budget: the provider's
    /// one host, or for UnifiedPush the URL's host and port.
    virtual QString endpointOf(const QString &address) const
    {
        Q_UNUSED(address);
        return name();
    }
    /// Pushes in flight to one endpoint at most (HTTP/1.1 endpoints get a few connections;
    /// HTTP/2 ones multiplex).
    virtual int maxInFlightPerEndpoint() const { return 16; }
    /// Whether `address` can be one of this provider's targets (checked at registration).
    virtual Result<void> checkAddress(const QString &address) const = 0;
    /// Sends `notice`; `done` runs later on the context's thread, exactly once.
    virtual void send(const PushNotice &notice, std::function<void(const PushOutcome &)> done) = 0;
};

/// The providers configured in `options` (UnifiedPush and webhook need no keys; FCM and
/// APNs are on when their credentials are). Fails if credentials are given but unusable.
Result<std::vector<std::unique_ptr<PushProvider>>>
makePushProviders(const PushOptions &options, PushHttp &http, QObject *context);

/// The common reading of an HTTP answer: 2xx accepted; 429, 408 and 5xx retried (with
/// Retry-After); no answer retried; other 4xx failed.
PushOutcome classifyResponse(const PushHttpResponse &response);

} // namespace tidings::relay
