// The epoll event dispatcher, installed for the whole test process (main thread) and for a
// worker thread: posted events, deferred deletes, wake-ups from other threads, interrupts,
// timers of every type (killed and restarted from inside their own handlers), socket
// notifiers for read, write and exception, notifiers removed mid-batch, real TCP through
// Qt's own sockets, and thousands of idle notifiers beside an active one.
#include "eventloop/epoll_event_dispatcher.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <atomic>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace tidings::relay;
using namespace std::chrono_literals;

namespace {

EpollEventDispatcher *dispatcher()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

/// A connected pair of Unix stream sockets, non-blocking, closed on destruction.
struct SocketPair
{
    int fd[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd); }
    ~SocketPair()
    {
        for (int end : fd) {
            if (end >= 0)
                ::close(end);
        }
    }
    bool ok() const { return fd[0] >= 0 && fd[1] >= 0; }
    void send(int end, char byte = 'x') const { (void)::write(fd[end], &byte, 1); }
    int drain(int end) const
    {
        char buffer[256];
        int total = 0;
        for (ssize_t got; (got = ::read(fd[end], buffer, sizeof buffer)) > 0;)
            total += int(got);
        return total;
    }
};

class TimerCounter : public QObject
{
public:
    int fired = 0;
    int killAfter = -1; ///< kill the timer from inside its handler after this many
    int restartAfter = -1; ///< restart it (same object, new interval) after this many
    int timerId = 0;
    QList<qint64> at; ///< when each fired, ms since start
    QElapsedTimer clock;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++fired;
        at.append(clock.elapsed());
        if (fired == killAfter)
            killTimer(event->timerId());
        if (fired == restartAfter) {
            killTimer(event->timerId());
            timerId = startTimer(5ms);
        }
    }
};

} // namespace

class TestEpollEventDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isTheOneInUse()
    {
        QVERIFY(dispatcher() != nullptr);
        QCOMPARE(QThread::currentThread()->eventDispatcher(), dispatcher());
    }

    void postedEventsAndDeferredDeletes()
    {
        bool called = false;
        QMetaObject::invokeMethod(
            this, [&] { called = true; }, Qt::QueuedConnection);
        QVERIFY(!called);
        QTRY_VERIFY(called);

        QPointer<QObject> doomed = new QObject;
        doomed->deleteLater();
        QVERIFY(!doomed.isNull());
        QTRY_VERIFY(doomed.isNull());
    }

    void wakesUpForAnotherThread()
    {
        // Nothing else to wake the loop: no timer is due, no socket is ready.
        QThread *poster = QThread::create([this] {
            QThread::msleep(50);
            QMetaObject::invokeMethod(
                this, [] { QCoreApplication::instance()->setProperty("posted", true); },
                Qt::QueuedConnection);
        });
        poster->start();
        QTRY_VERIFY_WITH_TIMEOUT(QCoreApplication::instance()->property("posted").toBool(), 5000);
        poster->wait();
        delete poster;
    }

    void exitEndsANestedLoop()
    {
        QEventLoop loop;
        QTimer::singleShot(10ms, &loop, [&] { loop.exit(7); });
        QCOMPARE(loop.exec(), 7);
        // From another thread too (interrupt + wake-up), once the loop runs: an exit()
        // before exec() is forgotten by exec(), as Qt documents.
        QEventLoop second;
        std::atomic<bool> running{false};
        QTimer::singleShot(0, &second, [&running] { running.store(true); });
        QThread *quitter = QThread::create([&second, &running] {
            while (!running.load())
                QThread::msleep(1);
            QThread::msleep(20);
            second.exit(3);
        });
        quitter->start();
        QCOMPARE(second.exec(), 3);
        quitter->wait();
        delete quitter;
    }

    void timersOfEveryType_data()
    {
        QTest::addColumn<Qt::TimerType>("type");
        QTest::newRow("precise") << Qt::PreciseTimer;
        QTest::newRow("coarse") << Qt::CoarseTimer;
    }
    void timersOfEveryType()
    {
        QFETCH(Qt::TimerType, type);
        const int baseline = dispatcher()->timerCount();
        QElapsedTimer clock;
        clock.start();
        qint64 firedAt = -1;
        QTimer single;
        single.setSingleShot(true);
        single.setTimerType(type);
        connect(&single, &QTimer::timeout, this, [&] { firedAt = clock.elapsed(); });
        single.start(60ms);
        QCOMPARE(dispatcher()->timerCount(), baseline + 1);
        const int left = single.remainingTime();
        QVERIFY2(left > 0 && left <= 60, qPrintable(QString::number(left)));
        QVERIFY(QAbstractEventDispatcher::instance()->registeredTimers(&single).size() == 1);
        QTRY_VERIFY(firedAt >= 0);
        QVERIFY2(firedAt >= 59, qPrintable(QString::number(firedAt))); // never early
        QCOMPARE(dispatcher()->timerCount(), baseline); // single shot: gone

        int ticks = 0;
        QTimer repeating;
        repeating.setTimerType(type);
        connect(&repeating, &QTimer::timeout, this, [&] { ++ticks; });
        repeating.start(5ms);
        QTRY_VERIFY(ticks >= 10);
        repeating.stop();
        const int stoppedAt = ticks;
        QTest::qWait(30);
        QCOMPARE(ticks, stoppedAt);
        QCOMPARE(dispatcher()->timerCount(), baseline);
    }

    void veryCoarseTimersKeepWholeSeconds()
    {
        QElapsedTimer clock;
        clock.start();
        qint64 firedAt = -1;
        QTimer::singleShot(1200ms, Qt::VeryCoarseTimer, this, [&] { firedAt = clock.elapsed(); });
        QTRY_VERIFY_WITH_TIMEOUT(firedAt >= 0, 5000);
        QVERIFY2(firedAt >= 990, qPrintable(QString::number(firedAt))); // rounded to 1 s
    }

    void timersKilledAndRestartedInsideTheirHandler()
    {
        const int baseline = dispatcher()->timerCount();
        TimerCounter killed;
        killed.clock.start();
        killed.killAfter = 3;
        killed.startTimer(2ms);
        QTRY_COMPARE(killed.fired, 3);
        QTest::qWait(20);
        QCOMPARE(killed.fired, 3);
        QCOMPARE(dispatcher()->timerCount(), baseline);

        TimerCounter restarted;
        restarted.clock.start();
        restarted.restartAfter = 2;
        restarted.startTimer(2ms);
        QTRY_VERIFY(restarted.fired >= 6);
        QCOMPARE(dispatcher()->registeredTimers(&restarted).size(), 1);
        QCOMPARE(dispatcher()->registeredTimers(&restarted).first().timerId, restarted.timerId);
        QCOMPARE(dispatcher()->registeredTimers(&restarted).first().interval, 5);

        // An object that dies takes its timers with it.
        auto *many = new TimerCounter;
        for (int i = 0; i < 5; ++i)
            many->startTimer(1000ms);
        QCOMPARE(dispatcher()->timerCount(), baseline + 6);
        delete many;
        QCOMPARE(dispatcher()->timerCount(), baseline + 1);
    }

    void zeroTimersDoNotStarveTheRest()
    {
        int spins = 0;
        QTimer zero;
        connect(&zero, &QTimer::timeout, this, [&] { ++spins; });
        zero.start(0);
        SocketPair pair;
        QVERIFY(pair.ok());
        QSocketNotifier reader(pair.fd[0], QSocketNotifier::Read);
        int reads = 0;
        connect(&reader, &QSocketNotifier::activated, this, [&] {
            pair.drain(0);
            ++reads;
        });
        bool posted = false;
        QMetaObject::invokeMethod(
            this, [&] { posted = true; }, Qt::QueuedConnection);
        pair.send(1);
        bool timed = false;
        QTimer::singleShot(20ms, this, [&] { timed = true; });
        QTRY_VERIFY(posted && reads == 1 && timed);
        QVERIFY(spins > 1);
    }

    void readWriteAndExceptionNotifiers()
    {
        const int baseline = dispatcher()->socketNotifierCount();
        SocketPair pair;
        QVERIFY(pair.ok());
        QSocketNotifier reader(pair.fd[0], QSocketNotifier::Read);
        QSocketNotifier writer(pair.fd[0], QSocketNotifier::Write);
        QCOMPARE(dispatcher()->socketNotifierCount(), baseline + 1); // one fd, two types
        int reads = 0, writes = 0;
        connect(&reader, &QSocketNotifier::activated, this, [&] { reads += pair.drain(0); });
        connect(&writer, &QSocketNotifier::activated, this, [&] {
            ++writes;
            writer.setEnabled(false); // writable all the time: once is enough
        });
        QTRY_COMPARE(writes, 1);
        pair.send(1);
        pair.send(1);
        QTRY_COMPARE(reads, 2);

        // Disabled: nothing comes, though data waits; enabled again: it comes.
        reader.setEnabled(false);
        pair.send(1);
        QTest::qWait(30);
        QCOMPARE(reads, 2);
        reader.setEnabled(true);
        QTRY_COMPARE(reads, 3);

        // The peer closes: the reader hears it (a read of 0).
        ::close(pair.fd[1]);
        pair.fd[1] = -1;
        bool hungUp = false;
        disconnect(&reader, nullptr, this, nullptr);
        connect(&reader, &QSocketNotifier::activated, this, [&] {
            char byte;
            if (::read(pair.fd[0], &byte, 1) == 0) {
                hungUp = true;
                reader.setEnabled(false);
            }
        });
        QTRY_VERIFY(hungUp);
        writer.setEnabled(false);
        reader.setEnabled(false);
        QCOMPARE(dispatcher()->socketNotifierCount(), baseline);

        // Exception: TCP urgent data.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(5000));
        QTRY_VERIFY(server.hasPendingConnections());
        QTcpSocket *accepted = server.nextPendingConnection();
        QSocketNotifier urgent(accepted->socketDescriptor(), QSocketNotifier::Exception);
        bool urgentSeen = false;
        connect(&urgent, &QSocketNotifier::activated, this, [&] {
            urgentSeen = true;
            urgent.setEnabled(false);
        });
        const char byte = '!';
        QCOMPARE(::send(int(client.socketDescriptor()), &byte, 1, MSG_OOB), ssize_t(1));
        QTRY_VERIFY(urgentSeen);
    }

    void notifiersRemovedByAnEarlierHandler()
    {
        // Both are ready in one batch; whichever comes first deletes the other.
        SocketPair first, second;
        QVERIFY(first.ok() && second.ok());
        auto *a = new QSocketNotifier(first.fd[0], QSocketNotifier::Read);
        auto *b = new QSocketNotifier(second.fd[0], QSocketNotifier::Read);
        QPointer<QSocketNotifier> pa(a), pb(b);
        int activations = 0;
        connect(a, &QSocketNotifier::activated, this, [&] {
            ++activations;
            delete pb.data();
            first.drain(0);
        });
        connect(b, &QSocketNotifier::activated, this, [&] {
            ++activations;
            delete pa.data();
            second.drain(0);
        });
        first.send(1);
        second.send(1);
        QTRY_COMPARE(activations, 1);
        QTest::qWait(20);
        QCOMPARE(activations, 1);
        QCOMPARE(pa.isNull() + pb.isNull(), 1);
        delete pa.data();
        delete pb.data();
    }

    void realTcpThroughQtSockets()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QList<QTcpSocket *> accepted;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                accepted.append(socket);
                connect(socket, &QTcpSocket::readyRead, socket,
                        [socket] { socket->write(socket->readAll()); }); // echo
            }
        });
        constexpr int kClients = 50;
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        QByteArray received;
        for (int i = 0; i < kClients; ++i) {
            clients.push_back(std::make_unique<QTcpSocket>());
            QTcpSocket *client = clients.back().get();
            connect(client, &QTcpSocket::readyRead, this,
                    [client, &received] { received += client->readAll(); });
            client->connectToHost(QHostAddress::LocalHost, server.serverPort());
        }
        for (auto &client : clients)
            QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
        for (auto &client : clients)
            client->write(QByteArray(1000, 'e'));
        QTRY_COMPARE(received.size(), kClients * 1000);
        clients.clear();
        QTRY_VERIFY(std::all_of(accepted.cbegin(), accepted.cend(), [](QTcpSocket *socket) {
            return socket->state() == QAbstractSocket::UnconnectedState;
        }));
        qDeleteAll(accepted);
    }

    void manyIdleNotifiersBesideAnActiveOne()
    {
        const int baseline = dispatcher()->socketNotifierCount();
        constexpr int kIdle = 2000;
        std::vector<std::unique_ptr<SocketPair>> pairs;
        std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
        int idleActivations = 0;
        for (int i = 0; i < kIdle; ++i) {
            pairs.push_back(std::make_unique<SocketPair>());
            QVERIFY(pairs.back()->ok());
            notifiers.push_back(
                std::make_unique<QSocketNotifier>(pairs.back()->fd[0], QSocketNotifier::Read));
            connect(notifiers.back().get(), &QSocketNotifier::activated, this,
                    [&] { ++idleActivations; });
        }
        QCOMPARE(dispatcher()->socketNotifierCount(), baseline + kIdle);

        // Ping-pong on one more pair, 2,000 round trips.
        SocketPair active;
        QVERIFY(active.ok());
        QSocketNotifier left(active.fd[0], QSocketNotifier::Read);
        QSocketNotifier right(active.fd[1], QSocketNotifier::Read);
        int trips = 0;
        connect(&right, &QSocketNotifier::activated, this, [&] {
            active.drain(1);
            active.send(1);
        });
        connect(&left, &QSocketNotifier::activated, this, [&] {
            active.drain(0);
            if (++trips < 2000)
                active.send(0);
        });
        active.send(0);
        QTRY_COMPARE_WITH_TIMEOUT(trips, 2000, 20000);
        QCOMPARE(idleActivations, 0);
        notifiers.clear();
        QCOMPARE(dispatcher()->socketNotifierCount(), baseline + 2);
    }

    void aWorkerThreadWithItsOwn()
    {
        QThread worker;
        auto *own = new EpollEventDispatcher;
        worker.setEventDispatcher(own);
        worker.start();
        auto *context = new QObject;
        context->moveToThread(&worker);
        std::atomic<int> ticks{0};
        std::atomic<bool> onWorker{false};
        QMetaObject::invokeMethod(
            context,
            [&] {
                onWorker = QThread::currentThread()->eventDispatcher() == own;
                auto *timer = new QTimer(context);
                connect(timer, &QTimer::timeout, context, [&ticks] { ++ticks; });
                timer->start(3ms);
            },
            Qt::QueuedConnection);
        QTRY_VERIFY(ticks.load() >= 5);
        QVERIFY(onWorker.load());
        // Deleted on its thread, as the thread ends (deferred deletes run then).
        QMetaObject::invokeMethod(
            context, [context] { context->deleteLater(); }, Qt::BlockingQueuedConnection);
        worker.quit();
        QVERIFY(worker.wait(5000));
    }

    void aQuitFromAnotherThreadIsNeverLost()
    {
        // quit() lands while the worker's loop is between looking at its exit flag and
        // waiting (right after a blocking call returned): the loop must still end, with no
        // timer left to wake it. A lost interrupt hangs here.
        for (int round = 0; round < 300; ++round) {
            QThread worker;
            worker.setEventDispatcher(new EpollEventDispatcher);
            worker.start();
            auto *context = new QObject;
            context->moveToThread(&worker);
            QMetaObject::invokeMethod(
                context, [context] { context->deleteLater(); }, Qt::BlockingQueuedConnection);
            worker.quit();
            QVERIFY2(worker.wait(5000), qPrintable(QString::number(round)));
        }
    }
};

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication application(argc, argv);
    TestEpollEventDispatcher test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epoll_event_dispatcher.moc"
