#include "net/curl_loop.h"

#include <QMetaObject>
#include <QMutex>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tidings::net {

using namespace Qt::StringLiterals;

namespace {

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// A request the loop holds. Its easy handle is cleaned up before its callback (and what
/// that captures) is destroyed: the handle's own callbacks may write into those.
class Request
{
public:
    Request(CurlLoop::Id id, CURL *easy, CurlLoop::Done done)
        : m_id(id), m_easy(easy), m_done(std::move(done))
    { }
    Request(Request &&other) noexcept
        : m_id(other.m_id), m_easy(std::exchange(other.m_easy, nullptr)),
          m_done(std::move(other.m_done)), m_startedAt(other.m_startedAt)
    { }
    Request &operator=(Request &&other) noexcept
    {
        if (this != &other) {
            cleanup();
            m_done = nullptr;
            m_id = other.m_id;
            m_easy = std::exchange(other.m_easy, nullptr);
            m_done = std::move(other.m_done);
            m_startedAt = other.m_startedAt;
        }
        return *this;
    }
    ~Request() { cleanup(); }

    CurlLoop::Id id() const { return m_id; }
    CURL *easy() const { return m_easy; }
    qint64 startedAt() const { return m_startedAt; }
    void setStartedAt(qint64 at) { m_startedAt = at; }

    /// Cleans up the handle and hands over the callback.
    CurlLoop::Done finish()
    {
        cleanup();
        return std::move(m_done);
    }

private:
    void cleanup()
    {
        if (m_easy)
            curl_easy_cleanup(std::exchange(m_easy, nullptr));
    }

    CurlLoop::Id m_id = 0;
    CURL *m_easy = nullptr;
    CurlLoop::Done m_done;
    qint64 m_startedAt = 0;
};

/// What the loop shares with the callbacks on their way and with the watches on contexts:
/// it outlives the loop while either holds it. Guarded by `mutex`.
struct Shared
{
    struct Watch
    {
        QMetaObject::Connection connection; ///< to the context's destroyed()
        int requests = 0;
    };

    QMutex mutex;
    bool closed = false; ///< the loop is gone or going: no wakeups, no callbacks
    CURLM *multi = nullptr;
    /// Requests whose callback is still to come, with their context; a callback whose id
    /// is no longer here is not called.
    std::unordered_map<CurlLoop::Id, QObject *> live;
    std::unordered_map<QObject *, Watch> contexts;
    std::deque<Request> queue;
    std::vector<CurlLoop::Id> stopping; ///< running requests the loop's thread takes off
    std::atomic<int> pending{0};
    CurlLoop::Id lastId = 0;

    void wake()
    {
        if (!closed)
            curl_multi_wakeup(multi);
    }

    /// The request `id` will not call back: forgets it, and returns the watch on its
    /// context to disconnect (after unlocking) when it was the last request of that one.
    QMetaObject::Connection forget(std::unordered_map<CurlLoop::Id, QObject *>::iterator it)
    {
        QObject *context = it->second;
        live.erase(it);
        const auto watch = contexts.find(context);
        if (watch == contexts.end() || --watch->second.requests > 0)
            return {};
        QMetaObject::Connection connection = watch->second.connection;
        contexts.erase(watch);
        return connection;
    }

    /// Stops `id`: a queued request moves to `dropped` (to go after unlocking), a running
    /// one is left to the loop's thread.
    void stop(CurlLoop::Id id, std::vector<Request> &dropped)
    {
        for (auto it = queue.begin(); it != queue.end(); ++it) {
            if (it->id() == id) {
                dropped.push_back(std::move(*it));
                queue.erase(it);
                --pending;
                return;
            }
        }
        stopping.push_back(id);
        wake();
    }
};

} // namespace

QString CurlOutcome::error() const
{
    if (refused)
        return u"queue full"_s;
    if (result == CURLE_OK)
        return {};
    return QString::fromUtf8(curl_easy_strerror(result));
}

class CurlLoop::Worker
{
public:
    explicit Worker(const Options &options)
        : m_maxInFlight(std::max(1, options.maxInFlight)),
          m_capacity(m_maxInFlight + std::max(0, options.maxQueued)),
          m_shared(std::make_shared<Shared>())
    {
        initCurlOnce();
        m_multi = curl_multi_init();
        curl_multi_setopt(m_multi, CURLMOPT_PIPELINING,
                          options.multiplex ? long(CURLPIPE_MULTIPLEX) : long(CURLPIPE_NOTHING));
        if (options.maxHostConnections > 0)
            curl_multi_setopt(m_multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                              long(options.maxHostConnections));
        m_shared->multi = m_multi;
        m_thread.reset(QThread::create([this] { run(); }));
        m_thread->setObjectName(options.threadName);
        m_thread->start();
    }

    ~Worker()
    {
        std::deque<Request> queued;
        std::vector<QMetaObject::Connection> watches;
        {
            const QMutexLocker lock(&m_shared->mutex);
            curl_multi_wakeup(m_multi);
            m_shared->closed = true;
            m_shared->live.clear(); // callbacks on their way find nothing
            for (const auto &[context, watch] : m_shared->contexts)
                watches.push_back(watch.connection);
            m_shared->contexts.clear();
            queued.swap(m_shared->queue);
            m_shared->stopping.clear();
        }
        for (const QMetaObject::Connection &watch : watches)
            QObject::disconnect(watch);
        m_thread->wait();
        for (auto &[easy, request] : m_running)
            curl_multi_remove_handle(m_multi, easy);
        m_running.clear();
        queued.clear();
        {
            const QMutexLocker lock(&m_shared->mutex);
            m_shared->multi = nullptr;
        }
        curl_multi_cleanup(m_multi);
    }

    Id add(CURL *easy, QObject *context, Done done)
    {
        Q_ASSERT(context);
        Id id = 0;
        bool refused = false;
        {
            const QMutexLocker lock(&m_shared->mutex);
            id = ++m_shared->lastId;
            watch(context);
            m_shared->live.emplace(id, context);
            refused = m_shared->closed || m_shared->pending.load() >= m_capacity;
            if (!refused) {
                m_shared->queue.emplace_back(id, easy, std::move(done));
                ++m_shared->pending;
                m_shared->wake();
            }
        }
        if (refused) {
            curl_easy_cleanup(easy);
            CurlOutcome outcome;
            outcome.result = CURLE_FAILED_INIT;
            outcome.refused = true;
            deliver(id, std::move(done), outcome);
        }
        return id;
    }

    void cancel(Id id)
    {
        std::vector<Request> dropped; // cleaned up after unlocking
        QMetaObject::Connection unwatched;
        {
            const QMutexLocker lock(&m_shared->mutex);
            const auto it = m_shared->live.find(id);
            if (it == m_shared->live.end())
                return;
            unwatched = m_shared->forget(it);
            m_shared->stop(id, dropped);
        }
        QObject::disconnect(unwatched);
    }

    int pending() const { return m_shared->pending.load(); }

private:
    /// Mutex held: counts a request for `context`, watching it die the first time.
    void watch(QObject *context)
    {
        Shared::Watch &watch = m_shared->contexts[context];
        if (watch.requests++ > 0)
            return;
        // Runs on the thread that destroys the context, before its memory goes and while
        // callbacks already posted to it are still queued (~QObject drops them after).
        watch.connection = QObject::connect(
            context, &QObject::destroyed, [weak = std::weak_ptr<Shared>(m_shared), context] {
                const std::shared_ptr<Shared> shared = weak.lock();
                if (!shared)
                    return;
                std::vector<Request> dropped;
                {
                    const QMutexLocker lock(&shared->mutex);
                    shared->contexts.erase(context);
                    for (auto it = shared->live.begin(); it != shared->live.end();) {
                        if (it->second != context) {
                            ++it;
                            continue;
                        }
                        const Id id = it->first;
                        it = shared->live.erase(it);
                        if (!shared->closed)
                            shared->stop(id, dropped);
                    }
                }
            });
    }

    /// Posts the callback of `id` to its context, unless the request was forgotten
    /// (cancelled, its context gone, the loop closing).
    void deliver(Id id, Done done, const CurlOutcome &outcome)
    {
        const QMutexLocker lock(&m_shared->mutex);
        const auto it = m_shared->live.find(id);
        if (it == m_shared->live.end())
            return; // `done` goes when this returns, after unlocking
        // Posting with the mutex held: the context cannot finish dying meanwhile (its
        // destroyed() handler takes the mutex), so the posted event is either run or
        // dropped by ~QObject.
        QMetaObject::invokeMethod(
            it->second,
            [shared = m_shared, id, done = std::move(done), outcome] {
                QMetaObject::Connection unwatched;
                {
                    const QMutexLocker locker(&shared->mutex);
                    const auto live = shared->live.find(id);
                    if (live == shared->live.end())
                        return; // cancelled since, or the loop is gone
                    unwatched = shared->forget(live);
                }
                QObject::disconnect(unwatched);
                if (done)
                    done(outcome);
            },
            Qt::QueuedConnection);
    }

    void run()
    {
        for (;;) {
            std::vector<Id> stopping;
            std::vector<Request> starting;
            {
                const QMutexLocker lock(&m_shared->mutex);
                if (m_shared->closed)
                    return;
                stopping.swap(m_shared->stopping);
                while (!m_shared->queue.empty()
                       && int(m_running.size() + starting.size()) < m_maxInFlight) {
                    starting.push_back(std::move(m_shared->queue.front()));
                    m_shared->queue.pop_front();
                }
            }
            for (const Id id : stopping)
                stop(id);
            for (Request &request : starting)
                start(std::move(request));
            int running = 0;
            curl_multi_perform(m_multi, &running);
            while (CURLMsg *message = curl_multi_info_read(m_multi, &running)) {
                if (message->msg == CURLMSG_DONE)
                    finish(message->easy_handle, message->data.result);
            }
            curl_multi_poll(m_multi, nullptr, 0, 1000, nullptr);
        }
    }

    void start(Request request)
    {
        request.setStartedAt(steadyMs());
        CURL *easy = request.easy();
        if (curl_multi_add_handle(m_multi, easy) != CURLM_OK) {
            --m_shared->pending;
            CurlOutcome outcome;
            outcome.result = CURLE_FAILED_INIT;
            const Id id = request.id();
            deliver(id, request.finish(), outcome);
            return;
        }
        m_running.emplace(easy, std::move(request));
    }

    void stop(Id id)
    {
        for (auto it = m_running.begin(); it != m_running.end(); ++it) {
            if (it->second.id() == id) {
                curl_multi_remove_handle(m_multi, it->first);
                m_running.erase(it);
                --m_shared->pending;
                return;
            }
        }
    }

    void finish(CURL *easy, CURLcode result)
    {
        const auto it = m_running.find(easy);
        if (it == m_running.end())
            return;
        Request request = std::move(it->second);
        m_running.erase(it);
        CurlOutcome outcome;
        outcome.result = result;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &outcome.status);
        outcome.elapsedMs = steadyMs() - request.startedAt();
        curl_multi_remove_handle(m_multi, easy);
        --m_shared->pending;
        const Id id = request.id();
        deliver(id, request.finish(), outcome);
    }

    const int m_maxInFlight;
    const int m_capacity; ///< queued and running
    const std::shared_ptr<Shared> m_shared;
    CURLM *m_multi = nullptr;
    std::unique_ptr<QThread> m_thread;
    std::unordered_map<CURL *, Request> m_running; ///< the loop's thread only (then ~Worker)
};

CurlLoop::CurlLoop(const Options &options) : m_worker(std::make_unique<Worker>(options)) { }

CurlLoop::~CurlLoop() = default;

CurlLoop::Id CurlLoop::add(CURL *easy, QObject *context, Done done)
{
    return m_worker->add(easy, context, std::move(done));
}

void CurlLoop::cancel(Id id)
{
    m_worker->cancel(id);
}

int CurlLoop::pending() const
{
    return m_worker->pending();
}

} // namespace tidings::net
