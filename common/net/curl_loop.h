#pragma once

#include <QObject>
#include <QString>

#include <curl/curl.h>

#include <functional>
#include <memory>

namespace tidings::net {

/// How a request on a CurlLoop ended.
struct CurlOutcome
{
    CURLcode result = CURLE_OK; ///< not CURLE_OK: no whole answer (see error())
    long status = 0; ///< the HTTP status of the last answer; 0 when none came
    qint64 elapsedMs = 0; ///< from its start on the loop to its end
    bool refused = false; ///< it never ran: the queue was full

    /// Why there is no whole answer ("queue full", or libcurl's words); empty when there is.
    QString error() const;
};

/// libcurl's multi interface on a thread of its own, shared by whatever sends HTTP off the
/// event loop (the relay's pushes, the app's media transfers): many requests at once, each
/// set up by its owner on an easy handle, none waiting on another.
///
/// The loop owns the multi handle, its thread and a bounded queue. It takes an easy handle
/// with add(), runs it when a slot is free and calls back on the thread of a context object;
/// the callback is never called once the context is destroyed, once cancel() has been called
/// for the request, or once the loop is destroyed. Every easy handle it took is cleaned up by
/// the loop, always before its callback (and what that captures) is destroyed, so the
/// callback can own the buffers the handle's own callbacks write into. Those run on the
/// loop's thread.
///
/// add(), cancel() and pending() may be called from any thread; the loop is destroyed on a
/// thread that is not calling them. Destroying it stops every request at once.
class CurlLoop
{
public:
    struct Options
    {
        int maxInFlight = 16; ///< requests running at once
        int maxQueued = 16; ///< waiting beyond those; more are refused
        bool multiplex = true; ///< HTTP/2 requests to one host share a connection
        int maxHostConnections = 0; ///< connections per host at once; 0: no limit
        QString threadName = QStringLiteral("curl");
    };

    using Id = quint64;
    using Done = std::function<void(const CurlOutcome &)>;

    explicit CurlLoop(const Options &options);
    ~CurlLoop();

    CurlLoop(const CurlLoop &) = delete;
    CurlLoop &operator=(const CurlLoop &) = delete;

    /// Takes `easy` (set up, in no multi handle) and runs it. `done` is called on the
    /// thread of `context` (alive now) when it ends; when the queue is full, soon, with
    /// `refused` set. Returns the id that cancel() takes.
    Id add(CURL *easy, QObject *context, Done done);

    /// Stops a request, queued or running, and cleans up its handle; its callback is not
    /// called (not even when its answer was on its way). Unknown or ended ids are ignored.
    void cancel(Id id);

    /// Requests queued or running.
    int pending() const;

private:
    class Worker;
    std::unique_ptr<Worker> m_worker;
};

} // namespace tidings::net
