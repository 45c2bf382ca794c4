#include "e2e/key_pairs.h"
#include "e2e/safety_number.h"

#include <QRegularExpression>
#include <QtTest>

#include <sodium.h>

using namespace tidings;
using namespace tidings::e2e;
using namespace Qt::StringLiterals;

namespace {

// A known answer of our own: identity keys from the seeds 32 × 0x01 ("alice") and
// 32 × 0x03 ("bob"). Computed once, and reproduced both by independentRecomputation()
// below (raw crypto_hash_sha512) and, once, outside this repository with Python's hashlib
// and an unrelated Ed25519 implementation.
const QString kKnownDigits = u"075362714455560201043650082844283861206047698259587253484739"_s;
const QByteArray kKnownQrPayload
    = "00e4fd514e10c5ef4f93e86c235cd9a85f673fafa8ddf6cbfe743d14b9245c33"
      "903ded839422a188a77b1c288c1301b270ab4a89860cc7387136138afe1043f2"
      "4a";

QByteArray identityKey(char seed)
{
    return SigningKeyPair::fromSeed(*SecretKey::fromBytes(QByteArray(32, seed))).publicKey();
}

} // namespace

class TestE2eSafetyNumber : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }

    void bothSidesComputeTheSameNumber()
    {
        const QByteArray alice = SigningKeyPair::generate().publicKey();
        const QByteArray bob = SigningKeyPair::generate().publicKey();
        const auto ours = safetyNumber(u"alice"_s, alice, u"bob"_s, bob);
        const auto theirs = safetyNumber(u"bob"_s, bob, u"alice"_s, alice);
        QVERIFY(ours.ok() && theirs.ok());
        QCOMPARE(ours->digits, theirs->digits);
        QCOMPARE(ours->qrPayload, theirs->qrPayload);
        QCOMPARE(ours->digits.size(), kSafetyNumberDigits);
        QVERIFY(QRegularExpression(u"^[0-9]{60}$"_s).match(ours->digits).hasMatch());
        QCOMPARE(ours->qrPayload.size(), kSafetyNumberQrBytes);
        QCOMPARE(quint8(ours->qrPayload.at(0)), kSafetyNumberQrVersion);
        QVERIFY(ours->matchesQrPayload(theirs->qrPayload));

        // The halves are each user's own fingerprint, ordered by user id.
        QCOMPARE(ours->digits,
                 fingerprintDigits(fingerprintHash(alice, u"alice"_s))
                     + fingerprintDigits(fingerprintHash(bob, u"bob"_s)));
        const auto reversed = safetyNumber(u"zoe"_s, alice, u"bob"_s, bob);
        QCOMPARE(reversed->digits.first(30), fingerprintDigits(fingerprintHash(bob, u"bob"_s)));
    }

    void changesWhenAnIdentityKeyChanges()
    {
        const QByteArray alice = SigningKeyPair::generate().publicKey();
        const QByteArray bob = SigningKeyPair::generate().publicKey();
        const QByteArray bobsNewKey = SigningKeyPair::generate().publicKey();
        const auto before = safetyNumber(u"alice"_s, alice, u"bob"_s, bob);
        const auto after = safetyNumber(u"alice"_s, alice, u"bob"_s, bobsNewKey);
        QVERIFY(before->digits != after->digits);
        QCOMPARE(after->digits.first(30), before->digits.first(30)); // Alice's half
        QVERIFY(after->digits.last(30) != before->digits.last(30)); // Bob's half
        QVERIFY(before->qrPayload != after->qrPayload);
        QVERIFY(!before->matchesQrPayload(after->qrPayload));
        QVERIFY(!before->matchesQrPayload(before->qrPayload.chopped(1)));

        // The user id is part of it too.
        const auto renamed = safetyNumber(u"alice"_s, alice, u"bobby"_s, bob);
        QVERIFY(renamed->digits.last(30) != before->digits.last(30));
    }

    void knownAnswer()
    {
        const auto number
            = safetyNumber(u"bob"_s, identityKey('\x03'), u"alice"_s, identityKey('\x01'));
        QVERIFY(number.ok());
        QCOMPARE(number->digits, kKnownDigits);
        QCOMPARE(number->qrPayload.toHex(), kKnownQrPayload);
        QCOMPARE(number->displayText(),
                 u"07536 27144 55560 20104 36500 82844 28386 12060 47698 25958 72534 84739"_s);
    }

    // Signal's iteration, step by step with raw libsodium calls.
    void independentRecomputation()
    {
        const auto fingerprint = [](const QByteArray &key, const QByteArray &userId) {
            QByteArray hash = QByteArray(2, '\0') + key + userId; // version 0, u16 BE
            for (int i = 0; i < 5200; ++i) {
                const QByteArray input = hash + key;
                QByteArray next(64, '\0');
                crypto_hash_sha512(reinterpret_cast<unsigned char *>(next.data()),
                                   reinterpret_cast<const unsigned char *>(input.constData()),
                                   static_cast<unsigned long long>(input.size()));
                hash = next;
            }
            return hash;
        };
        const auto digits = [](const QByteArray &hash) {
            QString text;
            for (int offset = 0; offset < 30; offset += 5) {
                quint64 value = 0;
                for (int i = 0; i < 5; ++i)
                    value = value * 256 + static_cast<quint8>(hash[offset + i]);
                text += QString::number(value % 100000).rightJustified(5, u'0');
            }
            return text;
        };
        const QByteArray alice = fingerprint(identityKey('\x01'), "alice");
        const QByteArray bob = fingerprint(identityKey('\x03'), "bob");
        QCOMPARE(fingerprintHash(identityKey('\x01'), u"alice"_s).toHex(), alice.toHex());
        QCOMPARE(QString(digits(alice) + digits(bob)), kKnownDigits);
        QCOMPARE(QByteArray(QByteArray(1, '\0') + alice.first(32) + bob.first(32)).toHex(),
                 kKnownQrPayload);
    }

    void badInputRefused()
    {
        const QByteArray key = identityKey('\x01');
        QCOMPARE(safetyNumber(u"a"_s, key.first(31), u"b"_s, key).error().code,
                 ErrorCode::BadRequest);
        QCOMPARE(safetyNumber(u"a"_s, key, u"b"_s, QByteArray()).error().code,
                 ErrorCode::BadRequest);
        QCOMPARE(safetyNumber(QString(), key, u"b"_s, key).error().code, ErrorCode::BadRequest);
    }
};

QTEST_GUILESS_MAIN(TestE2eSafetyNumber)
#include "tst_e2e_safety_number.moc"
