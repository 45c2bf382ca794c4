// Messages, edits, deletes, reactions, receipts, sync and history — against the real relay.
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

qint64 seqOf(const QJsonObject &reply)
{
    return reply.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
}

/// The message with `seq` as history shows it now.
QJsonObject messageAt(ProtocolClient &client, qint64 conversation, qint64 seq)
{
    const QJsonArray events
        = client
              .request(u"history"_s,
                       {{u"conversation"_s, conversation}, {u"after"_s, seq - 1}, {u"limit"_s, 1}})
              .value(u"events"_s)
              .toArray();
    return events.isEmpty() ? QJsonObject() : events.first().toObject();
}

} // namespace

class TestMessages : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    struct Pair
    {
        std::unique_ptr<ProtocolClient> alice = std::make_unique<ProtocolClient>();
        std::unique_ptr<ProtocolClient> bob = std::make_unique<ProtocolClient>();
        qint64 aliceId = 0;
        qint64 bobId = 0;
        qint64 direct = 0;
    };

    Pair pair()
    {
        Pair p;
        const int n = ++m_users;
        p.aliceId = p.alice->signUp(m_relay.webSocketUrl(), u"alice%1"_s.arg(n));
        p.bobId = p.bob->signUp(m_relay.webSocketUrl(), u"bob%1"_s.arg(n));
        p.direct = p.alice->openDirect(p.bobId);
        p.bob->next(u"event"_s); // "created"
        return p;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void sendReachesEveryDeviceOfEveryMember()
    {
        Pair p = pair();
        ProtocolClient aliceLaptop, bobLaptop;
        QVERIFY(aliceLaptop.signIn(m_relay.webSocketUrl(), u"alice%1"_s.arg(m_users)));
        QVERIFY(bobLaptop.signIn(m_relay.webSocketUrl(), u"bob%1"_s.arg(m_users)));

        const QJsonObject sent = p.alice->sendMessage(p.direct, u"c-1"_s, u"Hello, Bob 👋"_s);
        QVERIFY2(ok(sent), qPrintable(sent.value(u"message"_s).toString()));
        QCOMPARE(sent.value(u"duplicate"_s).toBool(), false);
        const QJsonObject event = sent.value(u"event"_s).toObject();
        QCOMPARE(event.value(u"seq"_s).toInteger(), 2); // after "created"
        QCOMPARE(event.value(u"kind"_s).toString(), u"message"_s);
        QCOMPARE(event.value(u"sender"_s).toInteger(), p.aliceId);
        QVERIFY(event.value(u"time"_s).toInteger() > 0);

        for (ProtocolClient *device : {p.bob.get(), &bobLaptop, &aliceLaptop}) {
            const QJsonObject received = device->next(u"event"_s);
            QCOMPARE(received.value(u"text"_s).toString(), u"Hello, Bob 👋"_s);
            QCOMPARE(received.value(u"seq"_s).toInteger(), 2);
            QCOMPARE(received.value(u"client_id"_s).toString(), u"c-1"_s);
        }
        // The sending device got it as its reply, not twice.
        QVERIFY(!p.alice->receives(u"event"_s, 300));
    }

    void retriesAreIdempotent()
    {
        Pair p = pair();
        const QJsonObject first = p.alice->sendMessage(p.direct, u"same-id"_s, u"once"_s);
        QVERIFY(ok(first));
        QVERIFY(p.bob->receives(u"event"_s, 5000));

        for (const QString &body : {u"once"_s, u"a changed body"_s}) {
            const QJsonObject again = p.alice->sendMessage(p.direct, u"same-id"_s, body);
            QVERIFY(ok(again));
            QCOMPARE(again.value(u"duplicate"_s).toBool(), true);
            QCOMPARE(seqOf(again), seqOf(first));
            QCOMPARE(again.value(u"event"_s).toObject().value(u"text"_s).toString(), u"once"_s);
        }
        QVERIFY(!p.bob->receives(u"event"_s, 300)); // nothing new went out
        // The same client id for another kind of request is a conflict, not a replay.
        QCOMPARE(code(p.alice->request(u"message.delete"_s,
                                       {{u"conversation"_s, p.direct},
                                        {u"client_id"_s, u"same-id"_s},
                                        {u"seq"_s, seqOf(first)}})),
                 u"conflict"_s);
        QCOMPARE(p.alice->request(u"history"_s, {{u"conversation"_s, p.direct}})
                     .value(u"events"_s)
                     .toArray()
                     .size(),
                 2);
    }

    void messageRules()
    {
        Pair p = pair();
        QCOMPARE(code(p.alice->sendMessage(p.direct, u"r1"_s, u"   "_s)), u"bad_request"_s);
        QCOMPARE(code(p.alice->sendMessage(p.direct, u"r2"_s, QString(65537, u'x'))),
                 u"too_large"_s);
        QVERIFY(ok(p.alice->sendMessage(p.direct, u"r3"_s, QString(65536, u'x'))));
        QCOMPARE(code(p.alice->request(u"message.send"_s,
                                       {{u"conversation"_s, p.direct}, {u"text"_s, u"no id"_s}})),
                 u"bad_request"_s);
        QCOMPARE(code(p.alice->request(
                     u"message.send"_s,
                     {{u"conversation"_s, p.direct}, {u"client_id"_s, u"r4"_s}, {u"text"_s, 42}})),
                 u"bad_request"_s);
        QCOMPARE(code(p.alice->sendMessage(p.direct, u"r5"_s, u"re"_s, {{u"reply_to"_s, 999}})),
                 u"not_found"_s);
        const QJsonObject reply
            = p.alice->sendMessage(p.direct, u"r6"_s, u"re"_s, {{u"reply_to"_s, 2}});
        QCOMPARE(reply.value(u"event"_s).toObject().value(u"reply_to"_s).toInteger(), 2);
        QCOMPARE(code(p.alice->sendMessage(p.direct, u"r7"_s, u"x"_s,
                                           {{u"attachments"_s, u"photo.jpg"_s}})),
                 u"bad_request"_s);
        // An attachment names an uploaded file (tst_media sends real ones).
        QCOMPARE(code(p.alice->sendMessage(
                     p.direct, u"r8"_s, QString(),
                     {{u"attachments"_s, QJsonArray{QJsonObject{{u"name"_s, u"a.pdf"_s}}}}})),
                 u"bad_request"_s);
    }

    void editDeleteReact()
    {
        Pair p = pair();
        const qint64 seq = seqOf(p.alice->sendMessage(p.direct, u"e1"_s, u"teh typo"_s));
        p.bob->takeEvents();

        QCOMPARE(code(p.bob->request(u"message.edit"_s,
                                     {{u"conversation"_s, p.direct},
                                      {u"client_id"_s, u"e2"_s},
                                      {u"seq"_s, seq},
                                      {u"text"_s, u"mine now"_s}})),
                 u"forbidden"_s);
        const QJsonObject edited = p.alice->request(u"message.edit"_s,
                                                    {{u"conversation"_s, p.direct},
                                                     {u"client_id"_s, u"e3"_s},
                                                     {u"seq"_s, seq},
                                                     {u"text"_s, u"the typo"_s}});
        QVERIFY(ok(edited));
        QCOMPARE(edited.value(u"event"_s).toObject().value(u"kind"_s).toString(), u"edit"_s);
        QCOMPARE(edited.value(u"event"_s).toObject().value(u"target_seq"_s).toInteger(), seq);
        QCOMPARE(p.bob->next(u"event"_s).value(u"text"_s).toString(), u"the typo"_s);
        QJsonObject now = messageAt(*p.bob, p.direct, seq);
        QCOMPARE(now.value(u"text"_s).toString(), u"the typo"_s);
        QVERIFY(now.value(u"edited_at"_s).toInteger() > 0);

        QVERIFY(ok(p.bob->request(u"message.react"_s,
                                  {{u"conversation"_s, p.direct},
                                   {u"client_id"_s, u"e4"_s},
                                   {u"seq"_s, seq},
                                   {u"emoji"_s, u"👍"_s}})));
        QCOMPARE(code(p.bob->request(u"message.react"_s,
                                     {{u"conversation"_s, p.direct},
                                      {u"client_id"_s, u"e5"_s},
                                      {u"seq"_s, seq},
                                      {u"emoji"_s, u"👍"_s}})),
                 u"conflict"_s);
        QCOMPARE(code(p.bob->request(u"message.react"_s,
                                     {{u"conversation"_s, p.direct},
                                      {u"client_id"_s, u"e6"_s},
                                      {u"seq"_s, seq},
                                      {u"emoji"_s, u"a b"_s}})),
                 u"bad_request"_s);
        const QJsonObject reaction = p.alice->next(u"event"_s);
        QCOMPARE(reaction.value(u"kind"_s).toString(), u"reaction"_s);
        QCOMPARE(reaction.value(u"emoji"_s).toString(), u"👍"_s);
        QCOMPARE(reaction.value(u"on"_s).toBool(), true);
        now = messageAt(*p.alice, p.direct, seq);
        QCOMPARE(now.value(u"reactions"_s).toObject().value(u"👍"_s).toArray(), QJsonArray{p.bobId});
        QVERIFY(ok(p.bob->request(u"message.react"_s,
                                  {{u"conversation"_s, p.direct},
                                   {u"client_id"_s, u"e7"_s},
                                   {u"seq"_s, seq},
                                   {u"emoji"_s, u"👍"_s},
                                   {u"on"_s, false}})));
        QVERIFY(!messageAt(*p.alice, p.direct, seq).contains(u"reactions"_s));

        QCOMPARE(code(p.bob->request(
                     u"message.delete"_s,
                     {{u"conversation"_s, p.direct}, {u"client_id"_s, u"e8"_s}, {u"seq"_s, seq}})),
                 u"forbidden"_s);
        QVERIFY(ok(p.alice->request(
            u"message.delete"_s,
            {{u"conversation"_s, p.direct}, {u"client_id"_s, u"e9"_s}, {u"seq"_s, seq}})));
        p.bob->takeEvents();
        now = messageAt(*p.bob, p.direct, seq);
        QCOMPARE(now.value(u"deleted"_s).toBool(), true);
        QVERIFY(!now.contains(u"text"_s)); // gone from the store, not just hidden
        // ...and so are the earlier versions of its text: the edit is still in the log,
        // saying only that it was deleted.
        const QJsonArray log = p.bob->request(u"history"_s, {{u"conversation"_s, p.direct}})
                                   .value(u"events"_s)
                                   .toArray();
        int edits = 0;
        for (const QJsonValue &value : log) {
            const QJsonObject event = value.toObject();
            if (event.value(u"kind"_s).toString() != u"edit")
                continue;
            ++edits;
            QCOMPARE(event.value(u"target_seq"_s).toInteger(), seq);
            QVERIFY2(!event.contains(u"text"_s), qPrintable(QJsonDocument(event).toJson()));
            QCOMPARE(event.value(u"deleted"_s).toBool(), true);
        }
        QCOMPARE(edits, 1);
        QCOMPARE(code(p.alice->request(u"message.edit"_s,
                                       {{u"conversation"_s, p.direct},
                                        {u"client_id"_s, u"e10"_s},
                                        {u"seq"_s, seq},
                                        {u"text"_s, u"x"_s}})),
                 u"conflict"_s);
        // Only messages can be edited: "created" (seq 1) is not one.
        QCOMPARE(code(p.alice->request(u"message.edit"_s,
                                       {{u"conversation"_s, p.direct},
                                        {u"client_id"_s, u"e11"_s},
                                        {u"seq"_s, 1},
                                        {u"text"_s, u"x"_s}})),
                 u"not_found"_s);
    }

    void reactionsAreBounded()
    {
        Pair p = pair();
        const qint64 seq = seqOf(p.alice->sendMessage(p.direct, u"popular"_s, u"react to me"_s));
        for (int i = 0; i < 64; ++i) {
            QVERIFY(ok(p.bob->request(u"message.react"_s,
                                      {{u"conversation"_s, p.direct},
                                       {u"client_id"_s, u"x%1"_s.arg(i)},
                                       {u"seq"_s, seq},
                                       {u"emoji"_s, u"e%1"_s.arg(i)}})));
        }
        QCOMPARE(code(p.bob->request(u"message.react"_s,
                                     {{u"conversation"_s, p.direct},
                                      {u"client_id"_s, u"x64"_s},
                                      {u"seq"_s, seq},
                                      {u"emoji"_s, u"one-too-many"_s}})),
                 u"too_large"_s);
        // Another user may still join an existing reaction.
        QVERIFY(ok(p.alice->request(u"message.react"_s,
                                    {{u"conversation"_s, p.direct},
                                     {u"client_id"_s, u"a1"_s},
                                     {u"seq"_s, seq},
                                     {u"emoji"_s, u"e7"_s}})));
    }

    void receiptsAreMonotonicCursors()
    {
        Pair p = pair();
        for (int i = 0; i < 5; ++i)
            p.alice->sendMessage(p.direct, u"rc%1"_s.arg(i), u"m%1"_s.arg(i));
        p.alice->takeEvents();

        QJsonObject reply = p.bob->request(
            u"receipt"_s, {{u"conversation"_s, p.direct}, {u"delivered_seq"_s, 6}});
        QCOMPARE(reply.value(u"delivered_seq"_s).toInteger(), 6);
        QCOMPARE(reply.value(u"read_seq"_s).toInteger(), 0);
        QJsonObject receipt = p.alice->next(u"receipt"_s);
        QCOMPARE(receipt.value(u"user"_s).toInteger(), p.bobId);
        QCOMPARE(receipt.value(u"delivered_seq"_s).toInteger(), 6);

        reply = p.bob->request(u"receipt"_s, {{u"conversation"_s, p.direct}, {u"read_seq"_s, 4}});
        QCOMPARE(reply.value(u"read_seq"_s).toInteger(), 4);
        QCOMPARE(p.alice->next(u"receipt"_s).value(u"read_seq"_s).toInteger(), 4);

        // Never backwards, never past the end; no news is not sent.
        reply = p.bob->request(
            u"receipt"_s,
            {{u"conversation"_s, p.direct}, {u"read_seq"_s, 2}, {u"delivered_seq"_s, 1}});
        QCOMPARE(reply.value(u"read_seq"_s).toInteger(), 4);
        QCOMPARE(reply.value(u"delivered_seq"_s).toInteger(), 6);
        QVERIFY(!p.alice->receives(u"receipt"_s, 300));
        reply
            = p.bob->request(u"receipt"_s, {{u"conversation"_s, p.direct}, {u"read_seq"_s, 1000}});
        QCOMPARE(reply.value(u"read_seq"_s).toInteger(), 6);
        QCOMPARE(code(p.bob->request(u"receipt"_s, {{u"conversation"_s, p.direct}})),
                 u"bad_request"_s);

        // The cursors are what others see in the conversation.
        const QJsonArray members
            = p.alice->request(u"conversation.get"_s, {{u"conversation"_s, p.direct}})
                  .value(u"conversation"_s)
                  .toObject()
                  .value(u"members"_s)
                  .toArray();
        for (const QJsonValue &member : members) {
            if (member.toObject().value(u"user"_s).toInteger() == p.bobId)
                QCOMPARE(member.toObject().value(u"read_seq"_s).toInteger(), 6);
        }
    }

    void syncPagesThroughEverythingMissed()
    {
        ProtocolClient alice;
        const qint64 aliceId = alice.signUp(m_relay.webSocketUrl(), u"syncalice"_s);
        QVERIFY(aliceId);
        ProtocolClient carol;
        const qint64 carolId = carol.signUp(m_relay.webSocketUrl(), u"synccarol"_s);
        carol.close(); // offline from here on

        QList<qint64> groups;
        for (int g = 0; g < 3; ++g) {
            const QJsonObject created = alice.request(
                u"group.create"_s,
                {{u"title"_s, u"G%1"_s.arg(g)}, {u"members"_s, QJsonArray{carolId}}});
            groups.append(created.value(u"conversation"_s).toObject().value(u"id"_s).toInteger());
        }
        for (int i = 0; i < 40; ++i)
            QVERIFY(
                ok(alice.sendMessage(groups.at(i % 3), u"s%1"_s.arg(i), u"message %1"_s.arg(i))));

        ProtocolClient back;
        QVERIFY(back.signIn(m_relay.webSocketUrl(), u"synccarol"_s));
        QHash<qint64, qint64> cursors;
        QHash<qint64, QList<qint64>> seen;
        int pages = 0;
        bool more = true;
        while (more) {
            QJsonArray cursorArray;
            for (auto it = cursors.cbegin(); it != cursors.cend(); ++it)
                cursorArray.append(
                    QJsonObject{{u"conversation"_s, it.key()}, {u"seq"_s, it.value()}});
            const QJsonObject page
                = back.request(u"sync"_s, {{u"cursors"_s, cursorArray}, {u"limit"_s, 7}});
            QVERIFY(ok(page));
            const QJsonArray events = page.value(u"events"_s).toArray();
            QVERIFY(events.size() <= 7);
            for (const QJsonValue &event : events)
                seen[event.toObject().value(u"conversation"_s).toInteger()].append(
                    event.toObject().value(u"seq"_s).toInteger());
            const QJsonArray newCursors = page.value(u"cursors"_s).toArray();
            for (const QJsonValue &cursor : newCursors)
                cursors.insert(cursor.toObject().value(u"conversation"_s).toInteger(),
                               cursor.toObject().value(u"seq"_s).toInteger());
            more = page.value(u"more"_s).toBool();
            QVERIFY(++pages < 50);
        }
        // Every event of every conversation, in order, none twice, none missing:
        // 1 "created" + 13 or 14 messages each.
        int total = 0;
        for (const qint64 group : std::as_const(groups)) {
            const QList<qint64> seqs = seen.value(group);
            QVERIFY(!seqs.isEmpty());
            for (qsizetype i = 0; i < seqs.size(); ++i)
                QCOMPARE(seqs.at(i), i + 1);
            total += seqs.size();
        }
        QCOMPARE(total, 3 + 40);
        QVERIFY(pages >= 7);
        // Up to date: nothing more.
        QJsonArray cursorArray;
        for (auto it = cursors.cbegin(); it != cursors.cend(); ++it)
            cursorArray.append(QJsonObject{{u"conversation"_s, it.key()}, {u"seq"_s, it.value()}});
        const QJsonObject last = back.request(u"sync"_s, {{u"cursors"_s, cursorArray}});
        QVERIFY(last.value(u"events"_s).toArray().isEmpty());
        QCOMPARE(last.value(u"more"_s).toBool(), false);
    }

    void bigEventsMakeSmallerPages()
    {
        // Pages stop at about 1 MiB whatever `limit` says: 30 messages of 60 KB come in
        // several pages, each well under the 8 MiB a session may have unsent, none lost.
        Pair p = pair();
        const QString big(60000, u'b');
        for (int i = 0; i < 30; ++i) {
            QJsonObject sent;
            QTRY_VERIFY_WITH_TIMEOUT(ok(sent = p.alice->sendMessage(p.direct, u"big%1"_s.arg(i),
                                                                    big + QString::number(i))),
                                     20000);
        }
        const auto pageBytes = [](const QJsonObject &page) {
            return QJsonDocument(page).toJson(QJsonDocument::Compact).size();
        };
        // Backwards.
        QList<qint64> seqs;
        qint64 before = 0;
        int pages = 0;
        for (bool more = true; more; ++pages) {
            QJsonObject fields{{u"conversation"_s, p.direct}, {u"limit"_s, 500}};
            if (before)
                fields.insert(u"before"_s, before);
            const QJsonObject page = p.bob->request(u"history"_s, fields);
            QVERIFY(ok(page));
            QVERIFY2(pageBytes(page) < 1200 * 1024, qPrintable(QString::number(pageBytes(page))));
            const QJsonArray events = page.value(u"events"_s).toArray();
            QVERIFY(!events.isEmpty());
            for (qsizetype i = events.size() - 1; i >= 0; --i)
                seqs.prepend(events.at(i).toObject().value(u"seq"_s).toInteger());
            before = events.first().toObject().value(u"seq"_s).toInteger();
            more = page.value(u"more"_s).toBool();
            QVERIFY(pages < 20);
        }
        QVERIFY(pages >= 2);
        QCOMPARE(seqs.size(), 31);
        for (qsizetype i = 0; i < seqs.size(); ++i)
            QCOMPARE(seqs.at(i), i + 1);
        // Forwards, and through sync.
        qint64 after = 0;
        for (bool more = true; more;) {
            const QJsonObject page = p.bob->request(
                u"history"_s,
                {{u"conversation"_s, p.direct}, {u"after"_s, after}, {u"limit"_s, 500}});
            QVERIFY(pageBytes(page) < 1200 * 1024);
            const QJsonArray events = page.value(u"events"_s).toArray();
            QVERIFY(!events.isEmpty());
            QCOMPARE(events.first().toObject().value(u"seq"_s).toInteger(), after + 1);
            after = events.last().toObject().value(u"seq"_s).toInteger();
            more = page.value(u"more"_s).toBool();
        }
        QCOMPARE(after, 31);
        QJsonArray cursors;
        qint64 reached = 0;
        pages = 0;
        for (bool more = true; more; ++pages) {
            const QJsonObject page
                = p.bob->request(u"sync"_s, {{u"cursors"_s, cursors}, {u"limit"_s, 500}});
            QVERIFY(ok(page));
            QVERIFY(pageBytes(page) < 1200 * 1024);
            for (const QJsonValue &event : page.value(u"events"_s).toArray()) {
                if (event.toObject().value(u"conversation"_s).toInteger() != p.direct)
                    continue;
                QCOMPARE(event.toObject().value(u"seq"_s).toInteger(), reached + 1);
                reached = event.toObject().value(u"seq"_s).toInteger();
            }
            cursors = page.value(u"cursors"_s).toArray();
            more = page.value(u"more"_s).toBool();
            QVERIFY(pages < 20);
        }
        QCOMPARE(reached, 31);
        QVERIFY(pages >= 2);
    }

    void historyPagesBackwards()
    {
        Pair p = pair();
        for (int i = 0; i < 25; ++i)
            p.alice->sendMessage(p.direct, u"h%1"_s.arg(i), u"n%1"_s.arg(i));
        // Newest first page, then older ones, each ascending.
        QJsonObject page
            = p.bob->request(u"history"_s, {{u"conversation"_s, p.direct}, {u"limit"_s, 10}});
        QJsonArray events = page.value(u"events"_s).toArray();
        QCOMPARE(events.size(), 10);
        QCOMPARE(events.first().toObject().value(u"seq"_s).toInteger(), 17);
        QCOMPARE(events.last().toObject().value(u"seq"_s).toInteger(), 26);
        QCOMPARE(page.value(u"more"_s).toBool(), true);
        page = p.bob->request(u"history"_s,
                              {{u"conversation"_s, p.direct}, {u"before"_s, 17}, {u"limit"_s, 10}});
        events = page.value(u"events"_s).toArray();
        QCOMPARE(events.first().toObject().value(u"seq"_s).toInteger(), 7);
        page = p.bob->request(u"history"_s,
                              {{u"conversation"_s, p.direct}, {u"before"_s, 7}, {u"limit"_s, 10}});
        events = page.value(u"events"_s).toArray();
        QCOMPARE(events.size(), 6);
        QCOMPARE(events.first().toObject().value(u"kind"_s).toString(), u"created"_s);
        QCOMPARE(page.value(u"more"_s).toBool(), false);
        QCOMPARE(
            code(p.bob->request(u"history"_s, {{u"conversation"_s, p.direct}, {u"limit"_s, 501}})),
            u"bad_request"_s);
        QCOMPARE(
            code(p.bob->request(
                u"history"_s, {{u"conversation"_s, p.direct}, {u"before"_s, 5}, {u"after"_s, 1}})),
            u"bad_request"_s);
    }
};

QTEST_GUILESS_MAIN(TestMessages)
#include "tst_messages.moc"
