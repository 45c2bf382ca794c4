#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QPromise>

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

/// Calls `done(result)` on `context`'s thread once `future` has a result — unless `context`
/// is destroyed first, in which case nothing happens. For objects that may go away while
/// their work is in flight (a model for a conversation the user left): Qt 6.4's
/// QFuture::then(context, …) asserts when its context dies before the future finishes.
template<typename T, typename F> void whenReady(QFuture<T> future, QObject *context, F done)
{
    auto *watcher = new QFutureWatcher<T>(context); // dies with the context, and so the call
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         if (watcher->future().resultCount() > 0)
                             done(watcher->result());
                     });
    watcher->setFuture(std::move(future));
}

/// A finished QFuture<void>.
inline QFuture<void> readyFuture()
{
    QPromise<void> promise;
    promise.start();
    promise.finish();
    return promise.future();
}

} // namespace tidings
