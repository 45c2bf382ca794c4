// WorkerFuture / whenReady: continuing, on a context's thread, futures that another thread
// finishes. Decision 23: Qt 6.4.2's QFuture::then(context, …) can run a continuation twice
// when it is attached while a worker thread is finishing the future; these tests attach in
// bursts against a real SqlThread and a real thread pool, where that race lives.

#include "sql/sql_thread.h"
#include "util/futures.h"

#include <QSqlError>
#include <QtConcurrent>
#include <QThreadPool>
#include <QtTest>

#include <memory>

using namespace tidings;
using namespace Qt::StringLiterals;

namespace {

/// Runs the event loop until `done()` or 30 s have passed.
template<typename P> bool spinUntil(P done)
{
    QDeadlineTimer deadline(30000);
    while (!done() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return done();
}

/// Bursts of 256 jobs: `start(id, context, record)` runs job `id` on another thread and
/// continues it on `context` with `record(id)`. Every continuation must run exactly once.
template<typename Start> void checkEachContinuesOnce(int bursts, Start start)
{
    constexpr int kBurst = 256;
    QObject context;
    std::vector<int> runs(size_t(bursts) * kBurst, 0);
    int total = 0;
    const auto record = [&runs, &total](int id) {
        ++runs.at(size_t(id));
        ++total;
    };
    for (int burst = 0; burst < bursts; ++burst) {
        for (int i = 0; i < kBurst; ++i)
            start(burst * kBurst + i, &context, record);
        QVERIFY(spinUntil([&] { return total >= (burst + 1) * kBurst; }));
    }
    QCoreApplication::processEvents(); // a second run would come now
    QCOMPARE(total, bursts * kBurst);
    QCOMPARE(std::count(runs.begin(), runs.end(), 1), qsizetype(bursts) * kBurst);
}

} // namespace

class TestFutures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void continuationRunsOnceOnTheContextThreadWithTheResult()
    {
        QObject context;
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        const QThread *home = QThread::currentThread();
        QList<int> seen;
        bool elsewhere = false;
        QList<QFuture<int>> doubled;
        for (int i = 0; i < 100; ++i) {
            WorkerFuture<int> work(QtConcurrent::run(&pool, [i] { return i; }));
            doubled.append(work.then(&context, [&, home](int value) {
                elsewhere = elsewhere || QThread::currentThread() != home;
                seen.append(value);
                return value * 2;
            }));
        }
        QVERIFY(spinUntil([&] { return seen.size() == 100; }));
        QVERIFY(!elsewhere);
        std::sort(seen.begin(), seen.end());
        for (int i = 0; i < 100; ++i) {
            QCOMPARE(seen.at(i), i);
            QVERIFY(spinUntil([&] { return doubled.at(i).isFinished(); }));
            QCOMPARE(doubled.at(i).result(), i * 2);
        }
    }

    // Many short store jobs, each continued the instant it was submitted, while the store
    // thread finishes the earlier ones: every continuation must run exactly once.
    void burstsOfStoreJobsEachContinueExactlyOnce()
    {
        SqlThread thread(u"QSQLITE"_s, [](QSqlDatabase &database) -> Result<void> {
            database.setDatabaseName(u":memory:"_s);
            if (!database.open())
                return Error{ErrorCode::Io, database.lastError().text()};
            return {};
        });
        checkEachContinuesOnce(200, [&thread](int id, QObject *context, auto record) {
            thread.submit<int>([id](QSqlDatabase &) -> Result<int> { return id; })
                .then(context, [record](const Result<int> &done) { record(*done); });
        });
    }

    // The same against a thread pool, where jobs finish within microseconds of being started
    // (as password hashing does, on its own pool). With QFuture::then(context, …) in place of
    // WorkerFuture::then this crashed in 1 run of 4 (a continuation run twice).
    void burstsOfPoolJobsEachContinueExactlyOnce()
    {
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        checkEachContinuesOnce(2000, [&pool](int id, QObject *context, auto record) {
            WorkerFuture<int>(QtConcurrent::run(&pool, [id] {
                return id;
            })).then(context, [record](int done) { record(done); });
        });
    }

    // The context goes away while its work is in flight (a chat closed mid-load): nothing is
    // called, and whoever waits on the continued future sees it cancelled, not hanging.
    void aContextDestroyedFirstIsNotCalledAndCancelsTheContinuation()
    {
        QThreadPool pool;
        QSemaphore release;
        WorkerFuture<int> work(QtConcurrent::run(&pool, [&release] {
            release.acquire();
            return 7;
        }));
        bool called = false;
        auto context = std::make_unique<QObject>();
        QFuture<int> continued = work.then(context.get(), [&called](int value) {
            called = true;
            return value;
        });
        context.reset();
        release.release();
        work.waitForFinished();
        QVERIFY(spinUntil([&] { return continued.isFinished(); }));
        QVERIFY(continued.isCanceled());
        QCoreApplication::processEvents();
        QVERIFY(!called);
    }

    // deliveredTo(): the same value as a plain QFuture, finished on the context's thread, so
    // that QFuture::then and unwrap() may compose it.
    void deliveredToComposesWithQtThen()
    {
        QObject context;
        QThreadPool pool;
        WorkerFuture<QString> work(QtConcurrent::run(&pool, [] { return u"stored"_s; }));
        QFuture<QString> delivered = work.deliveredTo(&context);
        QVERIFY(spinUntil([&] { return delivered.isFinished(); }));
        QString composed;
        delivered.then(&context, [&composed](const QString &value) { composed = value + u'!'; });
        QVERIFY(spinUntil([&] { return !composed.isEmpty(); }));
        QCOMPARE(composed, u"stored!"_s);
    }
};

QTEST_GUILESS_MAIN(TestFutures)
#include "tst_futures.moc"
