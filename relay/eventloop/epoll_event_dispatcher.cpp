#include "eventloop/epoll_event_dispatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QThread>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace tidings::relay {

namespace {

Q_LOGGING_CATEGORY(lcEventLoop, "tidings.relay.eventloop", QtInfoMsg)

constexpr int kMaxEventsPerWait = 256;

std::chrono::milliseconds effectiveInterval(qint64 interval, Qt::TimerType type)
{
    if (type == Qt::VeryCoarseTimer) // whole seconds, rounded to the closest, as Qt does
        return std::chrono::seconds((interval + 500) / 1000);
    return std::chrono::milliseconds(interval);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeUpFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll < 0 || m_wakeUpFd < 0)
        qFatal("EpollEventDispatcher: cannot create epoll or eventfd: %s", std::strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeUpFd;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeUpFd, &event) != 0)
        qFatal("EpollEventDispatcher: cannot watch the eventfd: %s", std::strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeUpFd);
    ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // An interrupt is consumed, never wiped: one that came after the loop last looked at its
    // exit flag (a quit() from another thread) ends this call, else the drain below would
    // swallow its wake-up and the wait could block for good.
    if (m_interrupted.exchange(false))
        return false;
    Q_EMIT awake();

    // Posted events first. Wake-ups are drained before, so a post that comes while they are
    // sent (from here or another thread) leaves the eventfd readable and the wait below
    // returns at once.
    drainWakeUps();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeSockets = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_wakeUpPending.load()
        && !m_interrupted.load();
    if (canWait)
        Q_EMIT aboutToBlock();
    if (m_interrupted.exchange(false))
        return false;

    int timeout = 0;
    if (canWait)
        timeout = includeTimers ? timeUntilNextTimer() : -1;

    std::array<epoll_event, kMaxEventsPerWait> events{};
    int ready = ::epoll_wait(m_epoll, events.data(), kMaxEventsPerWait, timeout);
    if (ready < 0) {
        if (errno != EINTR)
            qCWarning(lcEventLoop) << "epoll_wait failed:" << std::strerror(errno);
        ready = 0;
    }

    int delivered = 0;
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        const quint32 what = events[i].events;
        if (fd == m_wakeUpFd) {
            ++delivered; // the next round sends what was posted
            continue;
        }
        if (!includeSockets)
            continue; // level-triggered: reported again next time
        // Look the notifiers up again before each one: an earlier one may have removed it.
        const auto activate = [this, fd, &delivered](QSocketNotifier *Sockets::*slot) {
            const auto found = m_sockets.constFind(fd);
            if (found == m_sockets.cend())
                return;
            QSocketNotifier *notifier = (*found).*slot;
            if (!notifier)
                return;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++delivered;
        };
        if (what & (EPOLLIN | EPOLLHUP | EPOLLERR))
            activate(&Sockets::read);
        if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            activate(&Sockets::write);
        if (what & EPOLLPRI)
            activate(&Sockets::exception);
    }

    if (includeTimers)
        delivered += fireTimers();
    return delivered > 0;
}

void EpollEventDispatcher::drainWakeUps()
{
    // Clear the flag before reading: a wakeUp() after this point writes again.
    m_wakeUpPending.store(false);
    quint64 count = 0;
    while (::read(m_wakeUpFd, &count, sizeof count) < 0 && errno == EINTR) { }
}

void EpollEventDispatcher::wakeUp()
{
    if (m_wakeUpPending.exchange(true))
        return; // one write is enough until it is drained
    const quint64 one = 1;
    while (::write(m_wakeUpFd, &one, sizeof one) < 0 && errno == EINTR) { }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true);
    wakeUp();
}

// --- socket notifiers ------------------------------------------------------------------

bool EpollEventDispatcher::updateEpoll(int fd, const Sockets &sockets, bool known)
{
    epoll_event event{};
    event.data.fd = fd;
    if (sockets.read)
        event.events |= EPOLLIN;
    if (sockets.write)
        event.events |= EPOLLOUT;
    if (sockets.exception)
        event.events |= EPOLLPRI;
    int operation = sockets.empty() ? EPOLL_CTL_DEL : known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (::epoll_ctl(m_epoll, operation, fd, &event) == 0)
        return true;
    // The kernel's view can differ from ours when an fd was closed and reused before its
    // notifier went away: correct the operation once.
    if (errno == EEXIST && operation == EPOLL_CTL_ADD)
        operation = EPOLL_CTL_MOD;
    else if (errno == ENOENT && operation == EPOLL_CTL_MOD)
        operation = EPOLL_CTL_ADD;
    else if (errno == ENOENT || errno == EBADF) // already gone with its fd
        return operation == EPOLL_CTL_DEL;
    else
        operation = -1;
    if (operation >= 0 && ::epoll_ctl(m_epoll, operation, fd, &event) == 0)
        return true;
    qCWarning(lcEventLoop) << "cannot watch fd" << fd << ":" << std::strerror(errno);
    return false;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    Q_ASSERT(notifier->thread() == thread() && thread() == QThread::currentThread());
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    const bool known = m_sockets.contains(fd);
    Sockets &sockets = m_sockets[fd];
    QSocketNotifier **slot = notifier->type() == QSocketNotifier::Read ? &sockets.read
        : notifier->type() == QSocketNotifier::Write                   ? &sockets.write
                                                                       : &sockets.exception;
    if (*slot && *slot != notifier)
        qCWarning(lcEventLoop) << "a second notifier of one type for fd" << fd;
    *slot = notifier;
    if (!updateEpoll(fd, sockets, known)) {
        *slot = nullptr;
        if (sockets.empty())
            m_sockets.remove(fd);
    }
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const auto found = m_sockets.find(fd);
    if (found == m_sockets.end())
        return;
    Sockets &sockets = *found;
    bool changed = false;
    for (QSocketNotifier **slot : {&sockets.read, &sockets.write, &sockets.exception}) {
        if (*slot == notifier) {
            *slot = nullptr;
            changed = true;
        }
    }
    if (!changed)
        return;
    const Sockets now = sockets;
    if (now.empty())
        m_sockets.erase(found);
    updateEpoll(fd, now, true);
}

// --- timers -------------------------------------------------------------------------------

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    Q_ASSERT(timerId > 0 && interval >= 0 && object);
    Timer timer;
    timer.id = timerId;
    timer.interval = effectiveInterval(interval, timerType);
    timer.type = timerType;
    timer.object = object;
    timer.deadline = Clock::now() + timer.interval;
    m_deadlines.emplace(timer.deadline, timerId);
    m_timers.insert(timerId, timer);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto found = m_timers.find(timerId);
    if (found == m_timers.end())
        return false;
    forgetDeadline(*found);
    m_timers.erase(found);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    QList<int> ids;
    for (const Timer &timer : std::as_const(m_timers)) {
        if (timer.object == object)
            ids.append(timer.id);
    }
    for (const int id : std::as_const(ids))
        unregisterTimer(id);
    return !ids.isEmpty();
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (const Timer &timer : m_timers) {
        if (timer.object == object)
            list.append(TimerInfo(timer.id, int(timer.interval.count()), timer.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto found = m_timers.constFind(timerId);
    if (found == m_timers.cend())
        return -1;
    const auto left
        = std::chrono::duration_cast<std::chrono::milliseconds>(found->deadline - Clock::now());
    return int(std::max<qint64>(0, left.count()));
}

int EpollEventDispatcher::timeUntilNextTimer() const
{
    for (const auto &[deadline, id] : m_deadlines) {
        if (m_timers.value(id).firing)
            continue; // inside its own timerEvent (a nested loop): not due again yet
        const auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero())
            return 0;
        // Round up: waking a little late is right, waking early would spin.
        const auto milliseconds = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        return int(std::min<qint64>(milliseconds, std::numeric_limits<int>::max()));
    }
    return -1;
}

void EpollEventDispatcher::forgetDeadline(const Timer &timer)
{
    auto [from, to] = m_deadlines.equal_range(timer.deadline);
    for (; from != to; ++from) {
        if (from->second == timer.id) {
            m_deadlines.erase(from);
            return;
        }
    }
}

void EpollEventDispatcher::schedule(Timer &timer, Clock::time_point from)
{
    timer.deadline += timer.interval;
    if (timer.deadline < from) // late (a long handler, a stopped process): do not catch up
        timer.deadline = from + timer.interval;
}

int EpollEventDispatcher::fireTimers()
{
    const Clock::time_point now = Clock::now();
    std::vector<int> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it)
        due.push_back(it->second);

    int fired = 0;
    for (const int id : due) {
        auto found = m_timers.find(id);
        if (found == m_timers.end() || found->firing || found->deadline > now)
            continue; // killed by an earlier handler, running, or moved
        // Next deadline first, so remainingTime() and restarts inside the handler see it.
        forgetDeadline(*found);
        schedule(*found, now);
        m_deadlines.emplace(found->deadline, id);
        found->firing = true;
        QObject *object = found->object;

        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;

        // The handler may have killed it, or the object (and so its timers) is gone.
        found = m_timers.find(id);
        if (found != m_timers.end())
            found->firing = false;
    }
    return fired;
}

} // namespace tidings::relay
