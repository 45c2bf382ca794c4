#include "protocol/fields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace tidings;
using namespace tidings::protocol;
using namespace Qt::StringLiterals;

namespace {

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class TestFields : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void strings()
    {
        const QJsonObject o = parse(R"({"s":"héllo","n":5,"e":"","null":null})");
        QCOMPARE(*fields::string(o, u"s"_s), u"héllo"_s);
        QVERIFY(fields::string(o, u"s"_s, {0, 6}).ok()); // 6 UTF-8 bytes
        QVERIFY(!fields::string(o, u"s"_s, {0, 5}).ok()); // but not 5
        QVERIFY(!fields::string(o, u"e"_s, {1, 10}).ok()); // too short
        QVERIFY(!fields::string(o, u"n"_s).ok()); // wrong type
        const auto missing = fields::string(o, u"absent"_s);
        QVERIFY(missing.error().message.contains(u"'absent' is required"_s));
        QVERIFY(!fields::optionalString(o, u"absent"_s)->has_value());
        QVERIFY(!fields::optionalString(o, u"null"_s)->has_value());
        QVERIFY(!fields::optionalString(o, u"n"_s).ok());
    }

    void integers()
    {
        const QJsonObject o
            = parse(R"({"a":42,"f":1.5,"neg":-1,"big":9007199254740993,"s":"42","t":true})");
        QCOMPARE(*fields::integer(o, u"a"_s), 42);
        QVERIFY(!fields::integer(o, u"f"_s).ok());
        QVERIFY(!fields::integer(o, u"neg"_s).ok());
        QCOMPARE(*fields::integer(o, u"neg"_s, -5, 5), -1);
        QVERIFY(!fields::integer(o, u"big"_s).ok());
        QVERIFY(!fields::integer(o, u"s"_s).ok());
        QVERIFY(!fields::integer(o, u"t"_s).ok());
        QVERIFY(!fields::integer(o, u"a"_s, 0, 10).ok());
        QCOMPARE(fields::integer(o, u"a"_s, 0, 10).error().code, ErrorCode::BadRequest);
        QVERIFY(!fields::optionalInteger(o, u"none"_s)->has_value());
    }

    void booleans()
    {
        const QJsonObject o = parse(R"({"t":true,"f":false,"n":1})");
        QCOMPARE(*fields::boolean(o, u"t"_s), true);
        QCOMPARE(*fields::boolean(o, u"f"_s), false);
        QVERIFY(!fields::boolean(o, u"n"_s).ok());
        QVERIFY(!fields::boolean(o, u"none"_s).ok());
    }

    void integerLists()
    {
        const QJsonObject o
            = parse(R"({"ok":[1,2,3],"dup":[1,1],"mixed":[1,"2"],"zero":[0],"obj":{}})");
        QCOMPARE(*fields::integerList(o, u"ok"_s, 10), (QList<qint64>{1, 2, 3}));
        QVERIFY(!fields::integerList(o, u"ok"_s, 2).ok()); // too many
        QVERIFY(!fields::integerList(o, u"dup"_s, 10).ok());
        QVERIFY(!fields::integerList(o, u"mixed"_s, 10).ok());
        QVERIFY(!fields::integerList(o, u"zero"_s, 10).ok()); // ids start at 1
        QVERIFY(!fields::integerList(o, u"obj"_s, 10).ok());
        QVERIFY(!fields::integerList(o, u"none"_s, 10).ok());

        QJsonArray huge;
        for (int i = 1; i <= 100000; ++i)
            huge.append(i);
        QVERIFY(!fields::integerList(QJsonObject{{u"h"_s, huge}}, u"h"_s, 1000).ok());
    }
};

QTEST_GUILESS_MAIN(TestFields)
#include "tst_fields.moc"
