// The libcurl loop the relay's pushes and the app's transfers share (common/net/curl_loop.h),
// against real local HTTP servers: many requests through a small in-flight cap, the bounded
// queue, cancelling running and queued requests, timeouts, callbacks on the context's thread,
// and no callback once the loop or the context is gone, whatever was in flight.
#include "net/curl_loop.h"
#include "support/provider_server.h"

#include <QThread>
#include <QtTest>

#include <atomic>
#include <memory>
#include <utility>

using namespace tidings::net;
using namespace tidings::test;

namespace {

size_t keepBody(char *data, size_t size, size_t count, void *user)
{
    static_cast<QByteArray *>(user)->append(data, qsizetype(size * count));
    return size * count;
}

/// A GET of `url` whose answer's body goes to `body` (it must outlive the request: the
/// callback that owns it does).
CURL *get(const QByteArray &url, QByteArray *body, long timeoutMs = 0)
{
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url.constData());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &keepBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
    if (timeoutMs > 0)
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeoutMs);
    return easy;
}

/// What callbacks came, from any thread.
struct Calls
{
    std::atomic<int> count{0};
    std::atomic<bool> onContextThread{true};
};

/// Adds a GET of `url` to `loop`, counting its callback in `calls`.
CurlLoop::Id addCounted(CurlLoop &loop, const QByteArray &url, QObject *context,
                        const std::shared_ptr<Calls> &calls)
{
    auto body = std::make_shared<QByteArray>();
    return loop.add(get(url, body.get()), context, [calls, context, body](const CurlOutcome &) {
        if (QThread::currentThread() != context->thread())
            calls->onContextThread = false;
        ++calls->count;
    });
}

CurlLoop::Options options(int maxInFlight, int maxQueued)
{
    CurlLoop::Options options;
    options.maxInFlight = maxInFlight;
    options.maxQueued = maxQueued;
    options.threadName = QStringLiteral("test-curl");
    return options;
}

/// A thread whose event loop has not started yet: what is posted to its objects waits.
class HeldThread
{
public:
    HeldThread()
    {
        context->moveToThread(&thread);
        m_probe->moveToThread(&thread);
    }
    ~HeldThread()
    {
        release();
        thread.quit();
        thread.wait();
        delete context; // its thread is done: deleting it here is safe
        delete m_probe;
    }
    HeldThread(const HeldThread &) = delete;
    HeldThread &operator=(const HeldThread &) = delete;

    /// Starts the thread and returns once it has run everything posted to it so far.
    void release()
    {
        if (!thread.isRunning())
            thread.start();
        QMetaObject::invokeMethod(
            m_probe, [] {}, Qt::BlockingQueuedConnection);
    }

    QThread thread;
    QObject *context = new QObject; ///< lives in `thread`

private:
    QObject *m_probe = new QObject;
};

} // namespace

class TestCurlLoop : public QObject
{
    Q_OBJECT

    ProviderServer m_server; ///< answers 200 with "{}"
    ProviderServer m_hanging; ///< never answers

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
        QVERIFY(m_hanging.listen());
        m_hanging.setResponder([](const ReceivedRequest &) {
            StandInReply reply;
            reply.hang = true;
            return reply;
        });
    }

    void init()
    {
        m_server.clearReceived();
        m_hanging.dropConnections();
        m_hanging.clearReceived();
    }

    void manyRequestsThroughASmallCapAllComplete()
    {
        CurlLoop::Options few = options(3, 200);
        few.maxHostConnections = 2;
        CurlLoop loop(few);
        constexpr int kRequests = 120;
        QList<CurlOutcome> outcomes;
        QList<QByteArray> bodies;
        for (int i = 0; i < kRequests; ++i) {
            auto body = std::make_shared<QByteArray>();
            loop.add(get(m_server.url("/n" + QByteArray::number(i)), body.get()), this,
                     [&outcomes, &bodies, body](const CurlOutcome &outcome) {
                         outcomes.append(outcome);
                         bodies.append(*body);
                     });
        }
        QCOMPARE(loop.pending(), kRequests);
        QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), kRequests, 60000);
        for (int i = 0; i < kRequests; ++i) {
            QCOMPARE(outcomes.at(i).result, CURLE_OK);
            QCOMPARE(outcomes.at(i).status, 200L);
            QVERIFY(!outcomes.at(i).refused);
            QVERIFY(outcomes.at(i).error().isEmpty());
            QCOMPARE(bodies.at(i), QByteArray("{}"));
        }
        QCOMPARE(m_server.received().size(), kRequests);
        QCOMPARE(loop.pending(), 0);
    }

    void theCapHoldsTheQueueIsBoundedAndCancelFreesASlot()
    {
        CurlLoop loop(options(2, 2));
        auto cancelled = std::make_shared<Calls>();
        const CurlLoop::Id first = addCounted(loop, m_hanging.url("/first"), this, cancelled);
        const CurlLoop::Id second = addCounted(loop, m_hanging.url("/second"), this, cancelled);
        QVERIFY(m_hanging.waitForRequests(2));

        // Both slots hang: what comes next waits in the queue, and the queue has room for two.
        CurlOutcome answered;
        bool answeredCame = false;
        auto body = std::make_shared<QByteArray>();
        loop.add(get(m_server.url("/queued"), body.get()), this,
                 [&answered, &answeredCame, body](const CurlOutcome &outcome) {
                     answered = outcome;
                     answeredCame = true;
                 });
        const CurlLoop::Id queued = addCounted(loop, m_hanging.url("/dropped"), this, cancelled);
        QCOMPARE(loop.pending(), 4);
        CurlOutcome refused;
        bool refusedCame = false;
        auto unused = std::make_shared<QByteArray>();
        loop.add(get(m_server.url("/refused"), unused.get()), this,
                 [&refused, &refusedCame, unused](const CurlOutcome &outcome) {
                     refused = outcome;
                     refusedCame = true;
                 });
        QCOMPARE(loop.pending(), 4);
        QTRY_VERIFY(refusedCame);
        QVERIFY(refused.refused);
        QCOMPARE(refused.status, 0L);
        QCOMPARE(refused.error(), QStringLiteral("queue full"));
        QVERIFY(!answeredCame); // still behind the two that hang
        QCOMPARE(m_server.received().size(), 0);

        // A queued request cancelled goes at once; a running one frees its slot.
        loop.cancel(queued);
        QCOMPARE(loop.pending(), 3);
        loop.cancel(first);
        QTRY_VERIFY_WITH_TIMEOUT(answeredCame, 30000);
        QCOMPARE(answered.result, CURLE_OK);
        QCOMPARE(answered.status, 200L);
        QCOMPARE(*body, QByteArray("{}"));
        QCOMPARE(m_server.received().size(), 1);
        QCOMPARE(m_server.received().first().path, QByteArray("/queued"));
        QCOMPARE(loop.pending(), 1); // the second, hanging still

        // The hanging one ends (its server drops it): its callback comes; the cancelled
        // ones' never do.
        m_hanging.dropConnections();
        QTRY_COMPARE_WITH_TIMEOUT(cancelled->count.load(), 1, 30000);
        QCOMPARE(loop.pending(), 0);
        loop.cancel(second); // ended already: ignored
        const QList<ReceivedRequest> reached = m_hanging.received();
        for (const ReceivedRequest &request : reached)
            QVERIFY2(request.path != "/dropped", "a cancelled queued request was sent");
        QVERIFY(cancelled->onContextThread);
    }

    void aTimeoutEndsARequest()
    {
        CurlLoop loop(options(4, 4));
        CurlOutcome outcome;
        bool came = false;
        auto body = std::make_shared<QByteArray>();
        loop.add(get(m_hanging.url("/slow"), body.get(), 300), this,
                 [&outcome, &came, body](const CurlOutcome &ended) {
                     outcome = ended;
                     came = true;
                 });
        QTRY_VERIFY_WITH_TIMEOUT(came, 30000);
        QCOMPARE(outcome.result, CURLE_OPERATION_TIMEDOUT);
        QCOMPARE(outcome.status, 0L);
        QVERIFY(!outcome.refused);
        QVERIFY(!outcome.error().isEmpty());
        QCOMPARE(loop.pending(), 0);
    }

    void callbacksComeOnTheContextsThread()
    {
        QThread thread;
        thread.start();
        auto *context = new QObject;
        context->moveToThread(&thread);
        auto calls = std::make_shared<Calls>();
        {
            CurlLoop loop(options(2, 20));
            for (int i = 0; i < 10; ++i)
                addCounted(loop, m_server.url("/t"), context, calls);
            QTRY_COMPARE_WITH_TIMEOUT(calls->count.load(), 10, 30000);
        }
        QVERIFY(calls->onContextThread);
        QMetaObject::invokeMethod(context, [context] { delete context; });
        thread.quit();
        QVERIFY(thread.wait(30000));
    }

    void destroyingTheLoopStopsEverythingAndCallsNothingBack()
    {
        auto calls = std::make_shared<Calls>();
        HeldThread held;
        {
            CurlLoop loop(options(3, 10));
            // Answered already, its callback waiting in a thread that does not run yet.
            addCounted(loop, m_server.url("/answered"), held.context, calls);
            QTRY_COMPARE_WITH_TIMEOUT(loop.pending(), 0, 30000);
            // In flight and queued, hanging.
            for (int i = 0; i < 6; ++i)
                addCounted(loop, m_hanging.url("/h" + QByteArray::number(i)), this, calls);
            QVERIFY(m_hanging.waitForRequests(3));
            QCOMPARE(loop.pending(), 6);
        } // every handle cleaned up (LeakSanitizer checks), nothing called back
        held.release(); // the answered one's callback was posted to it: it must not run
        QCoreApplication::sendPostedEvents();
        QCOMPARE(calls->count.load(), 0);
        QCOMPARE(m_hanging.received().size(), 3);
    }

    void aContextThatDiesIsCalledNothingAndItsRequestsStop()
    {
        CurlLoop loop(options(4, 4));
        auto calls = std::make_shared<Calls>();

        // Running when it dies: taken off at once.
        auto *context = new QObject;
        addCounted(loop, m_hanging.url("/gone"), context, calls);
        addCounted(loop, m_hanging.url("/gone-too"), context, calls);
        QVERIFY(m_hanging.waitForRequests(2));
        QCOMPARE(loop.pending(), 2);
        delete context;
        QTRY_COMPARE_WITH_TIMEOUT(loop.pending(), 0, 30000);

        // Answered, its callback on its way, when it dies.
        {
            HeldThread held;
            addCounted(loop, m_server.url("/late"), held.context, calls);
            QTRY_COMPARE_WITH_TIMEOUT(loop.pending(), 0, 30000);
            delete std::exchange(held.context, nullptr); // its thread does not run yet
            held.release();
        }
        QCOMPARE(calls->count.load(), 0);

        // The loop serves other contexts as before.
        auto more = std::make_shared<Calls>();
        addCounted(loop, m_server.url("/after"), this, more);
        QTRY_COMPARE_WITH_TIMEOUT(more->count.load(), 1, 30000);
    }
};

QTEST_GUILESS_MAIN(TestCurlLoop)
#include "tst_curl_loop.moc"
