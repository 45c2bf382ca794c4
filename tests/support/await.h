#pragma once

// The one way a test waits for a future: the event loop runs meanwhile (continuations and
// replies need it), nothing sleeps, and a future that never finishes fails the test loudly
// instead of hanging it until CTest kills the whole binary.

#include "util/futures.h"
#include "util/result.h"

#include <QByteArray>
#include <QFuture>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QString>
#include <QTest>

#include <source_location>

namespace tidings::test {

/// How long await() waits: far longer than any answer takes on a loaded sanitizer build, so
/// that reaching it means the future will never finish.
inline constexpr int kAwaitDeadlineMs = 60000;

namespace detail {

/// Records a failure of the running test at the line that called await(), and the error
/// await() hands back in place of a result (Internal: it is the test's deadline, not an
/// answer of the code under test).
inline Error awaitFailed(const QString &what, const std::source_location &where)
{
    const QByteArray message = what.toUtf8();
    QTest::qFail(message.constData(), where.file_name(), int(where.line()));
    return Error{ErrorCode::Internal, what};
}

} // namespace detail

/// The result of `future`, waiting for it while the event loop runs. When it has not finished
/// after kAwaitDeadlineMs, or finished with no result (cancelled), the running test fails at
/// the caller's line and the returned Result is an error saying so.
template<typename T>
Result<T> await(QFuture<Result<T>> future,
                const std::source_location &where = std::source_location::current())
{
    QFutureWatcher<Result<T>> watcher;
    QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
    watcher.setFuture(future);
    if (!future.isFinished() && !finished.wait(kAwaitDeadlineMs) && !future.isFinished())
        return detail::awaitFailed(
            QStringLiteral("await(): the future did not finish within its deadline of %1 s")
                .arg(kAwaitDeadlineMs / 1000),
            where);
    if (future.resultCount() == 0)
        return detail::awaitFailed(
            QStringLiteral("await(): the future was cancelled and has no result"), where);
    return future.result();
}

/// The same for a store's or another worker's future.
template<typename T>
Result<T> await(const WorkerFuture<Result<T>> &future,
                const std::source_location &where = std::source_location::current())
{
    return await(future.future(), where);
}

} // namespace tidings::test
