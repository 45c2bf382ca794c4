// The session, account and push requests as typed values (common/protocol/messages): each
// decodes what docs/protocol.md allows, refuses what it does not with the code and the field
// named (the relay's answers, which the integration tests read too), and encodes to what
// decodes back to itself.
#include "protocol/account_rules.h"
#include "protocol/messages/account_requests.h"
#include "protocol/messages/push_requests.h"

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
std::optional<Error> decodeAndRoundTrip(const QString &type, const QJsonObject &fields)
{
    if (type == QLatin1StringView(Hello::kType))
        return test::roundTripError(Hello::decode(fields));
    if (type == QLatin1StringView(Ping::kType))
        return test::roundTripError(Ping::decode(fields));
    if (type == QLatin1StringView(Register::kType))
        return test::roundTripError(Register::decode(fields));
    if (type == QLatin1StringView(Login::kType))
        return test::roundTripError(Login::decode(fields));
    if (type == QLatin1StringView(Auth::kType))
        return test::roundTripError(Auth::decode(fields));
    if (type == QLatin1StringView(Logout::kType))
        return test::roundTripError(Logout::decode(fields));
    if (type == QLatin1StringView(ListSessions::kType))
        return test::roundTripError(ListSessions::decode(fields));
    if (type == QLatin1StringView(RevokeOtherSessions::kType))
        return test::roundTripError(RevokeOtherSessions::decode(fields));
    if (type == QLatin1StringView(ChangePassword::kType))
        return test::roundTripError(ChangePassword::decode(fields));
    if (type == QLatin1StringView(UpdateProfile::kType))
        return test::roundTripError(UpdateProfile::decode(fields));
    if (type == QLatin1StringView(SearchUsers::kType))
        return test::roundTripError(SearchUsers::decode(fields));
    if (type == QLatin1StringView(RegisterPushTarget::kType))
        return test::roundTripError(RegisterPushTarget::decode(fields));
    if (type == QLatin1StringView(ListPushTargets::kType))
        return test::roundTripError(ListPushTargets::decode(fields));
    if (type == QLatin1StringView(RemovePushTarget::kType))
        return test::roundTripError(RemovePushTarget::decode(fields));
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

/// A string field of `size` times 'a'.
QJsonObject with(QJsonObject fields, const QString &key, qsizetype size, QChar c = u'a')
{
    fields.insert(key, QString(size, c));
    return fields;
}

/// 32 bytes of base64: a key of the right shape (whether it can be sealed to is the relay's).
const char *kDeviceKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

} // namespace

class TestProtocolAccountRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decoding_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("code"); // empty: decodes
        QTest::addColumn<QString>("names"); // what the error message must name

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString() << QString();
        };
        const auto bad = [](const char *name, const char *type, const QJsonObject &fields,
                            const char *code, const char *names) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString::fromLatin1(code)
                                << QString::fromUtf8(names);
        };

        // hello: the shapes only (which version is common is the relay's to say)
        ok("hello", "hello", json(R"({"versions":[1],"client":"mychat 0.3"})"));
        ok("hello no client", "hello", json(R"({"versions":[1]})"));
        ok("hello other versions only", "hello", json(R"({"versions":[7,8]})"));
        ok("hello no versions at all", "hello", json(R"({"versions":[]})"));
        ok("hello empty client", "hello", json(R"({"versions":[1],"client":""})"));
        ok("hello client of 128", "hello", with(json(R"({"versions":[1]})"), u"client"_s, 128));
        ok("hello 16 versions", "hello",
           json(R"({"versions":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]})"));
        bad("hello no versions", "hello", json(R"({"client":"x"})"), "bad_request", "versions");
        bad("hello versions null", "hello", json(R"({"versions":null})"), "bad_request",
            "versions");
        bad("hello versions number", "hello", json(R"({"versions":1})"), "bad_request", "versions");
        bad("hello versions text", "hello", json(R"({"versions":["1"]})"), "bad_request",
            "versions");
        bad("hello version 0", "hello", json(R"({"versions":[0]})"), "bad_request", "versions");
        bad("hello version twice", "hello", json(R"({"versions":[1,1]})"), "bad_request",
            "versions");
        bad("hello 17 versions", "hello",
            json(R"({"versions":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]})"), "bad_request",
            "versions");
        bad("hello client number", "hello", json(R"({"versions":[1],"client":5})"), "bad_request",
            "client");
        bad("hello client of 129", "hello", with(json(R"({"versions":[1]})"), u"client"_s, 129),
            "bad_request", "client");

        // The requests with no fields take anything.
        for (const char *type : {Ping::kType, Logout::kType, ListSessions::kType,
                                 RevokeOtherSessions::kType, ListPushTargets::kType}) {
            QTest::addRow("%s", type)
                << QString::fromLatin1(type) << QJsonObject() << QString() << QString();
            QTest::addRow("%s with more", type)
                << QString::fromLatin1(type) << json(R"({"extra":[1,2],"id2":"x"})") << QString()
                << QString();
        }

        // register
        ok("register", "register",
           json(R"({"username":"Alice","password":"correct horse","device":"laptop"})"));
        ok("register display name", "register",
           json(R"({"username":"alice","password":"correct horse","display_name":" Alice A. "})"));
        ok("register shortest", "register", json(R"({"username":"abc","password":"12345678"})"));
        ok("register longest name", "register",
           with(json(R"({"password":"correct horse"})"), u"username"_s, 32));
        ok("register longest password", "register",
           with(json(R"({"username":"alice"})"), u"password"_s, 1024));
        ok("register empty device", "register",
           json(R"({"username":"alice","password":"correct horse","device":""})"));
        ok("register device of 128", "register",
           with(json(R"({"username":"alice","password":"correct horse"})"), u"device"_s, 128));
        bad("register no username", "register", json(R"({"password":"correct horse"})"),
            "bad_request", "username");
        bad("register username number", "register",
            json(R"({"username":5,"password":"correct horse"})"), "bad_request", "username");
        bad("register empty username", "register",
            json(R"({"username":"","password":"correct horse"})"), "bad_request", "username");
        bad("register username of 65", "register",
            with(json(R"({"password":"correct horse"})"), u"username"_s, 65), "bad_request",
            "username");
        bad("register username of 33", "register",
            with(json(R"({"password":"correct horse"})"), u"username"_s, 33), "bad_request",
            "username");
        bad("register username of 2", "register",
            json(R"({"username":"ab","password":"correct horse"})"), "bad_request", "username");
        bad("register username space", "register",
            json(R"({"username":"al ice","password":"correct horse"})"), "bad_request", "username");
        bad("register username dot first", "register",
            json(R"({"username":".alice","password":"correct horse"})"), "bad_request", "username");
        bad("register no password", "register", json(R"({"username":"alice"})"), "bad_request",
            "password");
        bad("register password number", "register",
            json(R"({"username":"alice","password":12345678})"), "bad_request", "password");
        bad("register password of 7", "register",
            json(R"({"username":"alice","password":"1234567"})"), "bad_request", "password");
        bad("register password of 1025", "register",
            with(json(R"({"username":"alice"})"), u"password"_s, 1025), "bad_request", "password");
        bad("register password the username", "register",
            json(R"({"username":"Alice.Smith","password":"alice.smith"})"), "bad_request",
            "password");
        bad("register display name number", "register",
            json(R"({"username":"alice","password":"correct horse","display_name":1})"),
            "bad_request", "display_name");
        bad("register display name of 257 bytes", "register",
            with(json(R"({"username":"alice","password":"correct horse"})"), u"display_name"_s,
                 257),
            "bad_request", "display_name");
        bad("register display name of 65", "register",
            with(json(R"({"username":"alice","password":"correct horse"})"), u"display_name"_s, 65),
            "bad_request", "display name");
        bad("register blank display name", "register",
            json(R"({"username":"alice","password":"correct horse","display_name":"  "})"),
            "bad_request", "display name");
        bad("register display name control", "register",
            json(R"({"username":"alice","password":"correct horse","display_name":"a\u0007b"})"),
            "bad_request", "display name");
        bad("register device number", "register",
            json(R"({"username":"alice","password":"correct horse","device":1})"), "bad_request",
            "device");
        bad("register device of 129", "register",
            with(json(R"({"username":"alice","password":"correct horse"})"), u"device"_s, 129),
            "bad_request", "device");

        // login: any username of 1 to 64 bytes (one that could not be registered is answered
        // like a wrong password, by the relay)
        ok("login", "login", json(R"({"username":"Alice","password":"correct horse"})"));
        ok("login device", "login",
           json(R"({"username":"alice","password":"x","device":"phone"})"));
        ok("login odd name", "login", json(R"({"username":"a b!","password":""})"));
        ok("login name of 64", "login", with(json(R"({"password":"x"})"), u"username"_s, 64));
        bad("login no username", "login", json(R"({"password":"x"})"), "bad_request", "username");
        bad("login empty username", "login", json(R"({"username":"","password":"x"})"),
            "bad_request", "username");
        bad("login username of 65", "login", with(json(R"({"password":"x"})"), u"username"_s, 65),
            "bad_request", "username");
        bad("login username array", "login", json(R"({"username":["a"],"password":"x"})"),
            "bad_request", "username");
        bad("login no password", "login", json(R"({"username":"alice"})"), "bad_request",
            "password");
        bad("login password null", "login", json(R"({"username":"alice","password":null})"),
            "bad_request", "password");
        bad("login password of 1025", "login",
            with(json(R"({"username":"alice"})"), u"password"_s, 1025), "bad_request", "password");
        bad("login device number", "login",
            json(R"({"username":"alice","password":"x","device":2})"), "bad_request", "device");
        bad("login device of 129", "login",
            with(json(R"({"username":"alice","password":"x"})"), u"device"_s, 129), "bad_request",
            "device");

        // auth
        ok("auth", "auth", json(R"({"token":"Zx3abc"})"));
        ok("auth token of 256", "auth", with({}, u"token"_s, 256));
        bad("auth no token", "auth", json(R"({})"), "bad_request", "token");
        bad("auth empty token", "auth", json(R"({"token":""})"), "bad_request", "token");
        bad("auth token number", "auth", json(R"({"token":12})"), "bad_request", "token");
        bad("auth token of 257", "auth", with({}, u"token"_s, 257), "bad_request", "token");

        // password.change: the shapes (the password rules need the user's name: the relay's)
        ok("password.change", "password.change",
           json(R"({"current_password":"old one","new_password":"new one!"})"));
        ok("password.change empty", "password.change",
           json(R"({"current_password":"","new_password":""})"));
        ok("password.change of 1024", "password.change",
           with(with({}, u"current_password"_s, 1024), u"new_password"_s, 1024));
        bad("password.change no current", "password.change", json(R"({"new_password":"new one!"})"),
            "bad_request", "current_password");
        bad("password.change current number", "password.change",
            json(R"({"current_password":1,"new_password":"new one!"})"), "bad_request",
            "current_password");
        bad("password.change current of 1025", "password.change",
            with(json(R"({"new_password":"new one!"})"), u"current_password"_s, 1025),
            "bad_request", "current_password");
        bad("password.change no new", "password.change", json(R"({"current_password":"old"})"),
            "bad_request", "new_password");
        bad("password.change new of 1025", "password.change",
            with(json(R"({"current_password":"old"})"), u"new_password"_s, 1025), "bad_request",
            "new_password");

        // profile.update: all optional
        ok("profile.update nothing", "profile.update", json(R"({})"));
        ok("profile.update all", "profile.update",
           json(R"({"display_name":"Al","hide_last_seen":true,"group_adds":"contacts"})"));
        ok("profile.update display name", "profile.update", json(R"({"display_name":" Al "})"));
        ok("profile.update hide", "profile.update", json(R"({"hide_last_seen":false})"));
        ok("profile.update everyone", "profile.update", json(R"({"group_adds":"everyone"})"));
        ok("profile.update nulls", "profile.update",
           json(R"({"display_name":null,"hide_last_seen":null,"group_adds":null})"));
        bad("profile.update display name number", "profile.update", json(R"({"display_name":3})"),
            "bad_request", "display_name");
        bad("profile.update display name of 257 bytes", "profile.update",
            with({}, u"display_name"_s, 257), "bad_request", "display_name");
        bad("profile.update blank display name", "profile.update", json(R"({"display_name":""})"),
            "bad_request", "display name");
        bad("profile.update display name of 65", "profile.update", with({}, u"display_name"_s, 65),
            "bad_request", "display name");
        bad("profile.update hide text", "profile.update", json(R"({"hide_last_seen":"yes"})"),
            "bad_request", "hide_last_seen");
        bad("profile.update hide number", "profile.update", json(R"({"hide_last_seen":1})"),
            "bad_request", "hide_last_seen");
        bad("profile.update group adds other", "profile.update", json(R"({"group_adds":"nobody"})"),
            "bad_request", "group_adds");
        bad("profile.update group adds case", "profile.update",
            json(R"({"group_adds":"Everyone"})"), "bad_request", "group_adds");
        bad("profile.update group adds empty", "profile.update", json(R"({"group_adds":""})"),
            "bad_request", "group_adds");
        bad("profile.update group adds of 17", "profile.update", with({}, u"group_adds"_s, 17),
            "bad_request", "group_adds");
        bad("profile.update group adds bool", "profile.update", json(R"({"group_adds":true})"),
            "bad_request", "group_adds");

        // users.search
        ok("users.search", "users.search", json(R"({"prefix":"Al"})"));
        ok("users.search limit", "users.search", json(R"({"prefix":"al","limit":50})"));
        ok("users.search limit 1", "users.search", json(R"({"prefix":"al","limit":1})"));
        ok("users.search prefix of 64", "users.search", with({}, u"prefix"_s, 64));
        bad("users.search no prefix", "users.search", json(R"({"limit":5})"), "bad_request",
            "prefix");
        bad("users.search empty prefix", "users.search", json(R"({"prefix":""})"), "bad_request",
            "prefix");
        bad("users.search prefix of 65", "users.search", with({}, u"prefix"_s, 65), "bad_request",
            "prefix");
        bad("users.search prefix number", "users.search", json(R"({"prefix":1})"), "bad_request",
            "prefix");
        bad("users.search limit 0", "users.search", json(R"({"prefix":"a","limit":0})"),
            "bad_request", "limit");
        bad("users.search limit 51", "users.search", json(R"({"prefix":"a","limit":51})"),
            "bad_request", "limit");
        bad("users.search limit text", "users.search", json(R"({"prefix":"a","limit":"5"})"),
            "bad_request", "limit");
        bad("users.search limit fraction", "users.search", json(R"({"prefix":"a","limit":2.5})"),
            "bad_request", "limit");

        // push.register
        // (Not a raw string: moc takes the "//" of a URL in one for a comment.)
        ok("push.register", "push.register",
           QJsonObject{{u"provider"_s, u"unifiedpush"_s},
                       {u"address"_s, u"https://push.example/up?x=1"_s}});
        ok("push.register notify", "push.register",
           json(R"({"provider":"fcm","address":"tok","notify":"direct_and_mentions"})"));
        ok("push.register notify none", "push.register",
           json(R"({"provider":"fcm","address":"tok","notify":"none"})"));
        ok("push.register device key", "push.register",
           QJsonObject{{u"provider"_s, u"webhook"_s},
                       {u"address"_s, u"t"_s},
                       {u"device_key"_s, QString::fromLatin1(kDeviceKey)}});
        ok("push.register empty device key", "push.register",
           json(R"({"provider":"fcm","address":"tok","device_key":""})"));
        ok("push.register address of 4096", "push.register",
           with(json(R"({"provider":"fcm"})"), u"address"_s, 4096));
        ok("push.register provider of 32", "push.register",
           with(json(R"({"address":"a"})"), u"provider"_s, 32));
        bad("push.register no provider", "push.register", json(R"({"address":"a"})"), "bad_request",
            "provider");
        bad("push.register empty provider", "push.register",
            json(R"({"provider":"","address":"a"})"), "bad_request", "provider");
        bad("push.register provider of 33", "push.register",
            with(json(R"({"address":"a"})"), u"provider"_s, 33), "bad_request", "provider");
        bad("push.register provider number", "push.register",
            json(R"({"provider":1,"address":"a"})"), "bad_request", "provider");
        bad("push.register no address", "push.register", json(R"({"provider":"fcm"})"),
            "bad_request", "address");
        bad("push.register empty address", "push.register",
            json(R"({"provider":"fcm","address":""})"), "bad_request", "address");
        bad("push.register address of 4097", "push.register",
            with(json(R"({"provider":"fcm"})"), u"address"_s, 4097), "bad_request", "address");
        bad("push.register notify other", "push.register",
            json(R"({"provider":"fcm","address":"a","notify":"some"})"), "bad_request", "notify");
        bad("push.register notify empty", "push.register",
            json(R"({"provider":"fcm","address":"a","notify":""})"), "bad_request", "notify");
        bad("push.register notify number", "push.register",
            json(R"({"provider":"fcm","address":"a","notify":1})"), "bad_request", "notify");
        bad("push.register device key not base64", "push.register",
            json(R"({"provider":"fcm","address":"a","device_key":"not base64!"})"), "bad_request",
            "device_key");
        bad("push.register device key of 16 bytes", "push.register",
            json(R"({"provider":"fcm","address":"a","device_key":"AAECAwQFBgcICQoLDA0ODw=="})"),
            "bad_request", "device_key");
        bad("push.register device key of 65", "push.register",
            with(json(R"({"provider":"fcm","address":"a"})"), u"device_key"_s, 65, u'A'),
            "bad_request", "device_key");
        bad("push.register device key number", "push.register",
            json(R"({"provider":"fcm","address":"a","device_key":1})"), "bad_request",
            "device_key");

        // push.remove
        ok("push.remove", "push.remove", json(R"({"target":7})"));
        bad("push.remove no target", "push.remove", json(R"({})"), "bad_request", "target");
        bad("push.remove target 0", "push.remove", json(R"({"target":0})"), "bad_request",
            "target");
        bad("push.remove target text", "push.remove", json(R"({"target":"7"})"), "bad_request",
            "target");
        bad("push.remove target fraction", "push.remove", json(R"({"target":7.5})"), "bad_request",
            "target");
        bad("push.remove target past 2^53", "push.remove", json(R"({"target":9007199254740993})"),
            "bad_request", "target");
    }

    void decoding()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, code);
        QFETCH(QString, names);
        const std::optional<Error> error = decodeAndRoundTrip(type, fields);
        if (code.isEmpty()) {
            QVERIFY2(!error, qPrintable(error ? error->message : QString()));
            return;
        }
        QVERIFY2(error, "decoded what it must refuse");
        QCOMPARE(errorCodeName(error->code), code);
        QVERIFY2(error->message.contains(names), qPrintable(error->message));
    }

    void errorsAreTheRelays()
    {
        // Word for word what the handlers answered before these types (integration tests
        // and clients read some).
        QCOMPARE(
            Register::decode(json(R"({"username":"alice","password":"short"})")).error().message,
            u"a password has at least 8 characters"_s);
        QCOMPARE(Register::decode(json(R"({"username":"alice.bob","password":"Alice.Bob"})"))
                     .error()
                     .message,
                 u"a password cannot be the username"_s);
        QCOMPARE(Register::decode(json(R"({"username":"a!","password":"x"})")).error().message,
                 u"a username has 3 to 32 characters"_s);
        QCOMPARE(Register::decode(json(R"({"password":"x"})")).error().message,
                 u"field 'username' is required"_s);
        QCOMPARE(Login::decode(json(R"({"username":"alice"})")).error().message,
                 u"field 'password' is required"_s);
        QCOMPARE(Login::decode(json(R"({"username":"alice","password":1})")).error().message,
                 u"field 'password' must be a string of at most 1024 bytes"_s);
        QCOMPARE(Auth::decode({}).error().message, u"field 'token' is required"_s);
        QCOMPARE(UpdateProfile::decode(json(R"({"group_adds":"all"})")).error().message,
                 u"field 'group_adds' must be \"everyone\" or \"contacts\""_s);
        QCOMPARE(
            RegisterPushTarget::decode(json(R"({"provider":"fcm","address":"a","notify":"x"})"))
                .error()
                .message,
            u"field 'notify' is one of: all, direct_and_mentions, none"_s);
        QCOMPARE(RegisterPushTarget::decode(
                     json(R"({"provider":"fcm","address":"a","device_key":"AAAA"})"))
                     .error()
                     .message,
                 RegisterPushTarget::badDeviceKey().message);
        QCOMPARE(RegisterPushTarget::badDeviceKey().message,
                 u"field 'device_key' is a base64 X25519 public key (32 bytes)"_s);
    }

    void fieldsAreCheckedInTheRelaysOrder()
    {
        // The first bad field is the one named, in the order the handlers read them.
        QCOMPARE(
            Register::decode(json(R"({"username":"a","password":1,"device":2})")).error().message,
            u"a username has 3 to 32 characters"_s);
        QVERIFY(Register::decode(json(R"({"username":"alice","password":"12","device":2})"))
                    .error()
                    .message.contains(u"password"_s));
        QVERIFY(Login::decode(json(R"({"password":1,"device":2})"))
                    .error()
                    .message.contains(u"username"_s));
        QVERIFY(ChangePassword::decode(json(R"({"current_password":1,"new_password":2})"))
                    .error()
                    .message.contains(u"current_password"_s));
        QVERIFY(UpdateProfile::decode(
                    json(R"({"display_name":"","hide_last_seen":1,"group_adds":"x"})"))
                    .error()
                    .message.contains(u"display name"_s));
        QVERIFY(UpdateProfile::decode(json(R"({"hide_last_seen":1,"group_adds":"x"})"))
                    .error()
                    .message.contains(u"hide_last_seen"_s));
        QVERIFY(SearchUsers::decode(json(R"({"prefix":1,"limit":0})"))
                    .error()
                    .message.contains(u"prefix"_s));
        QVERIFY(RegisterPushTarget::decode(json(R"({"provider":1,"address":2,"notify":3})"))
                    .error()
                    .message.contains(u"provider"_s));
        QVERIFY(RegisterPushTarget::decode(json(R"({"provider":"fcm","notify":3})"))
                    .error()
                    .message.contains(u"address"_s));
        QVERIFY(RegisterPushTarget::decode(
                    json(R"({"provider":"fcm","address":"a","notify":3,"device_key":1})"))
                    .error()
                    .message.contains(u"notify"_s));

        // The relay's push service judges provider and address before the rest: they decode
        // on their own, whatever else the frame holds, and as push.register's do.
        const QJsonObject frame = json(R"({"provider":"fcm","address":"tok","notify":"x"})");
        QVERIFY(!RegisterPushTarget::decode(frame));
        const auto where = PushAddress::decode(frame);
        QVERIFY(where);
        QCOMPARE(*where, (PushAddress{u"fcm"_s, u"tok"_s}));
        QCOMPARE(PushAddress::decode(json(R"({"address":"a"})")).error().message,
                 RegisterPushTarget::decode(json(R"({"address":"a"})")).error().message);
        QCOMPARE(PushAddress::decode(json(R"({"provider":"fcm"})")).error().message,
                 RegisterPushTarget::decode(json(R"({"provider":"fcm"})")).error().message);
    }

    void decodedValues()
    {
        // register: the canonical name, and the name as typed for a display name not given.
        const auto registered
            = Register::decode(json(R"({"username":"Alice","password":"correct horse"})"));
        QVERIFY(registered);
        QCOMPARE(registered->username, u"alice"_s);
        QCOMPARE(registered->displayName, u"Alice"_s);
        QCOMPARE(registered->device, QString());
        const auto named = Register::decode(json(
            R"({"username":"bob","password":"correct horse","display_name":"  Bob B.  ","device":"pc"})"));
        QVERIFY(named);
        QCOMPARE(named->displayName, u"Bob B."_s);
        QCOMPARE(named->device, u"pc"_s);

        // login: the name as typed; the relay looks it up in lower case.
        QCOMPARE(Login::decode(json(R"({"username":"ALICE","password":"x"})"))->username,
                 u"ALICE"_s);

        // hello: the versions as listed.
        const auto hello = Hello::decode(json(R"({"versions":[2,1]})"));
        QVERIFY(hello);
        QCOMPARE(hello->versions, (QList<qint64>{2, 1}));
        QCOMPARE(hello->client, std::nullopt);

        // profile.update: what is not given stays unset; a display name is trimmed.
        const auto update = UpdateProfile::decode(json(R"({"display_name":" Al "})"));
        QVERIFY(update);
        QCOMPARE(update->displayName, std::optional<QString>(u"Al"_s));
        QCOMPARE(update->hideLastSeen, std::nullopt);
        QCOMPARE(update->groupAdds, std::nullopt);

        // users.search: no limit given is none (the relay takes kDefaultLimit).
        QCOMPARE(SearchUsers::decode(json(R"({"prefix":"a"})"))->limit, std::nullopt);
        QCOMPARE(SearchUsers::decode(json(R"({"prefix":"a","limit":7})"))->limit,
                 std::optional<int>(7));

        // push.register: "all" unless told; the device key as its 32 bytes.
        const auto plain = RegisterPushTarget::decode(json(R"({"provider":"fcm","address":"a"})"));
        QVERIFY(plain);
        QCOMPARE(plain->notify, u"all"_s);
        QVERIFY(plain->deviceKey.isEmpty());
        const auto sealed = RegisterPushTarget::decode(
            QJsonObject{{u"provider"_s, u"fcm"_s},
                        {u"address"_s, u"a"_s},
                        {u"device_key"_s, QString::fromLatin1(kDeviceKey)}});
        QVERIFY(sealed);
        QCOMPARE(sealed->deviceKey.size(), RegisterPushTarget::kDeviceKeyBytes);
        QCOMPARE(sealed->deviceKey.at(31), char(31));
        QCOMPARE(RemovePushTarget::decode(json(R"({"target":7})"))->target, 7);
    }

    void encodingNamesWhatTheSpecNames()
    {
        // What the app sends: the field names are the wire's, and what is not set is not sent.
        QCOMPARE(Hello({{1}, u"tidings 1.0"_s}).encode(),
                 json(R"({"versions":[1],"client":"tidings 1.0"})"));
        QCOMPARE(Hello({{1}, std::nullopt}).encode(), json(R"({"versions":[1]})"));
        QCOMPARE(Ping().encode(), QJsonObject());
        QCOMPARE(Register({u"Alice"_s, u"pw"_s, {}, {}}).encode(),
                 json(R"({"username":"Alice","password":"pw"})"));
        QCOMPARE(Register({u"alice"_s, u"pw"_s, u"Al"_s, u"pc"_s}).encode(),
                 json(R"({"username":"alice","password":"pw","display_name":"Al","device":"pc"})"));
        QCOMPARE(Login({u"Alice"_s, u"pw"_s, {}}).encode(),
                 json(R"({"username":"Alice","password":"pw"})"));
        QCOMPARE(Login({u"Alice"_s, u"pw"_s, u"pc"_s}).encode(),
                 json(R"({"username":"Alice","password":"pw","device":"pc"})"));
        QCOMPARE(Auth({u"tok"_s}).encode(), json(R"({"token":"tok"})"));
        QCOMPARE(Logout().encode(), QJsonObject());
        QCOMPARE(ListSessions().encode(), QJsonObject());
        QCOMPARE(RevokeOtherSessions().encode(), QJsonObject());
        QCOMPARE(ChangePassword({u"a"_s, u"b"_s}).encode(),
                 json(R"({"current_password":"a","new_password":"b"})"));
        QCOMPARE(UpdateProfile({std::nullopt, std::nullopt, u"contacts"_s}).encode(),
                 json(R"({"group_adds":"contacts"})"));
        QCOMPARE(UpdateProfile({std::nullopt, false, std::nullopt}).encode(),
                 json(R"({"hide_last_seen":false})"));
        QCOMPARE(UpdateProfile({u"Al"_s, true, u"everyone"_s}).encode(),
                 json(R"({"display_name":"Al","hide_last_seen":true,"group_adds":"everyone"})"));
        QCOMPARE(SearchUsers({u"al"_s, std::nullopt}).encode(), json(R"({"prefix":"al"})"));
        QCOMPARE(SearchUsers({u"al"_s, 5}).encode(), json(R"({"prefix":"al","limit":5})"));
        RegisterPushTarget push{u"fcm"_s, u"tok"_s, u"all"_s, {}};
        QCOMPARE(push.encode(), json(R"({"provider":"fcm","address":"tok","notify":"all"})"));
        push.deviceKey = QByteArray::fromBase64(kDeviceKey);
        QCOMPARE(push.encode().value(u"device_key"_s).toString(), QString::fromLatin1(kDeviceKey));
        QCOMPARE(ListPushTargets().encode(), QJsonObject());
        QCOMPARE(RemovePushTarget({7}).encode(), json(R"({"target":7})"));
    }

    void typesAreTheSpecs()
    {
        QCOMPARE(QLatin1StringView(Hello::kType), "hello"_L1);
        QCOMPARE(QLatin1StringView(Ping::kType), "ping"_L1);
        QCOMPARE(QLatin1StringView(Register::kType), "register"_L1);
        QCOMPARE(QLatin1StringView(Login::kType), "login"_L1);
        QCOMPARE(QLatin1StringView(Auth::kType), "auth"_L1);
        QCOMPARE(QLatin1StringView(Logout::kType), "logout"_L1);
        QCOMPARE(QLatin1StringView(ListSessions::kType), "sessions.list"_L1);
        QCOMPARE(QLatin1StringView(RevokeOtherSessions::kType), "sessions.revoke_others"_L1);
        QCOMPARE(QLatin1StringView(ChangePassword::kType), "password.change"_L1);
        QCOMPARE(QLatin1StringView(UpdateProfile::kType), "profile.update"_L1);
        QCOMPARE(QLatin1StringView(SearchUsers::kType), "users.search"_L1);
        QCOMPARE(QLatin1StringView(RegisterPushTarget::kType), "push.register"_L1);
        QCOMPARE(QLatin1StringView(ListPushTargets::kType), "push.list"_L1);
        QCOMPARE(QLatin1StringView(RemovePushTarget::kType), "push.remove"_L1);
        // The password bounds are the account rules'.
        QCOMPARE(protocol::kMaxPasswordBytes, 1024);
    }
};

QTEST_GUILESS_MAIN(TestProtocolAccountRequests)
#include "tst_protocol_account_requests.moc"
