#include "e2e/store_crypto.h"
#include "freed_memory_check.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QtTest>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;
#ifdef TIDINGS_TEST_ASAN
using tidings::test::secretsLeftInFreedMemory;
#endif

// The known answers below were computed once, independently of common/e2e, by a Python 3
// script (tools/e2e-kat/store_kat.py): HKDF written out from RFC 5869 on the standard library's
// hmac and hashlib (SHA-256), tokens with hmac + base64.b32encode (lower-cased, '=' stripped, first
// 16 characters), and XChaCha20-Poly1305-IETF as HChaCha20 written by hand (checked against
// draft-irtf-cfrg-xchacha-03, 2.2.1 and A.3.1) followed by pyca/cryptography's IETF
// ChaCha20Poly1305. K_store is the bytes 0x00..0x1f throughout.

namespace {

QByteArray range(int first, int endExclusive)
{
    QByteArray bytes;
    for (int value = first; value < endExclusive; ++value)
        bytes.append(static_cast<char>(value));
    return bytes;
}

StoreKey knownStoreKey()
{
    return *StoreKey::fromBytes(range(0x00, 0x20));
}

QByteArray pseudoRandom(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(static_cast<quint32>(size) + 7);
    for (char &byte : bytes)
        byte = static_cast<char>(generator.generate());
    return bytes;
}

QByteArray flipped(QByteArray bytes, qsizetype at)
{
    bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
    return bytes;
}

// Search tokens under the known K_store (the Python script's, see above).
const QString kWordHello = u"tx6x6pd4zvtxfmdx"_s; // "w" || "hello"
const QString kPrefixHel = u"okpmhoa6yprmebjn"_s; // "p" || "hel"
const QString kPrefixHell = u"xdbmn5yjjt52xuaa"_s; // "p" || "hell"
const QString kPrefixHello = u"gdok5p7top4t2hkl"_s; // "p" || "hello"
const QString kWordCafe = u"aux3mdfgreqqlilp"_s; // "w" || "caf\u00e9" (UTF-8 c3 a9)
const QString kPrefixCaf = u"hn33evj3u6aoapld"_s; // "p" || "caf"
const QString kPrefixCafe = u"wgguhrwutrrrhjsw"_s; // "p" || "caf\u00e9"
const QString kWordHi = u"723cih6m4r5e4evp"_s; // "w" || "hi"
const QString kWordInternationalisation = u"qrq2fkg3ylj2sjjm"_s;
const QString kPrefixInternatio = u"6mzrv3s2qyxaiydm"_s; // "p" || "internatio"

/// `pieces` sizes in turn, odd on purpose, until `plaintext` is written; then finish().
QByteArray writeInPieces(CacheFileWriter &writer, QByteArrayView plaintext)
{
    static constexpr std::array<qsizetype, 7> kPieces{1, 7, 4093, 65535, 2, 65537, 100003};
    QByteArray file;
    std::size_t next = 0;
    while (!plaintext.isEmpty()) {
        const qsizetype count = qMin(kPieces[next++ % kPieces.size()], plaintext.size());
        file.append(writer.write(plaintext.first(count)));
        plaintext = plaintext.sliced(count);
    }
    file.append(writer.finish());
    return file;
}

struct Cached
{
    SecretKey key;
    QByteArray file;
};

Cached cache(QByteArrayView plaintext)
{
    CacheFileWriter writer;
    QByteArray file = writeInPieces(writer, plaintext);
    return {writer.fileKey(), file};
}

/// The plaintext, or the name of the error's code.
QByteArray openAll(const Cached &cached, QByteArrayView file)
{
    const auto opened = CacheFileReader::openAll(cached.key, file);
    return opened.ok() ? *opened : "error: " + errorCodeName(opened.error().code).toUtf8();
}

const QByteArray kCorrupt = "error: corrupt";

QByteArray sealedChunk(const Cached &cached, qint64 index)
{
    return cached.file.mid(cacheChunkOffset(index), kCacheSealedChunkBytes);
}

} // namespace

class TestE2eStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }

    // --- K_store and its subkeys

    void storeKey()
    {
        const StoreKey first = StoreKey::generate();
        const StoreKey second = StoreKey::generate();
        QCOMPARE(first.view().size(), kStoreKeyBytes);
        QVERIFY(!(first == second));

        const auto readBack = StoreKey::fromBytes(first.view());
        QVERIFY(readBack.ok());
        QVERIFY(*readBack == first);
        QCOMPARE(readBack->view().toByteArray(), first.view().toByteArray());

        for (const qsizetype size :
             {qsizetype(0), qsizetype(1), qsizetype(31), qsizetype(33), qsizetype(64)}) {
            const auto wrong = StoreKey::fromBytes(QByteArray(size, 'k'));
            QVERIFY(!wrong.ok());
            QCOMPARE(wrong.error().code, ErrorCode::Corrupt);
            QVERIFY2(wrong.error().message.contains(u"32 bytes"_s),
                     qPrintable(wrong.error().message));
        }
    }

    void subkeysKnownAnswers()
    {
        const StoreKey key = knownStoreKey();
        QCOMPARE(key.derive(StoreSubkey::Columns).view().toByteArray().toHex(),
                 QByteArray("1edb7d0cb5539926c7110216b5a00c5e37e7ac54c3fc2d4f1e07d6092e9fe3a1"));
        QCOMPARE(key.derive(StoreSubkey::Search).view().toByteArray().toHex(),
                 QByteArray("613f8b2565dbc973ab397081dcf832bb0cb80eb6311ec38f8e181a5595f811c4"));
        QCOMPARE(key.derive(StoreSubkey::Cache).view().toByteArray().toHex(),
                 QByteArray("7b26f5fafb450e17dc72c0e7a9c47a3a0d2a962bf71cb9126ac3402b5ff2fa3a"));

        // Another K_store (32 bytes of 0xff): other subkeys.
        const StoreKey other = *StoreKey::fromBytes(QByteArray(32, '\xff'));
        QCOMPARE(other.derive(StoreSubkey::Columns).view().toByteArray().toHex(),
                 QByteArray("3fc2fc8c4dc7c17cbb70c9889b380f9039f4a841ec0cecbe1d641a24c2d66073"));
        // The same key derives the same subkeys every time.
        QVERIFY(key.derive(StoreSubkey::Search) == knownStoreKey().derive(StoreSubkey::Search));
    }

    // --- column values

    void valueRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("table");
        QTest::addColumn<QByteArray>("column");
        QTest::addColumn<QByteArray>("primaryKey");
        QTest::addColumn<QByteArray>("plaintext");
        QTest::newRow("message body") << QByteArray("messages") << QByteArray("body")
                                      << QByteArray::number(42) << QByteArray("hello, store");
        QTest::newRow("empty draft") << QByteArray("conversations") << QByteArray("draft")
                                     << QByteArray::number(7) << QByteArray();
        QTest::newRow("binary state, composite key")
            << QByteArray("e2e_sessions") << QByteArray("state")
            << QByteArray("\x00\x05"
                          "alice"
                          "\x00\x00\x00\x02",
                          11)
            << pseudoRandom(300);
        QTest::newRow("empty primary key") << QByteArray("e2e_identity") << QByteArray("keys")
                                           << QByteArray() << QByteArray("\x00\x01\x02", 3);
        QTest::newRow("large payload") << QByteArray("outbox") << QByteArray("payload")
                                       << QByteArray::number(-1) << pseudoRandom(200 * 1024);
    }

    void valueRoundTrip()
    {
        QFETCH(QByteArray, table);
        QFETCH(QByteArray, column);
        QFETCH(QByteArray, primaryKey);
        QFETCH(QByteArray, plaintext);
        const StoreValueCipher cipher(StoreKey::generate());
        const auto sealed = cipher.seal(table, column, primaryKey, plaintext);
        QVERIFY(sealed.ok());
        QCOMPARE(sealed->size(), plaintext.size() + kStoreValueOverheadBytes);
        QCOMPARE(static_cast<quint8>(sealed->at(0)), kStoreValueVersion);
        if (plaintext.size() >= 8)
            QVERIFY(!sealed->contains(plaintext.first(8)));
        const auto opened = cipher.open(table, column, primaryKey, *sealed);
        QVERIFY(opened.ok());
        QCOMPARE(*opened, plaintext);

        // A random nonce each time: the same value seals differently, and both open.
        const auto again = cipher.seal(table, column, primaryKey, plaintext);
        QVERIFY(*again != *sealed);
        QCOMPARE(sealed->mid(1, 24) == again->mid(1, 24), false);
        QCOMPARE(*cipher.open(table, column, primaryKey, *again), plaintext);
    }

    void valueKnownAnswer()
    {
        // Sealed by the Python script: nonce 0x40..0x57, AD "messages\0body\042".
        const QByteArray value = QByteArray::fromHex(
            "01404142434445464748494a4b4c4d4e4f505152535455565795abbafc866ede03cd5304a85f068e"
            "10453e41934dabab2966c86ae4");
        const StoreValueCipher cipher(knownStoreKey());
        const auto opened = cipher.open("messages", "body", "42", value);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        QCOMPARE(*opened, QByteArray("hello, store"));
        QCOMPARE(cipher.open("messages", "body", "43", value).error().code, ErrorCode::Corrupt);
    }

    void valueRefusals()
    {
        const StoreValueCipher cipher(StoreKey::generate());
        const QByteArray value = *cipher.seal("messages", "body", "42", "hello, store");
        const auto refusal = [&](QByteArrayView table, QByteArrayView column,
                                 QByteArrayView primaryKey, QByteArrayView candidate) {
            const auto opened = cipher.open(table, column, primaryKey, candidate);
            return opened.ok() ? std::optional<Error>() : std::optional<Error>(opened.error());
        };

        // Another version: Incompatible, and the message says "version".
        for (const char version : {'\x00', '\x02', '\xff'}) {
            QByteArray other = value;
            other[0] = version;
            const auto error = refusal("messages", "body", "42", other);
            QVERIFY(error);
            QCOMPARE(error->code, ErrorCode::Incompatible);
            QVERIFY2(error->message.contains(u"version"_s), qPrintable(error->message));
        }

        // Too short to be a value: Corrupt, "too short" (or empty).
        for (const qsizetype size : {qsizetype(1), qsizetype(25), kStoreValueOverheadBytes - 1}) {
            const auto error = refusal("messages", "body", "42", value.first(size));
            QVERIFY(error);
            QCOMPARE(error->code, ErrorCode::Corrupt);
            QVERIFY2(error->message.contains(u"too short"_s), qPrintable(error->message));
        }
        const auto empty = refusal("messages", "body", "42", QByteArray());
        QVERIFY(empty);
        QCOMPARE(empty->code, ErrorCode::Corrupt);
        QVERIFY2(empty->message.contains(u"empty"_s), qPrintable(empty->message));

        // Moved to another table, column or row, even where the bytes of the place run
        // together the same without the separators: Corrupt, "authenticate".
        const QList<std::array<QByteArray, 3>> otherPlaces{
            {"conversations", "body", "42"},
            {"messages", "confirmed_body", "42"},
            {"messages", "body", "43"},
            {"messages", "body", "420"},
            {"messages", "body", ""},
            {"messages", "body4", "2"},
            {"messagesbody", "", "42"},
            {"message", "sbody", "42"},
            {"messages", "body", QByteArray("42\x00", 3)},
        };
        for (const auto &place : otherPlaces) {
            const auto error = refusal(place[0], place[1], place[2], value);
            QVERIFY2(error, QByteArray(place[0] + '.' + place[1] + '/' + place[2]).constData());
            QCOMPARE(error->code, ErrorCode::Corrupt);
            QVERIFY2(error->message.contains(u"authenticate"_s), qPrintable(error->message));
        }

        // Every other byte flipped (nonce, ciphertext, tag), one appended or dropped.
        for (qsizetype at = 1; at < value.size(); ++at) {
            const auto error = refusal("messages", "body", "42", flipped(value, at));
            QVERIFY2(error, qPrintable(u"byte %1"_s.arg(at)));
            QCOMPARE(error->code, ErrorCode::Corrupt);
            QVERIFY(error->message.contains(u"authenticate"_s));
        }
        QVERIFY(refusal("messages", "body", "42", QByteArray(value + 'x')));
        QVERIFY(refusal("messages", "body", "42", value.first(value.size() - 1)));

        // Another store key's cipher.
        const StoreValueCipher other(StoreKey::generate());
        QCOMPARE(other.open("messages", "body", "42", value).error().code, ErrorCode::Corrupt);
        QCOMPARE(*cipher.open("messages", "body", "42", value), QByteArray("hello, store"));
    }

    void valueNamesWithTheSeparatorRefused()
    {
        const StoreValueCipher cipher(StoreKey::generate());
        const QByteArray withZero("mess\x00"
                                  "ages",
                                  9);
        QCOMPARE(cipher.seal(withZero, "body", "1", "x").error().code, ErrorCode::BadRequest);
        QCOMPARE(cipher.seal("messages", withZero, "1", "x").error().code, ErrorCode::BadRequest);
        const QByteArray value = *cipher.seal("messages", "body", "1", "x");
        QCOMPARE(cipher.open(withZero, "body", "1", value).error().code, ErrorCode::BadRequest);
        // The primary key comes last: it may hold any byte.
        QVERIFY(cipher.seal("messages", "body", withZero, "x").ok());
    }

    // --- search tokens

    void tokensKnownAnswers()
    {
        const StoreSearchTokenizer tokenizer(knownStoreKey());
        QCOMPARE(tokenizer.documentTokens(u"Hello"),
                 QStringList({kWordHello, kPrefixHel, kPrefixHell, kPrefixHello}));
        QCOMPARE(tokenizer.documentTokens(u"caf\u00e9"),
                 QStringList({kWordCafe, kPrefixCaf, kPrefixCafe}));
        QCOMPARE(tokenizer.documentTokens(u"hi"), QStringList({kWordHi}));
        const QStringList longWord = tokenizer.documentTokens(u"internationalisation");
        QCOMPARE(longWord.size(), 1 + 8);
        QCOMPARE(longWord.first(), kWordInternationalisation);
        QCOMPARE(longWord.last(), kPrefixInternatio);

        QCOMPARE(tokenizer.queryTokens(u"Hel"), QStringList({kPrefixHel}));
        QCOMPARE(tokenizer.queryTokens(u"hello"), QStringList({kPrefixHello}));
        QCOMPARE(tokenizer.queryTokens(u"HI"), QStringList({kWordHi}));
        QCOMPARE(tokenizer.queryTokens(u"Internationalisation"), QStringList({kPrefixInternatio}));

        static const QRegularExpression kTokenForm(u"^[a-z2-7]{16}$"_s);
        for (const QString &token : longWord)
            QVERIFY2(kTokenForm.match(token).hasMatch(), qPrintable(token));
    }

    void sameWordSameToken()
    {
        const StoreSearchTokenizer tokenizer(StoreKey::generate());
        const QStringList hello = tokenizer.documentTokens(u"hello");
        // Distinct: a repeated word adds nothing.
        QCOMPARE(tokenizer.documentTokens(u"hello hello, HELLO!"), hello);
        const QStringList both = tokenizer.documentTokens(u"hello world");
        for (const QString &token : hello)
            QVERIFY(both.contains(token));
        QCOMPARE(both.size(), hello.size() * 2);
        QCOMPARE(QSet<QString>(both.begin(), both.end()).size(), both.size());
        // Another word shares the prefix tokens it shares letters with, nothing else.
        const QStringList help = tokenizer.documentTokens(u"help");
        QCOMPARE(help.size(), 3);
        QVERIFY(hello.contains(help[1])); // "hel"
        QVERIFY(!hello.contains(help[0]));
        QVERIFY(!hello.contains(help[2]));
    }

    void caseAndCompatibilityFormsShareTokens_data()
    {
        QTest::addColumn<QString>("plain");
        QTest::addColumn<QString>("variant");
        QTest::newRow("upper case") << u"hello"_s << u"HELLO"_s;
        QTest::newRow("title case") << u"hello"_s << u"Hello"_s;
        QTest::newRow("full width") << u"hello"_s << u"\uff28\uff45\uff4c\uff4c\uff4f"_s;
        QTest::newRow("decomposed accent") << u"caf\u00e9"_s << u"cafe\u0301"_s;
        QTest::newRow("upper-case accent") << u"caf\u00e9"_s << u"CAF\u00c9"_s;
        QTest::newRow("ligature") << u"file"_s << u"\ufb01le"_s;
        QTest::newRow("greek final sigma")
            << u"\u03c3\u03bf\u03c6\u03bf\u03c3"_s << u"\u03a3\u039f\u03a6\u039f\u03a3"_s;
        QTest::newRow("superscript digit") << u"x2"_s << u"x\u00b2"_s;
    }

    void caseAndCompatibilityFormsShareTokens()
    {
        QFETCH(QString, plain);
        QFETCH(QString, variant);
        const StoreSearchTokenizer tokenizer(StoreKey::generate());
        QCOMPARE(StoreSearchTokenizer::words(variant), StoreSearchTokenizer::words(plain));
        QCOMPARE(tokenizer.documentTokens(variant), tokenizer.documentTokens(plain));
        QCOMPARE(tokenizer.queryTokens(variant), tokenizer.queryTokens(plain));
    }

    void words_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("punctuation and spaces")
            << u"Don't stop\u2014now! (3.14) x_y\ttab\nline"_s
            << QStringList{u"don"_s, u"t"_s, u"stop"_s, u"now"_s, u"3"_s,
                           u"14"_s,  u"x"_s, u"y"_s,    u"tab"_s, u"line"_s};
        QTest::newRow("symbols and emoji separate")
            << u"a+b=c \U0001F600smile #tag @name"_s
            << QStringList{u"a"_s, u"b"_s, u"c"_s, u"smile"_s, u"tag"_s, u"name"_s};
        // Combining marks belong to the word (Devanagari vowel signs and virama).
        QTest::newRow("devanagari")
            << u"\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e"_s
            << QStringList{u"\u0939\u093f\u0928\u094d\u0926\u0940"_s,
                           u"\u092d\u093e\u0937\u093e"_s};
        QTest::newRow("letters outside the BMP")
            << u"\U00010330\U00010331\U00010332 x"_s
            << QStringList{u"\U00010330\U00010331\U00010332"_s, u"x"_s};
        // Qt's case folding maps one character to one: "\u00df" does not become "ss".
        QTest::newRow("sharp s") << u"Stra\u00dfe STRASSE"_s
                                 << QStringList{u"stra\u00dfe"_s, u"strasse"_s};
        QTest::newRow("nothing") << u" \u2014 !? "_s << QStringList();
    }

    void words()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, words);
        QCOMPARE(StoreSearchTokenizer::words(text), words);
    }

    // A prefix token for each of 3..10 characters, counted in code points, not bytes or
    // UTF-16 units.
    void prefixLengths_data()
    {
        QTest::addColumn<QString>("word");
        QTest::addColumn<int>("prefixes");
        QTest::newRow("1") << u"a"_s << 0;
        QTest::newRow("2") << u"ab"_s << 0;
        QTest::newRow("3") << u"abc"_s << 1;
        QTest::newRow("9") << u"abcdefghi"_s << 7;
        QTest::newRow("10") << u"abcdefghij"_s << 8;
        QTest::newRow("11") << u"abcdefghijk"_s << 8;
        QTest::newRow("20") << u"internationalisation"_s << 8;
        // 2 characters, 4 UTF-8 bytes: too short still.
        QTest::newRow("2 accented") << u"\u00e9\u00e9"_s << 0;
        // 3 characters, 6 UTF-16 units, 12 UTF-8 bytes.
        QTest::newRow("3 outside the BMP") << u"\U00010330\U00010331\U00010332"_s << 1;
    }

    void prefixLengths()
    {
        QFETCH(QString, word);
        QFETCH(int, prefixes);
        const StoreSearchTokenizer tokenizer(StoreKey::generate());
        const QStringList tokens = tokenizer.documentTokens(word);
        QCOMPARE(tokens.size(), 1 + prefixes);
        // Each prefix token is what a query of exactly that prefix looks for.
        QStringList expected;
        qsizetype length = 0;
        for (qsizetype at = 0; at < word.size(); ++at) {
            if (word[at].isLowSurrogate())
                continue;
            ++length;
            const qsizetype end = at + (word[at].isHighSurrogate() ? 2 : 1);
            if (length >= kSearchPrefixMinimum && length <= kSearchPrefixMaximum)
                expected.append(tokenizer.queryTokens(word.first(end)));
        }
        QCOMPARE(tokens.mid(1), expected);
    }

    void differentKeysDifferentTokens()
    {
        const StoreSearchTokenizer first(StoreKey::generate());
        const StoreSearchTokenizer second(StoreKey::generate());
        const QString text = u"the quick brown fox jumps over the lazy dog"_s;
        const QStringList a = first.documentTokens(text);
        const QStringList b = second.documentTokens(text);
        QCOMPARE(a.size(), b.size());
        for (const QString &token : a)
            QVERIFY(!b.contains(token));
        QVERIFY(first.queryTokens(u"quick"_s) != second.queryTokens(u"quick"_s));
        // Not the column key either: the subkeys are separate.
        const StoreKey key = knownStoreKey();
        QVERIFY(!(key.derive(StoreSubkey::Search) == key.derive(StoreSubkey::Columns)));
        QVERIFY(!(key.derive(StoreSubkey::Search) == key.derive(StoreSubkey::Cache)));
        QVERIFY(!(key.derive(StoreSubkey::Columns) == key.derive(StoreSubkey::Cache)));
    }

    void queryTokensMatchDocumentTokens_data()
    {
        QTest::addColumn<QString>("document");
        QTest::addColumn<QString>("query");
        QTest::addColumn<bool>("indexed"); // every query token is among the document's
        QTest::addColumn<bool>("matches"); // what the decrypted text then says
        QTest::newRow("whole word") << u"Hello world"_s << u"hello"_s << true << true;
        QTest::newRow("prefix") << u"Hello world"_s << u"hel"_s << true << true;
        QTest::newRow("two prefixes") << u"Hello world"_s << u"WOR hell"_s << true << true;
        QTest::newRow("one word missing") << u"Hello world"_s << u"hello there"_s << false << false;
        QTest::newRow("not a prefix") << u"Hello world"_s << u"help"_s << false << false;
        QTest::newRow("inside a word") << u"Hello world"_s << u"ell"_s << false << false;
        QTest::newRow("short word, whole") << u"hi there"_s << u"Hi"_s << true << true;
        QTest::newRow("short word, no prefix") << u"history"_s << u"hi"_s << false << false;
        QTest::newRow("accents and case")
            << u"Le CAF\u00c9 ouvert"_s << u"cafe\u0301"_s << true << true;
        QTest::newRow("long word")
            << u"internationalisation matters"_s << u"internationalisation"_s << true << true;
        QTest::newRow("long word, prefix of 12")
            << u"internationalisation"_s << u"internationa"_s << true << true;
        // Past 10 characters the index narrows only: the text decides.
        QTest::newRow("long word, other ending")
            << u"internationalisation"_s << u"internationally"_s << true << false;
        QTest::newRow("digits") << u"room 1042 at 10:30"_s << u"104 10"_s << true << true;
    }

    void queryTokensMatchDocumentTokens()
    {
        QFETCH(QString, document);
        QFETCH(QString, query);
        QFETCH(bool, indexed);
        QFETCH(bool, matches);
        const StoreSearchTokenizer tokenizer(StoreKey::generate());
        const QStringList documentTokens = tokenizer.documentTokens(document);
        const QStringList queryTokens = tokenizer.queryTokens(query);
        QVERIFY(!queryTokens.isEmpty());
        const bool allIndexed
            = std::all_of(queryTokens.begin(), queryTokens.end(),
                          [&](const QString &token) { return documentTokens.contains(token); });
        QCOMPARE(allIndexed, indexed);
        QCOMPARE(StoreSearchTokenizer::matches(document, query), matches);
    }

    void emptyQueries()
    {
        const StoreSearchTokenizer tokenizer(StoreKey::generate());
        QCOMPARE(tokenizer.queryTokens(u""), QStringList());
        QCOMPARE(tokenizer.queryTokens(u" !? \u2014 "), QStringList());
        QCOMPARE(tokenizer.documentTokens(u"...."), QStringList());
        QVERIFY(!StoreSearchTokenizer::matches(u"hello", u""));
        QCOMPARE(tokenizer.queryTokens(u"hel hel HEL"), tokenizer.queryTokens(u"hel"));
    }

    // --- media cache

    void cacheLayout()
    {
        QCOMPARE(kCacheHeaderBytes, 17);
        QCOMPARE(kCacheSealedChunkBytes, 64 * 1024 + 16);
        QCOMPARE(cacheChunkIndex(0), 0);
        QCOMPARE(cacheChunkIndex(kCacheChunkBytes - 1), 0);
        QCOMPARE(cacheChunkIndex(kCacheChunkBytes), 1);
        QCOMPARE(cacheChunkIndex(5 * kCacheChunkBytes + 3), 5);
        QCOMPARE(cacheChunkOffset(0), 17);
        QCOMPARE(cacheChunkOffset(1), 17 + 65552);
        QCOMPARE(cacheChunkOffset(3), 17 + 3 * 65552);
        QCOMPARE(cacheFileSize(0), 17 + 16);
        QCOMPARE(cacheFileSize(1), 17 + 1 + 16);
        QCOMPARE(cacheFileSize(kCacheChunkBytes), 17 + 65552);
        QCOMPARE(cacheFileSize(kCacheChunkBytes + 1), 17 + 65552 + 1 + 16);
    }

    void cacheRoundTrip_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<qsizetype>("chunks");
        QTest::newRow("empty") << qsizetype(0) << qsizetype(1);
        QTest::newRow("one byte") << qsizetype(1) << qsizetype(1);
        QTest::newRow("64 KiB - 1") << kCacheChunkBytes - 1 << qsizetype(1);
        QTest::newRow("64 KiB") << kCacheChunkBytes << qsizetype(1);
        QTest::newRow("64 KiB + 1") << kCacheChunkBytes + 1 << qsizetype(2);
        QTest::newRow("3 x 64 KiB") << 3 * kCacheChunkBytes << qsizetype(3);
        QTest::newRow("1 MiB + 5") << 16 * kCacheChunkBytes + 5 << qsizetype(17);
    }

    void cacheRoundTrip()
    {
        QFETCH(qsizetype, size);
        QFETCH(qsizetype, chunks);
        const QByteArray plaintext = pseudoRandom(size);
        const Cached cached = cache(plaintext);
        QCOMPARE(cached.file.size(), kCacheHeaderBytes + size + chunks * 16);
        QCOMPARE(cached.file.size(), cacheFileSize(size));
        QCOMPARE(static_cast<quint8>(cached.file.at(0)), kCacheFileVersion);
        if (size >= 32)
            QVERIFY(!cached.file.contains(plaintext.first(32)));
        QCOMPARE(openAll(cached, cached.file), plaintext);

        const auto reader = CacheFileReader::open(cached.key, cached.file.first(kCacheHeaderBytes),
                                                  cached.file.size());
        QVERIFY(reader.ok());
        QCOMPARE(reader->chunkCount(), chunks);
        QCOMPARE(reader->plaintextSize(), size);

        // Written in one piece: the same layout.
        CacheFileWriter whole;
        QByteArray file = whole.write(plaintext);
        file.append(whole.finish());
        QCOMPARE(file.size(), cached.file.size());
        QCOMPARE(*CacheFileReader::openAll(whole.fileKey(), file), plaintext);
    }

    // The bytes of every chunk, recomputed here with libsodium from the spec's nonce and
    // associated data: 16 header bytes || u64 BE index, and u64 BE index || final flag.
    void cacheChunksAsSpecified()
    {
        const QByteArray plaintext = pseudoRandom(2 * kCacheChunkBytes + 100);
        const Cached cached = cache(plaintext);
        QCOMPARE(cached.file.size(), cacheFileSize(plaintext.size()));
        for (qint64 index = 0; index < 3; ++index) {
            const QByteArray chunk = plaintext.mid(index * kCacheChunkBytes, kCacheChunkBytes);
            QByteArray nonce = cached.file.mid(1, 16);
            QByteArray associatedData;
            for (int shift = 56; shift >= 0; shift -= 8) {
                nonce.append(static_cast<char>((index >> shift) & 0xff));
                associatedData.append(static_cast<char>((index >> shift) & 0xff));
            }
            associatedData.append(index == 2 ? '\x01' : '\x00');
            QByteArray expected(chunk.size() + 16, Qt::Uninitialized);
            unsigned long long written = 0;
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                reinterpret_cast<unsigned char *>(expected.data()), &written,
                reinterpret_cast<const unsigned char *>(chunk.constData()),
                static_cast<unsigned long long>(chunk.size()),
                reinterpret_cast<const unsigned char *>(associatedData.constData()),
                static_cast<unsigned long long>(associatedData.size()), nullptr,
                reinterpret_cast<const unsigned char *>(nonce.constData()), cached.key.data());
            QCOMPARE(cached.file.mid(cacheChunkOffset(index), expected.size()).toHex(),
                     expected.toHex());
        }
    }

    void cacheKnownAnswers()
    {
        // Sealed by the Python script: file key 0x80..0x9f, header 01 || 0x10..0x1f.
        const SecretKey key = *SecretKey::fromBytes(range(0x80, 0xa0));
        const QByteArray picture
            = QByteArray::fromHex("01101112131415161718191a1b1c1d1e1fb5e6b084077f5ee1fa67c7988b"
                                  "69524add41c5753ae6761b0975ab38d8a8");
        const auto opened = CacheFileReader::openAll(key, picture);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        QCOMPARE(*opened, QByteArray("cached picture"));
        const QByteArray empty = QByteArray::fromHex(
            "01101112131415161718191a1b1c1d1e1f7388ef4781ad856f6969f644f26feb99");
        const auto openedEmpty = CacheFileReader::openAll(key, empty);
        QVERIFY(openedEmpty.ok());
        QCOMPARE(*openedEmpty, QByteArray());
    }

    void cacheWrittenAsItArrives()
    {
        CacheFileWriter writer;
        // The header comes at once; a full chunk only once a byte follows it.
        QCOMPARE(writer.write("abc").size(), kCacheHeaderBytes);
        QCOMPARE(writer.write(QByteArray(kCacheChunkBytes - 3, 'x')).size(), 0);
        QCOMPARE(writer.write(QByteArray()).size(), 0);
        QCOMPARE(writer.write("y").size(), kCacheSealedChunkBytes);
        QCOMPARE(writer.finish().size(), 1 + 16);

        // Each file its own key and header.
        const Cached first = cache("same");
        const Cached second = cache("same");
        QVERIFY(!(first.key == second.key));
        QVERIFY(first.file.mid(1, 16) != second.file.mid(1, 16));
        QCOMPARE(openAll(second, first.file), kCorrupt);
    }

    void cacheRandomAccess()
    {
        const QByteArray plaintext = pseudoRandom(3 * kCacheChunkBytes + 100);
        const Cached cached = cache(plaintext);
        const auto reader = CacheFileReader::open(cached.key, cached.file.first(kCacheHeaderBytes),
                                                  cached.file.size());
        QVERIFY(reader.ok());
        QCOMPARE(reader->chunkCount(), 4);

        // A player seeking to a byte in the middle of the second chunk reads that chunk only.
        const qint64 seekTo = kCacheChunkBytes + 12345;
        const qint64 index = cacheChunkIndex(seekTo);
        QCOMPARE(index, 1);
        QCOMPARE(reader->sealedChunkSize(index), kCacheSealedChunkBytes);
        const QByteArray sealed
            = cached.file.mid(cacheChunkOffset(index), reader->sealedChunkSize(index));
        const auto chunk = reader->openChunk(index, sealed);
        QVERIFY(chunk.ok());
        QCOMPARE(*chunk, plaintext.mid(kCacheChunkBytes, kCacheChunkBytes));
        QCOMPARE(chunk->at(seekTo - index * kCacheChunkBytes), plaintext.at(seekTo));

        // The short last chunk.
        QCOMPARE(reader->sealedChunkSize(3), 100 + 16);
        const auto last = reader->openChunk(3, cached.file.mid(cacheChunkOffset(3)));
        QVERIFY(last.ok());
        QCOMPARE(*last, plaintext.mid(3 * kCacheChunkBytes));

        // Past the end, and bytes of the wrong length.
        QCOMPARE(reader->openChunk(4, sealed).error().code, ErrorCode::BadRequest);
        QCOMPARE(reader->openChunk(-1, sealed).error().code, ErrorCode::BadRequest);
        QCOMPARE(reader->openChunk(1, sealed.first(sealed.size() - 1)).error().code,
                 ErrorCode::Corrupt);
        QCOMPARE(reader->openChunk(3, cached.file.mid(cacheChunkOffset(3), 50)).error().code,
                 ErrorCode::Corrupt);
    }

    void cacheTruncationRefused()
    {
        // Two full chunks: cut after the first, what is left is a complete, authentic chunk
        // that was not sealed as the last.
        const QByteArray plaintext = pseudoRandom(2 * kCacheChunkBytes);
        const Cached cached = cache(plaintext);
        QCOMPARE(cached.file.size(), kCacheHeaderBytes + 2 * kCacheSealedChunkBytes);
        const QByteArray cut = cached.file.first(kCacheHeaderBytes + kCacheSealedChunkBytes);
        QCOMPARE(openAll(cached, cut), kCorrupt);
        const auto reader
            = CacheFileReader::open(cached.key, cut.first(kCacheHeaderBytes), cut.size());
        QVERIFY(reader.ok());
        QCOMPARE(reader->chunkCount(), 1);
        const auto error = reader->openChunk(0, cut.mid(kCacheHeaderBytes)).error();
        QCOMPARE(error.code, ErrorCode::Corrupt);
        QVERIFY2(error.message.contains(u"truncated"_s), qPrintable(error.message));

        // Any other cut: inside a chunk, inside a tag, inside the header, nothing at all.
        for (const qsizetype size :
             {qsizetype(0), qsizetype(1), kCacheHeaderBytes - 1, kCacheHeaderBytes,
              kCacheHeaderBytes + 15, kCacheHeaderBytes + 16, kCacheHeaderBytes + 5000,
              kCacheHeaderBytes + kCacheSealedChunkBytes + 16,
              kCacheHeaderBytes + kCacheSealedChunkBytes + 17, cached.file.size() - 1}) {
            QCOMPARE(openAll(cached, cached.file.first(size)), kCorrupt);
        }
        // Bytes added at the end: the real last chunk is then not the last.
        QCOMPARE(openAll(cached, QByteArray(cached.file + QByteArray(16, 'x'))), kCorrupt);
        QCOMPARE(openAll(cached, QByteArray(cached.file + sealedChunk(cached, 1))), kCorrupt);
        QCOMPARE(openAll(cached, cached.file), plaintext);
    }

    void cacheReorderingRefused()
    {
        const QByteArray plaintext = pseudoRandom(3 * kCacheChunkBytes + 5);
        const Cached cached = cache(plaintext);
        const QByteArray header = cached.file.first(kCacheHeaderBytes);
        const auto chunk = [&](qint64 i) { return sealedChunk(cached, i); };
        QCOMPARE(QByteArray(header + chunk(0) + chunk(1) + chunk(2) + chunk(3)), cached.file);
        QCOMPARE(openAll(cached, QByteArray(header + chunk(1) + chunk(0) + chunk(2) + chunk(3))),
                 kCorrupt);
        QCOMPARE(openAll(cached, QByteArray(header + chunk(0) + chunk(2) + chunk(1) + chunk(3))),
                 kCorrupt);
        QCOMPARE(openAll(cached, QByteArray(header + chunk(0) + chunk(0) + chunk(2) + chunk(3))),
                 kCorrupt);
        // A middle chunk dropped: a full chunk where the last should be, and chunk 3 earlier.
        QCOMPARE(openAll(cached, QByteArray(header + chunk(0) + chunk(1) + chunk(3))), kCorrupt);

        // Random access: chunk i's bytes given as chunk j's.
        const auto reader = CacheFileReader::open(cached.key, header, cached.file.size());
        QVERIFY(reader.ok());
        for (qint64 i = 0; i < 3; ++i) {
            for (qint64 j = 0; j < 3; ++j) {
                const auto opened = reader->openChunk(j, chunk(i));
                QCOMPARE(opened.ok(), i == j);
            }
        }
        QCOMPARE(openAll(cached, cached.file), plaintext);
    }

    void cacheAlteredBytesRefused()
    {
        const QByteArray plaintext = pseudoRandom(kCacheChunkBytes + 300);
        const Cached cached = cache(plaintext);
        for (const qsizetype at :
             {qsizetype(1), qsizetype(16), kCacheHeaderBytes, kCacheHeaderBytes + 4000,
              kCacheHeaderBytes + kCacheSealedChunkBytes - 1,
              kCacheHeaderBytes + kCacheSealedChunkBytes, cached.file.size() - 1}) {
            QCOMPARE(openAll(cached, flipped(cached.file, at)), kCorrupt);
        }
        QByteArray newer = cached.file;
        newer[0] = 2;
        QCOMPARE(openAll(cached, newer), QByteArray("error: incompatible"));
        const Cached otherKey{SecretKey::random(), cached.file};
        QCOMPARE(openAll(otherKey, cached.file), kCorrupt);
        QCOMPARE(openAll(cached, cached.file), plaintext);
    }

    // --- secrets in memory

    // Keys, subkeys and plaintext pass through buffers of the library's own: they are wiped
    // before they are freed.
    void noSecretsLeftInFreedMemory()
    {
#ifndef TIDINGS_TEST_ASAN
        QSKIP("needs AddressSanitizer's free hook");
#else
        const QByteArray storeKeyBytes = range(0x00, 0x20);
        const StoreKey storeKey = knownStoreKey();
        QList<std::pair<QString, QByteArray>> secrets{
            {u"K_store"_s, storeKeyBytes},
            {u"K_columns"_s, storeKey.derive(StoreSubkey::Columns).toByteArray()},
            {u"K_search"_s, storeKey.derive(StoreSubkey::Search).toByteArray()},
            {u"K_cache"_s, storeKey.derive(StoreSubkey::Cache).toByteArray()},
            {u"plaintext"_s, QByteArray("SECRET!!SECRET!!")},
        };
        std::optional<StoreValueCipher> cipher;
        std::optional<Result<QByteArray>> sealed;
        std::optional<Result<QByteArray>> opened;
        QCOMPARE(secretsLeftInFreedMemory(secrets,
                                          [&] {
                                              const auto key = StoreKey::fromBytes(storeKeyBytes);
                                              cipher.emplace(*key);
                                              StoreSearchTokenizer tokenizer(*key);
                                              Q_UNUSED(tokenizer);
                                              const SecretKey cacheKey
                                                  = key->derive(StoreSubkey::Cache);
                                              Q_UNUSED(cacheKey);
                                          }),
                 QStringList());
        QByteArray value;
        value.reserve(1000);
        value.append("SECRET!!SECRET!!SECRET!!");
        QCOMPARE(secretsLeftInFreedMemory(secrets,
                                          [&] {
                                              sealed = cipher->seal("messages", "body", "1", value);
                                              opened
                                                  = cipher->open("messages", "body", "1", **sealed);
                                          }),
                 QStringList());
        QCOMPARE(**opened, value);

        // The media cache: a writer fed in odd pieces, with a short last chunk, then every
        // chunk opened, one at a time and all at once.
        QByteArray plaintext;
        plaintext.reserve(2 * kCacheChunkBytes + 1000);
        while (plaintext.size() < 2 * kCacheChunkBytes + 1000)
            plaintext.append("SECRET!!");
        std::optional<SecretKey> fileKey;
        QByteArray file;
        file.reserve(cacheFileSize(plaintext.size()));
        QCOMPARE(secretsLeftInFreedMemory(secrets,
                                          [&] {
                                              CacheFileWriter writer;
                                              file.append(writeInPieces(writer, plaintext));
                                              fileKey = writer.fileKey();
                                          }),
                 QStringList());
        // A download given up half-way: the writer goes with a chunk part-filled.
        QCOMPARE(secretsLeftInFreedMemory(secrets,
                                          [&] {
                                              CacheFileWriter writer;
                                              const QByteArray started = writer.write(
                                                  QByteArrayView(plaintext).first(1000));
                                              Q_UNUSED(started);
                                          }),
                 QStringList());
        secrets.append({u"file key"_s, fileKey->toByteArray()});
        std::optional<Result<QByteArray>> all;
        QList<QByteArray> chunks;
        chunks.reserve(3);
        QCOMPARE(secretsLeftInFreedMemory(
                     secrets,
                     [&] {
                         all = CacheFileReader::openAll(*fileKey, file);
                         const auto reader = CacheFileReader::open(
                             *fileKey, QByteArrayView(file).first(kCacheHeaderBytes), file.size());
                         for (qint64 i = 0; i < reader->chunkCount(); ++i)
                             chunks.append(*reader->openChunk(
                                 i,
                                 QByteArrayView(file).sliced(cacheChunkOffset(i),
                                                             reader->sealedChunkSize(i))));
                         // A refused file: the plaintext opened so far is wiped.
                         const auto refused = CacheFileReader::openAll(
                             *fileKey, QByteArrayView(file).first(file.size() - 1));
                         Q_UNUSED(refused);
                     }),
                 QStringList());
        QCOMPARE(**all, plaintext);
        QCOMPARE(chunks.size(), 3);
        QCOMPARE(QByteArray(chunks[0] + chunks[1] + chunks[2]), plaintext);
#endif
    }
};

QTEST_GUILESS_MAIN(TestE2eStore)
#include "tst_e2e_store.moc"
