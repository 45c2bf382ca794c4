#pragma once

#include <QFuture>
#include <QPromise>

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

} // namespace tidings
