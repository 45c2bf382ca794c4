// Linking a new device (common/e2e/device_link.h, docs/encryption.md section 3): the link
// code, the keys both sides derive, the two boxes and what they hold.

#include "e2e/device_link.h"
#include "e2e/file_crypto.h"

#include <QRegularExpression>
#include <QtTest>

#include <sodium.h>

#include <functional>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;

namespace {

const QString kOffer = u"0123456789abcdef0123456789abcdef"_s;

// The known answer below was computed once, independently of common/e2e, with Python 3:
// X25519 from pyca/cryptography, HKDF written out from RFC 5869 on the standard library's
// hmac and hashlib, BLAKE2b-256 with hashlib.blake2b(digest_size=32), and the code as
// base64.b32encode translated to Crockford's alphabet. Inputs: e_O = 32 × 0x11,
// e_N = 32 × 0x22, s = a1 b2 c3 d4 e5. knownAnswer() also recomputes it with raw libsodium.
const QByteArray kKnownSecret = QByteArray::fromHex("a1b2c3d4e5");
const QByteArray kKnownOfferingKey
    = QByteArray::fromHex("7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13");
const QByteArray kKnownNewKey
    = QByteArray::fromHex("0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20");
const QByteArray kKnownKeyHash = QByteArray::fromHex("0c56bcb294e2bcf2459a");
const QString kKnownCode = u"M6SC-7N75-1HBB-SCMM-WAYF-4HCT"_s;
const QByteArray kKnownAnswerKey
    = QByteArray::fromHex("52119633264fb665936bea5d683f93ff2076cea73d219de4d5c46eff9cb90bf5");
const QByteArray kKnownCompleteKey
    = QByteArray::fromHex("1babf4b1d498ef00aae5db791c6192989b9fbb153fad6f9ca05b2de06b5cec73");

// 20 bytes whose base32 is the alphabet in order, 5 bits at a time (by hand: 0x00 = 00000
// 000, 0x44 = 01 00010 0, …): its first 15 bytes are "0123…MNPQ", bytes 5 to 19 "89AB…WXYZ".
const QByteArray kAlphabetBytes = QByteArray::fromHex("00443214c74254b635cf84653a56d7c675be77df");

SecretKey filled(char fill)
{
    return *SecretKey::fromBytes(QByteArray(32, fill));
}

QByteArray bytesOf(const unsigned char *data, qsizetype size)
{
    return QByteArray(reinterpret_cast<const char *>(data), size);
}

const unsigned char *uc(const QByteArray &bytes)
{
    return reinterpret_cast<const unsigned char *>(bytes.constData());
}

QByteArray rawHmac(const QByteArray &key, const QByteArray &message)
{
    unsigned char tag[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, uc(key), static_cast<size_t>(key.size()));
    crypto_auth_hmacsha256_update(&state, uc(message),
                                  static_cast<unsigned long long>(message.size()));
    crypto_auth_hmacsha256_final(&state, tag);
    return bytesOf(tag, sizeof tag);
}

QByteArray flipped(QByteArray bytes, qsizetype at)
{
    bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
    return bytes;
}

LinkCode codeOf(const QByteArray &fifteenBytes)
{
    return LinkCode{fifteenBytes.first(kLinkSecretBytes), fifteenBytes.sliced(kLinkSecretBytes)};
}

template<typename T> QString outcome(const Result<T> &result)
{
    return result.ok() ? u"ok"_s : errorCodeName(result.error().code);
}

QString name(ErrorCode code)
{
    return errorCodeName(code);
}

/// An offer's two ephemeral key pairs and the code the offering side shows.
struct Link
{
    DhKeyPair offering = DhKeyPair::generate();
    DhKeyPair joining = DhKeyPair::generate();
    LinkCode code = LinkCode::generate(offering.publicKey);

    LinkKeys offeringKeys() const
    {
        return *LinkKeys::derive(code, offering, joining.publicKey, offering.publicKey,
                                 joining.publicKey);
    }
    LinkKeys joiningKeys() const
    {
        return *LinkKeys::derive(code, joining, offering.publicKey, offering.publicKey,
                                 joining.publicKey);
    }
};

/// An identity, the new device's certificate and a list with another device and it.
struct Completion
{
    SigningKeyPair identity = SigningKeyPair::generate();
    SigningKeyPair newDevice = SigningKeyPair::generate();
    SigningKeyPair oldDevice = SigningKeyPair::generate();

    DeviceCertificate certificate(const SigningKeyPair &signer) const
    {
        return *DeviceCertificate::issue(signer, u"42"_s, 7, newDevice.publicKey());
    }
    DeviceList list(const SigningKeyPair &signer, const QList<DeviceListEntry> &devices) const
    {
        return *DeviceList::sign(signer, u"42"_s, 2, devices);
    }
    QList<DeviceListEntry> bothDevices() const
    {
        return {{3, oldDevice.publicKey()}, {7, newDevice.publicKey()}};
    }
    LinkCompletion make() const
    {
        return LinkCompletion{
            identity, certificate(identity), list(identity, bothDevices()), {}, 0, {}, {}};
    }
    LinkCompletion withHistory() const
    {
        LinkCompletion completion = make();
        completion.historyMedia = u"00112233445566778899aabbccddeeff"_s;
        completion.historySize = 123456;
        completion.historySha256 = QString(64, u'e');
        completion.historyKey
            = FileKey{filled('\x33'), QByteArray(kFileStreamHeaderBytes, '\x44')}.encode();
        return completion;
    }
};

} // namespace

class TestE2eLink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }

    void knownAnswer()
    {
        // Crockford base32, by hand: the alphabet in order, and all ones.
        QCOMPARE(codeOf(kAlphabetBytes.first(15)).text(), u"0123-4567-89AB-CDEF-GHJK-MNPQ"_s);
        QCOMPARE(codeOf(kAlphabetBytes.sliced(5)).text(), u"89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ"_s);
        QCOMPARE(codeOf(QByteArray(15, '\xff')).text(), u"ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"_s);

        const DhKeyPair offering = DhKeyPair::fromSecretKey(filled('\x11'));
        const DhKeyPair joining = DhKeyPair::fromSecretKey(filled('\x22'));
        QCOMPARE(offering.publicKey.toHex(), kKnownOfferingKey.toHex());
        QCOMPARE(joining.publicKey.toHex(), kKnownNewKey.toHex());

        // The key hash: BLAKE2b-256 (crypto_generichash, unkeyed) of E_O, first 10 bytes.
        unsigned char hash[32];
        crypto_generichash(hash, sizeof hash, uc(offering.publicKey), 32, nullptr, 0);
        QCOMPARE(bytesOf(hash, 10).toHex(), kKnownKeyHash.toHex());
        const LinkCode generated = LinkCode::generate(offering.publicKey);
        QCOMPARE(generated.keyHash.toHex(), kKnownKeyHash.toHex());
        QCOMPARE(generated.secret.size(), kLinkSecretBytes);

        const LinkCode code{kKnownSecret, kKnownKeyHash};
        QCOMPARE(code.text(), kKnownCode);
        const auto parsed = LinkCode::parse(kKnownCode);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->secret.toHex(), kKnownSecret.toHex());
        QCOMPARE(parsed->keyHash.toHex(), kKnownKeyHash.toHex());

        // The keys, with raw libsodium: IKM = X25519(e_N, E_O); PRK = HMAC(s, IKM);
        // T1 = HMAC(PRK, info ‖ 0x01), T2 = HMAC(PRK, T1 ‖ info ‖ 0x02); answer = T1,
        // complete = T2.
        unsigned char shared[32];
        QCOMPARE(crypto_scalarmult(shared, filled('\x22').data(), uc(offering.publicKey)), 0);
        const QByteArray info
            = QByteArray("Tidings link v1" + offering.publicKey + joining.publicKey);
        const QByteArray prk = rawHmac(kKnownSecret, bytesOf(shared, 32));
        const QByteArray block1 = rawHmac(prk, QByteArray(info + '\x01'));
        const QByteArray block2 = rawHmac(prk, QByteArray(block1 + info + '\x02'));
        QCOMPARE(block1.toHex(), kKnownAnswerKey.toHex());
        QCOMPARE(block2.toHex(), kKnownCompleteKey.toHex());

        const auto offeringKeys = LinkKeys::derive(code, offering, joining.publicKey,
                                                   offering.publicKey, joining.publicKey);
        const auto joiningKeys = LinkKeys::derive(code, joining, offering.publicKey,
                                                  offering.publicKey, joining.publicKey);
        QVERIFY(offeringKeys.ok());
        QVERIFY(joiningKeys.ok());
        for (const LinkKeys *keys : {&*offeringKeys, &*joiningKeys}) {
            QCOMPARE(keys->answer.toByteArray().toHex(), block1.toHex());
            QCOMPARE(keys->complete.toByteArray().toHex(), block2.toHex());
        }
    }

    void codeRoundTrip()
    {
        static const QRegularExpression kShape(
            u"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$"_s);
        for (int i = 0; i < 100; ++i) {
            const LinkCode code = LinkCode::generate(DhKeyPair::generate().publicKey);
            QCOMPARE(code.secret.size(), kLinkSecretBytes);
            QCOMPARE(code.keyHash.size(), kLinkKeyHashBytes);
            const QString text = code.text();
            QCOMPARE(text.size(), kLinkCodeCharacters + 5);
            QCOMPARE(text.count(u'-'), 5);
            QVERIFY2(kShape.match(text).hasMatch(), qPrintable(text));
            const auto parsed = LinkCode::parse(text);
            QVERIFY(parsed.ok());
            QCOMPARE(parsed->secret, code.secret);
            QCOMPARE(parsed->keyHash, code.keyHash);
        }
        // Two codes for one key differ in their secret only.
        const QByteArray key = DhKeyPair::generate().publicKey;
        const LinkCode first = LinkCode::generate(key);
        const LinkCode second = LinkCode::generate(key);
        QCOMPARE(first.keyHash, second.keyHash);
        QVERIFY(first.secret != second.secret);
    }

    void parseLenient_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::newRow("as shown") << u"0123-4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("lower case") << u"0123-4567-89ab-cdef-ghjk-mnpq"_s;
        QTest::newRow("spaces") << u"0123 4567 89AB CDEF GHJK MNPQ"_s;
        QTest::newRow("no dashes") << u"0123456789ABCDEFGHJKMNPQ"_s;
        QTest::newRow("around and between") << u"  01-23 45\t67--89AB CD EF GHJK-MNPQ \n"_s;
        QTest::newRow("I and L as 1, O as 0") << u"O123-4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("lower i, l, o") << u"o123-4567-89ab-cdef-ghjk-mnpq"_s;
        QTest::newRow("I") << u"0I23-4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("L") << u"0L23-4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("i and l") << u"0i23-4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("l") << u"0l23-4567-89AB-CDEF-GHJK-MNPQ"_s;
    }

    void parseLenient()
    {
        QFETCH(QString, typed);
        const auto parsed = LinkCode::parse(typed);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QCOMPARE(parsed->secret, kAlphabetBytes.first(kLinkSecretBytes));
        QCOMPARE(parsed->keyHash, kAlphabetBytes.sliced(kLinkSecretBytes, kLinkKeyHashBytes));
    }

    void parseRefuses_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::newRow("empty") << QString();
        QTest::newRow("dashes only") << u"----- -"_s;
        QTest::newRow("23 characters") << u"0123-4567-89AB-CDEF-GHJK-MNP"_s;
        QTest::newRow("25 characters") << u"0123-4567-89AB-CDEF-GHJK-MNPQR"_s;
        QTest::newRow("two codes")
            << u"0123-4567-89AB-CDEF-GHJK-MNPQ 0123-4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("U") << u"0123-4567-89AB-CDEF-GHJK-MNPU"_s;
        QTest::newRow("u") << u"0123-4567-89AB-CDEF-GHJK-MNPu"_s;
        QTest::newRow("punctuation") << u"0123-4567-89AB-CDEF-GHJK-MNP."_s;
        QTest::newRow("underscore") << u"0123_4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("dotless i") << u"0\u0131 23-4567-89AB-CDEF-GHJK-MNPQ"_s;
        QTest::newRow("accented") << u"0123-4567-89AB-CDEF-GHJK-MNP\u00c9"_s;
        QTest::newRow("full-width digit") << u"\uff10123-4567-89AB-CDEF-GHJK-MNPQ"_s;
    }

    void parseRefuses()
    {
        QFETCH(QString, typed);
        const auto parsed = LinkCode::parse(typed);
        QVERIFY(!parsed.ok());
        QCOMPARE(name(parsed.error().code), name(ErrorCode::BadRequest));
        QVERIFY(!parsed.error().message.isEmpty());
    }

    void matches()
    {
        const Link link;
        QVERIFY(link.code.matches(link.offering.publicKey));
        QVERIFY(!link.code.matches(link.joining.publicKey));
        QVERIFY(!link.code.matches(DhKeyPair::generate().publicKey));
        QVERIFY(!link.code.matches(flipped(link.offering.publicKey, 31)));
        QVERIFY(!link.code.matches({}));
        // A parsed code knows its key as well as the generated one.
        QVERIFY(LinkCode::parse(link.code.text())->matches(link.offering.publicKey));
        LinkCode shortHash = link.code;
        shortHash.keyHash.chop(1);
        QVERIFY(!shortHash.matches(link.offering.publicKey));
    }

    void bothSidesDeriveTheSameKeys()
    {
        const Link link;
        const LinkKeys offering = link.offeringKeys();
        const LinkKeys joining = link.joiningKeys();
        QVERIFY(offering.answer == joining.answer);
        QVERIFY(offering.complete == joining.complete);
        QVERIFY(!(offering.answer == offering.complete));
        QVERIFY(!offering.answer.isZero());
        QVERIFY(!offering.complete.isZero());

        // Another secret: other keys.
        LinkCode otherSecret = link.code;
        otherSecret.secret[0] = static_cast<char>(otherSecret.secret[0] ^ 0x01);
        const auto guessed = LinkKeys::derive(otherSecret, link.joining, link.offering.publicKey,
                                              link.offering.publicKey, link.joining.publicKey);
        QVERIFY(guessed.ok());
        QVERIFY(!(guessed->answer == offering.answer));
        QVERIFY(!(guessed->complete == offering.complete));

        // E_O and E_N swapped: the same DH, other keys.
        const auto swapped = LinkKeys::derive(link.code, link.joining, link.offering.publicKey,
                                              link.joining.publicKey, link.offering.publicKey);
        QVERIFY(swapped.ok());
        QVERIFY(!(swapped->answer == offering.answer));
        QVERIFY(!(swapped->complete == offering.complete));

        // Another link's keys: other keys.
        const Link other;
        QVERIFY(!(other.joiningKeys().answer == offering.answer));
    }

    void deriveRefuses()
    {
        const Link link;
        const QByteArray &eO = link.offering.publicKey;
        const QByteArray &eN = link.joining.publicKey;
        const auto derive = [&](const LinkCode &code, QByteArrayView theirs,
                                QByteArrayView offeringKey, QByteArrayView newKey) {
            return outcome(LinkKeys::derive(code, link.joining, theirs, offeringKey, newKey));
        };
        const QString badRequest = name(ErrorCode::BadRequest);
        QCOMPARE(derive(link.code, eO, eO, eN), u"ok"_s);
        QCOMPARE(derive(link.code, eO.first(31), eO, eN), badRequest);
        QCOMPARE(derive(link.code, eO, eO.first(31), eN), badRequest);
        QCOMPARE(derive(link.code, eO, eO, QByteArray(eN + '\0')), badRequest);
        // A low-order point: the DH is all zero.
        QCOMPARE(derive(link.code, QByteArray(32, '\0'), eO, eN), badRequest);
        LinkCode shortSecret = link.code;
        shortSecret.secret.chop(1);
        QCOMPARE(derive(shortSecret, eO, eO, eN), badRequest);
    }

    void boxes()
    {
        const Link link;
        const LinkKeys keys = link.offeringKeys();
        const QByteArray &eO = link.offering.publicKey;
        const QByteArray &eN = link.joining.publicKey;
        const QByteArray plaintext = "the new device's answer";
        const QByteArray box = sealLinkBox(keys.answer, kOffer, eO, eN, plaintext);
        QCOMPARE(box.size(), plaintext.size() + kLinkBoxOverheadBytes);
        QVERIFY(!box.contains(plaintext));
        // A random nonce: the same plaintext seals differently.
        QVERIFY(sealLinkBox(keys.answer, kOffer, eO, eN, plaintext) != box);

        // The other side opens it with its own keys.
        const auto opened = openLinkBox(link.joiningKeys().answer, kOffer, eO, eN, box);
        QVERIFY(opened.ok());
        QCOMPARE(*opened, plaintext);

        const QString unauthorized = name(ErrorCode::Unauthorized);
        const QString badRequest = name(ErrorCode::BadRequest);
        const auto openWith
            = [&](const SecretKey &key, const QString &offer, QByteArrayView offeringKey,
                  QByteArrayView newKey, QByteArrayView sealed) {
                  return outcome(openLinkBox(key, offer, offeringKey, newKey, sealed));
              };
        QCOMPARE(openWith(keys.complete, kOffer, eO, eN, box), unauthorized);
        QCOMPARE(openWith(SecretKey::random(), kOffer, eO, eN, box), unauthorized);
        QCOMPARE(openWith(keys.answer, u"0123456789abcdef0123456789abcdee"_s, eO, eN, box),
                 unauthorized);
        QCOMPARE(openWith(keys.answer, QString(), eO, eN, box), unauthorized);
        QCOMPARE(openWith(keys.answer, kOffer, DhKeyPair::generate().publicKey, eN, box),
                 unauthorized);
        QCOMPARE(openWith(keys.answer, kOffer, eO, DhKeyPair::generate().publicKey, box),
                 unauthorized);
        QCOMPARE(openWith(keys.answer, kOffer, eN, eO, box), unauthorized);
        for (qsizetype at = 0; at < box.size(); ++at)
            QCOMPARE(openWith(keys.answer, kOffer, eO, eN, flipped(box, at)), unauthorized);
        QCOMPARE(openWith(keys.answer, kOffer, eO, eN, box.first(box.size() - 1)), unauthorized);
        QCOMPARE(openWith(keys.answer, kOffer, eO, eN, QByteArray(box + '\0')), unauthorized);

        // Too short to hold a nonce and a tag.
        for (qsizetype size = 0; size < kLinkBoxOverheadBytes; ++size)
            QCOMPARE(openWith(keys.answer, kOffer, eO, eN, box.first(size)), badRequest);
        QCOMPARE(openWith(keys.answer, kOffer, eO.first(31), eN, box), badRequest);

        // An empty plaintext is a box of the overhead alone.
        const QByteArray empty = sealLinkBox(keys.complete, kOffer, eO, eN, {});
        QCOMPARE(empty.size(), kLinkBoxOverheadBytes);
        const auto openedEmpty = openLinkBox(keys.complete, kOffer, eO, eN, empty);
        QVERIFY(openedEmpty.ok());
        QVERIFY(openedEmpty->isEmpty());
    }

    void answerRoundTrip()
    {
        const LinkAnswer answer{SigningKeyPair::generate().publicKey(), 0x8000'0001u,
                                u"Laptop (Tidings 0.3) — Zoë"_s};
        const QByteArray encoded = answer.encode();
        QCOMPARE(static_cast<quint8>(encoded.at(0)), 0x40);
        QCOMPARE(static_cast<quint8>(encoded.at(1)), 1);
        const auto decoded = LinkAnswer::decode(encoded);
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->deviceKey, answer.deviceKey);
        QCOMPARE(decoded->deviceId, answer.deviceId);
        QCOMPARE(decoded->name, answer.name);

        const LinkAnswer unnamed{answer.deviceKey, 9, QString()};
        QCOMPARE(LinkAnswer::decode(unnamed.encode())->name, QString());
        const LinkAnswer longest{answer.deviceKey, 9, QString(128, u'n')};
        QCOMPARE(LinkAnswer::decode(longest.encode())->name, longest.name);

        const QString corrupt = name(ErrorCode::Corrupt);
        for (qsizetype size = 0; size < encoded.size(); ++size)
            QCOMPARE(outcome(LinkAnswer::decode(encoded.first(size))), corrupt);
        QCOMPARE(outcome(LinkAnswer::decode(QByteArray(encoded + '\0'))), corrupt);
        QByteArray newer = encoded;
        newer[1] = 2;
        QCOMPARE(outcome(LinkAnswer::decode(newer)), name(ErrorCode::Incompatible));
        QByteArray otherKind = encoded;
        otherKind[0] = 0x41;
        QCOMPARE(outcome(LinkAnswer::decode(otherKind)), corrupt);

        QCOMPARE(outcome(LinkAnswer::decode(LinkAnswer{answer.deviceKey, 0, u"x"_s}.encode())),
                 corrupt);
        QCOMPARE(outcome(LinkAnswer::decode(
                     LinkAnswer{answer.deviceKey, 9, QString(129, u'n')}.encode())),
                 corrupt);
        QByteArray badUtf8 = LinkAnswer{answer.deviceKey, 9, u"ab"_s}.encode();
        badUtf8[badUtf8.size() - 1] = '\xff';
        QCOMPARE(outcome(LinkAnswer::decode(badUtf8)), corrupt);
    }

    void completionRoundTrip()
    {
        const Completion parts;
        for (const LinkCompletion &completion : {parts.make(), parts.withHistory()}) {
            const QByteArray encoded = completion.encode();
            QCOMPARE(static_cast<quint8>(encoded.at(0)), 0x41);
            QCOMPARE(static_cast<quint8>(encoded.at(1)), 1);
            const auto decoded = LinkCompletion::decode(encoded);
            QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
            QCOMPARE(decoded->identity.publicKey(), parts.identity.publicKey());
            QCOMPARE(decoded->identity.serialise(), parts.identity.serialise());
            QCOMPARE(decoded->certificate, completion.certificate);
            QCOMPARE(decoded->list, completion.list);
            QCOMPARE(decoded->historyMedia, completion.historyMedia);
            QCOMPARE(decoded->historySize, completion.historySize);
            QCOMPARE(decoded->historySha256, completion.historySha256);
            QCOMPARE(decoded->historyKey, completion.historyKey);
            QCOMPARE(decoded->encode(), encoded);

            const QString corrupt = name(ErrorCode::Corrupt);
            for (qsizetype size = 0; size < encoded.size(); ++size)
                QCOMPARE(outcome(LinkCompletion::decode(encoded.first(size))), corrupt);
            QCOMPARE(outcome(LinkCompletion::decode(QByteArray(encoded + '\0'))), corrupt);
            QByteArray newer = encoded;
            newer[1] = 2;
            QCOMPARE(outcome(LinkCompletion::decode(newer)), name(ErrorCode::Incompatible));
            QByteArray otherKind = encoded;
            otherKind[0] = 0x40;
            QCOMPARE(outcome(LinkCompletion::decode(otherKind)), corrupt);
        }
        // The history key is FileKey::encode()'s.
        const QByteArray historyKey = parts.withHistory().historyKey;
        const auto key = FileKey::decode(historyKey);
        QVERIFY(key.ok());
        QVERIFY(key->key == filled('\x33'));
    }

    void completionRefusesWhatTheIdentityDidNotSign()
    {
        const Completion parts;
        const SigningKeyPair stranger = SigningKeyPair::generate();
        const QString unauthorized = name(ErrorCode::Unauthorized);
        const QString corrupt = name(ErrorCode::Corrupt);

        LinkCompletion completion = parts.make();
        completion.certificate = parts.certificate(stranger);
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), unauthorized);

        completion = parts.make();
        completion.list = parts.list(stranger, parts.bothDevices());
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), unauthorized);

        // Both signed by another identity than the one in the box.
        completion = parts.make();
        completion.identity = stranger;
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), unauthorized);

        // A certificate altered after signing.
        completion = parts.make();
        completion.certificate.deviceId = 3;
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), unauthorized);

        // A list without the new device, or with it under another key, or for another user.
        completion = parts.make();
        completion.list = parts.list(parts.identity, {{3, parts.oldDevice.publicKey()}});
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), corrupt);
        completion.list = parts.list(
            parts.identity, {{3, parts.oldDevice.publicKey()}, {7, parts.oldDevice.publicKey()}});
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), corrupt);
        completion.list = parts.list(parts.identity, {{3, parts.newDevice.publicKey()}});
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), corrupt);
        completion.list = *DeviceList::sign(parts.identity, u"43"_s, 2, parts.bothDevices());
        QCOMPARE(outcome(LinkCompletion::decode(completion.encode())), corrupt);
    }

    void completionRefusesAHalfHistory()
    {
        const Completion parts;
        const QString corrupt = name(ErrorCode::Corrupt);
        const auto refused = [&](const std::function<void(LinkCompletion &)> &change) {
            LinkCompletion completion = parts.withHistory();
            change(completion);
            return outcome(LinkCompletion::decode(completion.encode())) == corrupt;
        };
        QVERIFY(refused([](LinkCompletion &c) { c.historyMedia.clear(); }));
        QVERIFY(refused([](LinkCompletion &c) { c.historySha256.chop(1); }));
        QVERIFY(refused([](LinkCompletion &c) { c.historySha256[0] = u'g'; }));
        QVERIFY(refused([](LinkCompletion &c) { c.historySha256.clear(); }));
        QVERIFY(refused([](LinkCompletion &c) { c.historyKey.clear(); }));
        QVERIFY(refused([](LinkCompletion &c) { c.historyKey.chop(1); }));
        QVERIFY(refused([](LinkCompletion &c) { c.historySize = -1; }));
        // No history: nothing of one either.
        QVERIFY(refused([&](LinkCompletion &c) {
            c = parts.make();
            c.historySize = 1;
        }));
        QVERIFY(refused([&](LinkCompletion &c) {
            c = parts.make();
            c.historySha256 = parts.withHistory().historySha256;
        }));
        QVERIFY(refused([&](LinkCompletion &c) {
            c = parts.make();
            c.historyKey = parts.withHistory().historyKey;
        }));
    }
};

QTEST_GUILESS_MAIN(TestE2eLink)
#include "tst_e2e_link.moc"
