#include "e2e/hkdf.h"

#include <QtTest>

#include <array>

using namespace tidings;
using namespace tidings::e2e;

namespace {

QByteArray range(int first, int endExclusive)
{
    QByteArray bytes;
    for (int value = first; value < endExclusive; ++value)
        bytes.append(static_cast<char>(value));
    return bytes;
}

} // namespace

class TestE2eHkdf : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // RFC 5869, appendix A, test cases 1–3 (SHA-256): PRK and OKM byte for byte.
    void rfc5869_data()
    {
        QTest::addColumn<QByteArray>("inputKeyMaterial");
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<QByteArray>("info");
        QTest::addColumn<int>("length");
        QTest::addColumn<QByteArray>("pseudoRandomKey");
        QTest::addColumn<QByteArray>("outputKeyMaterial");

        QTest::newRow("case 1: basic")
            << QByteArray(22, '\x0b') << range(0x00, 0x0d) << range(0xf0, 0xfa) << 42
            << QByteArray::fromHex("077709362c2e32df0ddc3f0dc47bba63"
                                   "90b6c73bb50f9c3122ec844ad7c2b3e5")
            << QByteArray::fromHex("3cb25f25faacd57a90434f64d0362f2a"
                                   "2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                                   "34007208d5b887185865");
        QTest::newRow("case 2: long inputs")
            << range(0x00, 0x50) << range(0x60, 0xb0) << range(0xb0, 0x100) << 82
            << QByteArray::fromHex(
                   "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244")
            << QByteArray::fromHex(
                   "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                   "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                   "cc30c58179ec3e87c14c01d5c1f3434f1d87");
        QTest::newRow("case 3: no salt, no info")
            << QByteArray(22, '\x0b') << QByteArray() << QByteArray() << 42
            << QByteArray::fromHex(
                   "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
            << QByteArray::fromHex(
                   "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                   "9d201395faa4b61a96c8");
    }

    void rfc5869()
    {
        QFETCH(QByteArray, inputKeyMaterial);
        QFETCH(QByteArray, salt);
        QFETCH(QByteArray, info);
        QFETCH(int, length);
        QFETCH(QByteArray, pseudoRandomKey);
        QFETCH(QByteArray, outputKeyMaterial);

        QCOMPARE(hkdfExtract(salt, inputKeyMaterial).toHex(), pseudoRandomKey.toHex());
        const auto expanded = hkdfExpand(pseudoRandomKey, info, length);
        QVERIFY(expanded.ok());
        QCOMPARE(expanded->toHex(), outputKeyMaterial.toHex());
        const auto whole = hkdf(salt, inputKeyMaterial, info, length);
        QVERIFY(whole.ok());
        QCOMPARE(whole->toHex(), outputKeyMaterial.toHex());

        // The span form writes the same bytes.
        QByteArray into(length, '\0');
        QVERIFY(hkdf(salt, inputKeyMaterial, info,
                     std::span<unsigned char>(reinterpret_cast<unsigned char *>(into.data()),
                                              static_cast<std::size_t>(length)))
                    .ok());
        QCOMPARE(into.toHex(), outputKeyMaterial.toHex());
    }

    // RFC 4231 test case 1: the HMAC everything else stands on.
    void hmacSha256KnownAnswer()
    {
        QCOMPARE(hmacSha256(QByteArray(20, '\x0b'), "Hi There").toHex(),
                 QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
        std::array<unsigned char, 32> out{};
        hmacSha256(QByteArray(20, '\x0b'), "Hi There", out);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(out.data()), 32),
                 hmacSha256(QByteArray(20, '\x0b'), "Hi There"));
    }

    void outputLengthLimits()
    {
        const QByteArray prk = hkdfExtract("salt", "input");
        const auto longest = hkdfExpand(prk, "info", kHkdfMaxOutputBytes);
        QVERIFY(longest.ok());
        QCOMPARE(longest->size(), 255 * 32);
        // A shorter output is a prefix of a longer one (the blocks are the same).
        QCOMPARE(*hkdfExpand(prk, "info", 100), longest->first(100));

        const auto tooLong = hkdfExpand(prk, "info", kHkdfMaxOutputBytes + 1);
        QVERIFY(!tooLong.ok());
        QCOMPARE(tooLong.error().code, ErrorCode::BadRequest);
        QVERIFY(!hkdfExpand(prk, "info", -1).ok());
        QVERIFY(!hkdf("salt", "input", "info", kHkdfMaxOutputBytes + 1).ok());

        const auto empty = hkdfExpand(prk, "info", 0);
        QVERIFY(empty.ok());
        QVERIFY(empty->isEmpty());
    }

    void inputsChangeTheOutput()
    {
        const QByteArray base = *hkdf("salt", "input", "info", 32);
        QVERIFY(base != *hkdf("salt!", "input", "info", 32));
        QVERIFY(base != *hkdf("salt", "input!", "info", 32));
        QVERIFY(base != *hkdf("salt", "input", "info!", 32));
    }
};

QTEST_GUILESS_MAIN(TestE2eHkdf)
#include "tst_e2e_hkdf.moc"
