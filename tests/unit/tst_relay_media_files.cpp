// The relay's MediaFiles: blocking BlobStore calls on a pool of their own, bounded, and a
// job's captures gone before anyone sees its result (what an upload's claim relies on).
#include "media/blob_store.h"
#include "media/media_files.h"
#include "support/await.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestRelayMediaFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aJobsCapturesAreGoneBeforeItsResultIsSeen()
    {
        QTemporaryDir directory;
        auto blobs = LocalBlobStore::open(directory.path());
        QVERIFY(blobs);
        MediaFiles files(std::move(*blobs), 1);
        for (int round = 0; round < 20; ++round) {
            auto released = std::make_shared<std::atomic<bool>>(false);
            // Stands in for a claim: its release is slow, so a result reported before it
            // is seen while it is still held.
            std::shared_ptr<int> held(new int(round), [released](int *value) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                released->store(true);
                delete value;
            });
            auto future = files
                              .run<qint64>([held = std::move(held)](BlobStore &store) {
                                  return store.size(u"0123456789abcdef0123456789abcdef"_s);
                              })
                              .future();
            QCOMPARE(await(future).ok(), true);
            QVERIFY2(released->load(), "the job still held what it captured");
        }
    }

    void aFullQueueRefusesAtOnce()
    {
        QTemporaryDir directory;
        auto blobs = LocalBlobStore::open(directory.path());
        QVERIFY(blobs);
        MediaFiles files(std::move(*blobs), 1, 2);
        std::atomic<bool> go{false};
        const auto wait = [&go](BlobStore &) -> Result<void> {
            while (!go.load())
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return {};
        };
        auto first = files.run<void>(wait).future();
        auto second = files.run<void>(wait).future();
        auto third = files.run<void>(wait).future();
        QVERIFY(third.isFinished());
        QCOMPARE(third.result().error().code, ErrorCode::Unavailable);
        go.store(true);
        QVERIFY(await(first).ok());
        QVERIFY(await(second).ok());
        QCOMPARE(files.backlog(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRelayMediaFiles)
#include "tst_relay_media_files.moc"
