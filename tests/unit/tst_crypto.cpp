#include "crypto/password_hash.h"
#include "crypto/session_token.h"

#include <QSet>
#include <QtTest>

using namespace tidings;
using namespace tidings::crypto;
using namespace Qt::StringLiterals;

class TestCrypto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passwordHashVerifies()
    {
        const auto hash
            = hashPassword(u"correct horse battery staple"_s, PasswordHashCost::minimum());
        QVERIFY(hash.ok());
        QVERIFY(hash->startsWith("$argon2id$"));
        QVERIFY(verifyPassword(*hash, u"correct horse battery staple"_s));
        QVERIFY(!verifyPassword(*hash, u"correct horse battery stapl"_s));
        QVERIFY(!verifyPassword(*hash, QString()));
        // Salted: the same password hashes differently each time.
        QVERIFY(*hash
                != *hashPassword(u"correct horse battery staple"_s, PasswordHashCost::minimum()));
    }

    void unicodePasswords()
    {
        const auto hash = hashPassword(u"pässwörd 🔑"_s, PasswordHashCost::minimum());
        QVERIFY(verifyPassword(*hash, u"pässwörd 🔑"_s));
        QVERIFY(!verifyPassword(*hash, u"passwort 🔑"_s));
    }

    void garbageHashNeverVerifies()
    {
        QVERIFY(!verifyPassword(QByteArray(), u"x"_s));
        QVERIFY(!verifyPassword("$argon2id$nonsense", u"x"_s));
        QVERIFY(!verifyPassword(QByteArray(500, 'a'), u"x"_s));
    }

    void rehashWhenCostChanges()
    {
        const auto cheap = hashPassword(u"pw"_s, PasswordHashCost::minimum());
        QVERIFY(!passwordHashNeedsRehash(*cheap, PasswordHashCost::minimum()));
        QVERIFY(passwordHashNeedsRehash(*cheap, PasswordHashCost::interactive()));
        QVERIFY(passwordHashNeedsRehash("not a hash", PasswordHashCost::minimum()));
    }

    void tokensAreRandomAndUrlSafe()
    {
        QSet<QByteArray> seen;
        for (int i = 0; i < 100; ++i) {
            const QByteArray token = newSessionToken();
            QCOMPARE(token.size(), 43); // 256 bits, unpadded base64url
            for (const char c : token)
                QVERIFY(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
            seen.insert(token);
        }
        QCOMPARE(seen.size(), 100);
    }

    void tokenDigestIsStableAndDistinct()
    {
        const QByteArray token = newSessionToken();
        QCOMPARE(sessionTokenDigest(token).size(), 32);
        QCOMPARE(sessionTokenDigest(token), sessionTokenDigest(token));
        QVERIFY(sessionTokenDigest(token) != sessionTokenDigest(newSessionToken()));
        QVERIFY(sessionTokenDigest(token) != token);
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
