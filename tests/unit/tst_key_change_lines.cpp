// The line a conversation shows when a contact's safety number changes (issue 19;
// docs/encryption.md, section 7): a local entry of this device's, on real SQLite (plain and
// sealed with a store key) and through the message list model. It stands where the change
// was noticed, in every conversation with that person, for good; it is never unread, never
// found by search, and never sent.
#include "core/chat_client.h"
#include "core/e2e_queries.h"
#include "core/local_queries.h"
#include "core/local_store.h"
#include "e2e/device_keys.h"
#include "e2e/key_pairs.h"
#include "e2e/store_crypto.h"
#include "models/message_list_model.h"
#include "protocol/messages/key_directory_replies.h"
#include "protocol/messages/replies.h"
#include "support/await.h"
#include "support/log_entries.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>
#include <optional>
#include <tuple>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

namespace proto = protocol::messages;
namespace crypto = tidings::e2e;

constexpr qint64 kAlice = 1; // this device's user
constexpr qint64 kBob = 2; // whose safety number changes
constexpr qint64 kCarol = 3;
constexpr qint64 kDirect = 10; // Alice and Bob
constexpr qint64 kGroup = 20; // Alice, Bob and Carol
constexpr qint64 kOther = 30; // Alice and Carol: not Bob's

template<typename T> QString failure(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

/// Fails the running test with the error's message when `expression` is an error (it is
/// evaluated once).
#define VERIFY_OK(expression)                                                                      \
    do {                                                                                           \
        const auto &verified = (expression);                                                       \
        QVERIFY2(verified.ok(), qPrintable(failure(verified)));                                    \
    } while (false)

/// `user`'s devices as devices.get answers them: one device under `identity`, in a list at
/// `version` that the identity signed.
Result<proto::UserDevices> devicesUnder(const crypto::SigningKeyPair &identity, qint64 user,
                                        quint64 version)
{
    constexpr quint32 kDevice = 1;
    auto keys = crypto::DeviceKeys::create(identity, QString::number(user), kDevice,
                                           crypto::SigningKeyPair::generate());
    if (!keys)
        return keys.error();
    proto::DeviceInfo device;
    device.user = user;
    device.id = kDevice;
    device.key = keys->keyPair.publicKey();
    device.certificate = keys->certificate.encode();
    auto list = crypto::DeviceList::sign(identity, QString::number(user), version,
                                         {{kDevice, device.key}});
    if (!list)
        return list.error();
    return proto::UserDevices{
        user, identity.publicKey(), list->encode(), qint64(version), {device}};
}

proto::ConversationInfo conversationInfo(qint64 id, const QList<qint64> &members)
{
    proto::ConversationInfo info;
    info.id = id;
    info.kind = members.size() > 2 ? u"group"_s : u"direct"_s;
    info.title = members.size() > 2 ? u"Plans"_s : QString();
    info.memberCount = int(members.size());
    info.me.user = kAlice;
    info.me.role = u"member"_s;
    QList<proto::Member> list;
    for (const qint64 user : members) {
        proto::Member member;
        member.user = user;
        member.role = u"member"_s;
        list.append(member);
    }
    info.members = list;
    return info;
}

QJsonObject created(qint64 conversation, const QList<qint64> &members)
{
    QJsonArray users;
    for (const qint64 user : members)
        users.append(user);
    QJsonObject entry{{u"conversation"_s, conversation},
                      {u"seq"_s, 1},
                      {u"kind"_s, u"created"_s},
                      {u"sender"_s, kAlice},
                      {u"time"_s, 1001},
                      {u"members"_s, users}};
    if (members.size() > 2)
        entry.insert(u"title"_s, u"Plans"_s);
    return entry;
}

/// What a conversation shows, top to bottom, in short: "created", a message's text, "queued:"
/// and its text, or "key_changed:" and whose.
QStringList outline(const QList<local::Message> &list)
{
    QStringList lines;
    for (const local::Message &entry : list) {
        if (entry.kind == local::kinds::kKeyChanged)
            lines.append(u"key_changed:"_s + QString::number(entry.senderId));
        else if (entry.kind != u"message")
            lines.append(entry.kind);
        else
            lines.append((entry.seq ? QString() : u"queued:"_s)
                         + entry.body.value(u"text"_s).toString());
    }
    return lines;
}

QList<qint64> idsOf(const QList<local::Message> &list)
{
    QList<qint64> ids;
    for (const local::Message &entry : list)
        ids.append(entry.id);
    return ids;
}

QList<qint64> idsOf(const MessageListModel &model)
{
    QList<qint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row).data(MessageListModel::IdRole).toLongLong());
    return ids;
}

constexpr auto kTester = QAbstractItemModelTester::FailureReportingMode::QtTest;

} // namespace

class TestKeyChangeLines : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    std::optional<crypto::StoreKey> m_storeKey;
    std::unique_ptr<LocalStore> m_store;
    std::optional<crypto::SigningKeyPair> m_bobBefore; ///< Bob's first identity
    std::optional<crypto::SigningKeyPair> m_bobAfter; ///< the one he has now

    QString path() const { return m_directory->filePath(u"alice/tidings.db"_s); }

    Result<int> openStore()
    {
        m_store = std::make_unique<LocalStore>(path());
        if (m_storeKey)
            m_store->setStoreKey(*m_storeKey);
        return await(m_store->open());
    }
    template<typename T> Result<T> write(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(m_store->write<T>(std::move(job)));
    }
    template<typename T> Result<T> read(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(m_store->read<T>(std::move(job)));
    }
    Result<QList<local::Message>> messages(qint64 conversation, local::Seq before = 0,
                                           int limit = 1000)
    {
        return read<QList<local::Message>>(
            [=](QSqlDatabase &db) { return local::messages(db, conversation, before, limit); });
    }
    Result<local::Applied> apply(const QJsonObject &entry)
    {
        return write<local::Applied>(
            [entry](QSqlDatabase &db) { return local::applyEvent(db, entry, kAlice); });
    }
    /// Bob's devices, under `identity`, as this device hears of them (devices.get).
    Result<QList<qint64>> lookUpBob(const crypto::SigningKeyPair &identity, quint64 version)
    {
        auto devices = devicesUnder(identity, kBob, version);
        if (!devices)
            return devices.error();
        return write<QList<qint64>>([devices = *devices](QSqlDatabase &db) {
            return local::e2e::storeDevices(db, kAlice, {devices});
        });
    }

    /// Alice's store: her keys; Bob known under his first identity; a direct chat with Bob
    /// (created, three messages, one of mine queued), a group with him and Carol (created,
    /// a message), and a chat with Carol alone.
    Result<void> history()
    {
        auto opened = openStore();
        if (!opened)
            return opened.error();
        auto setUp = write<bool>([](QSqlDatabase &db) -> Result<bool> {
            if (auto account = local::setAccountValue(db, u"user_id"_s, u"1"_s); !account)
                return account.error();
            if (auto keys = local::e2e::setUp(db, kAlice, std::nullopt, u"laptop"_s); !keys)
                return keys.error();
            QList<proto::User> users;
            for (const auto &[id, name, displayName] :
                 {std::tuple{kAlice, u"alice"_s, u"Alice"_s}, std::tuple{kBob, u"bob"_s, u"Bob"_s},
                  std::tuple{kCarol, u"carol"_s, QString()}}) {
                proto::User user;
                user.id = id;
                user.username = name;
                user.displayName = displayName;
                users.append(user);
            }
            if (auto stored = local::storeUsers(db, users); !stored)
                return stored.error();
            for (const auto &[id, members] :
                 {std::pair{kDirect, QList<qint64>{kAlice, kBob}},
                  std::pair{kGroup, QList<qint64>{kAlice, kBob, kCarol}},
                  std::pair{kOther, QList<qint64>{kAlice, kCarol}}}) {
                if (auto stored = local::storeConversation(db, conversationInfo(id, members));
                    !stored)
                    return stored.error();
                if (auto applied = local::applyEvent(db, created(id, members), kAlice); !applied)
                    return applied.error();
            }
            return true;
        });
        if (!setUp)
            return setUp.error();
        for (const QJsonObject &entry : {messageEntry(kDirect, 2, kBob, u"hi Alice"_s),
                                         messageEntry(kDirect, 3, kAlice, u"hi Bob"_s),
                                         messageEntry(kDirect, 4, kBob, u"new phone!"_s),
                                         messageEntry(kGroup, 2, kCarol, u"lunch?"_s),
                                         messageEntry(kOther, 2, kCarol, u"just us"_s)}) {
            if (auto applied = apply(entry); !applied)
                return applied.error();
        }
        auto queued = write<local::Message>([](QSqlDatabase &db) {
            return local::queueMessage(db, kDirect, kAlice,
                                       u"c0ffee00-0000-4000-8000-000000000001"_s, u"waiting"_s, 0);
        });
        if (!queued)
            return queued.error();
        auto known = lookUpBob(*m_bobBefore, 1);
        if (!known)
            return known.error();
        if (*known != QList<qint64>{kBob})
            return Error{ErrorCode::Internal, u"Bob's first devices were not taken"_s};
        return {};
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init()
    {
        m_directory = std::make_unique<QTemporaryDir>();
        QVERIFY(m_directory->isValid());
        QVERIFY(QDir().mkpath(m_directory->filePath(u"alice"_s)));
        m_bobBefore = crypto::SigningKeyPair::generate();
        m_bobAfter = crypto::SigningKeyPair::generate();
    }
    void cleanup()
    {
        m_store.reset();
        m_storeKey.reset();
        m_directory.reset();
    }

    void aChangedKeyLeavesALineWhereItHappened_data()
    {
        QTest::addColumn<bool>("sealed");
        QTest::newRow("plain") << false;
        QTest::newRow("sealed with a store key") << true;
    }
    void aChangedKeyLeavesALineWhereItHappened()
    {
        QFETCH(bool, sealed);
        if (sealed)
            m_storeKey = crypto::StoreKey::generate();
        VERIFY_OK(history());
        auto direct = messages(kDirect);
        VERIFY_OK(direct);
        const QStringList before
            = {u"created"_s, u"hi Alice"_s, u"hi Bob"_s, u"new phone!"_s, u"queued:waiting"_s};
        QCOMPARE(outline(*direct), before);
        auto unread = read<local::Conversation>(
            [](QSqlDatabase &db) { return local::conversation(db, kDirect, kAlice); });
        VERIFY_OK(unread);
        const int unreadBefore = unread->unread;
        QCOMPARE(unreadBefore, 2);

        // Bob's list now comes under another identity key: the change is noted in each
        // conversation with him, after its last entry, once.
        auto changed = lookUpBob(*m_bobAfter, 2);
        VERIFY_OK(changed);
        QCOMPARE(*changed, QList<qint64>{kBob});
        direct = messages(kDirect);
        VERIFY_OK(direct);
        QCOMPARE(outline(*direct),
                 (QStringList{u"created"_s, u"hi Alice"_s, u"hi Bob"_s, u"new phone!"_s,
                              u"key_changed:2"_s, u"queued:waiting"_s}));
        const local::Message line = direct->at(4);
        QVERIFY(!line.seq.has_value());
        QCOMPARE(line.afterSeq, std::optional<local::Seq>(4));
        QVERIFY(line.clientId.isEmpty());
        QCOMPARE(line.senderId, kBob);
        QCOMPARE(line.body.value(u"user"_s).toInteger(), kBob);
        QCOMPARE(line.state, u"sent"_s); // nothing waits on it
        auto group = messages(kGroup);
        VERIFY_OK(group);
        QCOMPARE(outline(*group), (QStringList{u"created"_s, u"lunch?"_s, u"key_changed:2"_s}));
        QCOMPARE(group->last().afterSeq, std::optional<local::Seq>(2));
        auto other = messages(kOther);
        VERIFY_OK(other);
        QCOMPARE(outline(*other), (QStringList{u"created"_s, u"just us"_s}));

        // The same change heard again (each look-up until it is acknowledged) adds nothing.
        VERIFY_OK(lookUpBob(*m_bobAfter, 3));
        direct = messages(kDirect);
        VERIFY_OK(direct);
        QCOMPARE(direct->size(), 6);

        // It is no message: not unread, not the last message, not found, not sent.
        auto details = read<local::Conversation>(
            [](QSqlDatabase &db) { return local::conversation(db, kDirect, kAlice); });
        VERIFY_OK(details);
        QCOMPARE(details->unread, unreadBefore);
        QVERIFY(details->lastMessage);
        QCOMPARE(details->lastMessage->body.value(u"text"_s).toString(), u"waiting"_s);
        for (const QString &words : {u"safety"_s, u"key_changed"_s, u"Bob"_s}) {
            auto found = read<QList<local::Message>>(
                [words](QSqlDatabase &db) { return local::search(db, words, 10); });
            VERIFY_OK(found);
            for (const local::Message &entry : *found)
                QVERIFY2(entry.kind == u"message", qPrintable(words));
        }
        auto outbox = read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 100); });
        VERIFY_OK(outbox);
        QCOMPARE(outbox->size(), 1); // the queued message's send, nothing else
        QCOMPARE(outbox->first().key, u"c0ffee00-0000-4000-8000-000000000001"_s);

        // The relay's log goes on around it: seq 5 is no gap, and follows the line; the
        // queued message, once the relay has it, too.
        auto applied = apply(messageEntry(kDirect, 5, kBob, u"it's me, really"_s));
        VERIFY_OK(applied);
        QVERIFY(applied->applied);
        QVERIFY(!applied->gap);
        QCOMPARE(applied->syncedSeq, 5);
        auto sent = write<local::Applied>([payload = outbox->first().payload](QSqlDatabase &db) {
            return local::outboxDone(
                db, u"c0ffee00-0000-4000-8000-000000000001"_s, payload,
                *proto::LogEntry::decode(messageEntry(kDirect, 6, kAlice, u"waiting"_s,
                                                      u"c0ffee00-0000-4000-8000-000000000001"_s)),
                kAlice);
        });
        VERIFY_OK(sent);
        QCOMPARE(sent->syncedSeq, 6);
        outbox = read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 100); });
        VERIFY_OK(outbox);
        QVERIFY(outbox->isEmpty());
        auto cursors = read<QHash<qint64, local::Seq>>(
            [](QSqlDatabase &db) { return local::syncCursors(db); });
        VERIFY_OK(cursors);
        QCOMPARE(cursors->value(kDirect), 6);
        const QStringList after{u"created"_s,    u"hi Alice"_s,      u"hi Bob"_s,
                                u"new phone!"_s, u"key_changed:2"_s, u"it's me, really"_s,
                                u"waiting"_s};
        direct = messages(kDirect);
        VERIFY_OK(direct);
        QCOMPARE(outline(*direct), after);

        // Understood: the line stays, as history. A later change is a line of its own.
        auto understood = write<bool>(
            [](QSqlDatabase &db) { return local::e2e::acknowledgeIdentity(db, kBob); });
        VERIFY_OK(understood);
        QVERIFY(*understood);
        VERIFY_OK(lookUpBob(*m_bobAfter, 4));
        direct = messages(kDirect);
        VERIFY_OK(direct);
        QCOMPARE(outline(*direct), after);

        // It survives a restart, where it was.
        m_store.reset();
        VERIFY_OK(openStore());
        direct = messages(kDirect);
        VERIFY_OK(direct);
        QCOMPARE(outline(*direct), after);
        QCOMPARE(direct->at(4).afterSeq, std::optional<local::Seq>(4));
        group = messages(kGroup);
        VERIFY_OK(group);
        QCOMPARE(outline(*group), (QStringList{u"created"_s, u"lunch?"_s, u"key_changed:2"_s}));

        // Signing out forgets the keys, not the history: the lines stay with the messages,
        // and the keys met next are trusted on first use, with nothing to compare.
        VERIFY_OK(write<bool>([](QSqlDatabase &db) -> Result<bool> {
            if (auto forgot = local::e2e::forgetDevice(db); !forgot)
                return forgot.error();
            if (auto keys = local::e2e::setUp(db, kAlice, std::nullopt, u"laptop"_s); !keys)
                return keys.error();
            return true;
        }));
        VERIFY_OK(lookUpBob(*m_bobBefore, 5));
        direct = messages(kDirect);
        VERIFY_OK(direct);
        QCOMPARE(outline(*direct), after);
    }

    void aSecondChangeIsALineOfItsOwn()
    {
        VERIFY_OK(history());
        VERIFY_OK(lookUpBob(*m_bobAfter, 2));
        VERIFY_OK(apply(messageEntry(kGroup, 3, kBob, u"hello from the new phone"_s)));
        // Before the first is acknowledged, yet another key.
        VERIFY_OK(lookUpBob(crypto::SigningKeyPair::generate(), 3));
        auto group = messages(kGroup);
        VERIFY_OK(group);
        QCOMPARE(outline(*group),
                 (QStringList{u"created"_s, u"lunch?"_s, u"key_changed:2"_s,
                              u"hello from the new phone"_s, u"key_changed:2"_s}));
    }

    void pagesHoldEachLineOnce_data()
    {
        QTest::addColumn<int>("limit");
        for (const int limit : {1, 2, 3, 4, 100})
            QTest::addRow("%d a page", limit) << limit;
    }
    void pagesHoldEachLineOnce()
    {
        // Lines after seq 0 (nothing known yet), after a seq that is not here (a gap), two
        // after one seq, and one after the last entry.
        QFETCH(int, limit);
        VERIFY_OK(history());
        auto lines = write<bool>([](QSqlDatabase &db) -> Result<bool> {
            for (const auto &[afterSeq, time] :
                 {std::pair{0, 1}, std::pair{2, 2}, std::pair{2, 3}, std::pair{9, 4}}) {
                QSqlQuery query(db);
                query.prepare(u"INSERT INTO messages (conversation_id, sender_id, kind, "
                              "created_at, after_seq) VALUES (?, ?, 'key_changed', ?, ?)"_s);
                query.addBindValue(kOther);
                query.addBindValue(kCarol);
                query.addBindValue(time);
                query.addBindValue(afterSeq);
                if (!query.exec())
                    return Error{ErrorCode::Io, query.lastError().text()};
            }
            return true;
        });
        VERIFY_OK(lines);
        for (const local::Seq seq : {3, 4, 5, 7, 9, 10})
            VERIFY_OK(apply(messageEntry(kOther, seq, kCarol, u"#%1"_s.arg(seq))));
        auto whole = messages(kOther);
        VERIFY_OK(whole);
        QCOMPARE(outline(*whole),
                 (QStringList{u"key_changed:3"_s, u"created"_s, u"just us"_s, u"key_changed:3"_s,
                              u"key_changed:3"_s, u"#3"_s, u"#4"_s, u"#5"_s, u"#7"_s, u"#9"_s,
                              u"key_changed:3"_s, u"#10"_s}));

        // Paged back as a view does: each page before the first entry of the one after it
        // (the seq a local first entry stands after), until a page comes short.
        QList<local::Message> paged;
        auto page = messages(kOther, 0, limit);
        VERIFY_OK(page);
        for (int pages = 0; pages < 100; ++pages) {
            paged = *page + paged;
            const int counted
                = int(std::count_if(page->cbegin(), page->cend(),
                                    [](const local::Message &entry) { return !entry.afterSeq; }));
            if (counted < limit || paged.isEmpty())
                break;
            const local::Message &first = paged.first();
            const local::Seq start = first.seq ? *first.seq : *first.afterSeq;
            if (start <= 0)
                break;
            page = messages(kOther, start, limit);
            VERIFY_OK(page);
        }
        QCOMPARE(idsOf(paged), idsOf(*whole));

        // What a view holding history from any entry on reads again: the same, from there.
        for (int at = 0; at < whole->size(); ++at) {
            const local::Message &first = whole->at(at);
            const local::Seq from = first.seq ? *first.seq : *first.afterSeq;
            auto again = read<QList<local::Message>>(
                [from](QSqlDatabase &db) { return local::messagesFrom(db, kOther, from, 1000); });
            VERIFY_OK(again);
            // From a local entry on, the entry it stands after (if here) comes too.
            QList<qint64> expected;
            for (const local::Message &entry : *whole) {
                const local::Seq place = entry.seq ? *entry.seq : *entry.afterSeq;
                if (place >= from)
                    expected.append(entry.id);
            }
            QCOMPARE(idsOf(*again), expected);
        }
    }

    void theMessageListShowsAndPagesTheLine()
    {
        VERIFY_OK(history());
        for (local::Seq seq = 5; seq <= 12; ++seq)
            VERIFY_OK(apply(messageEntry(kDirect, seq, kBob, u"#%1"_s.arg(seq))));
        VERIFY_OK(lookUpBob(*m_bobAfter, 2));
        for (local::Seq seq = 13; seq <= 20; ++seq)
            VERIFY_OK(apply(messageEntry(kDirect, seq, kBob, u"#%1"_s.arg(seq))));
        auto whole = messages(kDirect);
        VERIFY_OK(whole);
        const qsizetype lineAt = outline(*whole).indexOf(u"key_changed:2"_s);
        QCOMPARE(lineAt, qsizetype(12)); // after seq 12
        m_store.reset();

        // The app's client over the same file, offline: the model reads what it keeps.
        ChatClient client(path());
        const auto opened = await(client.open());
        VERIFY_OK(opened);
        QCOMPARE(client.userId(), kAlice);
        for (const int pageSize : {3, 4, 7}) {
            MessageListModel model(client, kDirect, pageSize);
            QAbstractItemModelTester tester(&model, kTester);
            QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
            QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > 0, 10000);
            while (model.canLoadOlder()) {
                QSignalSpy older(&model, &MessageListModel::olderLoaded);
                model.loadOlder();
                QVERIFY(!older.isEmpty() || older.wait(10000));
            }
            QCOMPARE(idsOf(model), idsOf(*whole));
            // A refresh reads the window again: nothing moves, nothing doubles.
            QSignalSpy refreshed(&model, &MessageListModel::refreshed);
            model.refresh();
            QVERIFY(refreshed.wait(10000));
            QCOMPARE(idsOf(model), idsOf(*whole));
            QCOMPARE(resets.size(), 0);

            const int row = int(idsOf(model).indexOf(whole->at(lineAt).id));
            const QModelIndex line = model.index(row);
            QCOMPARE(line.data(MessageListModel::KindRole).toString(), u"key_changed"_s);
            QCOMPARE(line.data(MessageListModel::SystemTextRole).toString(),
                     u"Bob's safety number has changed."_s);
            QCOMPARE(line.data(Qt::AccessibleTextRole).toString(),
                     u"Bob's safety number has changed."_s);
            QCOMPARE(line.data(MessageListModel::SenderIdRole).toLongLong(), kBob);
            QCOMPARE(line.data(MessageListModel::SeqRole).toLongLong(), 0);
            QCOMPARE(line.data(MessageListModel::IsOwnRole).toBool(), false);
            QCOMPARE(model.index(row - 1).data(MessageListModel::TextRole).toString(), u"#12"_s);
            QCOMPARE(model.index(row + 1).data(MessageListModel::TextRole).toString(), u"#13"_s);
        }
    }
};

QTEST_GUILESS_MAIN(TestKeyChangeLines)
#include "tst_key_change_lines.moc"
