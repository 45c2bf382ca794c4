#pragma once

#include "push/push_options.h"
#include "push/push_provider.h"
#include "store/push_queries.h"
#include "store/records.h"
#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

class QSqlDatabase;

namespace tidings {
class Counter;
class Histogram;
class MetricsRegistry;
} // namespace tidings

namespace tidings::relay {

class PushHttp;
class PushProvider;
class Store;
struct PushOutcome;

/// Sends the push jobs the store holds (docs/architecture.md, "Push"): claims those due,
/// drops those whose user came online, hands the rest to their provider, and records what
/// came of each: done, retried later with backoff, target removed, or dead-lettered.
/// Lives on the chat core's thread; the HTTP runs on PushHttp's.
class PushService : public QObject
{
    Q_OBJECT

public:
    /// Fails when credentials are given but unusable.
    static Result<std::unique_ptr<PushService>> create(Store &store, PushOptions options,
                                                       MetricsRegistry &metrics);
    ~PushService() override;

    /// Whether `user` has a live session now (such a user gets no pushes).
    void setPresence(std::function<bool(UserId)> isOnline) { m_isOnline = std::move(isOnline); }

    /// The providers devices may register with.
    QStringList providers() const;
    /// Whether `address` may be a target of `provider`.
    /// Returns the address as stored (normalized).
    Result<QString> checkTarget(const QString &provider, const QString &address) const;
    const PushOptions &options() const { return m_options; }

    /// Starts sending what the store holds (jobs left by an earlier run too).
    void start();
    /// A job was queued (or moved) that is due at `dueAt` (ms since the epoch).
    void wake(qint64 dueAt);
    /// `user` signed in: their jobs not yet being sent are cancelled.
    void userOnline(UserId user);

private:
    PushService(Store &store, PushOptions options, MetricsRegistry &metrics);
    void claim();
    void dispatch(const sql::PushJob &job);
    /// Whether the job's user is online now; if so the job is finished unsent.
    bool cancelledForOnlineUser(const sql::PushJob &job);
    /// What the device gets; nothing when the device key cannot be sealed to.
    std::optional<PushNotice> notice(const sql::PushJob &job) const;
    void sendNow(const sql::PushJob &job, PushProvider &provider, const QString &endpoint);
    /// Sends what waits for `endpoint` while it has room.
    void startWaiting(const QString &endpoint);
    bool isSlow(const QString &endpoint) const;
    /// Gives a claimed job back to the store, due again after the timeout.
    void defer(const sql::PushJob &job);
    void settle(const sql::PushJob &job, const PushOutcome &outcome);
    void schedule(qint64 dueAt);
    /// Runs a store write that records what came of a job, retried a few times.
    void record(const char *what, std::function<Result<void>(QSqlDatabase &)> job,
                int triesLeft = 5);

    struct ProviderMetrics;

    Store &m_store;
    const PushOptions m_options;
    std::unique_ptr<PushHttp> m_http;
    std::map<QString, std::unique_ptr<PushProvider>> m_providers;
    std::map<QString, std::unique_ptr<ProviderMetrics>> m_metrics;
    Counter *m_cancelled = nullptr;
    Histogram *m_latency = nullptr;
    std::function<bool(UserId)> m_isOnline;
    QString m_runId;
    QTimer m_timer;
    QTimer m_backlogTimer; ///< reads the backlog again a moment after jobs finish
    qint64 m_timerAt = 0;
    bool m_claiming = false;
    bool m_claimAgain = false;
    bool m_moreDue = false;
    int m_inFlight = 0;
    QHash<QString, int> m_inFlightByHost;
    QHash<QString, std::deque<sql::PushJob>> m_waiting; ///< counted in m_inFlight
    QHash<QString, qint64> m_slowUntil; ///< endpoints that timed out lately
    std::shared_ptr<std::atomic<qint64>> m_backlog;
};

} // namespace tidings::relay
