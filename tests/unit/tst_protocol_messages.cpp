// The protocol's typed requests (common/protocol/messages): each decodes what
// docs/protocol.md allows, refuses what it does not with the code and the field named, and
// encodes to what decodes back to itself. And the message rules relay and app share.
#include "protocol/messages/message_requests.h"
#include "protocol/messages/message_rules.h"

#include "support/protocol_values.h"

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
    if (type == u"message.send")
        return test::roundTripError(SendMessage::decode(fields, limits), limits);
    if (type == u"message.edit")
        return test::roundTripError(EditMessage::decode(fields, limits), limits);
    if (type == u"message.delete")
        return test::roundTripError(DeleteMessage::decode(fields, limits), limits);
    if (type == u"message.react")
        return test::roundTripError(ReactToMessage::decode(fields, limits), limits);
    if (type == u"receipt")
        return test::roundTripError(Receipt::decode(fields, limits), limits);
    if (type == u"sync")
        return test::roundTripError(Sync::decode(fields, limits), limits);
    if (type == u"history")
        return test::roundTripError(History::decode(fields, limits), limits);
    if (type == u"typing")
        return test::roundTripError(Typing::decode(fields, limits), limits);
    if (type == u"presence.query")
        return test::roundTripError(PresenceQuery::decode(fields, limits), limits);
    if (type == u"report")
        return test::roundTripError(Report::decode(fields, limits), limits);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

const char *kMedia = "0123456789abcdef0123456789abcdef";

} // namespace

class TestProtocolMessages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decoding_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("code"); // empty: decodes
        QTest::addColumn<QString>("names"); // what the error message must name

        const auto ok = [](const char *name, const char *type, const char *fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << json(fields) << QString()
                                << QString();
        };
        const auto bad = [](const char *name, const char *type, const char *fields,
                            const char *code, const char *names) {
            QTest::newRow(name) << QString::fromLatin1(type) << json(fields)
                                << QString::fromLatin1(code) << QString::fromUtf8(names);
        };

        // message.send
        ok("send", "message.send", R"({"conversation":4,"client_id":"c1","text":"hi"})");
        ok("send reply", "message.send",
           R"({"conversation":4,"client_id":"c1","text":"hi","reply_to":3})");
        ok("send file only", "message.send",
           R"({"conversation":4,"client_id":"c1","attachments":[{"media":"0123456789abcdef0123456789abcdef","name":"a.png","width":10,"height":20}]})");
        ok("send file, empty text", "message.send",
           R"({"conversation":4,"client_id":"c1","text":"","attachments":[{"media":"0123456789abcdef0123456789abcdef"}]})");
        ok("send client id of 64", "message.send",
           R"({"conversation":4,"client_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","text":"x"})");
        bad("send no conversation", "message.send", R"({"client_id":"c1","text":"hi"})",
            "bad_request", "conversation");
        bad("send conversation 0", "message.send",
            R"({"conversation":0,"client_id":"c1","text":"hi"})", "bad_request", "conversation");
        bad("send conversation text", "message.send",
            R"({"conversation":"4","client_id":"c1","text":"hi"})", "bad_request", "conversation");
        bad("send conversation fraction", "message.send",
            R"({"conversation":4.5,"client_id":"c1","text":"hi"})", "bad_request", "conversation");
        bad("send no client id", "message.send", R"({"conversation":4,"text":"hi"})", "bad_request",
            "client_id");
        bad("send empty client id", "message.send",
            R"({"conversation":4,"client_id":"","text":"hi"})", "bad_request", "client_id");
        bad("send client id of 65", "message.send",
            R"({"conversation":4,"client_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","text":"x"})",
            "bad_request", "client_id");
        bad("send no text", "message.send", R"({"conversation":4,"client_id":"c1"})", "bad_request",
            "text");
        bad("send blank text", "message.send",
            R"({"conversation":4,"client_id":"c1","text":"  \n"})", "bad_request", "text");
        bad("send text number", "message.send", R"({"conversation":4,"client_id":"c1","text":5})",
            "bad_request", "text");
        bad("send reply 0", "message.send",
            R"({"conversation":4,"client_id":"c1","text":"x","reply_to":0})", "bad_request",
            "reply_to");
        bad("send attachments object", "message.send",
            R"({"conversation":4,"client_id":"c1","attachments":{}})", "bad_request",
            "attachments");
        bad("send attachment no media", "message.send",
            R"({"conversation":4,"client_id":"c1","attachments":[{"name":"a"}]})", "bad_request",
            "media");
        bad("send attachment bad media", "message.send",
            R"({"conversation":4,"client_id":"c1","attachments":[{"media":"0123456789ABCDEF0123456789abcdef"}]})",
            "bad_request", "media");
        bad("send attachment width", "message.send",
            R"({"conversation":4,"client_id":"c1","attachments":[{"media":"0123456789abcdef0123456789abcdef","width":-1}]})",
            "bad_request", "width");
        bad("send attachment duration", "message.send",
            R"({"conversation":4,"client_id":"c1","attachments":[{"media":"0123456789abcdef0123456789abcdef","duration_ms":"1"}]})",
            "bad_request", "duration_ms");

        // message.edit, message.delete, message.react
        ok("edit", "message.edit", R"({"conversation":4,"client_id":"e1","seq":7,"text":"new"})");
        bad("edit no seq", "message.edit", R"({"conversation":4,"client_id":"e1","text":"new"})",
            "bad_request", "seq");
        bad("edit blank", "message.edit",
            R"({"conversation":4,"client_id":"e1","seq":7,"text":" "})", "bad_request", "text");
        ok("delete", "message.delete", R"({"conversation":4,"client_id":"d1","seq":7})");
        bad("delete seq 0", "message.delete", R"({"conversation":4,"client_id":"d1","seq":0})",
            "bad_request", "seq");
        ok("react", "message.react", R"({"conversation":4,"client_id":"r1","seq":7,"emoji":"👍"})");
        ok("react off", "message.react",
           R"({"conversation":4,"client_id":"r1","seq":7,"emoji":"👍","on":false})");
        bad("react no emoji", "message.react", R"({"conversation":4,"client_id":"r1","seq":7})",
            "bad_request", "emoji");
        bad("react space", "message.react",
            R"({"conversation":4,"client_id":"r1","seq":7,"emoji":"a b"})", "bad_request", "emoji");
        bad("react long", "message.react",
            R"({"conversation":4,"client_id":"r1","seq":7,"emoji":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})",
            "bad_request", "emoji");
        bad("react on text", "message.react",
            R"({"conversation":4,"client_id":"r1","seq":7,"emoji":"x","on":"yes"})", "bad_request",
            "on");

        // receipt
        ok("receipt read", "receipt", R"({"conversation":4,"read_seq":9})");
        ok("receipt both", "receipt", R"({"conversation":4,"delivered_seq":9,"read_seq":8})");
        bad("receipt neither", "receipt", R"({"conversation":4})", "bad_request", "delivered_seq");
        bad("receipt negative", "receipt", R"({"conversation":4,"read_seq":-1})", "bad_request",
            "read_seq");

        // sync and history
        ok("sync empty", "sync", R"({})");
        ok("sync cursors", "sync",
           R"({"cursors":[{"conversation":4,"seq":0},{"conversation":5,"seq":9}],"limit":500})");
        bad("sync limit 0", "sync", R"({"limit":0})", "bad_request", "limit");
        bad("sync limit past the page", "sync", R"({"limit":501})", "bad_request", "limit");
        bad("sync cursors object", "sync", R"({"cursors":{}})", "bad_request", "cursors");
        bad("sync cursor no seq", "sync", R"({"cursors":[{"conversation":4}]})", "bad_request",
            "cursors");
        ok("history", "history", R"({"conversation":4})");
        ok("history before", "history", R"({"conversation":4,"before":10,"limit":20})");
        ok("history after 0", "history", R"({"conversation":4,"after":0})");
        bad("history both", "history", R"({"conversation":4,"before":10,"after":2})", "bad_request",
            "before");
        bad("history before 0", "history", R"({"conversation":4,"before":0})", "bad_request",
            "before");

        // typing and presence.query
        ok("typing", "typing", R"({"conversation":4})");
        ok("typing stopped", "typing", R"({"conversation":4,"typing":false})");
        bad("typing no conversation", "typing", R"({"typing":true})", "bad_request",
            "conversation");
        ok("presence", "presence.query", R"({"users":[1,2,3]})");
        ok("presence none", "presence.query", R"({"users":[]})");
        bad("presence not a list", "presence.query", R"({"users":1})", "bad_request", "users");
        bad("presence twice", "presence.query", R"({"users":[1,1]})", "bad_request", "users");
        bad("presence zero", "presence.query", R"({"users":[0]})", "bad_request", "users");

        // report
        ok("report user", "report", R"({"user":3,"reason":"spam"})");
        ok("report message", "report", R"({"conversation":4,"seq":9,"reason":"spam"})");
        bad("report nothing", "report", R"({"reason":"spam"})", "bad_request", "user");
        bad("report conversation alone", "report", R"({"conversation":4,"reason":"spam"})",
            "bad_request", "seq");
        bad("report no reason", "report", R"({"user":3})", "bad_request", "reason");
        bad("report empty reason", "report", R"({"user":3,"reason":""})", "bad_request", "reason");
        bad("report user 0", "report", R"({"user":0,"reason":"x"})", "bad_request", "user");
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

    void limitsAreTheRelays()
    {
        Limits small;
        small.maxTextBytes = 8;
        small.maxPageSize = 10;
        const auto send = SendMessage::decode(
            json(R"({"conversation":4,"client_id":"c1","text":"123456789"})"), small);
        QVERIFY(!send);
        QCOMPARE(send.error().code, ErrorCode::TooLarge);
        // Bytes in UTF-8, not characters: four of "é" are eight bytes.
        QVERIFY(SendMessage::decode(
            QJsonObject{{u"conversation"_s, 4}, {u"client_id"_s, u"c"_s}, {u"text"_s, u"éééé"_s}},
            small));
        QVERIFY(!SendMessage::decode(
            QJsonObject{{u"conversation"_s, 4}, {u"client_id"_s, u"c"_s}, {u"text"_s, u"ééééé"_s}},
            small));
        QVERIFY(!EditMessage::decode(
            json(R"({"conversation":4,"client_id":"c1","seq":1,"text":"123456789"})"), small));
        QVERIFY(!History::decode(json(R"({"conversation":4,"limit":11})"), small));
        QVERIFY(History::decode(json(R"({"conversation":4,"limit":10})"), small));
        QVERIFY(!Sync::decode(json(R"({"limit":11})"), small));
    }

    void listsHaveTheirBounds()
    {
        QJsonArray files;
        for (int i = 0; i < 11; ++i)
            files.append(QJsonObject{{u"media"_s, QString::fromLatin1(kMedia)}});
        QJsonObject send{
            {u"conversation"_s, 4}, {u"client_id"_s, u"c"_s}, {u"attachments"_s, files}};
        QCOMPARE(SendMessage::decode(send).error().code, ErrorCode::BadRequest);
        files.removeLast();
        send.insert(u"attachments"_s, files);
        QVERIFY(SendMessage::decode(send));
        // One attachment description is at most 8 KiB of JSON.
        const QJsonObject big{{u"media"_s, QString::fromLatin1(kMedia)},
                              {u"caption"_s, QString(8200, u'x')}};
        send.insert(u"attachments"_s, QJsonArray{big});
        QCOMPARE(SendMessage::decode(send).error().code, ErrorCode::TooLarge);

        QJsonArray users;
        for (int i = 1; i <= PresenceQuery::kMaxUsers; ++i)
            users.append(i);
        QVERIFY(PresenceQuery::decode({{u"users"_s, users}}));
        users.append(int(PresenceQuery::kMaxUsers) + 1);
        QVERIFY(!PresenceQuery::decode({{u"users"_s, users}}));
    }

    void encodingNamesWhatTheSpecNames()
    {
        // The app's outbox stores these as they are sent: the field names are the wire's.
        QCOMPARE(SendMessage({4, u"c1"_s, u"hi"_s, 3, {}, {}, {}, {}}).encode(),
                 json(R"({"conversation":4,"client_id":"c1","text":"hi","reply_to":3})"));
        QCOMPARE(ReactToMessage({4, u"r"_s, 7, u"👍"_s, false, {}, {}}).encode(),
                 json(R"({"conversation":4,"client_id":"r","seq":7,"emoji":"👍","on":false})"));
        QCOMPARE(Receipt({4, std::nullopt, 9}).encode(),
                 json(R"({"conversation":4,"read_seq":9})"));
        QCOMPARE(History({4, std::nullopt, 0, 500}).encode(),
                 json(R"({"conversation":4,"after":0,"limit":500})"));
        QCOMPARE(Typing({4, true}).encode(), json(R"({"conversation":4})"));
        QCOMPARE(Typing({4, false}).encode(), json(R"({"conversation":4,"typing":false})"));
        QCOMPARE(Sync({{{4, 2}}, std::nullopt}).encode(),
                 json(R"({"cursors":[{"conversation":4,"seq":2}]})"));
    }

    void reactionsFollowOneRule()
    {
        QJsonObject body{{u"text"_s, u"hi"_s}};
        auto first = withReaction(body, u"👍"_s, 1, true);
        QVERIFY(first);
        QCOMPARE(first->value(u"reactions"_s).toObject(), json(R"({"👍":[1]})"));
        auto second = withReaction(*first, u"👍"_s, 2, true);
        QVERIFY(second);
        QCOMPARE(second->value(u"reactions"_s).toObject(), json(R"({"👍":[1,2]})"));
        // Twice the same is refused (the app keeps what it has: its own copy came first).
        QCOMPARE(withReaction(*second, u"👍"_s, 1, true).error().code, ErrorCode::Conflict);
        QCOMPARE(withReaction(*second, u"👎"_s, 1, false).error().code, ErrorCode::Conflict);
        // Taking the last one away leaves no empty list, nor an empty object.
        auto removed = withReaction(*first, u"👍"_s, 1, false);
        QVERIFY(removed);
        QCOMPARE(*removed, body);

        // At most 64 different reactions; more of one already there is fine.
        QJsonObject full = body;
        for (int i = 0; i < kMaxReactionsPerMessage; ++i) {
            auto next = withReaction(full, u"e%1"_s.arg(i), 1, true);
            QVERIFY(next);
            full = *next;
        }
        QCOMPARE(withReaction(full, u"one more"_s, 1, true).error().code, ErrorCode::TooLarge);
        QVERIFY(withReaction(full, u"e0"_s, 2, true));
    }

    void editsAndDeletes()
    {
        const QJsonObject body{{u"text"_s, u"hi"_s}, {u"reactions"_s, json(R"({"x":[1]})")}};
        const QJsonObject edited = withEdit(body, u"hello"_s, 1000);
        QCOMPARE(edited.value(u"text"_s).toString(), u"hello"_s);
        QCOMPARE(edited.value(u"edited_at"_s).toInteger(), 1000);
        QCOMPARE(edited.value(u"reactions"_s), body.value(u"reactions"_s));
        const QJsonObject gone = deletedBody(2000);
        QCOMPARE(gone, json(R"({"deleted":true,"deleted_at":2000})"));
        QVERIFY(isGone(gone));
        QVERIFY(isGone(json(R"({"expired":true})")));
        QVERIFY(!isGone(edited));
    }
};

QTEST_GUILESS_MAIN(TestProtocolMessages)
#include "tst_protocol_messages.moc"
