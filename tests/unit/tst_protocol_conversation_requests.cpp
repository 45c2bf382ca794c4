// The conversation and block requests (common/protocol/messages/conversation_requests.h):
// each decodes what docs/protocol.md allows, refuses what it does not with the code and the
// field named (the relay answers with these very texts), and encodes to what decodes back
// to itself.
#include "protocol/messages/catalog.h"
#include "protocol/messages/conversation_requests.h"

#include "support/protocol_values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace Qt::StringLiterals;
using tidings::test::json;

namespace {

/// Decodes `fields` as the type named by `type` and, when it decodes, checks that its
/// encoding decodes to the same value. The error, if any.
std::optional<Error> decodeAndRoundTrip(const QString &type, const QJsonObject &fields,
                                        const Limits &limits)
{
    if (type == u"conversations.list")
        return test::roundTripError(ListConversations::decode(fields, limits), limits);
    if (type == u"conversation.get")
        return test::roundTripError(GetConversation::decode(fields, limits), limits);
    if (type == u"direct.open")
        return test::roundTripError(OpenDirect::decode(fields, limits), limits);
    if (type == u"group.create")
        return test::roundTripError(CreateGroup::decode(fields, limits), limits);
    if (type == u"group.add")
        return test::roundTripError(AddMembers::decode(fields, limits), limits);
    if (type == u"group.remove")
        return test::roundTripError(RemoveMember::decode(fields, limits), limits);
    if (type == u"group.leave")
        return test::roundTripError(LeaveGroup::decode(fields, limits), limits);
    if (type == u"group.rename")
        return test::roundTripError(RenameGroup::decode(fields, limits), limits);
    if (type == u"group.set_role")
        return test::roundTripError(SetRole::decode(fields, limits), limits);
    if (type == u"user.block")
        return test::roundTripError(BlockUser::decode(fields, limits), limits);
    if (type == u"user.unblock")
        return test::roundTripError(UnblockUser::decode(fields, limits), limits);
    if (type == u"blocks.list")
        return test::roundTripError(ListBlocks::decode(fields, limits), limits);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

QJsonArray numbers(int from, int to)
{
    QJsonArray array;
    for (int i = from; i <= to; ++i)
        array.append(i);
    return array;
}

} // namespace

class TestProtocolConversationRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decoding_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("code"); // empty: decodes
        QTest::addColumn<QString>("names"); // what the error message must name

        const auto ok = [](const QByteArray &name, const char *type, const char *fields) {
            QTest::newRow(name.constData())
                << QString::fromLatin1(type) << json(fields) << QString() << QString();
        };
        const auto bad = [](const QByteArray &name, const char *type, const char *fields,
                            const char *code, const char *names) {
            QTest::newRow(name.constData())
                << QString::fromLatin1(type) << json(fields) << QString::fromLatin1(code)
                << QString::fromUtf8(names);
        };

        // conversations.list
        ok("list", "conversations.list", R"({})");
        ok("list limit", "conversations.list", R"({"limit":1})");
        ok("list limit of a page", "conversations.list", R"({"limit":500})");
        ok("list after", "conversations.list", R"({"after":{"at":0,"id":1}})");
        ok("list after, limit", "conversations.list",
           R"({"after":{"at":1764950400123,"id":7},"limit":20})");
        ok("list limit null", "conversations.list", R"({"limit":null})");
        bad("list limit 0", "conversations.list", R"({"limit":0})", "bad_request", "'limit'");
        bad("list limit past the page", "conversations.list", R"({"limit":501})", "bad_request",
            "'limit'");
        bad("list limit text", "conversations.list", R"({"limit":"5"})", "bad_request", "'limit'");
        bad("list limit fraction", "conversations.list", R"({"limit":1.5})", "bad_request",
            "'limit'");
        bad("list after text", "conversations.list", R"({"after":"x"})", "bad_request", "'after'");
        // Only absence means the first page.
        bad("list after null", "conversations.list", R"({"after":null})", "bad_request", "'after'");
        bad("list after array", "conversations.list", R"({"after":[0,1]})", "bad_request",
            "'after'");
        bad("list after no at", "conversations.list", R"({"after":{"id":1}})", "bad_request",
            "'after'");
        bad("list after no id", "conversations.list", R"({"after":{"at":0}})", "bad_request",
            "'after'");
        bad("list after at -1", "conversations.list", R"({"after":{"at":-1,"id":1}})",
            "bad_request", "'after'");
        bad("list after id 0", "conversations.list", R"({"after":{"at":0,"id":0}})", "bad_request",
            "'after'");
        bad("list after id text", "conversations.list", R"({"after":{"at":0,"id":"1"}})",
            "bad_request", "'after'");
        // The limit is checked first.
        bad("list both bad", "conversations.list", R"({"limit":0,"after":"x"})", "bad_request",
            "'limit'");

        // conversation.get, group.leave
        for (const char *type : {"conversation.get", "group.leave"}) {
            const QByteArray prefix(type);
            ok(prefix + " ok", type, R"({"conversation":4})");
            ok(prefix + " largest", type, R"({"conversation":9007199254740991})");
            bad(prefix + " no conversation", type, R"({})", "bad_request",
                "field 'conversation' is required");
            bad(prefix + " null", type, R"({"conversation":null})", "bad_request",
                "field 'conversation' is required");
            bad(prefix + " 0", type, R"({"conversation":0})", "bad_request", "'conversation'");
            bad(prefix + " text", type, R"({"conversation":"4"})", "bad_request", "'conversation'");
            bad(prefix + " fraction", type, R"({"conversation":4.5})", "bad_request",
                "'conversation'");
            bad(prefix + " past 2^53", type, R"({"conversation":9007199254740992})", "bad_request",
                "'conversation'");
        }

        // direct.open, user.block, user.unblock
        for (const char *type : {"direct.open", "user.block", "user.unblock"}) {
            const QByteArray prefix(type);
            ok(prefix + " ok", type, R"({"user":2})");
            bad(prefix + " no user", type, R"({})", "bad_request", "field 'user' is required");
            bad(prefix + " 0", type, R"({"user":0})", "bad_request", "'user'");
            bad(prefix + " negative", type, R"({"user":-3})", "bad_request", "'user'");
            bad(prefix + " text", type, R"({"user":"bob"})", "bad_request", "'user'");
            bad(prefix + " object", type, R"({"user":{"id":2}})", "bad_request", "'user'");
        }

        // group.create
        ok("create", "group.create", R"({"title":"Book club","members":[2,3]})");
        ok("create alone", "group.create", R"({"title":"Notes","members":[]})");
        ok("create title padded", "group.create", R"({"title":"  Book club ","members":[2]})");
        bad("create no title", "group.create", R"({"members":[2]})", "bad_request",
            "field 'title' is required");
        bad("create title empty", "group.create", R"({"title":"","members":[2]})", "bad_request",
            "'title'");
        bad("create title number", "group.create", R"({"title":5,"members":[2]})", "bad_request",
            "'title'");
        bad("create title blank", "group.create", R"({"title":"   ","members":[2]})", "bad_request",
            "group title");
        bad("create title control", "group.create", R"({"title":"a\u0007b","members":[2]})",
            "bad_request", "group title");
        bad("create no members", "group.create", R"({"title":"T"})", "bad_request",
            "field 'members' is required");
        bad("create members object", "group.create", R"({"title":"T","members":{}})", "bad_request",
            "'members'");
        bad("create members twice", "group.create", R"({"title":"T","members":[2,2]})",
            "bad_request", "'members'");
        bad("create member 0", "group.create", R"({"title":"T","members":[0]})", "bad_request",
            "'members'");
        bad("create member text", "group.create", R"({"title":"T","members":["2"]})", "bad_request",
            "'members'");
        // The title is checked before the members.
        bad("create both bad", "group.create", R"({"title":"","members":{}})", "bad_request",
            "'title'");

        // group.add
        ok("add", "group.add", R"({"conversation":4,"users":[5]})");
        ok("add several", "group.add", R"({"conversation":4,"users":[5,6,7]})");
        bad("add no conversation", "group.add", R"({"users":[5]})", "bad_request",
            "'conversation'");
        bad("add no users", "group.add", R"({"conversation":4})", "bad_request",
            "field 'users' is required");
        bad("add users empty", "group.add", R"({"conversation":4,"users":[]})", "bad_request",
            "field 'users' must name at least one user");
        bad("add users number", "group.add", R"({"conversation":4,"users":5})", "bad_request",
            "'users'");
        bad("add users twice", "group.add", R"({"conversation":4,"users":[5,5]})", "bad_request",
            "'users'");
        bad("add user negative", "group.add", R"({"conversation":4,"users":[-5]})", "bad_request",
            "'users'");
        bad("add both bad", "group.add", R"({"conversation":0,"users":[]})", "bad_request",
            "'conversation'");

        // group.remove
        ok("remove", "group.remove", R"({"conversation":4,"user":5})");
        bad("remove no conversation", "group.remove", R"({"user":5})", "bad_request",
            "'conversation'");
        bad("remove no user", "group.remove", R"({"conversation":4})", "bad_request",
            "field 'user' is required");
        bad("remove user 0", "group.remove", R"({"conversation":4,"user":0})", "bad_request",
            "'user'");
        bad("remove user list", "group.remove", R"({"conversation":4,"user":[5]})", "bad_request",
            "'user'");

        // group.rename
        ok("rename", "group.rename", R"({"conversation":4,"title":"Readers"})");
        ok("rename padded", "group.rename", R"({"conversation":4,"title":" Readers "})");
        bad("rename no conversation", "group.rename", R"({"title":"Readers"})", "bad_request",
            "'conversation'");
        bad("rename no title", "group.rename", R"({"conversation":4})", "bad_request",
            "field 'title' is required");
        bad("rename title empty", "group.rename", R"({"conversation":4,"title":""})", "bad_request",
            "'title'");
        bad("rename title array", "group.rename", R"({"conversation":4,"title":["a"]})",
            "bad_request", "'title'");
        bad("rename title blank", "group.rename", R"({"conversation":4,"title":"\t "})",
            "bad_request", "group title");
        bad("rename title line separator", "group.rename",
            R"({"conversation":4,"title":"a\u2028b"})", "bad_request", "group title");

        // group.set_role
        ok("role owner", "group.set_role", R"({"conversation":4,"user":5,"role":"owner"})");
        ok("role admin", "group.set_role", R"({"conversation":4,"user":5,"role":"admin"})");
        ok("role member", "group.set_role", R"({"conversation":4,"user":5,"role":"member"})");
        bad("role no conversation", "group.set_role", R"({"user":5,"role":"admin"})", "bad_request",
            "'conversation'");
        bad("role no user", "group.set_role", R"({"conversation":4,"role":"admin"})", "bad_request",
            "field 'user' is required");
        bad("role no role", "group.set_role", R"({"conversation":4,"user":5})", "bad_request",
            "field 'role' is required");
        bad("role empty", "group.set_role", R"({"conversation":4,"user":5,"role":""})",
            "bad_request", "'role'");
        bad("role number", "group.set_role", R"({"conversation":4,"user":5,"role":1})",
            "bad_request", "'role'");
        bad("role unknown", "group.set_role", R"({"conversation":4,"user":5,"role":"king"})",
            "bad_request", "field 'role' must be 'owner', 'admin' or 'member'");
        bad("role any case", "group.set_role", R"({"conversation":4,"user":5,"role":"Admin"})",
            "bad_request", "field 'role' must be 'owner', 'admin' or 'member'");
        bad("role too long", "group.set_role",
            R"({"conversation":4,"user":5,"role":"administratorsss"})", "bad_request",
            "field 'role' must be 'owner', 'admin' or 'member'");
        bad("role longer than 16", "group.set_role",
            R"({"conversation":4,"user":5,"role":"administratorssss"})", "bad_request",
            "field 'role' must be a string of 1 to 16 bytes");

        // blocks.list: no fields, and none is looked at.
        ok("blocks", "blocks.list", R"({})");
        ok("blocks ignores the rest", "blocks.list", R"({"user":"x"})");
    }

    void decoding()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, code);
        QFETCH(QString, names);
        const std::optional<Error> error = decodeAndRoundTrip(type, fields, Limits{});
        if (code.isEmpty()) {
            QVERIFY2(!error, qPrintable(error ? error->message : QString()));
            return;
        }
        QVERIFY2(error, "decoded what it must refuse");
        QCOMPARE(errorCodeName(error->code), code);
        QVERIFY2(error->message.contains(names), qPrintable(error->message));
    }

    void everyTypeIsInTheCatalog()
    {
        const QStringList typed = typedRequests();
        for (const char *type :
             {ListConversations::kType, GetConversation::kType, OpenDirect::kType,
              CreateGroup::kType, AddMembers::kType, RemoveMember::kType, LeaveGroup::kType,
              RenameGroup::kType, SetRole::kType, BlockUser::kType, UnblockUser::kType,
              ListBlocks::kType}) {
            QVERIFY2(typed.contains(QString::fromLatin1(type)), type);
        }
    }

    void theErrorsAreTheRelays()
    {
        // Clients show these texts; they are what the relay answered before the requests
        // were typed, word for word.
        QCOMPARE(ListConversations::decode(json(R"({"after":"x"})")).error().message,
                 u"field 'after' must be the 'next' of an earlier page"_s);
        QCOMPARE(ListConversations::decode(json(R"({"limit":0})")).error().message,
                 u"field 'limit' must be an integer from 1 to 500"_s);
        QCOMPARE(GetConversation::decode({}).error().message,
                 u"field 'conversation' is required"_s);
        QCOMPARE(OpenDirect::decode(json(R"({"user":0})")).error().message,
                 u"field 'user' must be an integer from 1 to 9007199254740991"_s);
        QCOMPARE(CreateGroup::decode(json(R"({"title":"","members":[]})")).error().message,
                 u"field 'title' must be a string of 1 to 512 bytes"_s);
        QCOMPARE(CreateGroup::decode(json(R"({"title":" ","members":[]})")).error().message,
                 u"a group title has 1 to 128 characters"_s);
        QCOMPARE(CreateGroup::decode(json(R"({"title":"a\u0000b","members":[]})")).error().message,
                 u"a group title cannot contain control characters"_s);
        QCOMPARE(CreateGroup::decode(json(R"({"title":"T","members":[1,1]})")).error().message,
                 u"field 'members' must be an array of at most 1000 distinct integers from 1 to "
                 u"9007199254740991"_s);
        QCOMPARE(AddMembers::decode(json(R"({"conversation":4,"users":[]})")).error().message,
                 u"field 'users' must name at least one user"_s);
        QCOMPARE(
            SetRole::decode(json(R"({"conversation":4,"user":5,"role":"king"})")).error().message,
            u"field 'role' must be 'owner', 'admin' or 'member'"_s);
    }

    void titlesAreTrimmed()
    {
        // The relay stores the trimmed title; decode() gives it so.
        const auto created = CreateGroup::decode(json(R"({"title":"  Book club ","members":[]})"));
        QVERIFY(created);
        QCOMPARE(created->title, u"Book club"_s);
        const auto renamed = RenameGroup::decode(json(R"({"conversation":4,"title":"\tX\n"})"));
        QVERIFY(renamed);
        QCOMPARE(renamed->title, u"X"_s);
        // 128 characters after trimming, but at most 512 bytes as sent.
        QVERIFY(
            CreateGroup::decode({{u"title"_s, QString(128, u'é')}, {u"members"_s, QJsonArray()}}));
        QVERIFY(
            !CreateGroup::decode({{u"title"_s, QString(129, u'x')}, {u"members"_s, QJsonArray()}}));
        QVERIFY(CreateGroup::decode({{u"title"_s, QString(QString(128, u'x') + QString(384, u' '))},
                                     {u"members"_s, QJsonArray()}}));
        QVERIFY(
            !CreateGroup::decode({{u"title"_s, QString(QString(128, u'x') + QString(385, u' '))},
                                  {u"members"_s, QJsonArray()}}));
    }

    void limitsAreTheRelays()
    {
        Limits small;
        small.maxPageSize = 10;
        small.maxGroupMembers = 3;
        QVERIFY(ListConversations::decode(json(R"({"limit":10})"), small));
        QVERIFY(!ListConversations::decode(json(R"({"limit":11})"), small));

        QVERIFY(CreateGroup::decode({{u"title"_s, u"T"_s}, {u"members"_s, numbers(1, 3)}}, small));
        const auto tooMany
            = CreateGroup::decode({{u"title"_s, u"T"_s}, {u"members"_s, numbers(1, 4)}}, small);
        QVERIFY(!tooMany);
        QCOMPARE(tooMany.error().code, ErrorCode::BadRequest);
        QVERIFY2(tooMany.error().message.contains(u"at most 3 distinct"_s),
                 qPrintable(tooMany.error().message));

        QVERIFY(AddMembers::decode({{u"conversation"_s, 4}, {u"users"_s, numbers(1, 3)}}, small));
        QVERIFY(!AddMembers::decode({{u"conversation"_s, 4}, {u"users"_s, numbers(1, 4)}}, small));

        // The relay's defaults.
        const Limits relay;
        QCOMPARE(relay.maxGroupMembers, 1000);
        QVERIFY(CreateGroup::decode({{u"title"_s, u"T"_s}, {u"members"_s, numbers(1, 1000)}}));
        QVERIFY(!CreateGroup::decode({{u"title"_s, u"T"_s}, {u"members"_s, numbers(1, 1001)}}));
        QVERIFY(AddMembers::decode({{u"conversation"_s, 4}, {u"users"_s, numbers(1, 1000)}}));
        QVERIFY(!AddMembers::decode({{u"conversation"_s, 4}, {u"users"_s, numbers(1, 1001)}}));
    }

    void encodingNamesWhatTheSpecNames()
    {
        QCOMPARE(ListConversations().encode(), json(R"({})"));
        QCOMPARE(ListConversations({20, ListPosition{1764950400123, 7}}).encode(),
                 json(R"({"limit":20,"after":{"at":1764950400123,"id":7}})"));
        QCOMPARE(GetConversation{4}.encode(), json(R"({"conversation":4})"));
        QCOMPARE(OpenDirect{2}.encode(), json(R"({"user":2})"));
        QCOMPARE(CreateGroup({u"Book club"_s, {2, 3}}).encode(),
                 json(R"({"title":"Book club","members":[2,3]})"));
        QCOMPARE(CreateGroup({u"Notes"_s, {}}).encode(), json(R"({"title":"Notes","members":[]})"));
        QCOMPARE(AddMembers({4, {5, 6}}).encode(), json(R"({"conversation":4,"users":[5,6]})"));
        QCOMPARE(RemoveMember({4, 5}).encode(), json(R"({"conversation":4,"user":5})"));
        QCOMPARE(LeaveGroup{4}.encode(), json(R"({"conversation":4})"));
        QCOMPARE(RenameGroup({4, u"Readers"_s}).encode(),
                 json(R"({"conversation":4,"title":"Readers"})"));
        QCOMPARE(SetRole({4, 5, u"admin"_s}).encode(),
                 json(R"({"conversation":4,"user":5,"role":"admin"})"));
        QCOMPARE(BlockUser{2}.encode(), json(R"({"user":2})"));
        QCOMPARE(UnblockUser{2}.encode(), json(R"({"user":2})"));
        QCOMPARE(ListBlocks().encode(), QJsonObject());
        // Large ids survive the trip through JSON numbers.
        const auto big = GetConversation::decode(GetConversation{9007199254740991}.encode());
        QVERIFY(big);
        QCOMPARE(big->conversation, Q_INT64_C(9007199254740991));
    }
};

QTEST_GUILESS_MAIN(TestProtocolConversationRequests)
#include "tst_protocol_conversation_requests.moc"
