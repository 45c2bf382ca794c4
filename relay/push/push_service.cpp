#include "push/push_service.h"

#include "crypto/sealed_box.h"
#include "crypto/session_token.h"
#include "push/push_http.h"
#include "push/push_provider.h"
#include "sql/sql_helpers.h"
#include "store/push_queries.h"
#include "store/store.h"
#include "util/metrics.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlDatabase>

namespace tidings::relay {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPush, "tidings.relay.push")

namespace {

/// How long an endpoint that timed out gets no waiting line.
constexpr qint64 kSlowForMs = 60 * 1000;

/// Why a push failed, as /metrics counts it.
const QByteArray kReasons[] = {"http_5xx",     "rate_limited",   "timeout", "network",
                               "unauthorized", "invalid_target", "rejected"};

} // namespace

struct PushService::ProviderMetrics
{
    Counter *sent = nullptr;
    Counter *retried = nullptr;
    Counter *deadLettered = nullptr;
    std::map<QByteArray, Counter *> failed;

    void countFailure(const QByteArray &reason)
    {
        if (const auto counter = failed.find(reason); counter != failed.end())
            counter->second->add();
    }
};

Result<std::unique_ptr<PushService>> PushService::create(Store &store, PushOptions options,
                                                         MetricsRegistry &metrics)
{
    std::unique_ptr<PushService> service(new PushService(store, std::move(options), metrics));
    auto providers = makePushProviders(service->m_options, *service->m_http, service.get());
    if (!providers)
        return providers.error();
    for (auto &provider : *providers) {
        const QString name = provider->name();
        auto counters = std::make_unique<ProviderMetrics>();
        const QByteArray label = "provider=\"" + name.toLatin1() + '"';
        counters->sent
            = &metrics.counter("tidings_push_sent_total", "Pushes a provider accepted.", label);
        counters->retried = &metrics.counter("tidings_push_retried_total",
                                             "Pushes scheduled for another try.", label);
        counters->deadLettered = &metrics.counter("tidings_push_dead_lettered_total",
                                                  "Pushes given up on (see 'push dead').", label);
        for (const QByteArray &reason : kReasons)
            counters->failed[reason] = &metrics.counter("tidings_push_failed_total",
                                                        "Push attempts that failed, by "
                                                        "reason.",
                                                        label + ",reason=\"" + reason + '"');
        service->m_metrics[name] = std::move(counters);
        service->m_providers[name] = std::move(provider);
    }
    return service;
}

PushService::PushService(Store &store, PushOptions options, MetricsRegistry &metrics)
    : m_store(store), m_options(std::move(options)),
      m_http(std::make_unique<PushHttp>(m_options.maxInFlight)),
      m_runId(m_options.nodeId + u'/' + QString::fromLatin1(crypto::newSessionToken().left(16))),
      m_backlog(std::make_shared<std::atomic<qint64>>(0))
{
    m_cancelled = &metrics.counter("tidings_push_cancelled_total",
                                   "Pushes not sent: the user came online first.");
    m_latency = &metrics.histogram(
        "tidings_push_commit_to_accept_seconds",
        "From the commit of the first message a push stands for to the provider's accept "
        "(includes the coalescing window).",
        {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600});
    metrics.gauge("tidings_push_backlog", "Push jobs in the store (waiting, or being sent).",
                  [backlog = m_backlog] { return double(backlog->load()); });
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_timerAt = 0;
        claim();
    });
    m_backlogTimer.setSingleShot(true);
    m_backlogTimer.setInterval(200);
    connect(&m_backlogTimer, &QTimer::timeout, this, [this] {
        m_store.read<qint64>([](QSqlDatabase &db) { return sql::pushBacklog(db); })
            .then(this, [backlog = m_backlog](const Result<qint64> &count) {
                if (count)
                    backlog->store(*count);
            });
    });
}

PushService::~PushService()
{
    m_http.reset(); // no answer arrives any more
}

QStringList PushService::providers() const
{
    QStringList names;
    for (const auto &[name, provider] : m_providers)
        names.append(name);
    return names;
}

Result<QString> PushService::checkTarget(const QString &provider, const QString &address) const
{
    const auto it = m_providers.find(provider);
    if (it == m_providers.end())
        return Error{ErrorCode::Unsupported,
                     u"this relay does not send pushes through '%1' (it offers: %2)"_s.arg(
                         provider, providers().join(u", "_s))};
    const QString normalized = it->second->normalized(address);
    if (auto usable = it->second->checkAddress(normalized); !usable)
        return usable.error();
    return normalized;
}

void PushService::start()
{
    const QStringList names = providers();
    qCInfo(lcPush).noquote() << "push providers:"
                             << (names.isEmpty() ? u"none"_s : names.join(u", "_s));
    claim();
}

void PushService::wake(qint64 dueAt)
{
    schedule(dueAt);
}

void PushService::schedule(qint64 dueAt)
{
    if (dueAt <= 0)
        return;
    if (m_timer.isActive() && m_timerAt <= dueAt)
        return;
    m_timerAt = dueAt;
    m_timer.start(int(std::clamp<qint64>(dueAt - tidings::sql::now(), 0, 24 * 3600 * 1000)));
}

void PushService::record(const char *what, std::function<Result<void>(QSqlDatabase &)> job,
                         int triesLeft)
{
    m_store.write<void>(job).then(this, [this, what, job, triesLeft](const Result<void> &done) {
        if (!done) {
            qCWarning(lcPush).noquote() << what << done.error().message;
            // Until it is recorded the job stays claimed by this run: try again shortly.
            if (triesLeft > 0)
                QTimer::singleShot(
                    1000, this, [this, what, job, triesLeft] { record(what, job, triesLeft - 1); });
        }
        if (!m_backlogTimer.isActive())
            m_backlogTimer.start();
    });
}

void PushService::userOnline(UserId user)
{
    m_store.write<int>([user](QSqlDatabase &db) { return sql::cancelPushesOf(db, user); })
        .then(this, [this](const Result<int> &cancelled) {
            if (cancelled)
                m_cancelled->add(quint64(*cancelled));
        });
}

void PushService::claim()
{
    if (m_claiming) {
        m_claimAgain = true;
        return;
    }
    const int room = m_options.maxInFlight - m_inFlight;
    if (room <= 0) {
        m_moreDue = true; // settle() claims again
        return;
    }
    m_claiming = true;
    m_moreDue = false;
    m_store
        .write<sql::PushClaim>([runId = m_runId, room](QSqlDatabase &db) {
            return sql::claimPushJobs(db, runId, room);
        })
        .then(this, [this, room](const Result<sql::PushClaim> &claimed) {
            m_claiming = false;
            if (!claimed) {
                qCWarning(lcPush).noquote() << "cannot claim push jobs:" << claimed.error().message;
                schedule(tidings::sql::now() + 1000);
                return;
            }
            m_backlog->store(claimed->backlog);
            for (const sql::PushJob &job : claimed->jobs)
                dispatch(job);
            if (claimed->jobs.size() == room)
                m_moreDue = true;
            schedule(claimed->nextDueAt);
            if (std::exchange(m_claimAgain, false))
                claim();
        });
}

bool PushService::cancelledForOnlineUser(const sql::PushJob &job)
{
    if (!m_isOnline || !m_isOnline(job.userId))
        return false;
    // The live session has the messages; it syncs the rest itself.
    m_cancelled->add();
    record("finishing a push job:",
           [id = job.id](QSqlDatabase &db) { return sql::finishPushJob(db, id); });
    return true;
}

void PushService::dispatch(const sql::PushJob &job)
{
    if (cancelledForOnlineUser(job))
        return;
    const auto provider = m_providers.find(job.provider);
    if (provider == m_providers.end()) {
        record("dead-lettering a push job:", [id = job.id](QSqlDatabase &db) {
            return sql::deadLetterPushJob(db, id, u"the relay no longer offers this provider"_s);
        });
        return;
    }
    // An endpoint gets a few pushes in flight at once; more wait here for a free slot. One
    // that timed out lately (stalled, or a tarpit) gets no waiting line: its jobs go back to
    // the store for a while, so it holds up only its own few slots.
    const QString endpoint = provider->second->endpointOf(job.address);
    if (m_inFlightByHost.value(endpoint) < provider->second->maxInFlightPerEndpoint()) {
        ++m_inFlight;
        sendNow(job, *provider->second, endpoint);
        return;
    }
    if (!isSlow(endpoint)) {
        ++m_inFlight;
        m_waiting[endpoint].push_back(job);
        return;
    }
    defer(job);
}

bool PushService::isSlow(const QString &endpoint) const
{
    return m_slowUntil.value(endpoint) > tidings::sql::now();
}

void PushService::defer(const sql::PushJob &job)
{
    const qint64 due = tidings::sql::now() + m_options.timeoutMs;
    record("deferring a push job:",
           [id = job.id, due](QSqlDatabase &db) { return sql::deferPushJob(db, id, due); });
    schedule(due);
}

std::optional<PushNotice> PushService::notice(const sql::PushJob &job) const
{
    PushNotice notice;
    notice.address = job.address;
    notice.key = job.key;
    notice.unread = job.unread;
    notice.collapseId = u"c%1"_s.arg(job.conversationId);
    QJsonObject plain{{u"kind"_s, u"message"_s},
                      {u"id"_s, job.key},
                      {u"conversation"_s, job.conversationId},
                      {u"count"_s, job.count},
                      {u"unread"_s, job.unread}};
    if (job.deviceKey.isEmpty()) {
        if (m_options.showSender && !job.senderName.isEmpty())
            plain.insert(u"sender"_s, job.senderName);
        notice.notification = plain;
        return notice;
    }
    // Only the device can read it: the provider learns nothing but the size.
    if (!job.senderName.isEmpty())
        plain.insert(u"sender"_s, job.senderName);
    auto sealed = crypto::seal(job.deviceKey, QJsonDocument(plain).toJson(QJsonDocument::Compact));
    if (!sealed)
        return std::nullopt;
    notice.sealed = true;
    // Keyed with the device's key, which the provider never sees.
    notice.collapseId = QString::fromLatin1(
        crypto::hmacSha256(job.deviceKey, notice.collapseId.toLatin1()).toHex().left(16));
    notice.notification
        = {{u"id"_s, job.key}, {u"sealed"_s, QString::fromLatin1(sealed->toBase64())}};
    return notice;
}

void PushService::sendNow(const sql::PushJob &job, PushProvider &provider, const QString &endpoint)
{
    const std::optional<PushNotice> built = notice(job);
    if (!built) {
        --m_inFlight;
        record("dropping a push target:",
               [id = job.targetId](QSqlDatabase &db) { return sql::dropPushTarget(db, id); });
        return;
    }
    ++m_inFlightByHost[endpoint];
    provider.send(*built, [this, job, endpoint](const PushOutcome &outcome) {
        if (--m_inFlightByHost[endpoint] <= 0)
            m_inFlightByHost.remove(endpoint);
        if (outcome.reason == "timeout") {
            if (m_slowUntil.size() > 10000)
                m_slowUntil.removeIf(
                    [now = tidings::sql::now()](auto entry) { return entry.value() < now; });
            m_slowUntil[endpoint] = tidings::sql::now() + kSlowForMs;
            // What waited for it goes back to the store instead of holding the budget.
            if (auto waiting = m_waiting.take(endpoint); !waiting.empty()) {
                m_inFlight -= int(waiting.size());
                for (const sql::PushJob &queued : waiting)
                    defer(queued);
            }
        }
        settle(job, outcome);
        startWaiting(endpoint);
        if (m_moreDue)
            claim();
    });
}

void PushService::startWaiting(const QString &endpoint)
{
    const auto it = m_waiting.find(endpoint);
    if (it == m_waiting.end())
        return;
    while (!it->empty()) {
        const sql::PushJob job = it->front();
        PushProvider &provider = *m_providers.at(job.provider);
        if (m_inFlightByHost.value(endpoint) >= provider.maxInFlightPerEndpoint())
            return;
        it->pop_front();
        if (cancelledForOnlineUser(job)) {
            --m_inFlight;
            continue;
        }
        sendNow(job, provider, endpoint);
    }
    m_waiting.erase(it);
}

void PushService::settle(const sql::PushJob &job, const PushOutcome &outcome)
{
    --m_inFlight;
    ProviderMetrics &metrics = *m_metrics.at(job.provider);
    using Kind = PushOutcome::Kind;
    const qint64 id = job.id;
    switch (outcome.kind) {
    case Kind::Accepted:
        metrics.sent->add();
        m_latency->observe(double(tidings::sql::now() - job.firstAt) / 1000.0);
        record("finishing a push job:",
               [id](QSqlDatabase &db) { return sql::finishPushJob(db, id); });
        break;
    case Kind::InvalidTarget:
        metrics.countFailure(outcome.reason);
        qCInfo(lcPush).noquote() << "removing a" << job.provider << "target:" << outcome.detail;
        record("dropping a push target:", [target = job.targetId](QSqlDatabase &db) {
            return sql::dropPushTarget(db, target);
        });
        break;
    case Kind::Retry:
        metrics.countFailure(outcome.reason);
        if (job.attempts + 1 < m_options.maxAttempts) {
            qint64 delay = outcome.retryAfterMs;
            if (delay < 0) {
                const qint64 full = std::min(m_options.retryMaxMs,
                                             m_options.retryBaseMs << std::min(job.attempts, 30));
                delay = qint64(double(full)
                               * (0.5 + 0.5 * QRandomGenerator::global()->generateDouble()));
            }
            const qint64 due = tidings::sql::now() + std::min(delay, m_options.retryMaxMs);
            metrics.retried->add();
            qCInfo(lcPush).noquote() << "a" << job.provider << "push failed (" << outcome.detail
                                     << "); trying again in" << delay << "ms";
            record("scheduling a push retry:", [id, due, error = outcome.detail](QSqlDatabase &db) {
                return sql::retryPushJob(db, id, due, error);
            });
            schedule(due);
            break;
        }
        [[fallthrough]];
    case Kind::Failed:
        if (outcome.kind == Kind::Failed)
            metrics.countFailure(outcome.reason);
        metrics.deadLettered->add();
        qCWarning(lcPush).noquote() << "giving up on a" << job.provider << "push after"
                                    << job.attempts + 1 << "tries:" << outcome.detail;
        record("dead-lettering a push job:", [id, error = outcome.detail](QSqlDatabase &db) {
            return sql::deadLetterPushJob(db, id, error);
        });
        break;
    }
}

} // namespace tidings::relay
