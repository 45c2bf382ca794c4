#pragma once

#include "core/chat_client.h"
#include "core/local_queries.h"

#include <QDeadlineTimer>
#include <QFuture>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

namespace tidings::test {

/// Waits for a future while the event loop runs (continuations need it); no sleeping.
template<typename T> Result<T> await(QFuture<Result<T>> future, int timeoutMs = 20000)
{
    QFutureWatcher<Result<T>> watcher;
    QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
    watcher.setFuture(future);
    if (!future.isFinished() && !finished.wait(timeoutMs))
        return Error{ErrorCode::Unavailable, QStringLiteral("no answer in time")};
    return future.result();
}

template<typename T> Result<T> await(const WorkerFuture<Result<T>> &future, int timeoutMs = 20000)
{
    return await(future.future(), timeoutMs);
}

/// A ChatClient with its own temporary data directory, as a test's user.
struct TestClient
{
    explicit TestClient(const QString &databaseDirectory = {},
                        app::Connection::Options options = fastOptions());

    static app::Connection::Options fastOptions();

    /// Opens the store, connects to the relay on `port` and registers (or logs in with)
    /// `username`. True when signed in and caught up.
    bool signUp(quint16 port, const QString &username);
    bool signIn(quint16 port, const QString &username);
    bool waitCaughtUp(int timeoutMs = 20000);

    // What the client has stored, read straight from its SQLite file on the test's own
    // connection (WAL lets it read beside the client's thread): synchronous, so a QTRY
    // predicate never nests event loops.
    QList<app::local::Message> messages(qint64 conversation);
    app::local::Conversation conversation(qint64 id);
    QList<app::local::OutboxItem> pendingOutbox();
    ~TestClient();

    std::unique_ptr<QTemporaryDir> directory;
    QString databasePath;
    QString readerName;
    std::unique_ptr<app::ChatClient> client;
};

} // namespace tidings::test
