// runCached(): statements prepared once per connection and lent out, never shared by two
// users at once, on a real SQLite database.

#include "sql/sql_helpers.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QtTest>

using namespace tidings;
using namespace Qt::StringLiterals;

class TestSqlHelpers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"helpers"_s);
        m_db.setDatabaseName(u":memory:"_s);
        QVERIFY(m_db.open());
        QVERIFY(sql::run(m_db, u"CREATE TABLE t (n INTEGER PRIMARY KEY, word TEXT)"_s).ok());
        for (int n = 1; n <= 3; ++n)
            QVERIFY(sql::run(m_db, u"INSERT INTO t VALUES (?, ?)"_s, {n, u"w%1"_s.arg(n)}).ok());
    }

    void cleanup()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"helpers"_s);
    }

    void reusesTheStatementWithNewValues()
    {
        sql::StatementCacheScope scope(m_db);
        const QString select = u"SELECT word FROM t WHERE n = ?"_s;
        for (int round = 0; round < 2; ++round) {
            for (int n = 1; n <= 3; ++n) {
                auto query = sql::runCached(m_db, select, {n});
                QVERIFY(query.ok());
                QVERIFY(query->next());
                QCOMPARE(query->value(0).toString(), u"w%1"_s.arg(n));
            }
        }
    }

    // The same statement asked for while its first result is still being read: the second
    // gets a query of its own, and neither disturbs the other.
    void aStatementInUseIsNotLentTwice()
    {
        sql::StatementCacheScope scope(m_db);
        const QString all = u"SELECT n FROM t WHERE n >= ? ORDER BY n"_s;
        auto outer = sql::runCached(m_db, all, {1});
        QVERIFY(outer.ok());
        QList<int> pairs;
        while (outer->next()) {
            auto inner = sql::runCached(m_db, all, {outer->value(0).toInt()});
            QVERIFY(inner.ok());
            while (inner->next())
                pairs.append(outer->value(0).toInt() * 10 + inner->value(0).toInt());
        }
        QCOMPARE(pairs, (QList<int>{11, 12, 13, 22, 23, 33}));
    }

    void aFailedRunIsAnErrorAndTheStatementStaysUsable()
    {
        sql::StatementCacheScope scope(m_db);
        const QString insert = u"INSERT INTO t VALUES (?, ?)"_s;
        const auto duplicate = sql::runCached(m_db, insert, {2, u"again"_s});
        QVERIFY(!duplicate.ok());
        QCOMPARE(duplicate.error().code, ErrorCode::Conflict);
        QVERIFY(sql::runCached(m_db, insert, {4, u"w4"_s}).ok());
        auto count = sql::run(m_db, u"SELECT count(*) FROM t"_s);
        QVERIFY(count.ok() && count->next());
        QCOMPARE(count->value(0).toInt(), 4);

        const auto broken = sql::runCached(m_db, u"SELECT nothing FROM nowhere"_s);
        QVERIFY(!broken.ok());
        QCOMPARE(broken.error().code, ErrorCode::Io);
    }

    void withoutACacheItIsAPlainRun()
    {
        auto query = sql::runCached(m_db, u"SELECT word FROM t WHERE n = ?"_s, {3});
        QVERIFY(query.ok());
        QVERIFY(query->next());
        QCOMPARE(query->value(0).toString(), u"w3"_s);
    }

private:
    QSqlDatabase m_db;
};

QTEST_GUILESS_MAIN(TestSqlHelpers)
#include "tst_sql_helpers.moc"
