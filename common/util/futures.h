#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QPromise>
#include <QThread>

#include <memory>
#include <type_traits>
#include <utility>

namespace tidings {

/// A future that is already finished with `value`. (QtFuture::makeReadyFuture's name and
/// overloads changed across Qt 6 releases; this is the same on all of them.)
template<typename T> QFuture<T> readyFuture(T value)
{
    QPromise<T> promise;
    promise.start();
    promise.addResult(std::move(value));
    promise.finish();
    return promise.future();
}

/// A finished QFuture<void>.
inline QFuture<void> readyFuture()
{
    QPromise<void> promise;
    promise.start();
    promise.finish();
    return promise.future();
}

namespace detail {

template<typename T, typename F> struct Continued
{
    using type = std::invoke_result_t<F &, const T &>;
};
template<typename F> struct Continued<void, F>
{
    using type = std::invoke_result_t<F &>;
};

} // namespace detail

/// Calls `done(result)` (`done()` for a QFuture<void>) on `context`'s thread once `future`
/// has finished, and returns a future of what `done` returns, finished on that thread. When
/// `context` is destroyed first, or `future` is cancelled, nothing is called and the returned
/// future is cancelled.
///
/// This is how every future in Tidings is continued: through a QFutureWatcher owned by the
/// context, never through QFuture::then(context, …), which in Qt 6.4 asserts when its
/// context dies first (decision 22) and can run twice when attached while a worker thread
/// is finishing the future (decision 23).
template<typename T, typename F> auto whenReady(QFuture<T> future, QObject *context, F done)
{
    // The watcher belongs to the context's thread, and so must the caller.
    Q_ASSERT(context && QThread::currentThread() == context->thread());
    using R = typename detail::Continued<T, F>::type;
    auto promise = std::make_shared<QPromise<R>>();
    promise->start();
    QFuture<R> continued = promise->future();
    auto *watcher = new QFutureWatcher<T>(context); // dies with the context, and so the call
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, promise, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         const QFuture<T> finished = watcher->future();
                         if constexpr (std::is_void_v<T>) {
                             if (finished.isCanceled())
                                 promise->future().cancel();
                             else if constexpr (std::is_void_v<R>)
                                 done();
                             else
                                 promise->addResult(done());
                         } else {
                             if (finished.resultCount() == 0)
                                 promise->future().cancel();
                             else if constexpr (std::is_void_v<R>)
                                 done(finished.result());
                             else
                                 promise->addResult(done(finished.result()));
                         }
                         promise->finish();
                     });
    watcher->setFuture(std::move(future));
    return continued;
}

/// A future that another thread finishes: a store job, a password hash, a file write.
/// `then(context, f)` continues it on `context`'s thread through whenReady(); QFuture's own
/// then() is deliberately not offered. `future()` is for code that blocks on the result
/// (start-up, admin commands, tests) — and for nothing that continues it.
template<typename T> class WorkerFuture
{
public:
    WorkerFuture() = default;
    explicit WorkerFuture(QFuture<T> future) : m_future(std::move(future)) { }

    template<typename F> auto then(QObject *context, F done) const
    {
        return whenReady(m_future, context, std::move(done));
    }

    /// The same result as a QFuture finished on `context`'s thread, for code that composes
    /// futures (returns one, unwrap()s one): QFuture::then() is safe on such a future.
    QFuture<T> deliveredTo(QObject *context) const
    {
        return whenReady(m_future, context, [](const T &value) { return value; });
    }

    const QFuture<T> &future() const { return m_future; }
    bool isFinished() const { return m_future.isFinished(); }
    void waitForFinished() { m_future.waitForFinished(); }
    T result() const { return m_future.result(); }

private:
    QFuture<T> m_future;
};

/// `future`'s result, blocking until it is there: for start-up and admin commands, which have
/// nothing else to do meanwhile; never on an event loop.
template<typename T> T waitFor(WorkerFuture<T> future)
{
    future.waitForFinished();
    return future.result();
}

} // namespace tidings
