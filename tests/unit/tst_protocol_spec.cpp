// docs/protocol.md documents exactly the frame types the relay accepts and sends.
#include "chat/handlers/handlers.h"
#include "chat/wire.h"
#include "protocol/messages/catalog.h"
#include "protocol/messages/events.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using namespace tidings::relay;
using namespace Qt::StringLiterals;

namespace {

/// The "### `name`" headings between the heading starting with `section` and the next "## ".
QSet<QString> documentedTypes(const QString &spec, const QString &section)
{
    const qsizetype start = spec.indexOf(u"\n## "_s + section);
    if (start < 0)
        return {};
    qsizetype end = spec.indexOf(u"\n## "_s, start + 1);
    if (end < 0)
        end = spec.size();
    const QString part = spec.mid(start, end - start);
    QSet<QString> types;
    static const QRegularExpression heading(u"\\n### `([a-z0-9_.]+)`"_s);
    auto matches = heading.globalMatch(part);
    while (matches.hasNext())
        types.insert(matches.next().captured(1));
    return types;
}

QString describe(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return list.join(u", "_s);
}

} // namespace

class TestProtocolSpec : public QObject
{
    Q_OBJECT

    QString m_spec;

private Q_SLOTS:
    void initTestCase()
    {
        QFile file(qEnvironmentVariable("TIDINGS_SOURCE_DIR") + u"/docs/protocol.md"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        m_spec = QString::fromUtf8(file.readAll());
    }

    void everyRequestIsDocumented()
    {
        const auto handlers = allHandlers();
        const QSet<QString> code(handlers.keyBegin(), handlers.keyEnd());
        const QSet<QString> spec = documentedTypes(m_spec, u"4. Requests"_s);
        QVERIFY(!code.isEmpty());
        QVERIFY2(code - spec == QSet<QString>(),
                 qPrintable(u"accepted but not documented: "_s + describe(code - spec)));
        QVERIFY2(spec - code == QSet<QString>(),
                 qPrintable(u"documented but not accepted: "_s + describe(spec - code)));
    }

    void everyRequestHasAValueType()
    {
        // common/protocol/messages holds a value type for each request the spec names, and
        // only for those (issue 18).
        const QStringList typedList = tidings::protocol::messages::typedRequests();
        const QSet<QString> typed(typedList.begin(), typedList.end());
        QCOMPARE(typed.size(), typedList.size()); // no type listed twice
        const QSet<QString> spec = documentedTypes(m_spec, u"4. Requests"_s);
        QVERIFY2(typed - spec == QSet<QString>(),
                 qPrintable(u"typed but not documented: "_s + describe(typed - spec)));
        QVERIFY2(spec - typed == QSet<QString>(),
                 qPrintable(u"documented but not typed: "_s + describe(spec - typed)));
    }

    void everyEventHasAValueType()
    {
        // ... and one for each event (section 5), which the app reads them through.
        const QStringList typedList = tidings::protocol::messages::typedEvents();
        const QSet<QString> typed(typedList.begin(), typedList.end());
        QCOMPARE(typed.size(), typedList.size());
        const QSet<QString> spec = documentedTypes(m_spec, u"5. Events"_s);
        QVERIFY2(typed - spec == QSet<QString>(),
                 qPrintable(u"typed but not documented: "_s + describe(typed - spec)));
        QVERIFY2(spec - typed == QSet<QString>(),
                 qPrintable(u"documented but not typed: "_s + describe(spec - typed)));
    }

    void everyEventIsDocumented()
    {
        const QStringList events = eventTypes();
        const QSet<QString> code(events.begin(), events.end());
        const QSet<QString> spec = documentedTypes(m_spec, u"5. Events"_s);
        QVERIFY2(code - spec == QSet<QString>(),
                 qPrintable(u"sent but not documented: "_s + describe(code - spec)));
        QVERIFY2(spec - code == QSet<QString>(),
                 qPrintable(u"documented but not sent: "_s + describe(spec - code)));
    }

    void eventsEncodedOnceSayWhatTheirObjectSays()
    {
        // The message path writes events straight to bytes (wire::eventJson); what it
        // writes must be the object wire::event() describes, member for member.
        EventRecord record;
        record.conversationId = 7;
        record.seq = 42;
        record.kind = u"message"_s;
        record.senderId = 3;
        record.createdAt = 1764950400123;
        record.clientId = u"c-\"1\"\n"_s;
        record.body
            = {{u"text"_s, u"héllo \\ \u0001 🎉"_s},
               {u"reply_to"_s, 40},
               {u"attachments"_s, QJsonArray{QJsonObject{{u"id"_s, u"ab"_s}, {u"size"_s, 5}}}},
               {u"seq"_s, 1}}; // a body member never overrides the envelope
        const QByteArray json = wire::eventJson(record);
        QCOMPARE(QJsonDocument::fromJson(json).object(), wire::event(record));
        QJsonObject frame = wire::event(record);
        frame.insert(u"type"_s, u"event"_s);
        QCOMPARE(QJsonDocument::fromJson(wire::eventFrame(json)).object(), frame);
        // ... and the value type the app reads it with takes it as it is.
        const auto entry = tidings::protocol::messages::LogEntry::decode(
            QJsonDocument::fromJson(wire::eventFrame(json)).object());
        QVERIFY(entry);
        QCOMPARE(entry->seq, 42);
        QCOMPARE(entry->clientId, record.clientId);
        QCOMPARE(tidings::protocol::messages::MessageState::decode(entry->body).value().replyTo,
                 40);

        record.clientId.clear();
        record.targetSeq = 40;
        record.kind = u"reaction"_s;
        record.body = {};
        QCOMPARE(QJsonDocument::fromJson(wire::eventJson(record)).object(), wire::event(record));
    }

    void repliesAreDocumented()
    {
        QVERIFY(m_spec.contains(u"{\"type\": \"result\""_s));
        QVERIFY(m_spec.contains(u"{\"type\": \"error\""_s));
    }
};

QTEST_GUILESS_MAIN(TestProtocolSpec)
#include "tst_protocol_spec.moc"
