#include "util/error.h"
#include "util/result.h"

#include <QtTest>

using namespace tidings;
using namespace Qt::StringLiterals;

class TestError : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wireNamesAreStable_data()
    {
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QString>("name");
        // These names are protocol: changing one breaks every client.
        QTest::newRow("bad_request") << ErrorCode::BadRequest << u"bad_request"_s;
        QTest::newRow("unauthorized") << ErrorCode::Unauthorized << u"unauthorized"_s;
        QTest::newRow("forbidden") << ErrorCode::Forbidden << u"forbidden"_s;
        QTest::newRow("not_found") << ErrorCode::NotFound << u"not_found"_s;
        QTest::newRow("conflict") << ErrorCode::Conflict << u"conflict"_s;
        QTest::newRow("too_large") << ErrorCode::TooLarge << u"too_large"_s;
        QTest::newRow("rate_limited") << ErrorCode::RateLimited << u"rate_limited"_s;
        QTest::newRow("unavailable") << ErrorCode::Unavailable << u"unavailable"_s;
        QTest::newRow("unsupported") << ErrorCode::Unsupported << u"unsupported"_s;
        QTest::newRow("internal") << ErrorCode::Internal << u"internal"_s;
    }

    void wireNamesAreStable()
    {
        QFETCH(ErrorCode, code);
        QFETCH(QString, name);
        QCOMPARE(errorCodeName(code), name);
        QCOMPARE(errorCodeFromName(name), code);
    }

    void unknownNameIsNotACode()
    {
        QVERIFY(!errorCodeFromName(u"no_such_error").has_value());
        QVERIFY(!errorCodeFromName(u"").has_value());
        QVERIFY(!errorCodeFromName(u"BAD_REQUEST").has_value());
    }

    void resultCarriesValueOrError()
    {
        Result<int> good = 42;
        QVERIFY(good.ok());
        QCOMPARE(*good, 42);

        Result<int> bad(ErrorCode::NotFound, u"no such user"_s);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::NotFound);
        QCOMPARE(bad.error().message, u"no such user"_s);

        Result<void> done;
        QVERIFY(done.ok());
        Result<void> failed(ErrorCode::Io, u"disk full"_s);
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, ErrorCode::Io);
    }
};

QTEST_GUILESS_MAIN(TestError)
#include "tst_error.moc"
