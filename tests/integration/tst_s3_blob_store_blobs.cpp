// The S3 blob store against tidings-s3-standin (or TIDINGS_TEST_S3_LOCATION's endpoint):
// pieces appended, listed across pages, read across their boundaries and digested; an upload
// resumed through another store instance, as through another relay node; conflicts, removal,
// gaps, odd prefixes, many threads, and what the store says of its bucket.
#include "s3_blob_store_fixture.h"

#include "support/file_helpers.h"
#include "support/s3_signature.h"
#include "support/s3_standin_process.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTimeZone>
#include <QtTest>

#include <limits>
#include <thread>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestS3BlobStoreBlobs : public QObject, public S3StoreFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setUp(); }

    void cleanup() { logWhenFailed(); }

    void appendsReadsAndDigestsAcrossPieces()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        QCOMPARE(got(store->size(id)), 0);
        QByteArray all;
        QStringList keys;
        quint32 seed = 1;
        for (const qsizetype length : {1000, 1, 70000, 4096, 17}) {
            const QByteArray piece = randomBytes(length, seed++);
            const auto reached = store->append(id, all.size(), piece, length == 17);
            QVERIFY2(reached, qPrintable(describe(reached)));
            keys.append(pieceKey(id, all.size()));
            all += piece;
            QCOMPARE(got(reached), all.size());
        }
        QCOMPARE(got(store->size(id)), all.size());
        if (m_standIn)
            QCOMPARE(storedPieces(id), keys);

        const qint64 total = all.size();
        const QList<std::pair<qint64, qint64>> reads{
            {0, total},    {0, kMaxBytes},  {990, 20}, {1000, 1},
            {1001, 70000}, {500, 75000},    {1000, 2}, {total - 5, 100},
            {total, 10},   {total + 7, 10}, {3, 0},    {71001, 4096}};
        for (const auto &[offset, length] : reads) {
            const auto bytes = store->read(id, offset, length);
            QVERIFY2(bytes, qPrintable(describe(bytes)));
            QCOMPARE(bytes->size(), all.mid(offset, length).size());
            QVERIFY2(*bytes == all.mid(offset, length),
                     qPrintable(u"read at %1 for %2"_s.arg(offset).arg(length)));
        }

        for (const qsizetype head : {0, 1500, 200000}) {
            const auto digest = store->digest(id, head);
            QVERIFY2(digest, qPrintable(describe(digest)));
            QCOMPARE(digest->size, total);
            QCOMPARE(digest->sha256, sha256Hex(all).toLatin1());
            QCOMPARE(digest->head, all.left(head));
        }
        QVERIFY(store->remove(id));
    }

    void anotherNodeResumesTheUpload()
    {
        const QString id = newMediaId();
        const QByteArray first = randomBytes(3000, 11);
        const QByteArray second = randomBytes(5000, 12);
        const QByteArray third = randomBytes(777, 13);
        {
            const auto node = open(m_options);
            QVERIFY(node);
            QVERIFY(node->append(id, 0, first, false));
            QVERIFY(node->append(id, first.size(), second, true));
        }
        const auto resuming = open(m_options); // what another relay node has
        QVERIFY(resuming);
        QCOMPARE(got(resuming->size(id)), first.size() + second.size());
        QVERIFY(resuming->append(id, first.size() + second.size(), third, true));

        const auto downloading = open(m_options); // and a third one
        QVERIFY(downloading);
        const QByteArray all = first + second + third;
        QCOMPARE(got(downloading->read(id, 0, kMaxBytes)), all);
        QCOMPARE(got(downloading->digest(id, 16)).sha256, sha256Hex(all).toLatin1());
        // A node that still believes in the old offset is told where the upload stands.
        const auto stale = open(m_options)->append(id, first.size() + second.size(), third, true);
        QCOMPARE(codeOf(stale), name(ErrorCode::Conflict));
        QVERIFY(downloading->remove(id));
    }

    void aWrongOffsetIsAConflict()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        const auto ahead = store->append(id, 5, "bytes", true);
        QCOMPARE(codeOf(ahead), name(ErrorCode::Conflict));
        QCOMPARE(got(store->size(id)), 0);
        QVERIFY(store->append(id, 0, "0123456789", true));
        for (const qint64 offset : {0, 9, 11}) {
            const auto wrong = store->append(id, offset, "more", true);
            QVERIFY(!wrong);
            QCOMPARE(codeOf(wrong), name(ErrorCode::Conflict));
            QVERIFY2(messageOf(wrong).contains(u"stands at 10 bytes"_s),
                     qPrintable(messageOf(wrong)));
        }
        QCOMPARE(got(store->size(id)), 10);
        QCOMPARE(got(store->append(id, 10, {}, true)), 10); // nothing to store
        if (m_standIn)
            QCOMPARE(storedPieces(id), QStringList{pieceKey(id, 0)});
        QVERIFY(store->remove(id));
    }

    void removeDeletesEveryPiece()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        const QString other = newMediaId();
        for (qint64 offset = 0; offset < 5 * 100; offset += 100)
            QVERIFY(store->append(id, offset, randomBytes(100, quint32(offset)), true));
        QVERIFY(store->append(other, 0, "another blob", true));

        const auto removed = store->remove(id);
        QVERIFY2(removed, qPrintable(describe(removed)));
        QCOMPARE(got(store->size(id)), 0);
        QCOMPARE(codeOf(store->read(id, 0, 10)), name(ErrorCode::NotFound));
        const auto empty = store->digest(id, 10);
        QCOMPARE(empty->size, 0);
        QCOMPARE(empty->sha256, sha256Hex({}).toLatin1());
        QVERIFY(store->remove(id)); // no error when there is nothing
        QVERIFY(store->remove(newMediaId()));
        QCOMPARE(got(store->read(other, 0, kMaxBytes)), QByteArray("another blob"));
        if (m_standIn) {
            QCOMPARE(storedPieces(id), QStringList());
            QCOMPARE(storedPieces(other).size(), 1);
        }
        QVERIFY(store->remove(other));
        QVERIFY(store->append(id, 0, "again from nothing", true)); // as after a bad SHA-256
        QCOMPARE(got(store->read(id, 0, kMaxBytes)), QByteArray("again from nothing"));
        QVERIFY(store->remove(id));
    }

    void aGapOrAStrangeKeyIsCorrupt()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        QVERIFY(store->append(id, 0, randomBytes(50, 5), true));
        // A piece at 100 where the blob ends at 50, written past the store.
        S3HttpRequest put = requestFor("PUT", pieceKey(id, 100), "ten bytes!");
        signS3Request(put, keys());
        QCOMPARE(send(m_options.endpoint, put).status, 200);

        const auto size = store->size(id);
        QCOMPARE(codeOf(size), name(ErrorCode::Corrupt));
        QVERIFY2(messageOf(size).contains(u"starts at byte 100"_s), qPrintable(messageOf(size)));
        QCOMPARE(codeOf(store->read(id, 0, 10)), name(ErrorCode::Corrupt));
        QCOMPARE(codeOf(store->digest(id, 10)), name(ErrorCode::Corrupt));
        QCOMPARE(codeOf(store->append(id, 50, "x", true)), name(ErrorCode::Corrupt));
        QVERIFY(store->remove(id)); // a broken blob can still go
        QCOMPARE(got(store->size(id)), 0);

        S3HttpRequest strange = requestFor("PUT", m_options.prefix + id + u"/notanoffset"_s, "?");
        signS3Request(strange, keys());
        QCOMPARE(send(m_options.endpoint, strange).status, 200);
        QCOMPARE(codeOf(store->size(id)), name(ErrorCode::Corrupt));
        S3HttpRequest remove = requestFor("DELETE", m_options.prefix + id + u"/notanoffset"_s);
        signS3Request(remove, keys());
        QCOMPARE(send(m_options.endpoint, remove).status, 204);
    }

    void aPieceOverOneMebibyte()
    {
        // libcurl sends such a body after "Expect: 100-continue".
        const auto store = open(m_options);
        QVERIFY(store);
        const QString id = newMediaId();
        const QByteArray small = randomBytes(10, 21);
        const QByteArray big = randomBytes(3 * 1024 * 1024 + 1, 22);
        QVERIFY(store->append(id, 0, small, false));
        const auto reached = store->append(id, small.size(), big, true);
        QVERIFY2(reached, qPrintable(describe(reached)));
        const QByteArray all = small + big;
        QCOMPARE(got(store->read(id, 5, 1024 * 1024)), all.mid(5, 1024 * 1024));
        QCOMPARE(got(store->digest(id, 0)).sha256, sha256Hex(all).toLatin1());
        QVERIFY(store->remove(id));
    }

    void oddCharactersInThePrefixAreSignedRight()
    {
        S3Options options = m_options;
        options.prefix += u"with space/ü+$=&?#%;,*'/"_s;
        const auto store = open(options);
        QVERIFY(store);
        const QString id = newMediaId();
        const auto appended = store->append(id, 0, "odd", true);
        QVERIFY2(appended, qPrintable(describe(appended)));
        QVERIFY(store->append(id, 3, " prefix", true));
        QVERIFY(store->append(id, 10, " works", true));
        QCOMPARE(got(store->size(id)), 16);
        QCOMPARE(got(store->read(id, 0, kMaxBytes)), QByteArray("odd prefix works"));
        if (m_standIn)
            QVERIFY(storedPieces(id).first().startsWith(options.prefix));
        QVERIFY(store->remove(id));
        QCOMPARE(got(store->size(id)), 0);
    }

    void manyThreadsShareOneStore()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        QMutex mutex;
        QStringList failures;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                const QString id = newMediaId();
                QByteArray all;
                QString failure;
                for (int i = 0; i < 5 && failure.isEmpty(); ++i) {
                    const QByteArray piece = randomBytes(3000 + i, quint32(100 * t + i));
                    if (const auto reached = store->append(id, all.size(), piece, i == 4); !reached)
                        failure = describe(reached);
                    all += piece;
                }
                if (failure.isEmpty()) {
                    const auto bytes = store->read(id, 0, kMaxBytes);
                    const auto digest = store->digest(id, 0);
                    if (!bytes || *bytes != all || !digest
                        || digest->sha256 != sha256Hex(all).toLatin1())
                        failure
                            = u"read back wrong: %1 %2"_s.arg(describe(bytes), describe(digest));
                }
                if (const auto removed = store->remove(id); !removed && failure.isEmpty())
                    failure = describe(removed);
                if (!failure.isEmpty()) {
                    const QMutexLocker lock(&mutex);
                    failures.append(failure);
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
    }

    void moreBytesThanAskedAreTakenByTheirContentRange()
    {
        // As from s3rver, which answers bytes=0-0 with the whole object.
        const auto standIn = startAnotherStandIn(true);
        QVERIFY(standIn->port());
        S3Options options = m_options;
        options.endpoint = standIn->endpoint();
        options.accessKey = QString::fromUtf8(kKeys.accessKey);
        options.secretKey = QString::fromUtf8(kKeys.secretKey);
        const auto store = open(options);
        QVERIFY(store);
        const QString id = newMediaId();
        const QByteArray first = randomBytes(100000, 31);
        const QByteArray second = randomBytes(10, 32);
        QVERIFY(store->append(id, 0, first, false));
        QVERIFY(store->append(id, first.size(), second, true));
        const QByteArray all = first + second;
        const QList<std::pair<qint64, qint64>> reads{{0, 1}, {1, 1}, {5, 3}, {99999, 2}, {7, 100}};
        for (const auto &[offset, length] : reads)
            QCOMPARE(got(store->read(id, offset, length)), all.mid(offset, length));
        QCOMPARE(got(store->size(id)), all.size()); // the connections cut short did no harm
    }

    void checkSaysWhetherTheBucketWorks()
    {
        const auto store = open(m_options);
        QVERIFY(store);
        const auto checked = store->check();
        QVERIFY2(checked, qPrintable(describe(checked)));
        S3Options elsewhere = m_options;
        elsewhere.bucket = u"no-such-bucket-of-tidings"_s;
        const auto missing = open(elsewhere)->check();
        QVERIFY(!missing);
        QCOMPARE(codeOf(missing), name(ErrorCode::Io));
        QVERIFY2(messageOf(missing).contains(u"404"_s), qPrintable(messageOf(missing)));
        QVERIFY2(messageOf(missing).contains(u"NoSuchBucket"_s), qPrintable(messageOf(missing)));
    }

    void freeBytesIsTheFigureConfigured()
    {
        QCOMPARE(got(open(m_options)->freeBytes()), std::numeric_limits<qint64>::max() / 4);
        S3Options options = m_options;
        options.freeBytes = 12345;
        QCOMPARE(got(open(options)->freeBytes()), 12345);
    }
};

QTEST_GUILESS_MAIN(TestS3BlobStoreBlobs)
#include "tst_s3_blob_store_blobs.moc"
