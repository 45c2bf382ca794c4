#include "e2e/file_crypto.h"
#include "freed_memory_check.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QTemporaryFile>
#include <QtTest>

#include <array>
#include <cstring>
#include <functional>
#include <optional>
#include <utility>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;
#ifdef TIDINGS_TEST_ASAN
using tidings::test::secretsLeftInFreedMemory;
#endif

namespace {

constexpr qsizetype kSealedChunk = kFileChunkBytes + kFileChunkOverheadBytes;

QByteArray pseudoRandom(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(static_cast<quint32>(size) + 1);
    for (char &byte : bytes)
        byte = static_cast<char>(generator.generate());
    return bytes;
}

struct Encrypted
{
    FileKey key;
    QByteArray ciphertext;
};

std::optional<Encrypted> encrypt(QByteArray plaintext)
{
    QBuffer in(&plaintext);
    QByteArray ciphertext;
    QBuffer out(&ciphertext);
    if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly))
        return std::nullopt;
    auto key = encryptFile(in, out);
    if (!key)
        return std::nullopt;
    return Encrypted{*key, ciphertext};
}

/// The plaintext, or the name of the error.
QByteArray decrypt(QByteArray ciphertext, const FileKey &key)
{
    QBuffer in(&ciphertext);
    QByteArray plaintext;
    QBuffer out(&plaintext);
    in.open(QIODevice::ReadOnly);
    out.open(QIODevice::WriteOnly);
    const auto opened = decryptFile(in, out, key);
    return opened.ok() ? plaintext : "error: " + errorCodeName(opened.error().code).toUtf8();
}

const QByteArray kCorrupt = "error: corrupt";

} // namespace

class TestE2eFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<qsizetype>("chunks");
        QTest::newRow("empty") << qsizetype(0) << qsizetype(1);
        QTest::newRow("one byte") << qsizetype(1) << qsizetype(1);
        QTest::newRow("64 KiB") << qsizetype(64 * 1024) << qsizetype(1);
        QTest::newRow("64 KiB + 1") << qsizetype(64 * 1024 + 1) << qsizetype(2);
        QTest::newRow("1 MiB") << qsizetype(1024 * 1024) << qsizetype(16);
    }

    void roundTrip()
    {
        QFETCH(qsizetype, size);
        QFETCH(qsizetype, chunks);
        const QByteArray plaintext = pseudoRandom(size);
        const auto encrypted = encrypt(plaintext);
        QVERIFY(encrypted);
        QCOMPARE(encrypted->ciphertext.size(), size + chunks * kFileChunkOverheadBytes);
        QCOMPARE(encryptedFileSize(size), encrypted->ciphertext.size());
        QCOMPARE(encrypted->key.streamHeader.size(), kFileStreamHeaderBytes);
        // A short run of plaintext turns up in random ciphertext by chance (one byte: often),
        // so only runs long enough never to match by chance are looked for.
        if (size >= 16)
            QVERIFY(!encrypted->ciphertext.contains(plaintext.first(qMin<qsizetype>(size, 32))));
        QCOMPARE(decrypt(encrypted->ciphertext, encrypted->key), plaintext);
    }

    void throughFiles()
    {
        const QByteArray plaintext = pseudoRandom(300 * 1024 + 7);
        QTemporaryFile source, sealed, opened;
        QVERIFY(source.open() && sealed.open() && opened.open());
        source.write(plaintext);
        source.seek(0);
        const auto key = encryptFile(source, sealed);
        QVERIFY(key.ok());
        sealed.seek(0);
        QVERIFY(decryptFile(sealed, opened, *key).ok());
        opened.seek(0);
        QCOMPARE(opened.readAll(), plaintext);
    }

    void eachFileItsOwnKey()
    {
        const QByteArray plaintext = pseudoRandom(1000);
        const auto first = encrypt(plaintext);
        const auto second = encrypt(plaintext);
        QVERIFY(!(first->key.key == second->key.key));
        QVERIFY(first->ciphertext != second->ciphertext);
        QCOMPARE(decrypt(first->ciphertext, second->key), kCorrupt);
    }

    void truncationRefused()
    {
        // Three chunks: two full, one of 100 bytes.
        const auto three = encrypt(pseudoRandom(2 * kFileChunkBytes + 100));
        QVERIFY(three);
        const QByteArray &ciphertext = three->ciphertext;
        QCOMPARE(ciphertext.size(), 3 * kSealedChunk - kFileChunkBytes + 100);
        for (const qsizetype size :
             {qsizetype(0), qsizetype(1), qsizetype(16), kSealedChunk - 1, kSealedChunk,
              kSealedChunk + 17, 2 * kSealedChunk, ciphertext.size() - 1}) {
            QCOMPARE(decrypt(ciphertext.first(size), three->key), kCorrupt);
        }
        // A file of exactly two full chunks, cut after the first (a non-final chunk that is
        // complete and authentic on its own).
        const auto two = encrypt(pseudoRandom(2 * kFileChunkBytes));
        QCOMPARE(two->ciphertext.size(), 2 * kSealedChunk);
        QCOMPARE(decrypt(two->ciphertext.first(kSealedChunk), two->key), kCorrupt);
        QCOMPARE(decrypt(two->ciphertext, two->key).size(), 2 * kFileChunkBytes);
    }

    void reorderingRefused()
    {
        const QByteArray plaintext = pseudoRandom(3 * kFileChunkBytes + 5);
        const auto encrypted = encrypt(plaintext);
        QVERIFY(encrypted);
        const QByteArray &c = encrypted->ciphertext;
        const auto chunk = [&](int i) { return c.mid(i * kSealedChunk, kSealedChunk); };
        QCOMPARE(QByteArray(chunk(0) + chunk(1) + chunk(2) + chunk(3)), c);
        QCOMPARE(decrypt(QByteArray(chunk(1) + chunk(0) + chunk(2) + chunk(3)), encrypted->key),
                 kCorrupt);
        QCOMPARE(decrypt(QByteArray(chunk(0) + chunk(2) + chunk(1) + chunk(3)), encrypted->key),
                 kCorrupt);
        // Dropping a middle chunk, or repeating one, is a reordering too.
        QCOMPARE(decrypt(QByteArray(chunk(0) + chunk(2) + chunk(3)), encrypted->key), kCorrupt);
        QCOMPARE(decrypt(QByteArray(chunk(0) + chunk(0) + chunk(1) + chunk(2) + chunk(3)),
                         encrypted->key),
                 kCorrupt);
        QCOMPARE(decrypt(c, encrypted->key), plaintext);
    }

    void wrongKeyOrAlteredBytesRefused()
    {
        const auto encrypted = encrypt(pseudoRandom(100 * 1024));
        QVERIFY(encrypted);
        FileKey wrongKey = encrypted->key;
        wrongKey.key = SecretKey::random();
        QCOMPARE(decrypt(encrypted->ciphertext, wrongKey), kCorrupt);
        FileKey wrongHeader = encrypted->key;
        wrongHeader.streamHeader[0] = static_cast<char>(wrongHeader.streamHeader[0] ^ 1);
        QCOMPARE(decrypt(encrypted->ciphertext, wrongHeader), kCorrupt);
        FileKey shortHeader = encrypted->key;
        shortHeader.streamHeader.chop(1);
        QCOMPARE(decrypt(encrypted->ciphertext, shortHeader), QByteArray("error: bad_request"));

        for (const qsizetype at :
             {qsizetype(0), qsizetype(5000), kSealedChunk + 3, encrypted->ciphertext.size() - 1}) {
            QByteArray altered = encrypted->ciphertext;
            altered[at] = static_cast<char>(altered[at] ^ 0x40);
            QCOMPARE(decrypt(altered, encrypted->key), kCorrupt);
        }
        QCOMPARE(decrypt(QByteArray(encrypted->ciphertext + 'x'), encrypted->key), kCorrupt);
    }

    // The plaintext chunks pass through buffers of the library's own: they are wiped when
    // it returns, however it returns, including bytes a shorter last chunk left behind.
    void noPlaintextLeftInFreedMemory()
    {
#ifndef TIDINGS_TEST_ASAN
        QSKIP("needs AddressSanitizer's free hook");
#else
        // Two full chunks and a short one, so that a chunk buffer is refilled with less.
        QByteArray plaintext;
        while (plaintext.size() < 2 * kFileChunkBytes + 1000)
            plaintext.append("SECRET!!");
        const QList<std::pair<QString, QByteArray>> secrets{
            {u"plaintext"_s, QByteArray("SECRET!!SECRET!!")}};
        // Unbuffered devices over buffers with room for everything: nothing of the test's
        // own is copied or reallocated while the library runs.
        QBuffer source(&plaintext);
        QByteArray ciphertext;
        ciphertext.reserve(2 * plaintext.size());
        QBuffer sealed(&ciphertext);
        QVERIFY(source.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
        QVERIFY(sealed.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        std::optional<Result<FileKey>> key;
        QCOMPARE(secretsLeftInFreedMemory(secrets, [&] { key = encryptFile(source, sealed); }),
                 QStringList());
        QVERIFY(key->ok());
        QCOMPARE(ciphertext.size(), encryptedFileSize(plaintext.size()));

        // A whole file, and one cut short after its first chunk opened.
        for (const qsizetype size : {ciphertext.size(), kSealedChunk + 100}) {
            QByteArray input = ciphertext.first(size);
            QBuffer in(&input);
            QByteArray output;
            output.reserve(2 * plaintext.size());
            QBuffer out(&output);
            QVERIFY(in.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
            bool opened = false;
            QCOMPARE(secretsLeftInFreedMemory(secrets,
                                              [&] { opened = decryptFile(in, out, **key).ok(); }),
                     QStringList());
            QCOMPARE(opened, size == ciphertext.size());
            QCOMPARE(output, plaintext.first(opened ? plaintext.size() : kFileChunkBytes));
        }
#endif
    }

    void fileKeyEncoding()
    {
        const auto encrypted = encrypt("thumbnail");
        const QByteArray encoded = encrypted->key.encode();
        const auto decoded = FileKey::decode(encoded);
        QVERIFY(decoded.ok());
        QVERIFY(decoded->key == encrypted->key.key);
        QCOMPARE(decoded->streamHeader, encrypted->key.streamHeader);
        QCOMPARE(decrypt(encrypted->ciphertext, *decoded), QByteArray("thumbnail"));
        for (qsizetype size = 0; size < encoded.size(); ++size)
            QCOMPARE(FileKey::decode(encoded.first(size)).error().code, ErrorCode::Corrupt);
        QByteArray newer = encoded;
        newer[1] = static_cast<char>(newer[1] + 1);
        QCOMPARE(FileKey::decode(newer).error().code, ErrorCode::Incompatible);
    }

    void deviceErrors()
    {
        QBuffer closed;
        QByteArray sink;
        QBuffer out(&sink);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"device not open"_s));
        const auto unreadable = encryptFile(closed, out);
        QVERIFY(!unreadable.ok());
        QCOMPARE(unreadable.error().code, ErrorCode::Io);

        QByteArray source = "data";
        QBuffer in(&source);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QBuffer readOnly(&sink);
        QVERIFY(readOnly.open(QIODevice::ReadOnly));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"ReadOnly device"_s));
        const auto unwritable = encryptFile(in, readOnly);
        QVERIFY(!unwritable.ok());
        QCOMPARE(unwritable.error().code, ErrorCode::Io);
    }
};

QTEST_GUILESS_MAIN(TestE2eFiles)
#include "tst_e2e_files.moc"
