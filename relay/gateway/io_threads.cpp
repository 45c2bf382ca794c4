#include "gateway/io_threads.h"

#include "gateway/websocket_wire.h"

#include <QAbstractEventDispatcher>
#include <QThread>

namespace tidings::relay {

using namespace Qt::StringLiterals;

IoThreads::IoThreads(int count, const DispatcherFactory &dispatcher)
{
    for (int i = 0; i < count; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(u"tidings-io-%1"_s.arg(i));
        if (dispatcher)
            thread->setEventDispatcher(dispatcher());
        auto flusher = std::make_unique<WireFlusher>();
        flusher->moveToThread(thread.get());
        thread->start();
        m_threads.push_back(std::move(thread));
        m_flushers.push_back(std::move(flusher));
    }
}

IoThreads::~IoThreads()
{
    // Quit as the last thing queued for each thread, after the closes and writes posted
    // before it (QThread::quit() would leave those unrun).
    for (auto &thread : m_threads) {
        QThread *target = thread.get();
        if (QObject *loop = target->eventDispatcher())
            QMetaObject::invokeMethod(
                loop, [target] { target->quit(); }, Qt::QueuedConnection);
        else
            target->quit();
    }
    for (auto &thread : m_threads)
        thread->wait();
    m_flushers.clear(); // their threads have ended: nothing runs on them any more
    m_local.reset();
}

IoThread IoThreads::next()
{
    if (m_threads.empty()) // served on this thread, whose flusher is made on first use
        return {nullptr, (m_local ? m_local : (m_local = std::make_unique<WireFlusher>())).get()};
    const IoThread chosen{m_threads[m_next].get(), m_flushers[m_next].get()};
    m_next = (m_next + 1) % m_threads.size();
    return chosen;
}

} // namespace tidings::relay
