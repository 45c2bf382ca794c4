// The app's local store on real SQLite: applying the relay's log in and out of order, the
// outbox, receipts, search.
#include "core/local_queries.h"
#include "core/local_store.h"
#include "protocol/messages/message_requests.h"
#include "support/await.h"
#include "support/log_entries.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMe = 1;
constexpr qint64 kBob = 2;
constexpr qint64 kConversation = 10;

QJsonObject message(qint64 seq, qint64 sender, const QString &text, const QString &clientId = {})
{
    return messageEntry(kConversation, seq, sender, text, clientId);
}

QJsonObject change(qint64 seq, const QString &kind, qint64 target, qint64 sender,
                   const QJsonObject &fields = {})
{
    return changeEntry(kConversation, seq, kind, target, sender, fields);
}

} // namespace

class TestLocalStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    std::unique_ptr<LocalStore> m_store;

    template<typename T> Result<T> write(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(m_store->write<T>(std::move(job)));
    }
    local::Applied apply(const QJsonObject &event)
    {
        auto applied = write<local::Applied>(
            [event](QSqlDatabase &db) { return local::applyEvent(db, event, kMe); });
        if (!applied)
            qFatal("apply: %s", qPrintable(applied.error().message));
        return *applied;
    }
    QList<local::Message> messages()
    {
        return *await(m_store->read<QList<local::Message>>(
            [](QSqlDatabase &db) { return local::messages(db, kConversation, 0, 100); }));
    }
    local::Conversation conversation()
    {
        return *await(m_store->read<local::Conversation>(
            [](QSqlDatabase &db) { return local::conversation(db, kConversation, kMe); }));
    }

private Q_SLOTS:
    void init()
    {
        m_directory = std::make_unique<QTemporaryDir>();
        m_store = std::make_unique<LocalStore>(m_directory->filePath(u"local/tidings.db"_s));
        const auto opened = await(m_store->open());
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().message));
        QCOMPARE(*opened, 8); // the schema version
        const QJsonObject direct{
            {u"id"_s, kConversation},
            {u"kind"_s, u"direct"_s},
            {u"last_seq"_s, 1},
            {u"member_count"_s, 2},
            {u"me"_s,
             QJsonObject{{u"user"_s, kMe}, {u"role"_s, u"member"_s}, {u"joined_seq"_s, 1}}},
            {u"members"_s,
             QJsonArray{QJsonObject{{u"user"_s, kMe}}, QJsonObject{{u"user"_s, kBob}}}}};
        QVERIFY(write<bool>([direct](QSqlDatabase &db) -> Result<bool> {
                    if (auto stored = local::storeConversation(db, direct); !stored)
                        return stored.error();
                    return true;
                }).ok());
    }
    void cleanup() { m_store.reset(); }

    void inOrderDuplicatesAndGaps()
    {
        QVERIFY(apply(QJsonObject{{u"conversation"_s, kConversation},
                                  {u"seq"_s, 1},
                                  {u"kind"_s, u"created"_s},
                                  {u"sender"_s, kMe},
                                  {u"time"_s, 1},
                                  {u"members"_s, QJsonArray{kMe, kBob}}})
                    .applied);
        local::Applied applied = apply(message(2, kBob, u"hello"_s));
        QVERIFY(applied.applied);
        QCOMPARE(applied.syncedSeq, 2);
        // The same entry again: nothing happens.
        applied = apply(message(2, kBob, u"hello"_s));
        QVERIFY(!applied.applied);
        QCOMPARE(messages().size(), 2);

        // 4 before 3: 4 shows (it is a message) but the cursor waits; 3 closes the gap.
        applied = apply(message(4, kBob, u"four"_s));
        QVERIFY(applied.gap);
        QCOMPARE(applied.syncedSeq, 2);
        QCOMPARE(messages().size(), 3);
        QCOMPARE(conversation().lastActivity, 1004); // shown, so it counts as activity
        applied = apply(message(3, kBob, u"three"_s));
        QVERIFY(applied.applied);
        QCOMPARE(applied.syncedSeq, 4);
        const QList<local::Message> list = messages();
        QStringList texts;
        for (const local::Message &m : list)
            texts.append(m.body.value(u"text"_s).toString());
        QCOMPARE(texts, (QStringList{QString(), u"hello"_s, u"three"_s, u"four"_s}));
        QCOMPARE(conversation().unread, 3);
        QCOMPARE(conversation().lastMessage->body.value(u"text"_s).toString(), u"four"_s);
        QCOMPARE(conversation().lastActivity, 1004); // never back

        // A change ahead of a gap waits (it will come again in order).
        applied = apply(change(6, u"edit"_s, 2, kBob, {{u"text"_s, u"edited"_s}}));
        QVERIFY(applied.gap);
        QCOMPARE(messages().at(1).body.value(u"text"_s).toString(), u"hello"_s);
    }

    void reactionsTheRelayAcceptedAlwaysApply()
    {
        // The relay holds a message to 64 different reactions, and so does the app for its
        // own before they are sent; but what the relay accepted applies whatever this copy
        // counts (reactions of ours it refused may still be in it).
        apply(message(1, kBob, u"popular"_s));
        qint64 seq = 1;
        for (int i = 0; i < 64; ++i) {
            apply(change(++seq, u"reaction"_s, 1, kMe,
                         {{u"emoji"_s, u"e%1"_s.arg(i)}, {u"on"_s, true}}));
        }
        QCOMPARE(messages().first().body.value(u"reactions"_s).toObject().size(), 64);
        apply(
            change(++seq, u"reaction"_s, 1, kBob, {{u"emoji"_s, u"one more"_s}, {u"on"_s, true}}));
        QCOMPARE(messages().first().body.value(u"reactions"_s).toObject().size(), 65);
        QCOMPARE(messages().first().body.value(u"reactions"_s).toObject().value(u"one more"_s),
                 QJsonArray{kBob});
        // The same again (the optimistic copy came first) changes nothing.
        apply(
            change(++seq, u"reaction"_s, 1, kBob, {{u"emoji"_s, u"one more"_s}, {u"on"_s, true}}));
        QCOMPARE(messages().first().body.value(u"reactions"_s).toObject().value(u"one more"_s),
                 QJsonArray{kBob});
    }

    void editsDeletesReactions()
    {
        apply(message(1, kBob, u"typo"_s));
        apply(change(2, u"edit"_s, 1, kBob, {{u"text"_s, u"fixed"_s}}));
        QCOMPARE(messages().first().body.value(u"text"_s).toString(), u"fixed"_s);
        QVERIFY(messages().first().body.contains(u"edited_at"_s));
        apply(change(3, u"reaction"_s, 1, kMe, {{u"emoji"_s, u"👍"_s}, {u"on"_s, true}}));
        apply(change(4, u"reaction"_s, 1, kBob, {{u"emoji"_s, u"👍"_s}, {u"on"_s, true}}));
        QCOMPARE(
            messages().first().body.value(u"reactions"_s).toObject().value(u"👍"_s).toArray().size(),
            2);
        apply(change(5, u"reaction"_s, 1, kMe, {{u"emoji"_s, u"👍"_s}, {u"on"_s, false}}));
        QCOMPARE(messages().first().body.value(u"reactions"_s).toObject().value(u"👍"_s).toArray(),
                 QJsonArray{kBob});
        apply(change(6, u"delete"_s, 1, kBob));
        QVERIFY(messages().first().body.value(u"deleted"_s).toBool());
        QVERIFY(!messages().first().body.contains(u"text"_s));
        // Nothing resurrects a deleted message.
        apply(change(7, u"edit"_s, 1, kBob, {{u"text"_s, u"zombie"_s}}));
        QVERIFY(!messages().first().body.contains(u"text"_s));
        QCOMPARE(conversation().syncedSeq, 7);
        // Deleted text is not found any more.
        QVERIFY(await(m_store->read<QList<local::Message>>([](QSqlDatabase &db) {
                    return local::search(db, u"fixed"_s, 10);
                }))->isEmpty());
    }

    void theOutboxLifecycle()
    {
        apply(message(1, kBob, u"hi"_s));
        const auto queued = write<local::Message>([](QSqlDatabase &db) {
            return local::queueMessage(db, kConversation, kMe, u"c-1"_s, u"hello bob"_s, 1);
        });
        QVERIFY(queued.ok());
        QCOMPARE(queued->state, u"queued"_s);
        QVERIFY(!queued->seq.has_value());
        // Shown at once, after every message with a seq.
        QCOMPARE(messages().last().body.value(u"text"_s).toString(), u"hello bob"_s);
        auto pending = *await(m_store->read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 10); }));
        QCOMPARE(pending.size(), 1);
        QCOMPARE(pending.first().type, u"message.send"_s);
        QCOMPARE(pending.first().payload.value(u"reply_to"_s).toInteger(), 1);

        // The relay acks with seq 2: the same row becomes "sent", the outbox empties.
        const QJsonObject payload = pending.first().payload;
        const auto done = write<local::Applied>([payload](QSqlDatabase &db) {
            return local::outboxDone(
                db, u"c-1"_s, payload,
                protocol::messages::LogEntry::decode(message(2, kMe, u"hello bob"_s, u"c-1"_s))
                    .value(),
                kMe);
        });
        QVERIFY(done.ok());
        QCOMPARE(done->syncedSeq, 2);
        QCOMPARE(messages().size(), 2);
        QCOMPARE(messages().last().state, u"sent"_s);
        QCOMPARE(*messages().last().seq, 2);
        QVERIFY(await(m_store->read<QList<local::OutboxItem>>([](QSqlDatabase &db) {
                    return local::pendingOutbox(db, 10);
                }))->isEmpty());
        // The same entry by sync later: still one row.
        apply(message(2, kMe, u"hello bob"_s, u"c-1"_s));
        QCOMPARE(messages().size(), 2);
    }

    void whatTheRelayGetsOfAnAttachment()
    {
        // The sender's own copy names its upload and its file on this disk; the relay gets
        // the attachment without them, other members kept. One that does not decode goes
        // as an empty object, so the relay refuses the message rather than the outbox
        // sending a part of it (or the local path).
        const QJsonObject unsent{{u"conversation"_s, kConversation},
                                 {u"client_id"_s, u"c-9"_s},
                                 {u"attachments"_s,
                                  QJsonArray{QJsonObject{{u"upload"_s, u"t-1"_s},
                                                         {u"local_path"_s, u"/home/me/cat.png"_s},
                                                         {u"name"_s, u"cat.png"_s},
                                                         {u"type"_s, u"image/png"_s},
                                                         {u"size"_s, 5}}}}};
        QVERIFY(local::waitsForUpload(unsent));
        QJsonObject uploaded = unsent;
        QJsonObject attachment = unsent.value(u"attachments"_s).toArray().first().toObject();
        attachment.insert(u"media"_s, u"9f86d081884c7d659a2feaa0c55ad015"_s);
        attachment.insert(u"blurhash"_s, u"LEHV6n"_s); // a member from a newer app
        uploaded.insert(u"attachments"_s, QJsonArray{attachment});
        QVERIFY(!local::waitsForUpload(uploaded));
        const QJsonObject wire = local::wirePayload(uploaded);
        const QJsonObject sent = wire.value(u"attachments"_s).toArray().first().toObject();
        QCOMPARE(sent.value(u"media"_s).toString(), u"9f86d081884c7d659a2feaa0c55ad015"_s);
        QCOMPARE(sent.value(u"name"_s).toString(), u"cat.png"_s);
        QCOMPARE(sent.value(u"blurhash"_s).toString(), u"LEHV6n"_s);
        QVERIFY(!sent.contains(u"upload"_s));
        QVERIFY(!sent.contains(u"local_path"_s));
        QCOMPARE(wire.value(u"client_id"_s).toString(), u"c-9"_s);

        attachment.insert(u"width"_s, u"wide"_s); // does not decode
        uploaded.insert(u"attachments"_s, QJsonArray{attachment});
        QCOMPARE(local::wirePayload(uploaded).value(u"attachments"_s).toArray(),
                 QJsonArray{QJsonObject()});
        // A payload without attachments goes as it is.
        const QJsonObject text{{u"conversation"_s, kConversation}, {u"text"_s, u"hi"_s}};
        QCOMPARE(local::wirePayload(text), text);
        QVERIFY(!local::waitsForUpload(text));
    }

    void failedCancelledRetried()
    {
        QVERIFY(write<local::Message>([](QSqlDatabase &db) {
                    return local::queueMessage(db, kConversation, kMe, u"x"_s, u"no"_s, 0);
                }).ok());
        QVERIFY(write<bool>([](QSqlDatabase &db) -> Result<bool> {
                    if (auto failed = local::outboxFailed(db, u"x"_s, u"forbidden"_s); !failed)
                        return failed.error();
                    return true;
                }).ok());
        QCOMPARE(messages().last().state, u"failed"_s);
        QCOMPARE(messages().last().error, u"forbidden"_s);
        QVERIFY(await(m_store->read<QList<local::OutboxItem>>([](QSqlDatabase &db) {
                    return local::pendingOutbox(db, 10);
                }))->isEmpty());
        QCOMPARE(
            write<qint64>([](QSqlDatabase &db) { return local::outboxRetry(db, u"x"_s); }).value(),
            kConversation);
        QCOMPARE(messages().last().state, u"queued"_s);
        QCOMPARE(await(m_store->read<QList<local::OutboxItem>>([](QSqlDatabase &db) {
                     return local::pendingOutbox(db, 10);
                 }))->size(),
                 1);
        QCOMPARE(
            write<qint64>([](QSqlDatabase &db) { return local::outboxCancel(db, u"x"_s); }).value(),
            kConversation);
        QVERIFY(messages().isEmpty());
        QCOMPARE(
            write<qint64>([](QSqlDatabase &db) { return local::outboxCancel(db, u"x"_s); }).value(),
            0); // gone already
    }

    void refusedChangesComeOffAndCanBeRetried()
    {
        // Issue 18: an edit, delete or reaction shows at once; when the relay refuses it, it
        // comes off again (the message shows what the relay confirmed) and the refusal is
        // noted on the message until the user retries or discards it.
        namespace proto = protocol::messages;
        QVERIFY(write<bool>([](QSqlDatabase &db) -> Result<bool> {
                    if (auto stored = local::setAccountValue(db, u"user_id"_s, u"1"_s); !stored)
                        return stored.error();
                    return true;
                }).ok());
        apply(message(1, kMe, u"hello"_s));
        const auto queue = [this](const char *type, const QJsonObject &payload) {
            return write<local::OutboxItem>([type, payload](QSqlDatabase &db) {
                return local::queueChange(db, QString::fromLatin1(type), payload, kMe);
            });
        };
        const auto fail = [this](const QString &key) {
            return write<bool>([key](QSqlDatabase &db) -> Result<bool> {
                if (auto failed = local::outboxFailed(db, key, u"forbidden"_s); !failed)
                    return failed.error();
                return true;
            });
        };
        const auto body = [this] { return messages().last().body; };

        // A refused delete: the message is back, with the refusal noted.
        QVERIFY(queue(proto::DeleteMessage::kType,
                      proto::DeleteMessage{kConversation, u"d-1"_s, 1}.encode())
                    .ok());
        QVERIFY(body().value(u"deleted"_s).toBool());
        QVERIFY(fail(u"d-1"_s).ok());
        QCOMPARE(body().value(u"text"_s).toString(), u"hello"_s);
        QVERIFY(!body().contains(u"deleted"_s));
        QVERIFY(messages().last().failedChange.has_value());
        QCOMPARE(messages().last().failedChange->key, u"d-1"_s);
        QCOMPARE(messages().last().failedChange->type, u"message.delete"_s);
        QCOMPARE(messages().last().failedChange->error, u"forbidden"_s);
        // Retry: shown again at once, pending again.
        QCOMPARE(write<qint64>([](QSqlDatabase &db) {
                     return local::outboxRetry(db, u"d-1"_s);
                 }).value(),
                 kConversation);
        QVERIFY(body().value(u"deleted"_s).toBool());
        QVERIFY(!messages().last().failedChange.has_value());
        // Refused again, then discarded: the confirmed message stays, the note goes.
        QVERIFY(fail(u"d-1"_s).ok());
        QCOMPARE(write<qint64>([](QSqlDatabase &db) {
                     return local::outboxCancel(db, u"d-1"_s);
                 }).value(),
                 kConversation);
        QCOMPARE(body().value(u"text"_s).toString(), u"hello"_s);
        QVERIFY(!messages().last().failedChange.has_value());

        // A refused edit while another change waits: only the refused one comes off.
        QVERIFY(queue(proto::EditMessage::kType,
                      proto::EditMessage{kConversation, u"e-1"_s, 1, u"hello!"_s, {}}.encode())
                    .ok());
        QVERIFY(
            queue(proto::ReactToMessage::kType,
                  proto::ReactToMessage{kConversation, u"r-1"_s, 1, u"👍"_s, true, {}, {}}.encode())
                .ok());
        QCOMPARE(body().value(u"text"_s).toString(), u"hello!"_s);
        QVERIFY(fail(u"e-1"_s).ok());
        QCOMPARE(body().value(u"text"_s).toString(), u"hello"_s);
        QCOMPARE(body().value(u"reactions"_s).toObject().value(u"👍"_s).toArray(), QJsonArray{kMe});

        // What the relay confirms meanwhile (Bob's reaction) stays when mine is refused.
        apply(change(2, u"reaction"_s, 1, kBob, {{u"emoji"_s, u"❤️"_s}, {u"on"_s, true}}));
        QCOMPARE(body().value(u"reactions"_s).toObject().keys(),
                 (QStringList{u"❤️"_s, u"👍"_s}));
        QVERIFY(fail(u"r-1"_s).ok());
        QCOMPARE(body().value(u"reactions"_s).toObject().keys(), QStringList{u"❤️"_s});
        QCOMPARE(body().value(u"text"_s).toString(), u"hello"_s);
        QCOMPARE(messages().last().failedChange->key, u"r-1"_s);

        // A full state from the relay (a sync) keeps a waiting change of mine on top.
        QCOMPARE(write<qint64>([](QSqlDatabase &db) {
                     return local::outboxRetry(db, u"e-1"_s);
                 }).value(),
                 kConversation);
        QCOMPARE(body().value(u"text"_s).toString(), u"hello!"_s);
        QJsonObject again = message(1, kMe, u"hello"_s);
        QVERIFY(write<bool>([again](QSqlDatabase &db) -> Result<bool> {
                    // As a history page would bring it back: stored again, by seq.
                    if (auto stored = local::applyEvent(db, again, kMe); !stored)
                        return stored.error();
                    return true;
                }).ok());
        QCOMPARE(body().value(u"text"_s).toString(), u"hello!"_s);
    }

    void receiptsMergeAndSurviveARace()
    {
        for (int seq = 1; seq <= 5; ++seq)
            apply(message(seq, kBob, u"m"_s));
        QVERIFY(*write<bool>([](QSqlDatabase &db) {
            return local::queueReceipt(db, kConversation, 3, std::nullopt);
        }));
        const auto first = *await(m_store->read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 10); }));
        QCOMPARE(first.size(), 1);
        // While the first is on its way, the user reads more: merged into the same item.
        QVERIFY(*write<bool>([](QSqlDatabase &db) {
            return local::queueReceipt(db, kConversation, std::nullopt, 5);
        }));
        QVERIFY(!*write<bool>([](QSqlDatabase &db) {
            return local::queueReceipt(db, kConversation, 2, 2);
        })); // never back
        // The ack of the first must not drop the newer cursors.
        const QJsonObject sent = first.first().payload;
        QVERIFY(write<local::Applied>([sent](QSqlDatabase &db) {
                    return local::outboxDone(db, u"receipt:10"_s, sent, {}, kMe);
                }).ok());
        const auto left = *await(m_store->read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 10); }));
        QCOMPARE(left.size(), 1);
        QCOMPARE(left.first().payload.value(u"read_seq"_s).toInteger(), 5);
        QCOMPARE(left.first().payload.value(u"delivered_seq"_s).toInteger(), 5);
        QCOMPARE(conversation().unread, 0);
    }

    void searchIsSafeFromSyntax()
    {
        apply(message(1, kBob, u"Dinner at eight?"_s));
        apply(message(2, kBob, u"Lunch \"tomorrow\" AND more"_s));
        const auto find = [this](const QString &text) {
            return await(m_store->read<QList<local::Message>>(
                [text](QSqlDatabase &db) { return local::search(db, text, 10); }));
        };
        QCOMPARE(find(u"dinner"_s)->size(), 1);
        QCOMPARE(find(u"din"_s)->size(), 1); // prefixes
        QCOMPARE(find(u"\"tomorrow\""_s)->size(), 1);
        for (const QString &hostile :
             {u"AND"_s, u"\""_s, u"*"_s, u"NEAR("_s, u"a OR"_s, u"(("_s, u"-x"_s}) {
            const auto result = find(hostile);
            QVERIFY2(result.ok(), qPrintable(hostile));
        }
        QVERIFY(find(u"   "_s)->isEmpty());
    }

    void systemEntriesChangeMembership()
    {
        const qint64 carol = 3;
        apply(QJsonObject{{u"conversation"_s, kConversation},
                          {u"seq"_s, 1},
                          {u"kind"_s, u"member_added"_s},
                          {u"sender"_s, kBob},
                          {u"time"_s, 5},
                          {u"users"_s, QJsonArray{carol}}});
        QCOMPARE(conversation().memberCount, 3);
        apply(QJsonObject{{u"conversation"_s, kConversation},
                          {u"seq"_s, 2},
                          {u"kind"_s, u"member_removed"_s},
                          {u"sender"_s, kBob},
                          {u"time"_s, 6},
                          {u"user"_s, kMe}});
        QCOMPARE(*conversation().leftSeq, 2);
        QCOMPARE(conversation().memberCount, 2);
        QCOMPARE(messages().size(), 2); // shown as "… added …", "… removed you"
    }
};

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_local_store.moc"
