// What the relay says, typed (common/protocol/messages/events.h, replies.h, and over HTTP
// http_messages.h): each value decodes what docs/protocol.md gives, refuses a missing or
// mistyped field naming it, and encodes to what decodes back to itself. The app reads every
// relay frame and HTTP answer through these.
#include "protocol/messages/events.h"
#include "protocol/messages/http_messages.h"
#include "protocol/messages/replies.h"

#include "support/protocol_values.h"

#include <QtTest>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace Qt::StringLiterals;
using tidings::test::json;
using tidings::test::roundTrip;

namespace {

std::optional<Error> decodeAs(const QString &type, const QJsonObject &fields)
{
    if (type == u"event")
        return roundTrip<LogEntry>(fields);
    if (type == u"receipt")
        return roundTrip<ReceiptEvent>(fields);
    if (type == u"typing")
        return roundTrip<TypingEvent>(fields);
    if (type == u"presence")
        return roundTrip<PresenceEvent>(fields);
    if (type == u"resync")
        return roundTrip<ResyncEvent>(fields);
    if (type == u"user")
        return roundTrip<User>(fields);
    if (type == u"member")
        return roundTrip<Member>(fields);
    if (type == u"conversation")
        return roundTrip<ConversationInfo>(fields);
    if (type == u"conversations.list")
        return roundTrip<ConversationPage>(fields);
    if (type == u"conversation.get")
        return roundTrip<ConversationDetails>(fields);
    if (type == u"message.send")
        return roundTrip<EntryResult>(fields);
    if (type == u"sync")
        return roundTrip<EventPage>(fields);
    if (type == u"presence.query")
        return roundTrip<PresenceList>(fields);
    if (type == u"users.search")
        return roundTrip<UserList>(fields);
    if (type == u"hello")
        return roundTrip<Welcome>(fields);
    if (type == u"login")
        return roundTrip<SignedIn>(fields);
    if (type == u"health")
        return roundTrip<Health>(fields);
    if (type == u"upload")
        return roundTrip<NewUpload>(fields);
    if (type == u"media")
        return roundTrip<MediaObject>(fields);
    if (type == u"link")
        return roundTrip<MediaLink>(fields);
    if (type == u"report")
        return roundTrip<ReportFiled>(fields);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

const char kId[] = "9f86d081884c7d659a2feaa0c55ad015";

} // namespace

class TestProtocolEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decoding_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("names"); // empty: decodes; else what the error names

        const auto ok = [](const char *name, const char *type, const char *fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << json(fields) << QString();
        };
        const auto bad
            = [](const char *name, const char *type, const char *fields, const char *names) {
                  QTest::newRow(name)
                      << QString::fromLatin1(type) << json(fields) << QString::fromUtf8(names);
              };

        // event: the envelope is checked, the kind's fields kept
        ok("message", "event",
           R"({"conversation":4,"seq":17,"kind":"message","sender":1,"time":1795000123456,"client_id":"2f6c","text":"Dinner at 8?","reply_to":3})");
        ok("unknown kind", "event",
           R"({"conversation":4,"seq":18,"kind":"poll","sender":1,"time":1,"question":"?"})");
        ok("edit", "event",
           R"({"conversation":4,"seq":19,"kind":"edit","sender":1,"time":1,"target_seq":17,"text":"9?"})");
        bad("no conversation", "event", R"({"seq":1,"kind":"message","sender":1,"time":1})",
            "conversation");
        bad("seq a string", "event",
            R"({"conversation":4,"seq":"1","kind":"message","sender":1,"time":1})", "seq");
        bad("seq zero", "event",
            R"({"conversation":4,"seq":0,"kind":"message","sender":1,"time":1})", "seq");
        bad("no kind", "event", R"({"conversation":4,"seq":1,"sender":1,"time":1})", "kind");
        bad("no time", "event", R"({"conversation":4,"seq":1,"kind":"message","sender":1})",
            "time");
        bad("target a string", "event",
            R"({"conversation":4,"seq":1,"kind":"edit","sender":1,"time":1,"target_seq":"x"})",
            "target_seq");

        // receipt, typing, presence, resync
        ok("receipt", "receipt", R"({"conversation":4,"user":2,"delivered_seq":17,"read_seq":15})");
        bad("receipt without user", "receipt",
            R"({"conversation":4,"delivered_seq":17,"read_seq":15})", "user");
        bad("receipt read a bool", "receipt",
            R"({"conversation":4,"user":2,"delivered_seq":17,"read_seq":true})", "read_seq");
        ok("typing", "typing", R"({"conversation":4,"user":2,"typing":false})");
        bad("typing without typing", "typing", R"({"conversation":4,"user":2})", "typing");
        bad("typing conversation negative", "typing",
            R"({"conversation":-4,"user":2,"typing":true})", "conversation");
        ok("presence online", "presence", R"({"user":2,"online":true})");
        ok("presence last seen", "presence",
           R"({"user":2,"online":false,"last_seen":1795000000000})");
        bad("presence online a string", "presence", R"({"user":2,"online":"yes"})", "online");
        bad("presence last seen a string", "presence",
            R"({"user":2,"online":false,"last_seen":"today"})", "last_seen");
        ok("resync", "resync", R"({})");

        // objects
        ok("user", "user", R"({"id":7,"username":"alice","display_name":"Alice Liddell"})");
        ok("own user", "user",
           R"({"id":7,"username":"alice","display_name":"Alice","hide_last_seen":true,"group_adds":"contacts"})");
        bad("user without id", "user", R"({"username":"alice"})", "id");
        bad("user name a number", "user", R"({"id":7,"username":5})", "username");
        ok("member", "member",
           R"({"user":7,"role":"admin","joined_seq":3,"delivered_seq":9,"read_seq":8})");
        ok("former member", "member",
           R"({"user":7,"role":"member","joined_seq":1,"delivered_seq":9,"read_seq":9,"left_seq":9})");
        bad("member left a string", "member", R"({"user":7,"left_seq":"9"})", "left_seq");
        ok("conversation", "conversation",
           R"({"id":4,"kind":"group","title":"Book club","last_seq":17,"created_at":1,"member_count":2,
               "members":[{"user":1,"role":"owner","joined_seq":1,"delivered_seq":17,"read_seq":17},
                          {"user":2,"role":"member","joined_seq":1,"delivered_seq":15,"read_seq":12}],
               "me":{"user":1,"role":"owner","joined_seq":1,"delivered_seq":17,"read_seq":17},"unread":0,
               "last_message":{"conversation":4,"seq":17,"kind":"message","sender":2,"time":5,"text":"hi"}})");
        bad("conversation kind", "conversation",
            R"({"id":4,"kind":"channel","last_seq":1,"me":{"user":1}})", "kind");
        bad("conversation without me", "conversation", R"({"id":4,"kind":"direct","last_seq":1})",
            "me");
        bad("conversation bad member", "conversation",
            R"({"id":4,"kind":"direct","last_seq":1,"me":{"user":1},"members":[{"role":"owner"}]})",
            "members");
        bad("conversation bad last message", "conversation",
            R"({"id":4,"kind":"direct","last_seq":1,"me":{"user":1},"last_message":{"seq":1}})",
            "last_message");

        // results
        ok("list page", "conversations.list",
           R"({"conversations":[{"id":4,"kind":"direct","last_seq":0,"me":{"user":1}}],
               "users":[{"id":1,"username":"a","display_name":"A"}],"more":true,"next":{"at":5,"id":4}})");
        bad("list next a number", "conversations.list",
            R"({"conversations":[],"more":true,"next":5})", "next");
        bad("list users not objects", "conversations.list", R"({"conversations":[],"users":[1]})",
            "users");
        ok("details", "conversation.get",
           R"({"conversation":{"id":4,"kind":"direct","last_seq":0,"me":{"user":1}},"users":[]})");
        bad("details without conversation", "conversation.get", R"({"users":[]})", "conversation");
        ok("entry result", "message.send",
           R"({"event":{"conversation":4,"seq":17,"kind":"message","sender":1,"time":1,"text":"x"},"duplicate":true})");
        bad("entry result without event", "message.send", R"({"duplicate":false})", "event");
        bad("entry result duplicate a string", "message.send",
            R"({"event":{"conversation":4,"seq":1,"kind":"message","sender":1,"time":1},"duplicate":"no"})",
            "duplicate");
        ok("sync page", "sync",
           R"({"events":[{"conversation":4,"seq":1,"kind":"created","sender":1,"time":1,"members":[1,2]}],
               "cursors":[{"conversation":4,"seq":1}],"more":false})");
        bad("sync event bad", "sync", R"({"events":[{"conversation":4}],"more":false})", "events");
        bad("sync cursor bad", "sync", R"({"events":[],"cursors":[{"conversation":"4","seq":1}]})",
            "cursors");
        ok("presence list", "presence.query",
           R"({"presence":[{"user":2,"online":true},{"user":3,"online":false,"last_seen":9}]})");
        bad("presence list entry bad", "presence.query", R"({"presence":[{"user":2}]})", "online");
        ok("users", "users.search",
           R"({"users":[{"id":2,"username":"bob","display_name":"Bob"}]})");
        ok("signed in", "login",
           R"({"user":{"id":1,"username":"alice","display_name":"Alice","hide_last_seen":false,"group_adds":"everyone"},"token":"abc"})");
        bad("signed in without user", "login", R"({"token":"abc"})", "user");
        ok("welcome", "hello",
           R"({"version":1,"relay":"0.1.0","registration":"open","heartbeat_ms":30000,
               "limits":{"max_text_bytes":65536,"max_group_members":1000,"max_page_size":500},"push":["unifiedpush"]})");
        ok("welcome, closed, no pushes", "hello", R"({"version":1,"registration":"closed"})");
        bad("welcome without version", "hello", R"({"relay":"0.1.0"})", "version");
        bad("welcome limits a number", "hello", R"({"version":1,"limits":5})", "limits");
        bad("welcome text limit zero", "hello", R"({"version":1,"limits":{"max_text_bytes":0}})",
            "limits");
        bad("welcome push not strings", "hello", R"({"version":1,"push":[1]})", "push");

        // HTTP answers (http_messages.h) and the report result
        ok("health", "health", R"({"status":"ok","version":"0.1.0"})");
        bad("health without version", "health", R"({"status":"ok"})", "version");
        bad("health version a number", "health", R"({"status":"ok","version":1})", "version");
        bad("health without status", "health", R"({"version":"0.1.0"})", "status");

        ok("upload", "upload",
           R"({"size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"hi.txt"})");
        ok("upload without name", "upload", R"({"size":0,"type":"image/png","sha256":""})");
        bad("upload size a string", "upload", R"({"size":"5","type":"text/plain","sha256":""})",
            "size");
        bad("upload size negative", "upload", R"({"size":-1,"type":"text/plain","sha256":""})",
            "size");
        bad("upload without type", "upload", R"({"size":5,"sha256":""})", "type");
        bad("upload name a number", "upload",
            R"({"size":5,"type":"text/plain","sha256":"","name":7})", "name");

        ok("created", "media",
           R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"hi.txt","state":"uploading","offset":0,"chunk_bytes":8388608})");
        ok("complete", "media",
           R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"","state":"complete"})");
        bad("media id short", "media",
            R"({"id":"9f86","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"complete"})",
            "id");
        bad("media id not hex", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad01Z","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"complete"})",
            "id");
        bad("media state unknown", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"done"})",
            "state");
        bad("media offset a string", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"uploading","offset":"0"})",
            "offset");
        bad("media chunk bytes zero", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","state":"uploading","chunk_bytes":0})",
            "chunk_bytes");
        bad("media hash short", "media",
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf2","state":"complete"})",
            "sha256");

        ok("link", "link", R"({"url":"/v1/media/x?session=1&expires=2&sig=3","expires_at":2})");
        bad("link without url", "link", R"({"expires_at":2})", "url");
        bad("link expiry a string", "link", R"({"url":"/v1/media/x","expires_at":"soon"})",
            "expires_at");

        ok("report", "report", R"({"report":12})");
        bad("report without id", "report", R"({})", "report");
        bad("report id zero", "report", R"({"report":0})", "report");
    }

    void decoding()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, names);
        const std::optional<Error> error = decodeAs(type, fields);
        if (names.isEmpty()) {
            QVERIFY2(!error, qPrintable(error ? error->message : QString()));
            return;
        }
        QVERIFY2(error, "decoded what it must refuse");
        QCOMPARE(error->code, ErrorCode::BadRequest);
        QVERIFY2(error->message.contains(u"'"_s + names + u"'"_s), qPrintable(error->message));
    }

    void entryKeepsTheKindsFields()
    {
        const auto entry = LogEntry::decode(json(
            R"({"type":"event","conversation":4,"seq":17,"kind":"message","sender":1,"time":5,"text":"hi","reactions":{"👍":[2,3]}})"));
        QVERIFY(entry);
        QCOMPARE(entry->body.keys(), (QStringList{u"reactions"_s, u"text"_s}));
        const auto state = MessageState::decode(entry->body);
        QVERIFY(state);
        QCOMPARE(state->text, u"hi"_s);
        QCOMPARE(state->reactions.value(u"👍"_s), (QList<qint64>{2, 3}));
        QVERIFY(!state->isGone());
        QCOMPARE(MessageState::decode(state->encode()).value(), *state);
    }

    void messageStates_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("names"); // empty: decodes
        QTest::newRow("text") << json(R"({"text":"hi","edited_at":3,"reply_to":2})") << QString();
        QTest::newRow("deleted") << json(R"({"deleted":true,"deleted_at":9})") << QString();
        QTest::newRow("expired") << json(R"({"expired":true})") << QString();
        QTest::newRow("attachments")
            << json(R"({"text":"","attachments":[{"media":"x"}]})") << QString();
        QTest::newRow("text a number") << json(R"({"text":5})") << u"text"_s;
        QTest::newRow("attachment not an object")
            << json(R"({"attachments":[5]})") << u"attachments"_s;
        QTest::newRow("reactions an array") << json(R"({"reactions":[1]})") << u"reactions"_s;
        QTest::newRow("reaction user a string")
            << json(R"({"reactions":{"x":["2"]}})") << u"reactions"_s;
        QTest::newRow("deleted a string") << json(R"({"deleted":"yes"})") << u"deleted"_s;
    }

    void messageStates()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, names);
        const auto state = MessageState::decode(body);
        if (names.isEmpty()) {
            QVERIFY2(state, qPrintable(state ? QString() : state.error().message));
            QCOMPARE(MessageState::decode(state->encode()).value(), *state);
            return;
        }
        QVERIFY(!state);
        QVERIFY2(state.error().message.contains(u"'"_s + names + u"'"_s),
                 qPrintable(state.error().message));
    }

    void changes()
    {
        const auto edit = EditChange::decode(json(R"({"text":"new"})"));
        QVERIFY(edit && !edit->gone);
        QCOMPARE(edit->text, u"new"_s);
        QVERIFY(EditChange::decode(json(R"({"deleted":true})")).value().gone);
        QVERIFY(EditChange::decode(json(R"({"expired":true})")).value().gone);
        QVERIFY(!EditChange::decode(json(R"({"text":3})")));

        const auto off = ReactionChange::decode(json(R"({"emoji":"👍","on":false})"));
        QVERIFY(off && !off->on);
        QVERIFY(ReactionChange::decode(json(R"({"emoji":"👍"})")).value().on);
        QVERIFY(!ReactionChange::decode(json(R"({"on":true})")));

        const auto created
            = MembershipChange::decode(kinds::kCreated, json(R"({"members":[1,2],"title":"T"})"));
        QVERIFY(created);
        QCOMPARE(created->users, (QList<qint64>{1, 2}));
        QCOMPARE(created->title, u"T"_s);
        QCOMPARE(
            MembershipChange::decode(kinds::kMemberAdded, json(R"({"users":[3]})")).value().users,
            QList<qint64>{3});
        const auto left
            = MembershipChange::decode(kinds::kMemberLeft, json(R"({"user":1,"new_owner":2})"));
        QVERIFY(left);
        QCOMPARE(left->newOwner, 2);
        QCOMPARE(MembershipChange::decode(kinds::kRoleChanged, json(R"({"user":2,"role":"admin"})"))
                     .value()
                     .role,
                 u"admin"_s);
        QVERIFY(!MembershipChange::decode(kinds::kRenamed, json(R"({"title":4})")));
        QVERIFY(!MembershipChange::decode(kinds::kMemberAdded, json(R"({"users":"3"})")));
        QVERIFY(!MembershipChange::decode(kinds::kMessage, json(R"({})")));
        QVERIFY(isMembershipKind(kinds::kRenamed));
        QVERIFY(!isMembershipKind(kinds::kEdit));
    }

    void framesNameTheirType()
    {
        const QJsonObject frame = eventFrame(TypingEvent{4, 2, true});
        QCOMPARE(frame.value(u"type"_s).toString(), u"typing"_s);
        QCOMPARE(TypingEvent::decode(frame).value(), (TypingEvent{4, 2, true}));
        QCOMPARE(eventFrame(ResyncEvent{}), json(R"({"type":"resync"})"));
    }

    void theMediaObjectSaysWhereTheUploadStands()
    {
        const auto created = decodeBody<MediaObject>(
            R"({"id":"9f86d081884c7d659a2feaa0c55ad015","size":5,"type":"text/plain","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","name":"hi.txt","state":"uploading","offset":3,"chunk_bytes":8})");
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
        QCOMPARE(created->id, QString::fromLatin1(kId));
        QCOMPARE(created->offset, std::optional<qint64>(3));
        QCOMPARE(created->chunkBytes, std::optional<qint64>(8));
        QVERIFY(!created->isComplete());
        // What the relay leaves out stays out: status and complete carry no chunk size.
        MediaObject complete = *created;
        complete.state = MediaObject::kComplete.toString();
        complete.offset.reset();
        complete.chunkBytes.reset();
        QVERIFY(complete.isComplete());
        QVERIFY(!complete.encode().contains(u"offset"_s));
        QVERIFY(!complete.encode().contains(u"chunk_bytes"_s));
    }

    void aBodyThatIsNoObjectIsRefused_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("html") << QByteArray("<html>502 Bad Gateway</html>");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("cut short") << QByteArray("{\"status\":\"ok\",\"vers");
    }

    void aBodyThatIsNoObjectIsRefused()
    {
        QFETCH(QByteArray, body);
        const auto health = decodeBody<Health>(body);
        QVERIFY(!health);
        QCOMPARE(health.error().code, ErrorCode::BadRequest);
    }

    void aLongBodyIsRefusedUnread()
    {
        // A relay (or whatever answers in its place) that sends megabytes is not parsed.
        QByteArray body = "{\"status\":\"ok\",\"version\":\"0.1.0\",\"pad\":\"";
        body.append(QByteArray(64 * 1024, 'x'));
        body.append("\"}");
        const auto health = decodeBody<Health>(body);
        QVERIFY(!health);
        QCOMPARE(health.error().code, ErrorCode::TooLarge);
        QVERIFY(objectOfBody(body, body.size()).ok());
    }

    void httpErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<ErrorCode>("code");
        QTest::addColumn<QString>("message");

        QTest::newRow("the relay's error")
            << QByteArray(
                   R"({"code":"too_large","message":"files on this relay have at most 5 bytes"})")
            << 413 << ErrorCode::TooLarge << u"files on this relay have at most 5 bytes"_s;
        QTest::newRow("the body's code wins over the status")
            << QByteArray(R"({"code":"conflict","message":"busy"})") << 400 << ErrorCode::Conflict
            << u"busy"_s;
        QTest::newRow("a proxy's page") << QByteArray("<html>Bad Gateway</html>") << 502
                                        << ErrorCode::Internal << u"the relay answered HTTP 502"_s;
        QTest::newRow("no body, not found")
            << QByteArray() << 404 << ErrorCode::NotFound << u"the relay answered HTTP 404"_s;
        QTest::newRow("an unknown code")
            << QByteArray(R"({"code":"teapot","message":"short and stout"})") << 429
            << ErrorCode::RateLimited << u"short and stout"_s;
        QTest::newRow("a message that is no string")
            << QByteArray(R"({"code":"forbidden","message":5})") << 403 << ErrorCode::Forbidden
            << u"the relay answered HTTP 403"_s;
    }

    void httpErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(ErrorCode, code);
        QFETCH(QString, message);
        const Error error = decodeHttpError(body, status);
        QCOMPARE(error.code, code);
        QCOMPARE(error.message, message);
        // What the relay sends decodes to the error it sent.
        const Error sent{ErrorCode::Unsupported, u"this relay does not accept image/tiff files"_s};
        const QByteArray encoded = QJsonDocument(encodeHttpError(sent)).toJson();
        QCOMPARE(decodeHttpError(encoded, 415).message, sent.message);
        QCOMPARE(decodeHttpError(encoded, 415).code, sent.code);
    }
};

QTEST_GUILESS_MAIN(TestProtocolEvents)
#include "tst_protocol_events.moc"
