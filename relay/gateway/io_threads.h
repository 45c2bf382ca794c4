#pragma once

#include <functional>
#include <memory>
#include <vector>

class QAbstractEventDispatcher;
class QThread;

namespace tidings::relay {

class WireFlusher;

/// An I/O thread and its flusher (no thread: the accepting thread serves the connection,
/// and the flusher lives there).
struct IoThread
{
    QThread *thread = nullptr;
    WireFlusher *flusher = nullptr;
};

/// The threads that serve WebSocket connections, each with its own event loop. Connections
/// are dealt out in turn; with none, they are served on the thread that accepted them.
class IoThreads
{
public:
    /// Makes each thread's event dispatcher (null: Qt's default).
    using DispatcherFactory = std::function<QAbstractEventDispatcher *()>;

    IoThreads(int count, const DispatcherFactory &dispatcher);
    /// Stops the threads once what is queued for them (deletions included) is done.
    ~IoThreads();
    IoThreads(const IoThreads &) = delete;
    IoThreads &operator=(const IoThreads &) = delete;

    /// The thread for the next connection, or none (and this thread's flusher) when there
    /// are no I/O threads.
    IoThread next();
    int count() const { return static_cast<int>(m_threads.size()); }

private:
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<std::unique_ptr<WireFlusher>> m_flushers; ///< one per thread, living on it
    /// Without I/O threads: for the connections served on the thread that calls next().
    std::unique_ptr<WireFlusher> m_local;
    std::size_t m_next = 0;
};

} // namespace tidings::relay
