// The media cache sealed at rest (docs/encryption.md, section 8), against the real relay: an
// app whose store has a store key keeps a picture, a file and an end-to-end file it downloads
// with none of their bytes or names in its cache directory, yet the picture decodes (from
// memory), "Save as…" and "Open with…" give the exact bytes, a player's device reads back
// exact bytes wherever it seeks, a tampered or cut file is refused (and shown as damaged), a
// sent file is kept as a sealed copy, trimming counts what the sealed files take, and a
// plaintext cache an earlier run left is sealed in place at the first start with a key.
#include "core/cached_file.h"
#include "core/cached_file_device.h"
#include "core/local_store.h"
#include "core/transfer_files.h"
#include "core/transfer_manager.h"
#include "core/transfer_queries.h"
#include "e2e/store_crypto.h"
#include "support/await.h"
#include "support/file_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"
#include "ui/attachment_media.h"
#include "ui/media_files.h"

#include <QBuffer>
#include <QDirIterator>
#include <QImage>
#include <QRandomGenerator>
#include <QtTest>

#include <optional>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

/// A LocalStore (with a store key, or without) and a TransferManager on its cache.
struct Peer
{
    Peer(const QString &directory, std::optional<e2e::StoreKey> key)
        : store(directory + u"/local.db"_s), cache(directory + u"/cache"_s)
    {
        if (key)
            store.setStoreKey(*key);
        opened = await(store.open()).ok();
        TransferManager::Options options;
        options.firstRetryMs = 100;
        options.maxRetryMs = 1000;
        manager = std::make_unique<TransferManager>(store, cache, options);
    }
    ~Peer()
    {
        manager.reset();
        store.close();
    }

    LocalStore store;
    QString cache;
    bool opened = false;
    std::unique_ptr<TransferManager> manager;
};

/// Every file under `directory` (hidden ones and links too), by path, with its bytes.
QHash<QString, QByteArray> filesUnder(const QString &directory)
{
    QHash<QString, QByteArray> files;
    QDirIterator it(directory, QDir::Files | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        files.insert(path, file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray());
    }
    return files;
}

/// Whether `bytes` holds any 64-byte run of `plaintext`. Such a run holds one of the
/// plaintext's 32-byte blocks that start at a multiple of 32: every 32-byte window of
/// `bytes` is looked up among those.
bool holdsRunOf(const QByteArray &bytes, const QByteArray &plaintext)
{
    constexpr qsizetype kBlock = 32;
    QSet<QByteArrayView> blocks;
    for (qsizetype at = 0; at + kBlock <= plaintext.size(); at += kBlock)
        blocks.insert(QByteArrayView(plaintext).sliced(at, kBlock));
    for (qsizetype at = 0; at + kBlock <= bytes.size(); ++at) {
        if (blocks.contains(QByteArrayView(bytes).sliced(at, kBlock)))
            return true;
    }
    return false;
}

/// A picture of noise (so its PNG does not compress: several chunks of the cache's
/// format), with a red square in the middle to recognise it by.
QByteArray noisyPicture()
{
    QImage picture(400, 300, QImage::Format_RGB32);
    QRandomGenerator generator(17);
    for (int y = 0; y < picture.height(); ++y) {
        auto *line = reinterpret_cast<quint32 *>(picture.scanLine(y));
        for (int x = 0; x < picture.width(); ++x)
            line[x] = 0xff000000u | (generator.generate() & 0x00ffffffu);
    }
    for (int y = 100; y < 200; ++y) {
        for (int x = 150; x < 250; ++x)
            picture.setPixel(x, y, qRgb(0xff, 0, 0));
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    picture.save(&buffer, "PNG");
    return png;
}

/// What was sent, and what the receiver knows of it from its message.
struct Sent
{
    QString name;
    QByteArray bytes;
    TransferManager::Download download;
};

/// The attachment of a 400 × 300 picture as its message describes it.
MessageAttachment pictureOf(const Sent &sent)
{
    MessageAttachment attachment;
    attachment.file.media = sent.download.mediaId;
    attachment.file.name = sent.name;
    attachment.file.type = u"image/png"_s;
    attachment.file.size = sent.bytes.size();
    attachment.file.sha256 = sent.download.sha256;
    attachment.file.width = 400;
    attachment.file.height = 300;
    return attachment;
}

} // namespace

class TestMediaCache : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    QByteArray signUp()
    {
        ProtocolClient client;
        if (!client.open(m_relay.webSocketUrl()))
            return {};
        return client.registerUser(u"cache%1"_s.arg(++m_users))
            .value(u"token"_s)
            .toString()
            .toLatin1();
    }

    /// Sends `bytes` called `name` (end to end when `seal`) through `peer`.
    static std::optional<Sent> send(Peer &peer, const QString &folder, const QString &name,
                                    const QByteArray &bytes, const QString &type, bool seal)
    {
        const QString path = writeFile(folder + u'/' + name, bytes);
        if (path.isEmpty())
            return std::nullopt;
        QSignalSpy uploaded(peer.manager.get(), &TransferManager::uploaded);
        QSignalSpy failed(peer.manager.get(), &TransferManager::failed);
        peer.manager->upload({path, type, name, seal});
        if (!QTest::qWaitFor([&] { return !uploaded.isEmpty() || !failed.isEmpty(); }, 60000)
            || uploaded.isEmpty())
            return std::nullopt;
        const auto media = uploaded.first().at(1).value<protocol::messages::MediaObject>();
        const auto sealed = uploaded.first().at(2).value<SealedFile>();
        Sent sent{name, bytes, {media.id, qint64(bytes.size()), sha256Hex(bytes), name}};
        sent.download.key = sealed.key;
        return sent;
    }

    /// Changes one bit of the byte at `offset` of the file at `path`, on the disk.
    static bool flipByte(const QString &path, qint64 offset)
    {
        QFile file(path);
        char byte = 0;
        return file.open(QIODevice::ReadWrite) && file.seek(offset) && file.getChar(&byte)
            && file.seek(offset) && file.putChar(char(byte ^ 0x01));
    }

    /// Downloads it through `peer`: the path the manager names, or empty.
    static QString fetch(Peer &peer, const Sent &sent)
    {
        QSignalSpy downloaded(peer.manager.get(), &TransferManager::downloaded);
        QSignalSpy failed(peer.manager.get(), &TransferManager::failed);
        peer.manager->download(sent.download);
        if (!QTest::qWaitFor([&] { return !downloaded.isEmpty() || !failed.isEmpty(); }, 60000)
            || downloaded.isEmpty())
            return {};
        return downloaded.first().at(2).toString();
    }

    /// A picture, a file and an end-to-end file, sent by a plaintext peer and downloaded by
    /// `viewer` (whose cache is sealed).
    QList<Sent> sendAndFetch(Peer &sender, Peer &viewer, const QString &folder)
    {
        const QByteArray token = signUp();
        sender.manager->setServer(m_relay.httpUrl(), token);
        viewer.manager->setServer(m_relay.httpUrl(), token);
        QList<Sent> all;
        const auto picture
            = send(sender, folder, u"harbour at dawn.png"_s, noisyPicture(), u"image/png"_s, false);
        const auto file = send(sender, folder, u"packing list.bin"_s,
                               randomBytes(5 * e2e::kCacheChunkBytes / 2, 3), {}, false);
        const auto secret = send(sender, folder, u"secret plans.bin"_s,
                                 randomBytes(3 * e2e::kCacheChunkBytes + 5, 4), {}, true);
        for (const auto &sent : {picture, file, secret}) {
            if (!sent || fetch(viewer, *sent).isEmpty())
                return {};
            all.append(*sent);
        }
        return all;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void downloadsAreSealedAtRest()
    {
        QTemporaryDir directory;
        Peer sender(directory.path() + u"/a"_s, std::nullopt);
        Peer viewer(directory.path() + u"/b"_s, e2e::StoreKey::generate());
        QVERIFY(sender.opened && viewer.opened);
        const QList<Sent> sent = sendAndFetch(sender, viewer, directory.path());
        QCOMPARE(sent.size(), 3);
        QVERIFY(viewer.manager->isCacheSealed());
        QVERIFY(sent.at(2).download.key.size() > 0); // the third went end to end

        // The cache holds each one sealed, under its media id alone: none of the plaintext
        // (no 64-byte run of it) and none of the names.
        const QHash<QString, QByteArray> files = filesUnder(viewer.cache);
        QCOMPARE(files.size(), 3);
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            const QString where = it.key().sliced(viewer.cache.size());
            QCOMPARE(QFileInfo(it.key()).fileName(), kSealedFileName.toString());
            for (const Sent &one : sent) {
                QVERIFY2(!holdsRunOf(it.value(), one.bytes), qPrintable(where));
                // Words long enough that random bytes do not hold them by chance.
                for (const QString &word : one.name.split(u' ')) {
                    if (word.size() < 6)
                        continue;
                    QVERIFY2(!where.contains(word), qPrintable(where));
                    QVERIFY2(!it.value().contains(word.toUtf8()), qPrintable(where));
                }
            }
        }
        // Each file's key is in the store, sealed: the store's files do not hold it.
        QByteArray storeBytes;
        for (const QString &suffix : {u""_s, u"-wal"_s}) {
            QFile file(viewer.store.path() + suffix);
            if (file.open(QIODevice::ReadOnly))
                storeBytes += file.readAll();
        }
        for (const Sent &one : sent) {
            const CachedFile cached = viewer.manager->cachedFile(one.download.mediaId);
            QVERIFY(cached.isSealed());
            QCOMPARE(cached.path, viewer.manager->cachedPath(one.download.mediaId));
            QCOMPARE(QFileInfo(cached.path).size(), e2e::cacheFileSize(one.bytes.size()));
            QVERIFY(!storeBytes.contains(cached.key->view()));
            const auto read = readCachedFile(cached, one.bytes.size());
            QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
            QCOMPARE(*read, one.bytes);
        }

        // The picture decodes, from memory, as the message view asks for it.
        AttachmentMedia media(*viewer.manager);
        const MessageAttachment picture = pictureOf(sent.at(0));
        QImage drawn;
        QTRY_VERIFY_WITH_TIMEOUT(!(drawn = media.picture(picture, {200, 150})).isNull(), 20000);
        QVERIFY(drawn.width() >= 200);
        QCOMPARE(QColor(drawn.pixel(drawn.width() / 2, drawn.height() / 2)), QColor(Qt::red));
        const auto viewed = media::readPicture(media.fileAt(picture, media.status(picture).path));
        QVERIFY(viewed.ok());
        QCOMPARE(viewed->size(), QSize(400, 300));

        // "Save as…" writes the exact bytes where the user chose.
        QTemporaryDir saved;
        for (const Sent &one : sent) {
            const QString target = saved.filePath(one.name);
            const auto written
                = saveCachedFile(viewer.manager->cachedFile(one.download.mediaId), target);
            QVERIFY(written.ok());
            QCOMPARE(fileSha256(target), one.download.sha256);
        }

        // "Open with…" hands over a plaintext copy in a folder that is the user's alone,
        // beside the cache and not in it; it is emptied when the app goes.
        const Sent &notes = sent.at(1);
        const auto copy = await(viewer.manager->plaintextCopy(
            viewer.manager->cachedFile(notes.download.mediaId), u"../packing list.bin"_s));
        QVERIFY2(copy.ok(), copy.ok() ? "" : qPrintable(copy.error().message));
        QVERIFY(copy->startsWith(viewer.manager->openedDirectory() + u'/'));
        QVERIFY(!copy->startsWith(viewer.cache + u'/'));
        QCOMPARE(QFileInfo(*copy).fileName(), u"packing list.bin"_s);
        QCOMPARE(fileSha256(*copy), notes.download.sha256);
        const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner
            | QFileDevice::ExeOwner | QFileDevice::ReadUser | QFileDevice::WriteUser
            | QFileDevice::ExeUser;
        for (const QString &folder : {viewer.manager->openedDirectory(), QFileInfo(*copy).path()}) {
            QCOMPARE(QFileInfo(folder).permissions() & ~ownerOnly, QFileDevice::Permissions());
        }
        QCOMPARE(QFileInfo(*copy).permissions()
                     & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                        | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        // A plaintext file (not sealed) is handed over as it is.
        const CachedFile plain{*copy, std::nullopt};
        QCOMPARE(*await(viewer.manager->plaintextCopy(plain, u"x"_s)), *copy);

        // A player's device reads back the exact bytes wherever it seeks, across chunks.
        for (const Sent &one : {sent.at(1), sent.at(2)}) {
            CachedFileDevice device(viewer.manager->cachedFile(one.download.mediaId));
            QVERIFY2(device.open(QIODevice::ReadOnly), qPrintable(device.errorString()));
            QVERIFY(!device.isSequential());
            QCOMPARE(device.size(), one.bytes.size());
            QRandomGenerator generator(99);
            for (int round = 0; round < 200; ++round) {
                const qint64 at = generator.bounded(qint64(one.bytes.size()) + 1);
                const qint64 length = generator.bounded(qint64(3 * e2e::kCacheChunkBytes / 2));
                QVERIFY(device.seek(at));
                QCOMPARE(device.read(length), one.bytes.mid(at, length));
                QCOMPARE(device.pos(), std::min(at + length, qint64(one.bytes.size())));
            }
            QVERIFY(device.seek(0));
            QCOMPARE(device.readAll(), one.bytes);
            QVERIFY(device.atEnd());
        }

        // Another run with the same key finds them all, and they open.
        const QString opened = viewer.manager->openedDirectory();
        viewer.manager.reset();
        QVERIFY(!QFileInfo::exists(opened)); // emptied as the app went
        viewer.manager = std::make_unique<TransferManager>(viewer.store, viewer.cache);
        QTRY_VERIFY(viewer.manager->isCacheIndexed());
        for (const Sent &one : sent) {
            const auto read
                = readCachedFile(viewer.manager->cachedFile(one.download.mediaId), 1 << 24);
            QVERIFY(read.ok());
            QCOMPARE(*read, one.bytes);
        }
    }

    void aTamperedFileIsRefused()
    {
        QTemporaryDir directory;
        Peer sender(directory.path() + u"/a"_s, std::nullopt);
        Peer viewer(directory.path() + u"/b"_s, e2e::StoreKey::generate());
        const QList<Sent> sent = sendAndFetch(sender, viewer, directory.path());
        QCOMPARE(sent.size(), 3);

        // One byte of the picture's second chunk changed on the disk.
        const CachedFile picture = viewer.manager->cachedFile(sent.at(0).download.mediaId);
        QVERIFY(flipByte(picture.path, e2e::cacheChunkOffset(1) + 10));
        const auto read = readCachedFile(picture, 1 << 24);
        QVERIFY(!read.ok());
        QCOMPARE(read.error().code, ErrorCode::Corrupt);
        // The view does not crash or show it: it says the copy is damaged.
        AttachmentMedia media(*viewer.manager);
        const MessageAttachment shown = pictureOf(sent.at(0));
        media.picture(shown, {200, 150});
        QTRY_COMPARE(media.status(shown).error, AttachmentMedia::damagedFile());
        QVERIFY(media.picture(shown, {200, 150}).isNull()); // no thumbnail either
        // Nor is it saved or handed over: nothing is left where it was to go.
        QTemporaryDir saved;
        const QString target = saved.filePath(u"harbour.png"_s);
        const auto written = saveCachedFile(picture, target);
        QVERIFY(!written.ok());
        QCOMPARE(written.error().code, ErrorCode::Corrupt);
        QVERIFY(!QFileInfo::exists(target));
        const auto copy = await(viewer.manager->plaintextCopy(picture, sent.at(0).name));
        QVERIFY(!copy.ok());
        QCOMPARE(copy.error().code, ErrorCode::Corrupt);
        // A player reads up to damage inside a file (here the third file's second chunk of
        // four), then fails; the chunks before it still open.
        const CachedFile damaged = viewer.manager->cachedFile(sent.at(2).download.mediaId);
        QVERIFY(flipByte(damaged.path, e2e::cacheChunkOffset(1) + 10));
        CachedFileDevice device(damaged);
        QVERIFY(device.open(QIODevice::ReadOnly));
        QCOMPARE(device.read(e2e::kCacheChunkBytes), sent.at(2).bytes.first(e2e::kCacheChunkBytes));
        QCOMPARE(device.read(16), QByteArray());
        QVERIFY(!device.errorString().isEmpty());

        // The file cut at a chunk boundary (its last chunk gone) is refused too, by the
        // player's device before it reads anything.
        const CachedFile cut = viewer.manager->cachedFile(sent.at(1).download.mediaId);
        QVERIFY(QFile::resize(cut.path, e2e::cacheChunkOffset(2)));
        const auto shortened = readCachedFile(cut, 1 << 24);
        QVERIFY(!shortened.ok());
        QCOMPARE(shortened.error().code, ErrorCode::Corrupt);
        CachedFileDevice cutDevice(cut);
        QVERIFY(!cutDevice.open(QIODevice::ReadOnly));
        QVERIFY(!cutDevice.errorString().isEmpty());
        // Cut to its header and one empty chunk's worth (what an empty file is), it does not
        // pass for an empty file either: nothing is saved.
        QVERIFY(QFile::resize(cut.path, e2e::kCacheHeaderBytes + e2e::kCacheChunkOverheadBytes));
        CachedFileDevice emptied(cut);
        QVERIFY(!emptied.open(QIODevice::ReadOnly));
        const QString emptiedTarget = saved.filePath(u"packing list.bin"_s);
        QVERIFY(!saveCachedFile(cut, emptiedTarget).ok());
        QVERIFY(!QFileInfo::exists(emptiedTarget));
        // And another file's key does not open it.
        CachedFile swapped = viewer.manager->cachedFile(sent.at(2).download.mediaId);
        swapped.key = viewer.manager->cachedFile(sent.at(1).download.mediaId).key;
        QCOMPARE(readCachedFile(swapped, 1 << 24).error().code, ErrorCode::Corrupt);
    }

    void aDownloadPausedMidWayGoesOnSealed()
    {
        QTemporaryDir directory;
        Peer sender(directory.path() + u"/a"_s, std::nullopt);
        const QByteArray token = signUp();
        sender.manager->setServer(m_relay.httpUrl(), token);
        const auto sent = send(sender, directory.path(), u"long report.bin"_s,
                               randomBytes(3 * 1024 * 1024 + 7, 12), {}, false);
        QVERIFY(sent);

        // Slow enough to be caught half-way: what arrived stays sealed in the partial file,
        // and the download goes on from there (a Range request), not from the start.
        Peer viewer(directory.path() + u"/b"_s, e2e::StoreKey::generate());
        TransferManager::Options slow;
        slow.maxBytesPerSecond = 1024 * 1024;
        viewer.manager = std::make_unique<TransferManager>(viewer.store, viewer.cache, slow);
        viewer.manager->setServer(m_relay.httpUrl(), token);
        qint64 reached = 0;
        QList<qint64> steps;
        connect(viewer.manager.get(), &TransferManager::progress, this,
                [&](const QString &, qint64 done, qint64) {
                    reached = done;
                    steps.append(done);
                });
        QSignalSpy downloaded(viewer.manager.get(), &TransferManager::downloaded);
        const QString id = viewer.manager->download(sent->download);
        QTRY_VERIFY_WITH_TIMEOUT(reached >= 1024 * 1024, 30000);
        viewer.manager->pause(id);
        QTRY_COMPARE(viewer.manager->state(id), TransferManager::State::Paused);
        const qint64 paused = reached;
        QVERIFY(paused < sent->bytes.size());
        const QString part = partPathOf(sealedFileIn(viewer.cache + u'/' + sent->download.mediaId));
        QVERIFY(QFileInfo(part).size() > 0);
        QVERIFY(!holdsRunOf(filesUnder(viewer.cache).value(part), sent->bytes));
        steps.clear();
        viewer.manager->resume(id);
        QTRY_VERIFY_WITH_TIMEOUT(!downloaded.isEmpty(), 60000);
        QVERIFY(!steps.isEmpty());
        QVERIFY2(steps.first() >= paused - e2e::kCacheChunkBytes,
                 qPrintable(u"went on at %1 after %2"_s.arg(steps.first()).arg(paused)));
        const CachedFile kept = viewer.manager->cachedFile(sent->download.mediaId);
        QVERIFY(kept.isSealed());
        QCOMPARE(*readCachedFile(kept, 1 << 24), sent->bytes);
        QVERIFY(!QFileInfo::exists(part));
        for (const QByteArray &bytes : filesUnder(viewer.cache))
            QVERIFY(!holdsRunOf(bytes, sent->bytes));
    }

    void sentFilesAreKeptAsSealedCopiesAndTrimmed()
    {
        QTemporaryDir directory;
        Peer peer(directory.path() + u"/a"_s, e2e::StoreKey::generate());
        QVERIFY(peer.opened);
        peer.manager->setServer(m_relay.httpUrl(), signUp());
        QTRY_VERIFY(peer.manager->isCacheIndexed());
        const QByteArray bytes = randomBytes(e2e::kCacheChunkBytes + 100, 8);
        const QString path = writeFile(directory.filePath(u"holiday notes.txt"_s), bytes);
        QSignalSpy uploaded(peer.manager.get(), &TransferManager::uploaded);
        QSignalSpy changed(peer.manager.get(), &TransferManager::cacheChanged);
        const QString id = peer.manager->upload({path, {}, {}});
        QTRY_VERIFY_WITH_TIMEOUT(!uploaded.isEmpty(), 60000);
        const QString mediaId = uploaded.first().at(1).value<protocol::messages::MediaObject>().id;
        // As ChatClient does once an upload is done: the sent file stands in the cache, as a
        // sealed copy (a link would name it and point at it).
        peer.manager->keepSentFile(id, mediaId);
        QTRY_VERIFY(!peer.manager->cachedPath(mediaId).isEmpty());
        const CachedFile kept = peer.manager->cachedFile(mediaId);
        QVERIFY(kept.isSealed());
        QVERIFY(!QFileInfo(kept.path).isSymLink());
        QCOMPARE(*readCachedFile(kept, bytes.size()), bytes);
        for (const QByteArray &file : filesUnder(peer.cache))
            QVERIFY(!holdsRunOf(file, bytes) && !file.contains("holiday"));

        // What the cache takes is what its sealed files take; trimmed, their keys go too.
        QFuture<qint64> size = peer.manager->cacheSize();
        size.waitForFinished();
        QCOMPARE(size.result(), e2e::cacheFileSize(bytes.size()));
        const auto keys = [&peer] {
            return await(peer.store.read<QHash<QString, e2e::SecretKey>>(&local::cacheKeys));
        };
        QCOMPARE(keys()->size(), 1);
        QFuture<qint64> left = peer.manager->trimCache(0);
        left.waitForFinished();
        QCOMPARE(left.result(), 0);
        QVERIFY(peer.manager->cachedPath(mediaId).isEmpty());
        QVERIFY(!QFileInfo::exists(kept.path));
        QTRY_COMPARE(keys()->size(), 0);
        // The user's own file is theirs: it stays.
        QVERIFY(QFileInfo::exists(path));

        // A file the app made to send (a pasted picture, kept in outgoing/ for the upload)
        // is plaintext of the app's own: once its sealed copy is kept, it goes.
        const QByteArray pastedBytes = randomBytes(3000, 9);
        const QString outgoing = peer.manager->cacheDirectory() + u"/outgoing"_s;
        QVERIFY(QDir().mkpath(outgoing));
        const QString pasted = writeFile(outgoing + u"/pasted-1.png"_s, pastedBytes);
        QVERIFY(!pasted.isEmpty());
        uploaded.clear();
        const QString pastedId = peer.manager->upload({pasted, {}, {}});
        QTRY_VERIFY_WITH_TIMEOUT(!uploaded.isEmpty(), 60000);
        const QString pastedMedia
            = uploaded.first().at(1).value<protocol::messages::MediaObject>().id;
        peer.manager->keepSentFile(pastedId, pastedMedia);
        QTRY_VERIFY(!peer.manager->cachedPath(pastedMedia).isEmpty());
        QTRY_VERIFY(!QFileInfo::exists(pasted));
        QCOMPARE(*readCachedFile(peer.manager->cachedFile(pastedMedia), pastedBytes.size()),
                 pastedBytes);
    }

    void aPlaintextCacheIsSealedAtTheFirstStartWithAKey()
    {
        // What a run without a store key left: a whole download, half of one, a sent file's
        // link (its original still there), another whose original went, and a pasted
        // picture waiting to be sent; its store was used without a key too.
        QTemporaryDir directory;
        const QString cache = directory.path() + u"/cache"_s;
        const QString whole = QString(32, u'a'), half = QString(32, u'b'), sent = QString(32, u'c'),
                      gone = QString(32, u'd');
        for (const QString &folder : {whole, half, sent, gone, u"outgoing"_s})
            QVERIFY(QDir().mkpath(cache + u'/' + folder));
        const QByteArray kept = randomBytes(2 * e2e::kCacheChunkBytes + 3, 31);
        const QByteArray original = randomBytes(1000, 33);
        QVERIFY(!writeFile(cache + u'/' + whole + u"/tax return.pdf"_s, kept).isEmpty());
        QVERIFY(
            !writeFile(cache + u'/' + half + u"/diary.txt.part"_s, randomBytes(500, 32)).isEmpty());
        const QString originalPath = writeFile(directory.filePath(u"mine.txt"_s), original);
        QVERIFY(QFile::link(originalPath, cache + u'/' + sent + u"/mine.txt"_s));
        QVERIFY(QFile::link(directory.filePath(u"gone.bin"_s), cache + u'/' + gone + u"/g.bin"_s));
        QVERIFY(!writeFile(cache + u"/outgoing/pasted.png"_s, randomBytes(100, 34)).isEmpty());
        {
            Peer before(directory.path(), std::nullopt);
            QTRY_VERIFY(before.manager->isCacheIndexed());
            QVERIFY(!before.manager->isCacheSealed());
            QCOMPARE(before.manager->cachedPath(whole),
                     cache + u'/' + whole + u"/tax return.pdf"_s);
            // What the checks below look for is found in clear.
            QVERIFY(holdsRunOf(filesUnder(cache + u'/' + whole).values().constFirst(), kept));
        }

        // The first start with a key seals what is whole in place, and the plaintext goes.
        const e2e::StoreKey key = e2e::StoreKey::generate();
        {
            Peer sealed(directory.path(), key);
            QVERIFY(sealed.opened);
            QTRY_VERIFY(sealed.manager->isCacheIndexed());
            QVERIFY(sealed.manager->isCacheSealed());
            const CachedFile file = sealed.manager->cachedFile(whole);
            QVERIFY(file.isSealed());
            QCOMPARE(*readCachedFile(file, 1 << 24), kept);
            const CachedFile link = sealed.manager->cachedFile(sent);
            QVERIFY(link.isSealed());
            QCOMPARE(*readCachedFile(link, 1 << 24), original);
            QVERIFY(sealed.manager->cachedPath(half).isEmpty());
            QVERIFY(sealed.manager->cachedPath(gone).isEmpty());
            const auto plaintextLeft = [&cache] {
                QStringList left;
                QDirIterator it(cache, QDir::Files | QDir::System, QDirIterator::Subdirectories);
                while (it.hasNext()) {
                    const QString path = it.next();
                    if (!QFileInfo(path).fileName().startsWith(u'.'))
                        left.append(path);
                }
                return left;
            };
            // Once the new keys are kept (the outgoing folder is not the cache's to seal).
            QTRY_COMPARE(plaintextLeft(), QStringList{cache + u"/outgoing/pasted.png"_s});
            QCOMPARE(QFileInfo(originalPath).size(), original.size()); // the user's file stays
            for (const QByteArray &bytes : filesUnder(cache + u'/' + whole))
                QVERIFY(!holdsRunOf(bytes, kept));
        }

        // The next start finds them by their keys; one that lost its key is dropped.
        {
            Peer again(directory.path(), key);
            QTRY_VERIFY(again.manager->isCacheIndexed());
            QCOMPARE(*readCachedFile(again.manager->cachedFile(whole), 1 << 24), kept);
            QVERIFY(again.manager->cachedFile(sent).isSealed());
            QVERIFY(await(again.store.write<void>([sent](QSqlDatabase &db) {
                        return local::removeCacheKeys(db, {sent});
                    })).ok());
        }
        {
            Peer third(directory.path(), key);
            QTRY_VERIFY(third.manager->isCacheIndexed());
            QVERIFY(third.manager->cachedFile(whole).isSealed());
            QVERIFY(third.manager->cachedPath(sent).isEmpty());
            QVERIFY(!QFileInfo::exists(sealedFileIn(cache + u'/' + sent)));
        }
        // A run without the key never takes a sealed file for a plaintext one.
        {
            Peer keyless(directory.path() + u"/other"_s, std::nullopt);
            TransferManager manager(keyless.store, cache);
            QTRY_VERIFY(manager.isCacheIndexed());
            QVERIFY(!manager.isCacheSealed());
            QVERIFY(manager.cachedPath(whole).isEmpty());
        }
    }

    void openedCopiesGoAtTheNextStart()
    {
        // Copies a run that crashed left for "Open with…" do not wait for its next exit.
        QTemporaryDir directory;
        const QString opened = directory.path() + u"/cache"_s + TransferManager::kOpenedSuffix;
        QVERIFY(QDir().mkpath(opened + u'/' + QString(32, u'e')));
        QVERIFY(!writeFile(opened + u'/' + QString(32, u'e') + u"/left.txt"_s, "plain").isEmpty());
        Peer peer(directory.path(), e2e::StoreKey::generate());
        QTRY_VERIFY(peer.manager->isCacheIndexed());
        QTRY_VERIFY(!QFileInfo::exists(opened));
    }
};

QTEST_MAIN(TestMediaCache)
#include "tst_media_cache.moc"
