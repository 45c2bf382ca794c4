#include "protocol/account_rules.h"

#include <QtTest>

using namespace tidings;
using namespace tidings::protocol;
using namespace Qt::StringLiterals;

class TestAccountRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usernames_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("canonical"); // empty: refused
        QTest::newRow("plain") << u"alice"_s << u"alice"_s;
        QTest::newRow("case folds") << u"Alice"_s << u"alice"_s;
        QTest::newRow("punctuation") << u"bob.smith_2-x"_s << u"bob.smith_2-x"_s;
        QTest::newRow("digit first") << u"2pac"_s << u"2pac"_s;
        QTest::newRow("shortest") << u"abc"_s << u"abc"_s;
        QTest::newRow("longest") << QString(32, u'a') << QString(32, u'a');
        QTest::newRow("too short") << u"ab"_s << QString();
        QTest::newRow("too long") << QString(33, u'a') << QString();
        QTest::newRow("space") << u"al ice"_s << QString();
        QTest::newRow("at sign") << u"alice@home"_s << QString();
        QTest::newRow("dot first") << u".alice"_s << QString();
        QTest::newRow("non-ascii") << u"élodie"_s << QString();
        QTest::newRow("look-alike cyrillic") << u"аlice"_s << QString();
        QTest::newRow("empty") << QString() << QString();
    }

    void usernames()
    {
        QFETCH(QString, input);
        QFETCH(QString, canonical);
        const auto result = canonicalUsername(input);
        if (canonical.isEmpty()) {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, ErrorCode::BadRequest);
        } else {
            QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
            QCOMPARE(*result, canonical);
        }
    }

    void displayNames()
    {
        QCOMPARE(*validDisplayName(u"  Alice Liddell "_s), u"Alice Liddell"_s);
        QCOMPARE(*validDisplayName(u"李小龙 🐉"_s), u"李小龙 🐉"_s);
        QVERIFY(!validDisplayName(u"   "_s).ok());
        QVERIFY(!validDisplayName(QString(65, u'x')).ok());
        QVERIFY(!validDisplayName(u"a\u0007b"_s).ok());
        QVERIFY(!validDisplayName(u"a\u202Eb"_s).ok()); // right-to-left override
        QVERIFY(!validDisplayName(u"two\nlines"_s).ok());
    }

    void passwords()
    {
        QVERIFY(checkPassword(u"longenough"_s, u"alice"_s).ok());
        QVERIFY(checkPassword(u"ünïcødé!"_s, u"alice"_s).ok());
        QVERIFY(!checkPassword(u"short"_s, u"alice"_s).ok());
        QVERIFY(!checkPassword(u"Alice12345"_s, u"alice12345"_s).ok());
        QVERIFY(!checkPassword(QString(1025, u'x'), u"alice"_s).ok());
        QVERIFY(checkPassword(QString(1024, u'x'), u"alice"_s).ok());
    }
};

QTEST_GUILESS_MAIN(TestAccountRules)
#include "tst_account_rules.moc"
