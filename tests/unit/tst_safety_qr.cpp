// The safety number's QR code as the dialog draws it (docs/encryption.md, section 7): a
// square of black and white only, whole pixels per module, the quiet zone a scanner needs,
// the smallest QR version that holds the payload at error correction M, and the finder and
// timing patterns where a reader looks for them. It decodes nothing: libqrencode encodes.
#include "ui/safety_qr.h"

#include "e2e/safety_number.h"

#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace Qt::StringLiterals;

namespace {

/// Bytes a QR code holds in binary mode at error correction M, versions 1 to 10 (ISO/IEC
/// 18004, table 7).
constexpr int kBinaryCapacityM[] = {14, 26, 42, 62, 84, 106, 122, 152, 180, 213};

/// The smallest version that holds `bytes`, 0 if none of versions 1 to 10 does.
int smallestVersion(qsizetype bytes)
{
    for (int version = 1; version <= 10; ++version) {
        if (bytes <= kBinaryCapacityM[version - 1])
            return version;
    }
    return 0;
}

QByteArray payloadOf(qsizetype size, char seed)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        payload[i] = char(seed + i * 37);
    return payload;
}

/// A drawn QR code read back module by module.
struct Modules
{
    const QImage &image;
    int pixels; ///< per module

    int count() const { return image.width() / pixels - 2 * kSafetyQrQuietZone; }
    /// Whether the module at (x, y) of the symbol is dark; the quiet zone is at negative
    /// coordinates and from count() on.
    bool dark(int x, int y) const
    {
        return qGray(image.pixel((x + kSafetyQrQuietZone) * pixels,
                                 (y + kSafetyQrQuietZone) * pixels))
            == 0;
    }
    /// Whether every pixel of the module at (x, y) has the same colour: no blur, no seams.
    bool uniform(int x, int y) const
    {
        const QRgb first
            = image.pixel((x + kSafetyQrQuietZone) * pixels, (y + kSafetyQrQuietZone) * pixels);
        for (int dy = 0; dy < pixels; ++dy) {
            for (int dx = 0; dx < pixels; ++dx) {
                if (image.pixel((x + kSafetyQrQuietZone) * pixels + dx,
                                (y + kSafetyQrQuietZone) * pixels + dy)
                    != first)
                    return false;
            }
        }
        return true;
    }
    /// Whether a finder pattern (a dark 7×7 ring, a light ring, a dark 3×3 centre) has its
    /// top-left module at (left, top).
    bool finderAt(int left, int top) const
    {
        for (int y = 0; y < 7; ++y) {
            for (int x = 0; x < 7; ++x) {
                const bool ring = x == 0 || y == 0 || x == 6 || y == 6;
                const bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
                if (dark(left + x, top + y) != (ring || centre))
                    return false;
            }
        }
        return true;
    }
};

} // namespace

class TestSafetyQr : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!safetyQrAvailable())
            QSKIP("built without libqrencode: the dialog shows the digits only");
    }

    void drawsAQrCodeThatFitsThePayload_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<int>("modulePixels");
        QTest::newRow("safety number payload") << e2e::kSafetyNumberQrBytes << 3;
        QTest::newRow("safety number payload, one pixel") << e2e::kSafetyNumberQrBytes << 1;
        QTest::newRow("safety number payload, high dpi") << e2e::kSafetyNumberQrBytes << 5;
        QTest::newRow("one byte") << qsizetype(1) << 2;
        QTest::newRow("version 1 full") << qsizetype(14) << 2;
        QTest::newRow("version 2 first") << qsizetype(15) << 2;
        QTest::newRow("version 4 full") << qsizetype(62) << 2;
        QTest::newRow("version 5 first") << qsizetype(63) << 2;
        QTest::newRow("version 10") << qsizetype(200) << 2;
    }
    void drawsAQrCodeThatFitsThePayload()
    {
        QFETCH(qsizetype, size);
        QFETCH(int, modulePixels);
        const QImage image = safetyQrImage(payloadOf(size, 'a'), modulePixels);
        QVERIFY(!image.isNull());

        // Square, whole modules, and the module count of the smallest version that holds
        // the payload (21 modules for version 1, four more per version).
        QCOMPARE(image.width(), image.height());
        QCOMPARE(image.width() % modulePixels, 0);
        const Modules modules{image, modulePixels};
        const int version = smallestVersion(size);
        QVERIFY(version > 0);
        QCOMPARE(modules.count(), 17 + 4 * version);

        // Black and white only, each module one colour.
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QRgb pixel = image.pixel(x, y);
                if (pixel != qRgb(0, 0, 0) && pixel != qRgb(255, 255, 255))
                    QFAIL(qPrintable(u"pixel (%1, %2) is %3"_s.arg(x).arg(y).arg(pixel, 8, 16)));
            }
        }
        for (int y = 0; y < modules.count(); ++y) {
            for (int x = 0; x < modules.count(); ++x)
                QVERIFY2(modules.uniform(x, y), qPrintable(u"module (%1, %2)"_s.arg(x).arg(y)));
        }

        // The quiet zone: four white modules all round.
        const int quiet = kSafetyQrQuietZone * modulePixels;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const bool inZone = x < quiet || y < quiet || x >= image.width() - quiet
                    || y >= image.height() - quiet;
                if (inZone && image.pixel(x, y) != qRgb(255, 255, 255))
                    QFAIL(qPrintable(u"quiet zone pixel (%1, %2) is dark"_s.arg(x).arg(y)));
            }
        }
        // Right inside it, the symbol starts: its corner modules belong to finder patterns.
        QVERIFY(modules.dark(0, 0));
        QVERIFY(modules.dark(modules.count() - 1, 0));
        QVERIFY(modules.dark(0, modules.count() - 1));

        // Finder patterns in three corners, none in the fourth, and the timing patterns
        // between them.
        const int last = modules.count() - 7;
        QVERIFY(modules.finderAt(0, 0));
        QVERIFY(modules.finderAt(last, 0));
        QVERIFY(modules.finderAt(0, last));
        QVERIFY(!modules.finderAt(last, last));
        for (int i = 8; i < last; ++i) {
            QCOMPARE(modules.dark(i, 6), i % 2 == 0);
            QCOMPARE(modules.dark(6, i), i % 2 == 0);
        }
    }

    void differentPayloadsDrawDifferentCodes()
    {
        const QByteArray first = payloadOf(e2e::kSafetyNumberQrBytes, 'a');
        QByteArray second = first;
        second[40] = char(second[40] ^ 1); // one bit of one fingerprint
        const QImage once = safetyQrImage(first, 3);
        QCOMPARE(safetyQrImage(first, 3), once);
        const QImage other = safetyQrImage(second, 3);
        QVERIFY(!other.isNull());
        QCOMPARE(other.size(), once.size());
        QVERIFY(other != once);
    }

    void drawsNothingItCannotDraw()
    {
        QVERIFY(safetyQrImage({}, 3).isNull());
        QVERIFY(safetyQrImage(payloadOf(10, 'a'), 0).isNull());
        QVERIFY(safetyQrImage(payloadOf(10, 'a'), -2).isNull());
        // More than version 40 holds at error correction M (2331 bytes).
        QVERIFY(safetyQrImage(payloadOf(2332, 'a'), 1).isNull());
        QVERIFY(!safetyQrImage(payloadOf(2331, 'a'), 1).isNull());
    }
};

QTEST_GUILESS_MAIN(TestSafetyQr)
#include "tst_safety_qr.moc"
