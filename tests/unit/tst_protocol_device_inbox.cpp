// The device inbox as typed values (common/protocol/messages/device_inbox.h): each request,
// result and the `inbox` event decode what docs/protocol.md (sections 4 and 5) allows,
// refuse what it does not with the code and the field named, and encode to what decodes
// back to itself; and the spec names these types.
#include "protocol/messages/catalog.h"
#include "protocol/messages/device_inbox.h"
#include "protocol/messages/events.h"

#include "support/protocol_spec.h"
#include "support/protocol_values.h"

#include <QFile>
#include <QJsonArray>
#include <QtTest>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

/// One message of inbox.send.
QJsonObject recipient(qint64 user = 2, qint64 device = 7, const QJsonValue &body = b64(100))
{
    return {{u"user"_s, user}, {u"device"_s, device}, {u"body"_s, body}};
}

/// `count` messages of inbox.send, each to another device.
QJsonArray recipients(qsizetype count)
{
    QJsonArray array;
    for (qsizetype i = 0; i < count; ++i)
        array.append(recipient(2, i + 1, b64(4)));
    return array;
}

QJsonObject send(const QJsonValue &messages = QJsonArray{recipient()})
{
    return {{u"client_id"_s, u"c-1"_s}, {u"messages"_s, messages}};
}

QJsonObject inboxMessage()
{
    return {{u"seq"_s, 1},
            {u"user"_s, 2},
            {u"device"_s, 4294967295LL},
            {u"body"_s, b64(100)},
            {u"time"_s, 1795000300000LL}};
}

/// Decodes `fields` as what `type` names and, when it decodes, checks that its encoding
/// decodes to the same value. The error, if any.
std::optional<Error> decodeAs(const QString &type, const QJsonObject &fields)
{
    if (type == QLatin1StringView(SendToInbox::kType))
        return roundTrip<SendToInbox>(fields);
    if (type == QLatin1StringView(FetchInbox::kType))
        return roundTrip<FetchInbox>(fields);
    if (type == QLatin1StringView(AckInbox::kType))
        return roundTrip<AckInbox>(fields);
    if (type == u"inbox.send result")
        return roundTrip<InboxSent>(fields);
    if (type == u"inbox.fetch result")
        return roundTrip<InboxPage>(fields);
    if (type == QLatin1StringView(InboxMessage::kType))
        return roundTrip<InboxMessage>(fields);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

} // namespace

class TestProtocolDeviceInbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("code"); // empty: decodes
        QTest::addColumn<QString>("names"); // the fields the error names, comma-separated

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString() << QString();
        };
        const auto bad = [](const char *name, const char *type, const QJsonObject &fields,
                            const char *code, const char *names) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString::fromLatin1(code)
                                << QString::fromLatin1(names);
        };
        const qsizetype most = SendToInbox::kMaxBodyBytes;

        // inbox.send
        ok("send", "inbox.send", send());
        ok("send to two devices of one user", "inbox.send",
           send(QJsonArray{recipient(2, 7), recipient(2, 8)}));
        ok("send to one device id of two users", "inbox.send",
           send(QJsonArray{recipient(2, 7), recipient(3, 7)}));
        ok("send 1000", "inbox.send", send(recipients(SendToInbox::kMaxRecipients)));
        ok("send body of 1 byte", "inbox.send", send(QJsonArray{recipient(2, 7, b64(1))}));
        ok("send body of 2 bytes", "inbox.send", send(QJsonArray{recipient(2, 7, b64(2))}));
        ok("send body of 64 KiB", "inbox.send", send(QJsonArray{recipient(2, 7, b64(most))}));
        ok("send body of 64 KiB - 1", "inbox.send",
           send(QJsonArray{recipient(2, 7, b64(most - 1))}));
        ok("send device 2^32-1", "inbox.send", send(QJsonArray{recipient(2, 4294967295LL)}));
        ok("send user 2^53-1", "inbox.send", send(QJsonArray{recipient(9007199254740991LL, 7)}));
        ok("send client id of 64", "inbox.send", with(send(), u"client_id"_s, QString(64, u'x')));
        ok("send more fields", "inbox.send", with(send(), u"extra"_s, 1));
        ok("send more fields in a message", "inbox.send",
           send(QJsonArray{with(recipient(), u"extra"_s, true)}));
        bad("send no client id", "inbox.send", without(send(), u"client_id"_s), "bad_request",
            "client_id");
        bad("send client id null", "inbox.send", with(send(), u"client_id"_s, QJsonValue()),
            "bad_request", "client_id");
        bad("send client id empty", "inbox.send", with(send(), u"client_id"_s, u""_s),
            "bad_request", "client_id");
        bad("send client id of 65", "inbox.send", with(send(), u"client_id"_s, QString(65, u'x')),
            "bad_request", "client_id");
        bad("send client id number", "inbox.send", with(send(), u"client_id"_s, 1), "bad_request",
            "client_id");
        bad("send no messages", "inbox.send", without(send(), u"messages"_s), "bad_request",
            "messages");
        bad("send messages null", "inbox.send", send(QJsonValue()), "bad_request", "messages");
        bad("send messages empty", "inbox.send", send(QJsonArray()), "bad_request", "messages");
        bad("send messages object", "inbox.send", send(recipient()), "bad_request", "messages");
        bad("send messages text", "inbox.send", send(u"all"_s), "bad_request", "messages");
        bad("send messages not objects", "inbox.send", send(QJsonArray{1, 2}), "bad_request",
            "messages");
        bad("send 1001", "inbox.send", send(recipients(SendToInbox::kMaxRecipients + 1)),
            "too_large", "messages");
        bad("send a device twice", "inbox.send",
            send(QJsonArray{recipient(2, 7), recipient(3, 7), recipient(2, 7, b64(9))}),
            "bad_request", "messages");
        bad("send no user", "inbox.send", send(QJsonArray{without(recipient(), u"user"_s)}),
            "bad_request", "messages,user");
        bad("send user 0", "inbox.send", send(QJsonArray{recipient(0, 7)}), "bad_request",
            "messages,user");
        bad("send user text", "inbox.send", send(QJsonArray{with(recipient(), u"user"_s, u"2"_s)}),
            "bad_request", "messages,user");
        bad("send user fraction", "inbox.send", send(QJsonArray{with(recipient(), u"user"_s, 2.5)}),
            "bad_request", "messages,user");
        bad("send no device", "inbox.send", send(QJsonArray{without(recipient(), u"device"_s)}),
            "bad_request", "messages,device");
        bad("send device 0", "inbox.send", send(QJsonArray{recipient(2, 0)}), "bad_request",
            "messages,device");
        bad("send device negative", "inbox.send", send(QJsonArray{recipient(2, -7)}), "bad_request",
            "messages,device");
        bad("send device 2^32", "inbox.send", send(QJsonArray{recipient(2, 4294967296LL)}),
            "bad_request", "messages,device");
        bad("send device text", "inbox.send",
            send(QJsonArray{with(recipient(), u"device"_s, u"7"_s)}), "bad_request",
            "messages,device");
        bad("send no body", "inbox.send", send(QJsonArray{without(recipient(), u"body"_s)}),
            "bad_request", "messages,body");
        bad("send body null", "inbox.send", send(QJsonArray{recipient(2, 7, QJsonValue())}),
            "bad_request", "messages,body");
        bad("send body empty", "inbox.send", send(QJsonArray{recipient(2, 7, u""_s)}),
            "bad_request", "messages,body");
        bad("send body number", "inbox.send", send(QJsonArray{recipient(2, 7, 12)}), "bad_request",
            "messages,body");
        bad("send body array", "inbox.send", send(QJsonArray{recipient(2, 7, QJsonArray{1})}),
            "bad_request", "messages,body");
        bad("send body not base64", "inbox.send", send(QJsonArray{recipient(2, 7, u"%%%%"_s)}),
            "bad_request", "messages,body");
        bad("send body unpadded", "inbox.send",
            send(QJsonArray{recipient(2, 7, b64(100).chopped(2))}), "bad_request", "messages,body");
        bad("send body stray bits", "inbox.send",
            send(QJsonArray{recipient(2, 7, strayBits(b64(100)))}), "bad_request", "messages,body");
        bad("send body with a newline", "inbox.send",
            send(
                QJsonArray{recipient(2, 7, QString(b64(99).left(20) + u"\n"_s + b64(99).mid(20)))}),
            "bad_request", "messages,body");
        bad("send body base64url", "inbox.send",
            send(QJsonArray{recipient(
                2, 7,
                QString::fromLatin1(QByteArray(30, char(0xff)).toBase64()).replace(u'/', u'_'))}),
            "bad_request", "messages,body");
        bad("send body of 64 KiB + 1", "inbox.send",
            send(QJsonArray{recipient(2, 7, b64(most + 1))}), "too_large", "messages,body");
        bad("send body of 64 KiB + 2", "inbox.send",
            send(QJsonArray{recipient(2, 7, b64(most + 2))}), "too_large", "messages,body");
        bad("send body of 64 KiB + 3", "inbox.send",
            send(QJsonArray{recipient(2, 7, b64(most + 3))}), "too_large", "messages,body");
        bad("send body of 1 MiB", "inbox.send", send(QJsonArray{recipient(2, 7, b64(1024 * 1024))}),
            "too_large", "messages,body");
        bad("send body of 1 MiB not base64", "inbox.send",
            send(QJsonArray{recipient(2, 7, QString(1024 * 1024, u'!'))}), "too_large",
            "messages,body");
        bad("send a bad message after good ones", "inbox.send",
            send(QJsonArray{recipient(2, 7), recipient(2, 8), recipient(2, 0)}), "bad_request",
            "messages,device");

        // inbox.fetch
        ok("fetch", "inbox.fetch", j("{'after':0,'limit':100}"));
        ok("fetch limit 1", "inbox.fetch", j("{'after':17,'limit':1}"));
        ok("fetch limit of a page", "inbox.fetch", j("{'after':17,'limit':500}"));
        ok("fetch after 2^53-1", "inbox.fetch", j("{'after':9007199254740991,'limit':5}"));
        ok("fetch more fields", "inbox.fetch", j("{'after':0,'limit':5,'before':9}"));
        bad("fetch no after", "inbox.fetch", j("{'limit':5}"), "bad_request", "after");
        bad("fetch after null", "inbox.fetch", j("{'after':null,'limit':5}"), "bad_request",
            "after");
        bad("fetch after negative", "inbox.fetch", j("{'after':-1,'limit':5}"), "bad_request",
            "after");
        bad("fetch after text", "inbox.fetch", j("{'after':'0','limit':5}"), "bad_request",
            "after");
        bad("fetch after fraction", "inbox.fetch", j("{'after':0.5,'limit':5}"), "bad_request",
            "after");
        bad("fetch after past 2^53", "inbox.fetch", j("{'after':9007199254740993,'limit':5}"),
            "bad_request", "after");
        bad("fetch no limit", "inbox.fetch", j("{'after':0}"), "bad_request", "limit");
        bad("fetch limit 0", "inbox.fetch", j("{'after':0,'limit':0}"), "bad_request", "limit");
        bad("fetch limit over a page", "inbox.fetch", j("{'after':0,'limit':501}"), "bad_request",
            "limit");
        bad("fetch limit negative", "inbox.fetch", j("{'after':0,'limit':-5}"), "bad_request",
            "limit");
        bad("fetch limit text", "inbox.fetch", j("{'after':0,'limit':'5'}"), "bad_request",
            "limit");
        bad("fetch limit boolean", "inbox.fetch", j("{'after':0,'limit':true}"), "bad_request",
            "limit");

        // inbox.ack
        ok("ack", "inbox.ack", j("{'up_to':17}"));
        ok("ack nothing", "inbox.ack", j("{'up_to':0}"));
        ok("ack 2^53-1", "inbox.ack", j("{'up_to':9007199254740991}"));
        ok("ack more fields", "inbox.ack", j("{'up_to':3,'after':1}"));
        bad("ack no up_to", "inbox.ack", j("{}"), "bad_request", "up_to");
        bad("ack upTo spelled in camel case", "inbox.ack", j("{'upTo':3}"), "bad_request", "up_to");
        bad("ack up_to null", "inbox.ack", j("{'up_to':null}"), "bad_request", "up_to");
        bad("ack up_to negative", "inbox.ack", j("{'up_to':-1}"), "bad_request", "up_to");
        bad("ack up_to text", "inbox.ack", j("{'up_to':'3'}"), "bad_request", "up_to");
        bad("ack up_to fraction", "inbox.ack", j("{'up_to':2.5}"), "bad_request", "up_to");
    }

    void requests()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, code);
        QFETCH(QString, names);
        expectOutcome(decodeAs(type, fields), code, names);
    }

    void replies_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("names"); // empty: decodes; else what the BadRequest names

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString();
        };
        const auto bad
            = [](const char *name, const char *type, const QJsonObject &fields, const char *names) {
                  QTest::newRow(name)
                      << QString::fromLatin1(type) << fields << QString::fromLatin1(names);
              };

        // inbox.send's result
        ok("sent", "inbox.send result", j("{'duplicate':false,'stored':2,'undelivered':[]}"));
        ok("sent again", "inbox.send result", j("{'duplicate':true,'stored':2,'undelivered':[]}"));
        ok("sent nothing", "inbox.send result",
           j("{'duplicate':false,'stored':0,'undelivered':["
             "{'user':2,'device':7,'reason':'not_registered'},"
             "{'user':3,'device':4294967295,'reason':'full'},"
             "{'user':4,'device':1,'reason':'forbidden'}]}"));
        ok("sent with more fields", "inbox.send result",
           j("{'duplicate':false,'stored':1,'undelivered':[{'user':2,'device':7,"
             "'reason':'full','extra':1}],'extra':2}"));
        bad("sent without duplicate", "inbox.send result", j("{'stored':1,'undelivered':[]}"),
            "duplicate");
        bad("sent duplicate text", "inbox.send result",
            j("{'duplicate':'no','stored':1,'undelivered':[]}"), "duplicate");
        bad("sent duplicate number", "inbox.send result",
            j("{'duplicate':0,'stored':1,'undelivered':[]}"), "duplicate");
        bad("sent without stored", "inbox.send result", j("{'duplicate':false,'undelivered':[]}"),
            "stored");
        bad("sent stored negative", "inbox.send result",
            j("{'duplicate':false,'stored':-1,'undelivered':[]}"), "stored");
        bad("sent stored fraction", "inbox.send result",
            j("{'duplicate':false,'stored':1.5,'undelivered':[]}"), "stored");
        bad("sent without undelivered", "inbox.send result", j("{'duplicate':false,'stored':1}"),
            "undelivered");
        bad("sent undelivered object", "inbox.send result",
            j("{'duplicate':false,'stored':1,'undelivered':{}}"), "undelivered");
        bad("sent undelivered not objects", "inbox.send result",
            j("{'duplicate':false,'stored':1,'undelivered':[1]}"), "undelivered");
        bad("sent undelivered user 0", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':0,'device':7,"
              "'reason':'full'}]}"),
            "undelivered,user");
        bad("sent undelivered device 0", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':2,'device':0,"
              "'reason':'full'}]}"),
            "undelivered,device");
        bad("sent undelivered device 2^32", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':2,'device':4294967296,"
              "'reason':'full'}]}"),
            "undelivered,device");
        bad("sent undelivered without reason", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':2,'device':7}]}"),
            "undelivered,reason");
        bad("sent undelivered unknown reason", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':2,'device':7,"
              "'reason':'blocked'}]}"),
            "undelivered,reason");
        bad("sent undelivered reason in upper case", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':2,'device':7,"
              "'reason':'FULL'}]}"),
            "undelivered,reason");
        bad("sent undelivered reason empty", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':2,'device':7,"
              "'reason':''}]}"),
            "undelivered,reason");
        bad("sent undelivered reason number", "inbox.send result",
            j("{'duplicate':false,'stored':0,'undelivered':[{'user':2,'device':7,"
              "'reason':1}]}"),
            "undelivered,reason");

        // inbox message, the `inbox` event
        ok("inbox", "inbox", inboxMessage());
        ok("inbox at time 0", "inbox", with(inboxMessage(), u"time"_s, 0));
        ok("inbox body of 64 KiB", "inbox",
           with(inboxMessage(), u"body"_s, b64(SendToInbox::kMaxBodyBytes)));
        ok("inbox more fields", "inbox", with(inboxMessage(), u"type"_s, u"inbox"_s));
        bad("inbox without seq", "inbox", without(inboxMessage(), u"seq"_s), "seq");
        bad("inbox seq 0", "inbox", with(inboxMessage(), u"seq"_s, 0), "seq");
        bad("inbox seq text", "inbox", with(inboxMessage(), u"seq"_s, u"1"_s), "seq");
        bad("inbox without user", "inbox", without(inboxMessage(), u"user"_s), "user");
        bad("inbox user 0", "inbox", with(inboxMessage(), u"user"_s, 0), "user");
        bad("inbox without device", "inbox", without(inboxMessage(), u"device"_s), "device");
        bad("inbox device 0", "inbox", with(inboxMessage(), u"device"_s, 0), "device");
        bad("inbox device 2^32", "inbox", with(inboxMessage(), u"device"_s, 4294967296LL),
            "device");
        bad("inbox without body", "inbox", without(inboxMessage(), u"body"_s), "body");
        bad("inbox body empty", "inbox", with(inboxMessage(), u"body"_s, u""_s), "body");
        bad("inbox body stray bits", "inbox", with(inboxMessage(), u"body"_s, strayBits(b64(100))),
            "body");
        bad("inbox body not base64", "inbox", with(inboxMessage(), u"body"_s, u"a b c d"_s),
            "body");
        bad("inbox body past 64 KiB", "inbox",
            with(inboxMessage(), u"body"_s, b64(SendToInbox::kMaxBodyBytes + 1)), "body");
        bad("inbox without time", "inbox", without(inboxMessage(), u"time"_s), "time");
        bad("inbox time negative", "inbox", with(inboxMessage(), u"time"_s, -1), "time");
        bad("inbox time fraction", "inbox", with(inboxMessage(), u"time"_s, 1.5), "time");

        // inbox.fetch's result
        ok("page", "inbox.fetch result",
           QJsonObject{
               {u"messages"_s, QJsonArray{inboxMessage(), with(inboxMessage(), u"seq"_s, 2)}},
               {u"more"_s, true}});
        ok("page empty", "inbox.fetch result", j("{'messages':[],'more':false}"));
        bad("page without messages", "inbox.fetch result", j("{'more':false}"), "messages");
        bad("page messages object", "inbox.fetch result",
            QJsonObject{{u"messages"_s, inboxMessage()}, {u"more"_s, false}}, "messages");
        bad("page messages not objects", "inbox.fetch result", j("{'messages':[1],'more':false}"),
            "messages");
        bad("page a bad message", "inbox.fetch result",
            QJsonObject{{u"messages"_s, QJsonArray{with(inboxMessage(), u"seq"_s, 0)}},
                        {u"more"_s, false}},
            "messages,seq");
        bad("page without more", "inbox.fetch result", j("{'messages':[]}"), "more");
        bad("page more text", "inbox.fetch result", j("{'messages':[],'more':'no'}"), "more");
    }

    void replies()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, names);
        expectOutcome(decodeAs(type, fields), names.isEmpty() ? QString() : u"bad_request"_s,
                      names);
    }

    void errorsSayWhatTheFieldMustBe()
    {
        QCOMPARE(SendToInbox::decode(send(QJsonArray{recipient(2, 0)})).error().message,
                 u"in 'messages': field 'device' must be an integer from 1 to 4294967295"_s);
        QCOMPARE(SendToInbox::decode(send(QJsonArray{recipient(2, 7, u""_s)})).error().message,
                 u"in 'messages': field 'body' must be base64 of 1 to 65536 bytes"_s);
        const auto large = SendToInbox::decode(
            send(QJsonArray{recipient(2, 7, b64(SendToInbox::kMaxBodyBytes + 1))}));
        QCOMPARE(large.error().code, ErrorCode::TooLarge);
        QCOMPARE(large.error().message,
                 u"in 'messages': field 'body' must be base64 of 1 to 65536 bytes"_s);
        const auto many = SendToInbox::decode(send(recipients(SendToInbox::kMaxRecipients + 1)));
        QCOMPARE(many.error().code, ErrorCode::TooLarge);
        QCOMPARE(many.error().message, u"field 'messages' holds at most 1000 messages"_s);
        const auto twice = SendToInbox::decode(send(QJsonArray{recipient(), recipient()}));
        QCOMPARE(twice.error().code, ErrorCode::BadRequest);
        QCOMPARE(twice.error().message,
                 u"field 'messages' must be an array of 1 to 1000 {\"user\", \"device\", "
                 u"\"body\"} objects, each device once"_s);
        QCOMPARE(FetchInbox::decode(j("{'after':0,'limit':0}")).error().message,
                 u"field 'limit' must be an integer from 1 to 500"_s);
        QCOMPARE(AckInbox::decode(j("{}")).error().message, u"field 'up_to' is required"_s);
        QCOMPARE(InboxSent::decode(j("{'duplicate':false,'stored':0,'undelivered':["
                                     "{'user':2,'device':7,'reason':'gone'}]}"))
                     .error()
                     .message,
                 u"in 'undelivered': field 'reason' must be \"not_registered\", \"full\" or "
                 u"\"forbidden\""_s);
    }

    void fieldsAreCheckedInOrder()
    {
        // The first bad field is the one named, in the order the spec lists them.
        QVERIFY(SendToInbox::decode(j("{'client_id':'','messages':[]}"))
                    .error()
                    .message.contains(u"'client_id'"_s));
        QVERIFY(SendToInbox::decode(j("{'client_id':'c','messages':[{'user':0,'device':0}]}"))
                    .error()
                    .message.contains(u"'user'"_s));
        QVERIFY(SendToInbox::decode(j("{'client_id':'c','messages':[{'user':1,'device':0}]}"))
                    .error()
                    .message.contains(u"'device'"_s));
        QVERIFY(
            FetchInbox::decode(j("{'after':-1,'limit':0}")).error().message.contains(u"'after'"_s));
        QVERIFY(InboxMessage::decode(j("{'seq':0,'user':0}")).error().message.contains(u"'seq'"_s));
        // The count of messages is checked before any of them is read.
        QJsonArray many = recipients(SendToInbox::kMaxRecipients + 1);
        many.replace(0, 1);
        QCOMPARE(SendToInbox::decode(send(many)).error().code, ErrorCode::TooLarge);
    }

    void theFetchLimitIsTheRelays()
    {
        Limits small;
        small.maxPageSize = 50;
        QVERIFY(FetchInbox::decode(j("{'after':0,'limit':50}"), small));
        const auto over = FetchInbox::decode(j("{'after':0,'limit':51}"), small);
        QCOMPARE(over.error().code, ErrorCode::BadRequest);
        QCOMPARE(over.error().message, u"field 'limit' must be an integer from 1 to 50"_s);
    }

    void decodedValues()
    {
        // Bytes, not base64, device ids as the u32s they are, in the order sent.
        const auto sent = SendToInbox::decode(QJsonObject{
            {u"client_id"_s, u"7b1e"_s},
            {u"messages"_s,
             QJsonArray{recipient(2, 4294967295LL, b64(80, 5)), recipient(1, 3, b64(1, 6))}}});
        QVERIFY(sent);
        QCOMPARE(sent->clientId, u"7b1e"_s);
        QCOMPARE(sent->messages,
                 (QList<InboxRecipient>{{2, 0xffffffffu, bytes(80, 5)}, {1, 3, bytes(1, 6)}}));

        QCOMPARE(FetchInbox::decode(j("{'after':17,'limit':100}")).value(), (FetchInbox{17, 100}));
        QCOMPARE(AckInbox::decode(j("{'up_to':17}")).value(), AckInbox{17});

        const auto result = InboxSent::decode(j(
            "{'duplicate':true,'stored':1,'undelivered':["
            "{'user':2,'device':7,'reason':'not_registered'},"
            "{'user':3,'device':8,'reason':'full'},{'user':4,'device':9,'reason':'forbidden'}]}"));
        QVERIFY(result);
        QVERIFY(result->duplicate);
        QCOMPARE(result->stored, 1);
        QCOMPARE(result->undelivered,
                 (QList<InboxUndelivered>{{2, 7, InboxRefusal::NotRegistered},
                                          {3, 8, InboxRefusal::Full},
                                          {4, 9, InboxRefusal::Forbidden}}));

        const auto message = InboxMessage::decode(inboxMessage());
        QVERIFY(message);
        QCOMPARE(message.value(), (InboxMessage{1, 2, 0xffffffffu, bytes(100), 1795000300000LL}));
        const auto page = InboxPage::decode(
            QJsonObject{{u"messages"_s, QJsonArray{inboxMessage()}}, {u"more"_s, true}});
        QVERIFY(page);
        QCOMPARE(page->messages, QList<InboxMessage>{message.value()});
        QVERIFY(page->more);
    }

    void encodingNamesWhatTheSpecNames()
    {
        // What goes on the wire: snake_case names, bytes in padded base64.
        QCOMPARE(
            (SendToInbox{u"c-1"_s, {{2, 0xffffffffu, QByteArray("\x01\x02\x03")}}}.encode()),
            j("{'client_id':'c-1','messages':[{'user':2,'device':4294967295,'body':'AQID'}]}"));
        QCOMPARE((FetchInbox{17, 100}.encode()), j("{'after':17,'limit':100}"));
        QCOMPARE(AckInbox{17}.encode(), j("{'up_to':17}"));
        QCOMPARE((InboxSent{false, 1, {}}.encode()),
                 j("{'duplicate':false,'stored':1,'undelivered':[]}"));
        QCOMPARE((InboxSent{true,
                            0,
                            {{2, 7, InboxRefusal::NotRegistered},
                             {3, 8, InboxRefusal::Full},
                             {4, 9, InboxRefusal::Forbidden}}}
                      .encode()),
                 j("{'duplicate':true,'stored':0,'undelivered':["
                   "{'user':2,'device':7,'reason':'not_registered'},"
                   "{'user':3,'device':8,'reason':'full'},"
                   "{'user':4,'device':9,'reason':'forbidden'}]}"));
        QCOMPARE((InboxMessage{5, 2, 7, QByteArray("\xff\xfe"), 9}.encode()),
                 j("{'seq':5,'user':2,'device':7,'body':'//4=','time':9}"));
        QCOMPARE((InboxPage{{}, false}.encode()), j("{'messages':[],'more':false}"));
        QCOMPARE(InboxMessage::decode(inboxMessage())->encode(), inboxMessage());
    }

    void theEventFrameNamesItsType()
    {
        const InboxMessage message{5, 2, 7, QByteArray("\xff\xfe"), 9};
        const QJsonObject frame = eventFrame(message);
        QCOMPARE(frame, j("{'type':'inbox','seq':5,'user':2,'device':7,'body':'//4=','time':9}"));
        QCOMPARE(InboxMessage::decode(frame).value(), message);
    }

    void theSpecNamesExactlyTheseTypes()
    {
        QFile file(qEnvironmentVariable("TIDINGS_SOURCE_DIR") + u"/docs/protocol.md"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString spec = QString::fromUtf8(file.readAll());
        // The device inbox's requests are the headings from its own to the next end-to-end
        // encryption subsection or section 5.
        QCOMPARE(headings(spec, u"### End-to-end encryption: the device inbox"_s,
                          u"### End-to-end encryption:"_s),
                 setOf(deviceInboxRequests()));
        QCOMPARE(deviceInboxRequests().size(), 3);
        // Its event is section 5's.
        QVERIFY(headings(spec, u"## 5. Events"_s, u"## "_s).contains(setOf(deviceInboxEvents())));
        QCOMPARE(deviceInboxEvents(), QStringList{u"inbox"_s});
        // Both are in the catalog tst_protocol_spec holds against sections 4 and 5.
        QVERIFY(setOf(typedRequests()).contains(setOf(deviceInboxRequests())));
        QVERIFY(setOf(typedEvents()).contains(setOf(deviceInboxEvents())));
        // Section 6 has its limits.
        const QString limits = spec.mid(spec.indexOf(u"\n## 6. Limits"_s));
        QVERIFY(limits.contains(u"| an inbox `body` (decoded) | 64 KiB | `too_large` |"_s));
        QVERIFY(limits.contains(u"| recipients per `inbox.send` | 1000 | `too_large` |"_s));
    }

    void typesAreTheSpecs()
    {
        QCOMPARE(QLatin1StringView(SendToInbox::kType), "inbox.send"_L1);
        QCOMPARE(QLatin1StringView(FetchInbox::kType), "inbox.fetch"_L1);
        QCOMPARE(QLatin1StringView(AckInbox::kType), "inbox.ack"_L1);
        QCOMPARE(QLatin1StringView(InboxMessage::kType), "inbox"_L1);
        QCOMPARE(SendToInbox::kMaxRecipients, 1000);
        QCOMPARE(SendToInbox::kMaxBodyBytes, 64 * 1024);
    }
};

QTEST_GUILESS_MAIN(TestProtocolDeviceInbox)
#include "tst_protocol_device_inbox.moc"
