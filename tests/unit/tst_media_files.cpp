// Reading pictures the app did not make: bounded in size and memory, refused with a reason,
// never a crash (QT-NOTES 10).
#include "support/file_helpers.h"
#include "ui/media_files.h"

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

quint32 crc32(QByteArrayView bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char byte : bytes) {
        crc ^= quint8(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray chunk(const QByteArray &type, const QByteArray &data)
{
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian(quint32(data.size()), out.data());
    out += type + data;
    QByteArray crc(4, Qt::Uninitialized);
    qToBigEndian(crc32(QByteArray(type + data)), crc.data());
    return QByteArray(out + crc);
}

/// A valid-looking PNG that claims `width` × `height` RGBA pixels but carries almost no
/// data: what a hostile sender makes to exhaust a decoder's memory.
QByteArray claimingPng(quint32 width, quint32 height)
{
    QByteArray header(13, '\0');
    qToBigEndian(width, header.data());
    qToBigEndian(height, header.data() + 4);
    header[8] = 8; // bit depth
    header[9] = 6; // RGBA
    const QByteArray pixels = qCompress(QByteArray(1024, '\0')).sliced(4); // a zlib stream
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header) + chunk("IDAT", pixels)
        + chunk("IEND", {});
}

/// The process's peak resident memory since the last reset, in bytes (0 if unknown).
qint64 peakResident()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.sliced(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return 0;
}

void resetPeak()
{
    QFile clear(u"/proc/self/clear_refs"_s);
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5"); // resets the peak (Linux 4.0+)
}

} // namespace

class TestMediaFiles : public QObject
{
    Q_OBJECT

    QTemporaryDir m_directory;

    QString write(const QString &name, const QByteArray &bytes)
    {
        return writeFile(m_directory.filePath(name), bytes);
    }

private Q_SLOTS:
    void hostilePicturesAreRefusedInBoundedMemory_data()
    {
        QTest::addColumn<quint32>("width");
        QTest::addColumn<quint32>("height");
        QTest::addColumn<QSize>("fit");
        QTest::newRow("50000 x 50000") << 50000u << 50000u << QSize();
        QTest::newRow("50000 x 50000 scaled") << 50000u << 50000u << QSize(320, 320);
        QTest::newRow("10000 x 10000 (400 MB decoded)") << 10000u << 10000u << QSize();
        QTest::newRow("10000 x 10000 scaled") << 10000u << 10000u << QSize(320, 320);
        QTest::newRow("1 x 200000000") << 1u << 200000000u << QSize();
    }

    void hostilePicturesAreRefusedInBoundedMemory()
    {
        QFETCH(quint32, width);
        QFETCH(quint32, height);
        QFETCH(QSize, fit);
        const QString path = write(u"bomb.png"_s, claimingPng(width, height));
        QVERIFY(!path.isEmpty());
        resetPeak();
        const qint64 before = peakResident();
        const auto picture = media::readPicture(path, fit);
        const qint64 used = peakResident() - before;
        QVERIFY(!picture.ok());
        QVERIFY(!picture.error().message.isEmpty());
        if (before > 0)
            QVERIFY2(used < qint64(64) * 1024 * 1024,
                     qPrintable(u"%1 MiB used"_s.arg(used / 1024 / 1024)));
        // Offered for sending, it goes as a plain file: never shown as a picture.
        const auto described = media::describeFile(path);
        QCOMPARE(described.type, u"application/octet-stream"_s);
        QVERIFY(described.thumbnail.isEmpty());
        QCOMPARE(described.width, 0);
    }

    void brokenPicturesAreRefused()
    {
        QByteArray truncated = claimingPng(100, 100);
        truncated.truncate(40);
        for (const QByteArray &bytes : {truncated, QByteArray("GIF89a garbage"), QByteArray()}) {
            const QString path = write(u"broken.img"_s, bytes);
            QVERIFY(!media::readPicture(path).ok());
        }
        QVERIFY(media::thumbnailImage(u"not base64 at all!"_s).isNull());
        QVERIFY(media::thumbnailImage(QString(100000, u'A')).isNull());
        // A thumbnail that claims to be big is not decoded, however few bytes it has.
        QImage big(300, 300, QImage::Format_RGB32);
        big.fill(Qt::gray);
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(big.save(&buffer, "PNG"));
        QVERIFY(png.toBase64().size() < 6000);
        QVERIFY(media::thumbnailImage(QString::fromLatin1(png.toBase64())).isNull());
    }

    void realPicturesAreReadScaledWithAThumbnail()
    {
        QImage image(1600, 900, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        const QString path = m_directory.filePath(u"wide.png"_s);
        QVERIFY(image.save(path));
        const auto read = media::readPicture(path, {320, 320});
        QVERIFY(read.ok());
        QCOMPARE(read->size(), QSize(320, 180));
        const auto described = media::describeFile(path);
        QCOMPARE(described.type, u"image/png"_s);
        QCOMPARE(described.width, 1600);
        QCOMPARE(described.height, 900);
        QVERIFY(!described.thumbnail.isEmpty());
        QVERIFY(described.thumbnail.size() < 4000); // small enough to travel in the message
        const QImage thumbnail = media::thumbnailImage(described.thumbnail);
        QCOMPARE(thumbnail.width(), 48);
        QCOMPARE(thumbnail.height(), 27);
    }
};

QTEST_GUILESS_MAIN(TestMediaFiles)
#include "tst_media_files.moc"
