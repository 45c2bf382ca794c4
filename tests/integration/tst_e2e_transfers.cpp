// Files end to end, against the real relay (docs/encryption.md, section 6): a client that
// encrypts seals each file before it goes up, the sealed message carries the key, and the
// other member opens what they download. The relay keeps ciphertext only, a file altered
// there does not open, and an upload stopped half-way goes on sealed after a restart.
#include "core/e2e_engine.h"
#include "core/message_attachment.h"
#include "support/client_helpers.h"
#include "support/relay_process.h"

#include "e2e/file_crypto.h"
#include "protocol/file_names.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QRandomGenerator>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

const QString kDamaged = u"The file is damaged and could not be decrypted."_s;

/// Something a picture could be: a PNG signature, then rows no other file has.
QByteArray pictureBytes(int rows)
{
    QByteArray bytes("\x89PNG\r\n\x1a\n", 8);
    for (int row = 0; row < rows; ++row)
        bytes += "harbour-sunset-row-" + QByteArray::number(row).rightJustified(6, '0') + ';';
    return bytes;
}

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator(seed).fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    return bytes;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

ChatClient::OutgoingFile outgoing(const QString &path, const QString &type)
{
    ChatClient::OutgoingFile file;
    file.path = path;
    file.type = type;
    file.size = QFileInfo(path).size();
    return file;
}

/// The attachments of the message `clientId` as `client` has it, once it has it sent.
QList<MessageAttachment> attachmentsOf(TestClient &client, qint64 conversation,
                                       const QString &clientId)
{
    for (const local::Message &message : client.messages(conversation)) {
        if (message.clientId == clientId && message.seq)
            return MessageAttachment::in(message.body);
    }
    return {};
}

/// The message `clientId` as `client` has it stored (sent or not), or an empty one.
local::Message messageOf(TestClient &client, qint64 conversation, const QString &clientId)
{
    for (const local::Message &message : client.messages(conversation)) {
        if (message.clientId == clientId)
            return message;
    }
    return {};
}

/// What a download through the client's transfers ended with.
struct Fetched
{
    QString path; ///< the downloaded file
    QString error; ///< why it failed
    QString id; ///< the transfer
};

Fetched fetch(TestClient &client, const MessageAttachment &attachment)
{
    TransferManager &transfers = client.client->transfers();
    QSignalSpy downloaded(&transfers, &TransferManager::downloaded);
    QSignalSpy failed(&transfers, &TransferManager::failed);
    Fetched fetched;
    fetched.id = transfers.download({attachment.file.media, attachment.file.size,
                                     attachment.file.sha256, attachment.file.name, attachment.key});
    const auto find = [&fetched](const QSignalSpy &spy, int argument) {
        for (const QList<QVariant> &arguments : spy) {
            if (arguments.at(0).toString() == fetched.id)
                return arguments.at(argument).toString();
        }
        return QString();
    };
    const bool ended = QTest::qWaitFor(
        [&] {
            fetched.path = find(downloaded, 2);
            fetched.error = find(failed, 1);
            return !fetched.path.isEmpty() || !fetched.error.isEmpty();
        },
        60000);
    if (!ended)
        fetched.error = u"the download did not end"_s;
    return fetched;
}

/// The files in the cache's folder for sealed uploads (none once they are all done).
QStringList sealedFilesOf(TestClient &client)
{
    return QDir(client.client->transfers().cacheDirectory() + u'/'
                + TransferManager::kOutgoingFolder)
        .entryList(QDir::Files);
}

} // namespace

class TestE2eTransfers : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;

    /// A user whose client encrypts, signed up and set up.
    bool encryptingUser(TestClient &client, const QString &name)
    {
        return signUpEncrypting(client, m_relay.port(), name);
    }

    /// The relay's media file of `mediaId` (its BlobStore: <data-dir>/media/<ab>/<id>).
    QString relayMediaFile(const QString &mediaId) const
    {
        return m_relay.dataDirectory() + u"/media/"_s + mediaId.left(2) + u'/' + mediaId;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Small chunks: a file of a few MiB takes many requests, so an upload can be
        // stopped between two of them.
        QVERIFY2(m_relay.start({u"--e2e"_s, u"required"_s, u"--media-chunk-bytes"_s, u"65536"_s}),
                 qPrintable(m_relay.lastError()));
    }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void filesGoUpSealedAndOpenForTheOtherMember()
    {
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice1"_s));
        QVERIFY(encryptingUser(bob, u"bob1"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());

        const QByteArray picture = pictureBytes(12000); // about 300 KB
        const QByteArray single("Z");
        const QString picturePath = alice.directory->filePath(u"harbour-sunset-picture.png"_s);
        const QString singlePath = alice.directory->filePath(u"one-byte-notelet.txt"_s);
        QVERIFY(writeFile(picturePath, picture));
        QVERIFY(writeFile(singlePath, single));
        const QString caption = u"sunset over the harbour wall"_s;
        const auto queued = await(alice.client->sendFiles(
            *direct, caption,
            {outgoing(picturePath, u"image/png"_s), outgoing(singlePath, u"text/plain"_s)}));
        QVERIFY2(queued.ok(), queued.ok() ? "" : qPrintable(queued.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(!attachmentsOf(alice, *direct, queued->clientId).isEmpty()
                                     || messageOf(alice, *direct, queued->clientId).state
                                         == u"failed"_s,
                                 30000);
        QCOMPARE(messageOf(alice, *direct, queued->clientId).state, u"sent"_s);

        // Alice's own copy describes the plaintext, holds the keys, and shows her own files
        // without a download.
        const QList<MessageAttachment> own = attachmentsOf(alice, *direct, queued->clientId);
        QCOMPARE(own.size(), 2);
        for (const MessageAttachment &attachment : own) {
            QVERIFY(attachment.isSealed());
            QCOMPARE(attachment.file.media.size(), 32);
            QTRY_VERIFY(!alice.client->transfers().cachedPath(attachment.file.media).isEmpty());
        }
        QCOMPARE(own.at(0).file.size, qint64(picture.size()));
        QCOMPARE(own.at(0).file.sha256, sha256Of(picture));
        QCOMPARE(readFile(alice.client->transfers().cachedPath(own.at(0).file.media)), picture);
        // The sealed files went once they were up.
        QTRY_COMPARE(sealedFilesOf(alice), QStringList());

        // Bob gets the message, and the keys in it.
        QList<MessageAttachment> received;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(received = attachmentsOf(bob, *direct, queued->clientId)).isEmpty(), 30000);
        const local::Message message = messageOf(bob, *direct, queued->clientId);
        QCOMPARE(message.body.value(u"text"_s).toString(), caption);
        QCOMPARE(message.body.value(u"e2e"_s).toBool(), true);
        QCOMPARE(received.size(), 2);
        QCOMPARE(received.at(0).file.name, u"harbour-sunset-picture.png"_s);
        QCOMPARE(received.at(0).file.type, u"image/png"_s);
        QCOMPARE(received.at(0).file.size, qint64(picture.size()));
        QCOMPARE(received.at(0).file.sha256, sha256Of(picture));
        QCOMPARE(received.at(1).file.name, u"one-byte-notelet.txt"_s);
        QCOMPARE(received.at(1).file.size, qint64(1));
        QCOMPARE(received.at(0).key, own.at(0).key);
        QVERIFY(received.at(1).isSealed());
        QVERIFY(received.at(0).upload.isEmpty());
        QVERIFY(received.at(0).localPath.isEmpty()); // nothing of Alice's disk reaches Bob

        // He downloads and opens both, byte for byte.
        const Fetched bigOne = fetch(bob, received.at(0));
        QVERIFY2(bigOne.error.isEmpty(), qPrintable(bigOne.error));
        QCOMPARE(readFile(bigOne.path), picture);
        const Fetched smallOne = fetch(bob, received.at(1));
        QVERIFY2(smallOne.error.isEmpty(), qPrintable(smallOne.error));
        QCOMPARE(readFile(smallOne.path), single);
        QCOMPARE(bob.client->transfers().cachedPath(received.at(0).file.media), bigOne.path);

        // The relay got ciphertext, with no type or name of its own, of the size a sealed file
        // of that many bytes has.
        for (const MessageAttachment &attachment : received) {
            const QString where = u" FROM media WHERE id = '%1'"_s.arg(attachment.file.media);
            QCOMPARE(m_relay.queryStore(u"SELECT type"_s + where).toString(),
                     u"application/octet-stream"_s);
            // (the relay's own placeholder for a file with no name)
            QCOMPARE(m_relay.queryStore(u"SELECT name"_s + where).toString(),
                     protocol::cleanFileName(QString(), 255));
            QCOMPARE(m_relay.queryStore(u"SELECT size"_s + where).toLongLong(),
                     e2e::encryptedFileSize(attachment.file.size));
        }
        // Nothing it keeps, in its database or its media, holds the file's bytes, its name, the
        // caption or a key.
        const QByteArray stored = relayBytes(m_relay.dataDirectory());
        QVERIFY(!stored.isEmpty());
        QVERIFY(!stored.contains(picture.mid(4096, 64)));
        QVERIFY(!stored.contains("harbour-sunset"));
        QVERIFY(!stored.contains("one-byte-notelet"));
        QVERIFY(!stored.contains(caption.toUtf8()));
        for (const MessageAttachment &attachment : received)
            QVERIFY(!stored.contains(attachment.key.toLatin1()));
    }

    void aFileAlteredOnTheRelayDoesNotOpen()
    {
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice2"_s));
        QVERIFY(encryptingUser(bob, u"bob2"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());
        const QByteArray bytes = pictureBytes(8000);
        const QString path = alice.directory->filePath(u"ledger.bin"_s);
        QVERIFY(writeFile(path, bytes));
        const auto queued
            = await(alice.client->sendFiles(*direct, {}, {outgoing(path, u"application/pdf"_s)}));
        QVERIFY(queued.ok());
        QList<MessageAttachment> received;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(received = attachmentsOf(bob, *direct, queued->clientId)).isEmpty(), 30000);

        // One byte of the ciphertext changes where the relay keeps it.
        const QString mediaId = received.first().file.media;
        QFile stored(relayMediaFile(mediaId));
        QVERIFY2(stored.open(QIODevice::ReadWrite), qPrintable(stored.fileName()));
        QVERIFY(stored.seek(stored.size() / 2));
        char byte = 0;
        QVERIFY(stored.getChar(&byte));
        QVERIFY(stored.seek(stored.size() / 2));
        QVERIFY(stored.putChar(char(byte ^ 0x5a)));
        stored.close();

        const Fetched fetched = fetch(bob, received.first());
        QCOMPARE(fetched.error, kDamaged);
        QVERIFY(fetched.path.isEmpty());
        QCOMPARE(bob.client->transfers().state(fetched.id), TransferManager::State::Failed);
        // No plaintext, whole or partial, and no ciphertext either, is left in the cache.
        QVERIFY(bob.client->transfers().cachedPath(mediaId).isEmpty());
        const QString folder = bob.client->transfers().cacheDirectory() + u'/' + mediaId;
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::System), QStringList());
    }

    void anUploadStoppedHalfWayGoesOnSealedAfterARestart()
    {
        TestClient alice, bob;
        QVERIFY(encryptingUser(alice, u"alice3"_s));
        QVERIFY(encryptingUser(bob, u"bob3"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());
        const QByteArray bytes = randomBytes(8 * 1024 * 1024, 11);
        const QString path = alice.directory->filePath(u"long-recording.wav"_s);
        QVERIFY(writeFile(path, bytes));

        // Paused as soon as some of it is on the relay (64 KiB a request: far from all of it).
        TransferManager &transfers = alice.client->transfers();
        QString paused;
        const QMetaObject::Connection pauser
            = connect(&transfers, &TransferManager::progress, this,
                      [&transfers, &paused](const QString &id, qint64 done, qint64) {
                          if (paused.isEmpty() && done > 0) {
                              paused = id;
                              transfers.pause(id);
                          }
                      });
        const auto queued = await(alice.client->sendFiles(*direct, u"the whole rehearsal"_s,
                                                          {outgoing(path, u"audio/wav"_s)}));
        QVERIFY(queued.ok());
        const QString upload
            = MessageAttachment::in(queued->body).first().upload; // the transfer's id
        QVERIFY(!upload.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(paused, upload, 30000);
        disconnect(pauser);
        QTRY_COMPARE(transfers.state(upload), TransferManager::State::Paused);
        // What goes up is the sealed file in Alice's cache, with its key beside it.
        QCOMPARE(sealedFilesOf(alice), (QStringList{upload + u".key"_s, upload + u".sealed"_s}));
        const QString sealedPath = alice.client->transfers().cacheDirectory() + u'/'
            + TransferManager::kOutgoingFolder + u'/' + upload + u".sealed"_s;
        const QString sealedSha256 = sha256Of(readFile(sealedPath));

        // Her app stops and starts again on the same store.
        const QString token = alice.client->connection().token();
        alice.client.reset();
        alice.client = std::make_unique<ChatClient>(alice.databasePath, TestClient::fastOptions());
        alice.client->setEndToEnd(true);
        QSignalSpy resumed(&alice.client->transfers(), &TransferManager::resumed);
        QVERIFY(await(alice.client->open()).ok());
        alice.client->start(*ServerAddress::parse(u"127.0.0.1:%1"_s.arg(m_relay.port())), token);
        QTRY_VERIFY_WITH_TIMEOUT(e2eReady(alice), 20000);
        QTRY_COMPARE(alice.client->transfers().state(upload), TransferManager::State::Paused);
        alice.client->transfers().resume(upload);

        // It goes on from where the relay stood, with the same ciphertext.
        QTRY_VERIFY_WITH_TIMEOUT(!resumed.isEmpty(), 30000);
        QVERIFY(resumed.first().at(1).toLongLong() > 0);
        QList<MessageAttachment> received;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(received = attachmentsOf(bob, *direct, queued->clientId)).isEmpty(), 60000);
        QCOMPARE(m_relay
                     .queryStore(u"SELECT sha256 FROM media WHERE id = '%1'"_s.arg(
                         received.first().file.media))
                     .toString(),
                 sealedSha256);
        QTRY_COMPARE(sealedFilesOf(alice), QStringList());
        const Fetched fetched = fetch(bob, received.first());
        QVERIFY2(fetched.error.isEmpty(), qPrintable(fetched.error));
        QCOMPARE(sha256Of(readFile(fetched.path)), sha256Of(bytes));
        QVERIFY(!relayBytes(m_relay.dataDirectory()).contains(bytes.mid(100000, 64)));
    }

    void aPlaintextMessageCarriesNoKey()
    {
        // The relay never gets a key in clear: not in a payload sent as it is...
        MessageAttachment sealed;
        sealed.file.media = u"9f86d081884c7d659a2feaa0c55ad015"_s;
        sealed.file.name = u"plan.pdf"_s;
        sealed.file.size = 10;
        sealed.upload = u"transfer"_s;
        sealed.localPath = u"/home/alice/plan.pdf"_s;
        sealed.key = u"c2VjcmV0"_s;
        const QJsonObject payload = MessageAttachment::with({{u"text"_s, u"hi"_s}}, {sealed});
        const QJsonObject wire = local::wirePayload(payload);
        const QJsonObject sent = wire.value(u"attachments"_s).toArray().first().toObject();
        QCOMPARE(sent.value(u"media"_s).toString(), sealed.file.media);
        QVERIFY(!sent.contains(u"key"_s));
        QVERIFY(!sent.contains(u"upload"_s));
        QVERIFY(!sent.contains(u"local_path"_s));
        // ...while the sealed one keeps it, and nothing of this device.
        const QJsonObject inside = MessageAttachment::forSealing(payload)
                                       .value(u"attachments"_s)
                                       .toArray()
                                       .first()
                                       .toObject();
        QCOMPARE(inside.value(u"key"_s).toString(), sealed.key);
        QVERIFY(!inside.contains(u"upload"_s));
        QVERIFY(!inside.contains(u"local_path"_s));
        QCOMPARE(MessageAttachment::decode(inside)->key, sealed.key);

        // A client that does not encrypt sends files as before: in clear, named and typed,
        // and with no key.
        RelayProcess plain;
        QVERIFY2(plain.start(), qPrintable(plain.lastError()));
        TestClient alice, bob;
        QVERIFY(alice.signUp(plain.port(), u"alice4"_s));
        QVERIFY(bob.signUp(plain.port(), u"bob4"_s));
        const auto direct = await(alice.client->openDirect(bob.client->userId()));
        QVERIFY(direct.ok());
        const QString path = alice.directory->filePath(u"open-letter.txt"_s);
        QVERIFY(writeFile(path, "Dear all,\n"));
        const auto queued = await(
            alice.client->sendFiles(*direct, u"read this"_s, {outgoing(path, u"text/plain"_s)}));
        QVERIFY(queued.ok());
        QList<MessageAttachment> received;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(received = attachmentsOf(bob, *direct, queued->clientId)).isEmpty(), 30000);
        QVERIFY(!received.first().isSealed());
        QVERIFY(!attachmentsOf(alice, *direct, queued->clientId).first().isSealed());
        QCOMPARE(plain
                     .queryStore(u"SELECT name FROM media WHERE id = '%1'"_s.arg(
                         received.first().file.media))
                     .toString(),
                 u"open-letter.txt"_s);
        const Fetched fetched = fetch(bob, received.first());
        QVERIFY2(fetched.error.isEmpty(), qPrintable(fetched.error));
        QCOMPARE(readFile(fetched.path), QByteArray("Dear all,\n"));
        alice.client->stop();
        bob.client->stop();
        QCOMPARE(plain.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestE2eTransfers)
#include "tst_e2e_transfers.moc"
