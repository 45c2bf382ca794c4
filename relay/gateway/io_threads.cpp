#include "gateway/io_threads.h"

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
        thread->start();
        m_threads.push_back(std::move(thread));
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
}

QThread *IoThreads::next()
{
    if (m_threads.empty())
        return nullptr;
    QThread *thread = m_threads[m_next].get();
    m_next = (m_next + 1) % m_threads.size();
    return thread;
}

} // namespace tidings::relay
