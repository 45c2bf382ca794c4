// The app's TransferManager (libcurl) against the real relay: round trips up to 100 MiB,
// resuming after the relay or the app itself was killed mid-upload, pause and cancel,
// resumed downloads, the cache and what the manager knows of it, and refusals.
#include "core/local_store.h"
#include "core/transfer_manager.h"
#include "core/transfer_queries.h"
#include "support/client_helpers.h"
#include "support/file_helpers.h"
#include "support/http_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 MiB = 1024 * 1024;

/// Writes `size` pseudo-random bytes (from `seed`) to `path`; returns their SHA-256 (hex).
QString writeFile(const QString &path, qint64 size, quint32 seed)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QRandomGenerator generator(seed);
    QByteArray block(MiB, Qt::Uninitialized);
    for (qint64 written = 0; written < size;) {
        const qint64 n = std::min(MiB, size - written);
        generator.fillRange(reinterpret_cast<quint32 *>(block.data()), MiB / 4);
        file.write(block.constData(), n);
        hash.addData(QByteArrayView(block).first(n));
        written += n;
    }
    return QString::fromLatin1(hash.result().toHex());
}

/// A LocalStore, a TransferManager and everything they need, in a temporary directory.
struct Transfers
{
    explicit Transfers(const QString &directory, TransferManager::Options options = fast())
        : store(directory + u"/local.db"_s)
    {
        opened = await(store.open()).ok();
        manager = std::make_unique<TransferManager>(store, directory + u"/cache"_s, options);
    }
    ~Transfers()
    {
        manager.reset();
        store.close();
    }

    static TransferManager::Options fast()
    {
        TransferManager::Options options;
        options.firstRetryMs = 100;
        options.maxRetryMs = 1000;
        return options;
    }

    LocalStore store;
    bool opened = false;
    std::unique_ptr<TransferManager> manager;
};

} // namespace

class TestTransfers : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    QTemporaryDir m_files;
    int m_users = 0;

    QByteArray signUp(RelayProcess &relay)
    {
        ProtocolClient client;
        if (!client.open(relay.webSocketUrl()))
            return {};
        return client.registerUser(u"transfer%1"_s.arg(++m_users))
            .value(u"token"_s)
            .toString()
            .toLatin1();
    }

    static QUrl base(const RelayProcess &relay) { return relay.httpUrl(); }

    /// Sends `path` through `peer`; the relay's media object, or empty when it failed.
    static QJsonObject sent(Transfers &peer, const QString &path, const QString &name)
    {
        QSignalSpy uploaded(peer.manager.get(), &TransferManager::uploaded);
        QSignalSpy failed(peer.manager.get(), &TransferManager::failed);
        peer.manager->upload({path, {}, name});
        const bool ended
            = QTest::qWaitFor([&] { return !uploaded.isEmpty() || !failed.isEmpty(); }, 60000);
        return ended && !uploaded.isEmpty()
            ? uploaded.first().at(1).value<protocol::messages::MediaObject>().encode()
            : QJsonObject();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_files.isValid());
        QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void roundTrip_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::newRow("0 B") << qint64(0);
        QTest::newRow("1 B") << qint64(1);
        QTest::newRow("5 MiB") << 5 * MiB;
        QTest::newRow("100 MiB") << 100 * MiB;
    }

    void roundTrip()
    {
        QFETCH(qint64, size);
        QTemporaryDir directory;
        Transfers sender(directory.path() + u"/a"_s);
        Transfers receiver(directory.path() + u"/b"_s);
        QVERIFY(sender.opened && receiver.opened);
        const QByteArray token = signUp(m_relay);
        sender.manager->setServer(base(m_relay), token);
        receiver.manager->setServer(base(m_relay), token);

        const QString path = directory.filePath(u"original.bin"_s);
        const QString sha256 = writeFile(path, size, quint32(size + 1));
        QSignalSpy uploaded(sender.manager.get(), &TransferManager::uploaded);
        QSignalSpy failed(sender.manager.get(), &TransferManager::failed);
        const QString id = sender.manager->upload({path, {}, u"report.bin"_s});
        QTRY_VERIFY_WITH_TIMEOUT(!uploaded.isEmpty() || !failed.isEmpty(), 300000);
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QCOMPARE(uploaded.first().at(0).toString(), id);
        const QJsonObject media
            = uploaded.first().at(1).value<protocol::messages::MediaObject>().encode();
        QCOMPARE(media.value(u"sha256"_s).toString(), sha256);
        QCOMPARE(media.value(u"size"_s).toInteger(), size);
        QCOMPARE(media.value(u"name"_s).toString(), u"report.bin"_s);
        QCOMPARE(sender.manager->state(id), TransferManager::State::Done);

        QSignalSpy downloaded(receiver.manager.get(), &TransferManager::downloaded);
        QSignalSpy downloadFailed(receiver.manager.get(), &TransferManager::failed);
        receiver.manager->download(
            {media.value(u"id"_s).toString(), size, sha256, u"../../report.bin"_s});
        QTRY_VERIFY_WITH_TIMEOUT(!downloaded.isEmpty() || !downloadFailed.isEmpty(), 300000);
        QVERIFY(downloadFailed.isEmpty());
        const QString saved = downloaded.first().at(2).toString();
        QVERIFY2(saved.startsWith(directory.path() + u"/b/cache/"_s), qPrintable(saved));
        QVERIFY(saved.endsWith(u"/report.bin"_s));
        QCOMPARE(fileSha256(saved), sha256);
        QCOMPARE(receiver.manager->cachedPath(media.value(u"id"_s).toString()), saved);
        // Nothing is left to pick up after a restart.
        QCOMPARE(
            await(sender.store.read<QList<local::Transfer>>(&local::unfinishedTransfers))->size(),
            0);
    }

    void resumesAfterTheRelayIsKilled()
    {
        RelayProcess relay;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QTemporaryDir directory;
        TransferManager::Options options = Transfers::fast();
        options.chunkBytes = MiB;
        options.maxBytesPerSecond = 4 * MiB; // slow enough to be caught mid-way
        Transfers sender(directory.path(), options);
        sender.manager->setServer(base(relay), signUp(relay));
        const QString path = directory.filePath(u"big.bin"_s);
        const QString sha256 = writeFile(path, 24 * MiB, 99);

        QSignalSpy uploaded(sender.manager.get(), &TransferManager::uploaded);
        QSignalSpy resumed(sender.manager.get(), &TransferManager::resumed);
        qint64 reached = 0;
        connect(sender.manager.get(), &TransferManager::progress, this,
                [&reached](const QString &, qint64 done, qint64) { reached = done; });
        sender.manager->upload({path, {}, {}});
        QTRY_VERIFY_WITH_TIMEOUT(reached >= 6 * MiB, 60000);
        relay.kill();
        const qint64 before = reached;
        QVERIFY2(relay.start(), qPrintable(relay.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(!uploaded.isEmpty(), 120000);
        // It went on from where the relay stood, not from zero.
        QCOMPARE(resumed.size(), 1);
        QVERIFY2(
            resumed.first().at(1).toLongLong() >= before - MiB,
            qPrintable(u"resumed at %1 after reaching %2"_s.arg(resumed.first().at(1).toLongLong())
                           .arg(before)));
        QCOMPARE(uploaded.first()
                     .at(1)
                     .value<protocol::messages::MediaObject>()
                     .encode()
                     .value(u"sha256"_s)
                     .toString(),
                 sha256);
        QCOMPARE(relay.stop(), 0);
    }

    void resumesAfterTheAppIsKilled()
    {
        QTemporaryDir directory;
        const QString path = directory.filePath(u"big.bin"_s);
        const QString sha256 = writeFile(path, 24 * MiB, 7);
        const QByteArray token = signUp(m_relay);
        const QStringList arguments{u"--database"_s, directory.filePath(u"local.db"_s),
                                    u"--server"_s,   base(m_relay).toString(),
                                    u"--token"_s,    QString::fromLatin1(token),
                                    u"--file"_s,     path,
                                    u"--rate"_s,     QString::number(4 * MiB)};
        const QString uploader = QStringLiteral(TIDINGS_UPLOADER_BINARY);

        QProcess first;
        first.start(uploader, arguments);
        qint64 reached = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                while (first.canReadLine()) {
                    const QByteArray line = first.readLine().trimmed();
                    if (line.startsWith("progress "))
                        reached = line.sliced(9).toLongLong();
                }
                return reached >= 6 * MiB;
            }(),
            60000);
        first.kill();
        QVERIFY(first.waitForFinished(10000));

        QCOMPARE(reached < 24 * MiB, true); // killed mid-way
        QProcess second;
        second.start(uploader, arguments + QStringList{u"--resume"_s});
        QVERIFY(second.waitForFinished(120000));
        const QByteArray output = second.readAllStandardOutput();
        const QList<QByteArray> lines = output.split('\n');
        qint64 resumedAt = -1;
        QString mediaId;
        for (const QByteArray &line : lines) {
            if (line.startsWith("resumed "))
                resumedAt = line.sliced(8).toLongLong();
            if (line.startsWith("done "))
                mediaId = QString::fromLatin1(line.sliced(5));
        }
        QVERIFY2(!mediaId.isEmpty(),
                 QByteArray(output + second.readAllStandardError()).constData());
        QVERIFY2(resumedAt >= reached - MiB,
                 qPrintable(u"resumed at %1 after reaching %2"_s.arg(resumedAt).arg(reached)));
        const HttpResult got = httpRequest("GET", m_relay.httpUrl(u"/v1/media/"_s + mediaId),
                                           {{"Authorization", "Bearer " + token}}, {}, 120000);
        QCOMPARE(got.status, 200);
        QCOMPARE(QString::fromLatin1(
                     QCryptographicHash::hash(got.body, QCryptographicHash::Sha256).toHex()),
                 sha256);
    }

    void pauseResumeAndCancel()
    {
        QTemporaryDir directory;
        TransferManager::Options options = Transfers::fast();
        options.chunkBytes = 256 * 1024;
        Transfers sender(directory.path(), options);
        const QByteArray token = signUp(m_relay);
        const QString path = directory.filePath(u"file.bin"_s);
        writeFile(path, 20 * MiB, 3);

        // Paused before the server is known: nothing moves until resumed.
        QSignalSpy uploaded(sender.manager.get(), &TransferManager::uploaded);
        QSignalSpy failed(sender.manager.get(), &TransferManager::failed);
        const QString id = sender.manager->upload({path, {}, {}});
        sender.manager->pause(id);
        sender.manager->setServer(base(m_relay), token);
        QTRY_COMPARE(sender.manager->state(id), TransferManager::State::Paused);
        QTest::qWait(500);
        QVERIFY(uploaded.isEmpty());
        sender.manager->resume(id);
        QTRY_VERIFY_WITH_TIMEOUT(!uploaded.isEmpty() || !failed.isEmpty(), 120000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));

        // Cancelled mid-way: it stops, and the relay forgets it.
        QSignalSpy progress(sender.manager.get(), &TransferManager::progress);
        const QString second = sender.manager->upload({path, {}, {}});
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), 60000);
        sender.manager->cancel(second);
        QCOMPARE(sender.manager->state(second), TransferManager::State::Cancelled);
        QTest::qWait(300);
        QCOMPARE(uploaded.size(), 1);
        // The store runs its jobs in order: this read comes after the cancel's forgetting.
        QCOMPARE(
            await(sender.store.read<QList<local::Transfer>>(&local::unfinishedTransfers))->size(),
            0);
    }

    void refusalsFailTheTransfer()
    {
        QTemporaryDir directory;
        Transfers sender(directory.path());
        sender.manager->setServer(base(m_relay), signUp(m_relay));
        const QString path = directory.filePath(u"not-a-picture.png"_s);
        writeFile(path, 1000, 5);
        QSignalSpy failed(sender.manager.get(), &TransferManager::failed);
        const QString id = sender.manager->upload({path, u"image/png"_s, {}});
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 30000);
        QVERIFY2(failed.first().at(1).toString().contains(u"image/png"_s),
                 qPrintable(failed.first().at(1).toString()));
        QCOMPARE(sender.manager->state(id), TransferManager::State::Failed);

        // A download of something that does not exist fails too.
        sender.manager->download({QString(32, u'a'), 10, QString(64, u'0'), u"x"_s});
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 30000);
    }

    void filesTravelInMessages()
    {
        TestClient alice, bob;
        const QString name = u"files%1"_s.arg(++m_users);
        QVERIFY(alice.signUp(m_relay.port(), name + u"a"_s));
        QVERIFY(bob.signUp(m_relay.port(), name + u"b"_s));
        const auto conversation = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(conversation.ok());

        const QString path = alice.directory->filePath(u"holiday notes.txt"_s);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("Day 1: sun.\nDay 2: rain.\n");
        }
        const QString sha256 = fileSha256(path);
        ChatClient::OutgoingFile notes;
        notes.path = path;
        notes.type = u"text/plain"_s;
        notes.size = QFileInfo(path).size();
        const auto queued = await(alice.client->sendFiles(*conversation, u"my notes"_s, {notes}));
        QVERIFY(queued.ok());
        // Shown at once, from the local file, before the relay has it.
        const QJsonObject shown = queued->body.value(u"attachments"_s).toArray().first().toObject();
        QCOMPARE(shown.value(u"local_path"_s).toString(), path);
        QCOMPARE(queued->state, u"queued"_s);

        // Bob gets the message with the relay's own description of the file.
        QJsonObject received;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const local::Message &message : bob.messages(*conversation)) {
                    if (message.body.contains(u"attachments"_s))
                        received
                            = message.body.value(u"attachments"_s).toArray().first().toObject();
                }
                return !received.isEmpty();
            }(),
            30000);
        QCOMPARE(received.value(u"name"_s).toString(), u"holiday notes.txt"_s);
        QCOMPARE(received.value(u"sha256"_s).toString(), sha256);
        QCOMPARE(received.value(u"type"_s).toString(), u"text/plain"_s);
        QVERIFY(!received.contains(u"local_path"_s)); // nothing of Alice's disk reaches Bob
        QVERIFY(!received.contains(u"upload"_s));
        const QString mediaId = received.value(u"media"_s).toString();
        QCOMPARE(mediaId.size(), 32);

        // Alice's copy stands in her cache; Bob downloads his.
        QTRY_VERIFY(!alice.client->transfers().cachedPath(mediaId).isEmpty());
        QSignalSpy downloaded(&bob.client->transfers(), &TransferManager::downloaded);
        bob.client->transfers().download({mediaId, received.value(u"size"_s).toInteger(), sha256,
                                          received.value(u"name"_s).toString()});
        QTRY_VERIFY_WITH_TIMEOUT(!downloaded.isEmpty(), 30000);
        QCOMPARE(fileSha256(downloaded.first().at(2).toString()), sha256);

        // A file the relay refuses fails its message; nothing is sent.
        const QString fake = alice.directory->filePath(u"fake.png"_s);
        writeFile(fake, 500, 1);
        ChatClient::OutgoingFile picture;
        picture.path = fake;
        picture.type = u"image/png"_s;
        picture.size = 500;
        const auto refused = await(alice.client->sendFiles(*conversation, {}, {picture}));
        QVERIFY2(refused.ok(), refused.ok() ? "" : qPrintable(refused.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const local::Message &message : alice.messages(*conversation)) {
                    if (message.clientId == refused->clientId)
                        return message.state == u"failed"_s;
                }
                return false;
            }(),
            30000);
    }

    void downloadsResumeAndTheCacheIsTrimmed()
    {
        QTemporaryDir directory;
        Transfers peer(directory.path() + u"/a"_s);
        const QByteArray token = signUp(m_relay);
        peer.manager->setServer(base(m_relay), token);
        const QString path = directory.filePath(u"file.bin"_s);
        const QString sha256 = writeFile(path, 3 * MiB, 11);
        QSignalSpy uploaded(peer.manager.get(), &TransferManager::uploaded);
        peer.manager->upload({path, {}, u"file.bin"_s});
        QTRY_VERIFY_WITH_TIMEOUT(!uploaded.isEmpty(), 60000);
        const QString mediaId = uploaded.first()
                                    .at(1)
                                    .value<protocol::messages::MediaObject>()
                                    .encode()
                                    .value(u"id"_s)
                                    .toString();

        // Half a download left by an earlier run (the right bytes, then a wrong tail that the
        // relay's Range answer overwrites nothing of: the check catches it and starts over).
        Transfers fetcher(directory.path() + u"/b"_s);
        fetcher.manager->setServer(base(m_relay), token);
        const QString cached = directory.path() + u"/b/cache/"_s + mediaId + u"/file.bin"_s;
        QVERIFY(QDir().mkpath(QFileInfo(cached).path()));
        {
            QFile source(path);
            QVERIFY(source.open(QIODevice::ReadOnly));
            QFile part(cached + u".part"_s);
            QVERIFY(part.open(QIODevice::WriteOnly));
            part.write(source.read(MiB));
        }
        QSignalSpy downloaded(fetcher.manager.get(), &TransferManager::downloaded);
        fetcher.manager->download({mediaId, 3 * MiB, sha256, u"file.bin"_s});
        QTRY_VERIFY_WITH_TIMEOUT(!downloaded.isEmpty(), 60000);
        QCOMPARE(fileSha256(cached), sha256);
        QVERIFY(!QFile::exists(cached + u".part"_s));
        // A second download of it is the cached file at once.
        fetcher.manager->download({mediaId, 3 * MiB, sha256, u"file.bin"_s});
        QTRY_COMPARE(downloaded.size(), 2);
        QCOMPARE(downloaded.last().at(2).toString(), cached);

        QFuture<qint64> size = fetcher.manager->cacheSize();
        size.waitForFinished();
        QCOMPARE(size.result(), 3 * MiB);
        QFuture<qint64> left = fetcher.manager->trimCache(0);
        left.waitForFinished();
        QCOMPARE(left.result(), 0);
        QVERIFY(fetcher.manager->cachedPath(mediaId).isEmpty());
    }

    void theCacheIsKnownFromMemoryUntilAFileIsFoundGone()
    {
        QTemporaryDir directory;
        Transfers peer(directory.path() + u"/a"_s);
        const QByteArray token = signUp(m_relay);
        peer.manager->setServer(base(m_relay), token);
        const QString path = directory.filePath(u"photo.jpg"_s);
        const QString sha256 = writeFile(path, 300 * 1024, 21);
        const QJsonObject media = sent(peer, path, u"photo.jpg"_s);
        QVERIFY(!media.isEmpty());
        const QString mediaId = media.value(u"id"_s).toString();
        const TransferManager::Download photo{mediaId, 300 * 1024, sha256, u"photo.jpg"_s};

        Transfers viewer(directory.path() + u"/b"_s);
        viewer.manager->setServer(base(m_relay), token);
        QSignalSpy downloaded(viewer.manager.get(), &TransferManager::downloaded);
        QSignalSpy failed(viewer.manager.get(), &TransferManager::failed);
        viewer.manager->download(photo);
        QTRY_VERIFY_WITH_TIMEOUT(!downloaded.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        const QString cached = downloaded.first().at(2).toString();
        QCOMPARE(viewer.manager->cachedPath(mediaId), cached);
        // Still there: a check finds it and changes nothing.
        QFuture<QString> check = viewer.manager->verifyCached(mediaId);
        check.waitForFinished();
        QCOMPARE(check.result(), cached);

        // Removed behind the app's back: what a view asks while it paints is answered from
        // memory, without looking at the disk…
        QVERIFY(QFile::remove(cached));
        QCOMPARE(viewer.manager->cachedPath(mediaId), cached);
        // …until a check (before the file is opened) finds it gone: it is forgotten, and the
        // views are told, so they show it as not here (a picture downloads again by itself).
        QSignalSpy changed(viewer.manager.get(), &TransferManager::cacheChanged);
        check = viewer.manager->verifyCached(mediaId);
        check.waitForFinished();
        QCOMPARE(check.result(), QString());
        QVERIFY(viewer.manager->cachedPath(mediaId).isEmpty());
        QTRY_COMPARE(changed.size(), 1);
        // Asked for again, it downloads again.
        viewer.manager->download(photo);
        QTRY_VERIFY_WITH_TIMEOUT(downloaded.size() == 2 || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        QCOMPARE(downloaded.last().at(2).toString(), cached);
        QCOMPARE(fileSha256(cached), sha256);
        QCOMPARE(viewer.manager->cachedPath(mediaId), cached);

        // Gone again with no check in between: a download does not end with a file that is
        // not there (it looks first), it fetches it again.
        QVERIFY(QFile::remove(cached));
        QCOMPARE(viewer.manager->cachedPath(mediaId), cached);
        viewer.manager->download(photo);
        QTRY_VERIFY_WITH_TIMEOUT(downloaded.size() == 3 || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        QCOMPARE(downloaded.last().at(2).toString(), cached);
        QCOMPARE(fileSha256(cached), sha256);
        QCOMPARE(viewer.manager->cachedPath(mediaId), cached);
    }

    void aNewManagerFindsWhatTheCacheHolds()
    {
        // What an earlier run left in the cache: a whole download, half of one, a sent file's
        // link whose original went, and a pasted picture waiting to be sent.
        QTemporaryDir directory;
        const QString cache = directory.path() + u"/cache"_s;
        const QString whole = QString(32, u'a'), half = QString(32, u'b'), sent = QString(32, u'c');
        for (const QString &folder : {whole, half, sent, u"outgoing"_s})
            QVERIFY(QDir().mkpath(cache + u'/' + folder));
        const QString kept = cache + u'/' + whole + u"/kept.bin"_s;
        const QString sha256 = writeFile(kept, 1000, 31);
        writeFile(cache + u'/' + half + u"/half.bin.part"_s, 500, 32);
        QVERIFY(
            QFile::link(directory.filePath(u"gone.bin"_s), cache + u'/' + sent + u"/sent.bin"_s));
        writeFile(cache + u"/outgoing/pasted.png"_s, 100, 33);

        // Asked for at once, before the cache has been read and with no relay to fetch it
        // from: the download waits for the reading and ends with the cached file.
        Transfers fresh(directory.path());
        QVERIFY(fresh.opened);
        QSignalSpy changed(fresh.manager.get(), &TransferManager::cacheChanged);
        QSignalSpy downloaded(fresh.manager.get(), &TransferManager::downloaded);
        const QString id = fresh.manager->download({whole, 1000, sha256, u"kept.bin"_s});
        QVERIFY(!fresh.manager->isCacheIndexed());
        QTRY_VERIFY(!downloaded.isEmpty());
        QCOMPARE(downloaded.first().at(0).toString(), id);
        QCOMPARE(downloaded.first().at(2).toString(), kept);
        QCOMPARE(fresh.manager->state(id), TransferManager::State::Done);

        // Once it has been read (and said so), what it holds is known from memory.
        QTRY_VERIFY(fresh.manager->isCacheIndexed());
        QVERIFY(!changed.isEmpty());
        QCOMPARE(fresh.manager->cachedPath(whole), kept);
        QVERIFY(fresh.manager->cachedPath(half).isEmpty());
        QVERIFY(fresh.manager->cachedPath(sent).isEmpty());
        QVERIFY(fresh.manager->cachedPath(u"outgoing"_s).isEmpty());

        // Another manager on the same cache finds it after its own reading.
        Transfers again(directory.path());
        QSignalSpy read(again.manager.get(), &TransferManager::cacheChanged);
        QVERIFY(read.wait());
        QVERIFY(again.manager->isCacheIndexed());
        QCOMPARE(again.manager->cachedPath(whole), kept);
    }

    void trimmingTheCacheForgetsWhatWent()
    {
        QTemporaryDir directory;
        Transfers peer(directory.path() + u"/a"_s);
        const QByteArray token = signUp(m_relay);
        peer.manager->setServer(base(m_relay), token);
        QList<TransferManager::Download> files;
        for (const QString &name : {u"first.bin"_s, u"second.bin"_s}) {
            const QString path = directory.filePath(name);
            const QString sha256 = writeFile(path, MiB, quint32(40 + files.size()));
            const QJsonObject media = sent(peer, path, name);
            QVERIFY(!media.isEmpty());
            files.append({media.value(u"id"_s).toString(), MiB, sha256, name});
        }

        // Room for one: the second download pushes the first out, and it is forgotten.
        Transfers viewer(directory.path() + u"/b"_s);
        viewer.manager->setServer(base(m_relay), token);
        viewer.manager->setCacheLimit(MiB + MiB / 2);
        QSignalSpy downloaded(viewer.manager.get(), &TransferManager::downloaded);
        QSignalSpy failed(viewer.manager.get(), &TransferManager::failed);
        viewer.manager->download(files.at(0));
        QTRY_VERIFY_WITH_TIMEOUT(!downloaded.isEmpty() || !failed.isEmpty(), 60000);
        const QString first = downloaded.first().at(2).toString();
        QCOMPARE(viewer.manager->cachedPath(files.at(0).mediaId), first);
        QSignalSpy changed(viewer.manager.get(), &TransferManager::cacheChanged);
        viewer.manager->download(files.at(1));
        QTRY_VERIFY_WITH_TIMEOUT(downloaded.size() == 2 || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        const QString second = downloaded.last().at(2).toString();
        QTRY_VERIFY(viewer.manager->cachedPath(files.at(0).mediaId).isEmpty());
        QVERIFY(!QFile::exists(first));
        QCOMPARE(viewer.manager->cachedPath(files.at(1).mediaId), second);
        QTRY_COMPARE(changed.size(), 2); // the second came, the first went

        // Cleared: nothing is known any more, and the views are told.
        QFuture<qint64> left = viewer.manager->trimCache(0);
        left.waitForFinished();
        QCOMPARE(left.result(), 0);
        QVERIFY(viewer.manager->cachedPath(files.at(1).mediaId).isEmpty());
        QVERIFY(!QFile::exists(second));
        QTRY_COMPARE(changed.size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestTransfers)
#include "tst_transfers.moc"
