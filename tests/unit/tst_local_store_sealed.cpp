// The local store at rest with a store key (docs/encryption.md, section 8): the user's
// content is sealed in the file, search works on keyed tokens, a value moved to another row
// does not open, and a store kept in plaintext before is sealed in place when a key comes.
#include "core/e2e_queries.h"
#include "core/local_queries.h"
#include "core/local_store.h"
#include "core/message_attachment.h"
#include "core/transfer_queries.h"
#include "e2e/store_crypto.h"
#include "protocol/messages/events.h"
#include "protocol/messages/http_messages.h"
#include "protocol/messages/message_requests.h"
#include "support/await.h"
#include "support/log_entries.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

#define VERIFY_OK(result)                                                                          \
    do {                                                                                           \
        const auto &verified_ = (result);                                                          \
        QVERIFY2(verified_.ok(), verified_.ok() ? "" : qPrintable(verified_.error().message));     \
    } while (false)

namespace {

constexpr qint64 kMe = 1;
constexpr qint64 kBob = 2;
constexpr qint64 kConversation = 10;

// What the user wrote or chose, each one long and found nowhere else, so that finding its
// bytes in the file can only mean it leaked.
const QString kReceived = u"Receivedxylophone0001"_s;
const QString kSent = u"Sentquartzbravo0002"_s;
const QString kMyEdit = u"Myeditcharliezephyr0003"_s;
const QString kTheirEdit = u"Theireditdeltajuniper0004"_s;
const QString kDraft = u"Draftechoplatypus0005"_s;
const QString kFolder = u"Secretfolderfoxtrot0006"_s;
const QString kFileName = u"Photogolfmarmalade0007.png"_s;
const QString kCaption = u"Captionhotelnarwhal0008"_s;
const QString kCancelled = u"Cancelledindiaquokka0009"_s;
const QString kFilePath = u"/home/me/"_s + kFolder + u"/photo.png"_s;
const QString kUpload = u"t-1"_s;

QJsonObject message(qint64 seq, qint64 sender, const QString &text, const QString &clientId = {})
{
    return messageEntry(kConversation, seq, sender, text, clientId);
}

QJsonObject edit(qint64 seq, qint64 target, qint64 sender, const QString &text)
{
    return changeEntry(kConversation, seq, u"edit"_s, target, sender, {{u"text"_s, text}});
}

QStringList texts(const QList<local::Message> &list)
{
    QStringList found;
    for (const local::Message &message : list)
        found.append(message.body.value(u"text"_s).toString());
    return found;
}

/// The bytes of the database file and of its WAL, as anyone with the disk reads them.
QByteArray fileBytes(const QString &path)
{
    QByteArray all;
    for (const QString &name : QStringList{path, path + u"-wal"_s, path + u"-journal"_s}) {
        QFile file(name);
        if (file.open(QIODevice::ReadOnly))
            all += file.readAll();
    }
    return all;
}

/// Which of `plaintexts` the bytes hold, as written or in lower case (as a word index
/// keeps its terms).
QStringList leaked(const QByteArray &bytes, const QStringList &plaintexts)
{
    QStringList found;
    for (const QString &plaintext : plaintexts) {
        if (bytes.contains(plaintext.toUtf8()) || bytes.contains(plaintext.toLower().toUtf8()))
            found.append(plaintext);
    }
    return found;
}

} // namespace

class TestLocalStoreSealed : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    std::unique_ptr<LocalStore> m_store;
    std::optional<e2e::StoreKey> m_key;

    QString path() const { return m_directory->filePath(u"local/tidings.db"_s); }

    /// Opens the store at path() with `key` (none: plaintext, as a store without a key).
    Result<int> openStore(const std::optional<e2e::StoreKey> &key)
    {
        m_store = std::make_unique<LocalStore>(path());
        if (key)
            m_store->setStoreKey(*key);
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
    Result<bool> run(std::function<Result<void>(QSqlDatabase &)> job)
    {
        return write<bool>([job = std::move(job)](QSqlDatabase &db) -> Result<bool> {
            if (auto done = job(db); !done)
                return done.error();
            return true;
        });
    }
    /// A statement straight to SQLite, as someone with the file could.
    Result<bool> sql(const QString &statement)
    {
        return write<bool>([statement](QSqlDatabase &db) -> Result<bool> {
            QSqlQuery query(db);
            if (!query.exec(statement))
                return Error{ErrorCode::Io, statement};
            return true;
        });
    }
    Result<QVariant> value(const QString &statement)
    {
        return read<QVariant>([statement](QSqlDatabase &db) -> Result<QVariant> {
            QSqlQuery query(db);
            if (!query.exec(statement) || !query.next())
                return Error{ErrorCode::Io, statement};
            return query.value(0);
        });
    }
    Result<local::Applied> apply(const QJsonObject &event)
    {
        return write<local::Applied>(
            [event](QSqlDatabase &db) { return local::applyEvent(db, event, kMe); });
    }
    Result<QList<local::Message>> messages()
    {
        return read<QList<local::Message>>(
            [](QSqlDatabase &db) { return local::messages(db, kConversation, 0, 100); });
    }
    Result<local::Conversation> conversation()
    {
        return read<local::Conversation>(
            [](QSqlDatabase &db) { return local::conversation(db, kConversation, kMe); });
    }
    Result<QList<local::OutboxItem>> outbox()
    {
        return read<QList<local::OutboxItem>>(
            [](QSqlDatabase &db) { return local::pendingOutbox(db, 100); });
    }
    Result<QList<local::Transfer>> transfers()
    {
        return read<QList<local::Transfer>>(
            [](QSqlDatabase &db) { return local::unfinishedTransfers(db); });
    }
    Result<QList<local::Message>> search(const QString &query, int limit = 10)
    {
        return read<QList<local::Message>>(
            [query, limit](QSqlDatabase &db) { return local::search(db, query, limit); });
    }

    Result<bool> storeConversation()
    {
        const QJsonObject direct{
            {u"id"_s, kConversation},
            {u"kind"_s, u"direct"_s},
            {u"last_seq"_s, 1},
            {u"member_count"_s, 2},
            {u"me"_s,
             QJsonObject{{u"user"_s, kMe}, {u"role"_s, u"member"_s}, {u"joined_seq"_s, 1}}},
            {u"members"_s,
             QJsonArray{QJsonObject{{u"user"_s, kMe}}, QJsonObject{{u"user"_s, kBob}}}}};
        return run([direct](QSqlDatabase &db) { return local::storeConversation(db, direct); });
    }

    /// Everything the user's content goes through: a message received and one sent (the
    /// relay acked it), an edit of each (mine still waiting in the outbox, so the message
    /// keeps what the relay confirmed too), a draft, a file on its way up with a caption and
    /// its transfer, a receipt, and a message queued then cancelled.
    void writeEverything()
    {
        VERIFY_OK(storeConversation());
        VERIFY_OK(apply(message(1, kBob, kReceived)));
        auto queued = write<local::Message>([](QSqlDatabase &db) {
            return local::queueMessage(db, kConversation, kMe, u"c-1"_s, kSent, 1);
        });
        VERIFY_OK(queued);
        QCOMPARE(queued->body.value(u"text"_s).toString(), kSent);
        auto pending = outbox();
        VERIFY_OK(pending);
        QCOMPARE(pending->size(), 1);
        const QJsonObject sent = pending->first().payload;
        QCOMPARE(sent.value(u"text"_s).toString(), kSent);
        VERIFY_OK(write<local::Applied>([sent](QSqlDatabase &db) {
            return local::outboxDone(
                db, u"c-1"_s, sent,
                protocol::messages::LogEntry::decode(message(2, kMe, kSent, u"c-1"_s)).value(),
                kMe);
        }));
        VERIFY_OK(apply(edit(3, 1, kBob, kTheirEdit)));

        protocol::messages::EditMessage myEdit;
        myEdit.conversation = kConversation;
        myEdit.clientId = u"e-1"_s;
        myEdit.seq = 2;
        myEdit.text = kMyEdit;
        VERIFY_OK(write<local::OutboxItem>([payload = myEdit.encode()](QSqlDatabase &db) {
            return local::queueChange(
                db, QString::fromLatin1(protocol::messages::EditMessage::kType), payload, kMe);
        }));

        VERIFY_OK(run([](QSqlDatabase &db) { return local::setDraft(db, kConversation, kDraft); }));

        const QJsonArray attachments{QJsonObject{{u"upload"_s, kUpload},
                                                 {u"local_path"_s, kFilePath},
                                                 {u"name"_s, kFileName},
                                                 {u"type"_s, u"image/png"_s},
                                                 {u"size"_s, 5}}};
        VERIFY_OK(write<local::Message>([attachments](QSqlDatabase &db) {
            return local::queueMessage(db, kConversation, kMe, u"c-2"_s, kCaption, 0, attachments);
        }));
        local::Transfer transfer;
        transfer.id = kUpload;
        transfer.kind = u"upload"_s;
        transfer.path = kFilePath;
        transfer.size = 5;
        transfer.type = u"image/png"_s;
        transfer.name = kFileName;
        VERIFY_OK(run([transfer](QSqlDatabase &db) { return local::saveTransfer(db, transfer); }));
        VERIFY_OK(write<bool>(
            [](QSqlDatabase &db) { return local::queueReceipt(db, kConversation, 2, 2); }));

        VERIFY_OK(write<local::Message>([](QSqlDatabase &db) {
            return local::queueMessage(db, kConversation, kMe, u"c-3"_s, kCancelled, 0);
        }));
        QCOMPARE(write<qint64>([](QSqlDatabase &db) {
                     return local::outboxCancel(db, u"c-3"_s);
                 }).value(),
                 kConversation);
    }

    /// What writeEverything() wrote reads back right through the usual functions.
    void readsBackEverything()
    {
        auto list = messages();
        VERIFY_OK(list);
        QCOMPARE(texts(*list), (QStringList{kTheirEdit, kMyEdit, kCaption}));
        QCOMPARE(list->at(2).state, u"queued"_s);
        const QList<MessageAttachment> attached = MessageAttachment::in(list->at(2).body);
        QCOMPARE(attached.size(), 1);
        QCOMPARE(attached.first().localPath, kFilePath);
        QCOMPARE(attached.first().file.name, kFileName);

        auto shown = conversation();
        VERIFY_OK(shown);
        QCOMPARE(shown->draft, kDraft);
        QCOMPARE(shown->lastMessage->body.value(u"text"_s).toString(), kCaption);

        auto pending = outbox();
        VERIFY_OK(pending);
        QStringList keys;
        for (const local::OutboxItem &item : *pending)
            keys.append(item.key);
        QCOMPARE(keys, (QStringList{u"e-1"_s, u"c-2"_s, u"receipt:10"_s}));
        QCOMPARE(pending->at(0).payload.value(u"text"_s).toString(), kMyEdit);
        QCOMPARE(pending->at(1).payload.value(u"text"_s).toString(), kCaption);
        QVERIFY(local::waitsForUpload(pending->at(1).payload));
        QCOMPARE(pending->at(2).payload.value(u"read_seq"_s).toInteger(), 2);

        auto unfinished = transfers();
        VERIFY_OK(unfinished);
        QCOMPARE(unfinished->size(), 1);
        QCOMPARE(unfinished->first().path, kFilePath);
        QCOMPARE(unfinished->first().name, kFileName);

        // The relay's copy of my edited message is what it confirmed; the refusal of my
        // edit brings it back (the confirmed body opens too).
        VERIFY_OK(run([](QSqlDatabase &db) { return local::outboxFailed(db, u"e-1"_s, u"no"_s); }));
        list = messages();
        VERIFY_OK(list);
        QCOMPARE(list->at(1).body.value(u"text"_s).toString(), kSent);
        QCOMPARE(write<qint64>([](QSqlDatabase &db) {
                     return local::outboxRetry(db, u"e-1"_s);
                 }).value(),
                 kConversation);
        list = messages();
        VERIFY_OK(list);
        QCOMPARE(list->at(1).body.value(u"text"_s).toString(), kMyEdit);

        // The upload finished: the sealed payload and body are found by it and name the media.
        protocol::messages::MediaObject media;
        media.id = u"9f86d081884c7d659a2feaa0c55ad015"_s;
        media.size = 5;
        media.type = u"image/png"_s;
        media.sha256 = QString(64, u'a');
        QCOMPARE(write<qint64>([media](QSqlDatabase &db) {
                     return local::attachmentUploaded(db, kUpload, media, SealedFile{});
                 }).value(),
                 kConversation);
        pending = outbox();
        VERIFY_OK(pending);
        QVERIFY(!local::waitsForUpload(pending->at(1).payload));
        list = messages();
        VERIFY_OK(list);
        QCOMPARE(MessageAttachment::in(list->at(2).body).first().file.media, media.id);
    }

    QStringList plaintexts() const
    {
        return {kReceived, kSent,     kMyEdit,  kTheirEdit, kDraft,
                kFolder,   kFileName, kCaption, kCancelled};
    }

private Q_SLOTS:
    void init()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_directory = std::make_unique<QTemporaryDir>();
        m_key = e2e::StoreKey::generate();
    }
    void cleanup()
    {
        m_store.reset();
        m_directory.reset();
    }

    void noPlaintextReachesTheFile()
    {
        VERIFY_OK(openStore(m_key));
        writeEverything();
        readsBackEverything();

        // Sealed values are BLOBs: 1 (the version), a nonce, the ciphertext and a tag.
        auto body = value(u"SELECT body FROM messages WHERE seq = 1"_s);
        VERIFY_OK(body);
        QCOMPARE(body->typeId(), QMetaType::QByteArray);
        QCOMPARE(quint8(body->toByteArray().at(0)), e2e::kStoreValueVersion);
        auto secureDelete = value(u"PRAGMA secure_delete"_s);
        VERIFY_OK(secureDelete);
        QCOMPARE(secureDelete->toInt(), 1);

        // While it runs (the WAL holds the latest pages) and once closed.
        QVERIFY(QFile::exists(path() + u"-wal"_s));
        QCOMPARE(leaked(fileBytes(path()), plaintexts()), QStringList());
        m_store.reset();
        const QByteArray closed = fileBytes(path());
        QVERIFY(closed.size() > 4096);
        QCOMPARE(leaked(closed, plaintexts()), QStringList());

        // Opened again with its key, it reads as before.
        VERIFY_OK(openStore(m_key));
        auto list = messages();
        VERIFY_OK(list);
        QCOMPARE(texts(*list), (QStringList{kTheirEdit, kMyEdit, kCaption}));
        auto shown = conversation();
        VERIFY_OK(shown);
        QCOMPARE(shown->draft, kDraft);
    }

    void searchFindsKeyedTokens()
    {
        VERIFY_OK(openStore(m_key));
        VERIFY_OK(storeConversation());
        VERIFY_OK(apply(message(1, kBob, u"Dinner at eight with Émilie, tomorrow?"_s)));
        VERIFY_OK(apply(message(2, kBob, u"Lunch at noon"_s)));
        VERIFY_OK(apply(message(3, kBob, u"ok go: an extraordinarily long CRÈME brûlée"_s)));
        VERIFY_OK(write<local::Message>([](QSqlDatabase &db) {
            return local::queueMessage(db, kConversation, kMe, u"c-1"_s, u"Dinnerware shopping"_s,
                                       0);
        }));
        // A file sent without a caption has no words: nothing to index, nothing found.
        VERIFY_OK(write<local::Message>([](QSqlDatabase &db) {
            const QJsonArray file{QJsonObject{{u"upload"_s, u"t-9"_s},
                                              {u"name"_s, u"scan.pdf"_s},
                                              {u"type"_s, u"application/pdf"_s},
                                              {u"size"_s, 5}}};
            return local::queueMessage(db, kConversation, kMe, u"c-2"_s, QString(), 0, file);
        }));
        const auto found = [this](const QString &query) {
            auto list = search(query);
            if (!list)
                return QStringList{u"error: "_s + list.error().message};
            QStringList seqs;
            for (const local::Message &message : *list)
                seqs.append(message.seq ? QString::number(*message.seq) : u"queued"_s);
            seqs.sort();
            return seqs;
        };
        // Whole words and prefixes of 3 or more, in any case; every word required.
        QCOMPARE(found(u"dinner"_s), (QStringList{u"1"_s, u"queued"_s}));
        QCOMPARE(found(u"DINNER"_s), (QStringList{u"1"_s, u"queued"_s}));
        QCOMPARE(found(u"dinnerw"_s), QStringList{u"queued"_s});
        QCOMPARE(found(u"din eig"_s), QStringList{u"1"_s});
        QCOMPARE(found(u"tomorrow"_s), QStringList{u"1"_s});
        QCOMPARE(found(u"lunch noon"_s), QStringList{u"2"_s});
        QCOMPARE(found(u"dinner lunch"_s), QStringList());
        // Accents, in either case.
        QCOMPARE(found(u"émilie"_s), QStringList{u"1"_s});
        QCOMPARE(found(u"ÉMI"_s), QStringList{u"1"_s});
        QCOMPARE(found(u"crème BRÛLÉE"_s), QStringList{u"3"_s});
        // One or two characters: the whole word only.
        QCOMPARE(found(u"at"_s), (QStringList{u"1"_s, u"2"_s}));
        QCOMPARE(found(u"go"_s), QStringList{u"3"_s});
        QCOMPARE(found(u"no"_s), QStringList()); // "noon" is not "no"
        // Past ten characters the index narrows by the first ten, and the text decides.
        QCOMPARE(found(u"extraordinarily"_s), QStringList{u"3"_s});
        QCOMPARE(found(u"extraordinar"_s), QStringList{u"3"_s});
        QCOMPARE(found(u"extraordinaryx"_s), QStringList());
        // What is not there, and what is no word at all.
        QCOMPARE(found(u"zebra"_s), QStringList());
        QCOMPARE(found(u"dinnerx"_s), QStringList());
        QCOMPARE(found(u"inner"_s), QStringList()); // a word's start, not its middle
        for (const QString &hostile :
             {u"AND"_s, u"\""_s, u"*"_s, u"NEAR("_s, u"a OR"_s, u"(("_s, u"-x"_s, u"   "_s}) {
            const auto result = search(hostile);
            QVERIFY2(result.ok(), qPrintable(hostile));
        }
        QVERIFY(search(u"  ?! "_s)->isEmpty());
        // The limit counts rows that match, newest first.
        auto limited = search(u"at"_s, 1);
        VERIFY_OK(limited);
        QCOMPARE(limited->size(), 1);
        QCOMPARE(*limited->first().seq, 2);

        // An edit is found by its new words only; a deleted message not at all.
        VERIFY_OK(apply(edit(4, 2, kBob, u"Brunch instead"_s)));
        QCOMPARE(found(u"lunch"_s), QStringList());
        QCOMPARE(found(u"brunch"_s), QStringList{u"2"_s});
        VERIFY_OK(apply(QJsonObject{{u"conversation"_s, kConversation},
                                    {u"seq"_s, 5},
                                    {u"kind"_s, u"delete"_s},
                                    {u"sender"_s, kBob},
                                    {u"time"_s, 1005},
                                    {u"target_seq"_s, 1}}));
        QCOMPARE(found(u"dinner"_s), QStringList{u"queued"_s});

        // The index holds tokens, not words.
        auto indexed = read<QString>([](QSqlDatabase &db) -> Result<QString> {
            QSqlQuery query(db);
            QString all;
            if (!query.exec(u"SELECT text FROM messages"_s))
                return Error{ErrorCode::Io, u"no messages"_s};
            while (query.next())
                all += query.value(0).toString() + u' ';
            return all;
        });
        VERIFY_OK(indexed);
        QVERIFY(!indexed->contains(u"brunch"_s, Qt::CaseInsensitive));
        QVERIFY(!indexed->contains(u"dinner"_s, Qt::CaseInsensitive));
        static const QRegularExpression tokens(u"^[a-z2-7 ]+$"_s);
        QVERIFY(tokens.match(*indexed).hasMatch());
    }

    void aMovedValueDoesNotOpen()
    {
        VERIFY_OK(openStore(m_key));
        writeEverything();
        // A body copied to another message, a payload to another item, a path into the
        // name column, a draft to another conversation: each is refused where it lands.
        VERIFY_OK(sql(u"UPDATE messages SET body = (SELECT body FROM messages WHERE seq = 1) "
                      "WHERE seq = 2"_s));
        auto list = messages();
        QVERIFY(!list.ok());
        QCOMPARE(list.error().code, ErrorCode::Corrupt);

        VERIFY_OK(sql(u"UPDATE outbox SET payload = (SELECT payload FROM outbox WHERE key = "
                      "'c-2') WHERE key = 'receipt:10'"_s));
        auto pending = outbox();
        QVERIFY(!pending.ok());
        QCOMPARE(pending.error().code, ErrorCode::Corrupt);

        VERIFY_OK(sql(u"UPDATE transfers SET name = path"_s));
        auto unfinished = transfers();
        QVERIFY(!unfinished.ok());
        QCOMPARE(unfinished.error().code, ErrorCode::Corrupt);

        VERIFY_OK(sql(u"INSERT INTO conversations (id, kind, draft) SELECT 11, kind, draft "
                      "FROM conversations WHERE id = 10"_s));
        auto other = read<local::Conversation>(
            [](QSqlDatabase &db) { return local::conversation(db, 11, kMe); });
        QVERIFY(!other.ok());
        QCOMPARE(other.error().code, ErrorCode::Corrupt);

        // A plaintext value slipped in is no sealed value either.
        VERIFY_OK(sql(u"UPDATE conversations SET draft = 'not sealed' WHERE id = 10"_s));
        auto shown = conversation();
        QVERIFY(!shown.ok());
        QCOMPARE(shown.error().code, ErrorCode::Corrupt);
    }

    void aChangeToAnEncryptedMessageIsSealedToo()
    {
        // The outbox asks whether a change's target is end-to-end encrypted: its sealed
        // body is opened to tell.
        VERIFY_OK(openStore(m_key));
        VERIFY_OK(storeConversation());
        VERIFY_OK(run([](QSqlDatabase &db) {
            return local::setAccountValue(db, u"user_id"_s, QString::number(kMe));
        }));
        QJsonObject encrypted = message(1, kBob, kReceived);
        encrypted.insert(u"e2e"_s, true);
        VERIFY_OK(apply(encrypted));
        VERIFY_OK(apply(message(2, kBob, kSent)));
        const auto react = [this](qint64 seq) {
            protocol::messages::ReactToMessage reaction;
            reaction.conversation = kConversation;
            reaction.clientId = u"r-%1"_s.arg(seq);
            reaction.seq = seq;
            reaction.emoji = u"👍"_s;
            reaction.on = true;
            return write<bool>([payload = reaction.encode()](QSqlDatabase &db) -> Result<bool> {
                auto item = local::queueChange(
                    db, QString::fromLatin1(protocol::messages::ReactToMessage::kType), payload,
                    kMe);
                if (!item)
                    return item.error();
                return local::e2e::sealIfEncrypted(db, *item);
            });
        };
        QCOMPARE(react(1).value(), true);
        QCOMPARE(react(2).value(), false);
        auto pending = outbox();
        VERIFY_OK(pending);
        QCOMPARE(pending->size(), 2);
        QCOMPARE(pending->at(0).seal, 1);
        QCOMPARE(pending->at(1).seal, 0);
        auto list = messages();
        VERIFY_OK(list);
        QCOMPARE(list->at(0).body.value(u"reactions"_s).toObject().value(u"👍"_s).toArray(),
                 QJsonArray{kMe});
    }

    void anotherKeyOpensNothing()
    {
        VERIFY_OK(openStore(m_key));
        writeEverything();
        m_store.reset();
        VERIFY_OK(openStore(e2e::StoreKey::generate()));
        for (const auto &code : {messages().error().code, conversation().error().code,
                                 outbox().error().code, transfers().error().code}) {
            QCOMPARE(code, ErrorCode::Corrupt);
        }
    }

    void withoutAKeyValuesStayText()
    {
        VERIFY_OK(openStore(std::nullopt));
        writeEverything();
        readsBackEverything();
        for (const QString &column : {u"SELECT typeof(body) FROM messages WHERE seq = 1"_s,
                                      u"SELECT typeof(draft) FROM conversations"_s,
                                      u"SELECT typeof(payload) FROM outbox LIMIT 1"_s,
                                      u"SELECT typeof(path) || typeof(name) FROM transfers"_s}) {
            auto type = value(column);
            VERIFY_OK(type);
            QVERIFY2(type->toString() == u"text"_s || type->toString() == u"texttext"_s,
                     qPrintable(column));
        }
        auto text = value(u"SELECT text FROM messages WHERE seq = 1"_s);
        VERIFY_OK(text);
        QCOMPARE(text->toString(), kTheirEdit);
        QCOMPARE(search(kTheirEdit.left(6))->size(), 1);
    }

    void aPlaintextStoreIsSealedWhenAKeyComes()
    {
        // An older app's store, or one used without a key: everything in plaintext.
        VERIFY_OK(openStore(std::nullopt));
        writeEverything();
        m_store.reset();
        // The test sees a leak when there is one: every value still kept is in the file in
        // plaintext (the cancelled message too, in a free page, unless this SQLite zeroes
        // what it frees by default: after sealing it must be gone either way).
        QStringList kept = plaintexts();
        kept.removeOne(kCancelled);
        QCOMPARE(leaked(fileBytes(path()), kept), kept);

        VERIFY_OK(openStore(m_key));
        readsBackEverything();
        for (const QString &plain :
             {u"SELECT count(*) FROM messages WHERE typeof(body) = 'text' OR "
              "typeof(confirmed_body) = 'text'"_s,
              u"SELECT count(*) FROM conversations WHERE typeof(draft) = 'text' AND draft <> ''"_s,
              u"SELECT count(*) FROM outbox WHERE typeof(payload) = 'text'"_s,
              u"SELECT count(*) FROM transfers WHERE typeof(path) = 'text' OR "
              "typeof(name) = 'text'"_s}) {
            auto count = value(plain);
            VERIFY_OK(count);
            QVERIFY2(count->toInt() == 0, qPrintable(plain));
        }
        auto secureDelete = value(u"PRAGMA secure_delete"_s);
        VERIFY_OK(secureDelete);
        QCOMPARE(secureDelete->toInt(), 1);
        // Search works on the tokens that replaced the words.
        auto found = search(kTheirEdit.left(8));
        VERIFY_OK(found);
        QCOMPARE(found->size(), 1);
        QCOMPARE(*found->first().seq, 1);
        QCOMPARE(search(kMyEdit)->size(), 1);
        QVERIFY(search(kSent)->isEmpty()); // edited away
        QVERIFY(search(kCancelled)->isEmpty());

        QCOMPARE(leaked(fileBytes(path()), plaintexts()), QStringList());
        m_store.reset();
        QCOMPARE(leaked(fileBytes(path()), plaintexts()), QStringList());

        // Once is enough: the next open finds nothing to seal and everything reads.
        VERIFY_OK(openStore(m_key));
        auto list = messages();
        VERIFY_OK(list);
        QCOMPARE(texts(*list), (QStringList{kTheirEdit, kMyEdit, kCaption}));
    }

    void aRunWithoutTheKeyIsSealedByTheNextWithIt()
    {
        VERIFY_OK(openStore(m_key));
        writeEverything();
        m_store.reset();
        // A run without the key (it cannot read what is sealed) writes in plaintext…
        const QString keyless = u"Keylessjulietwombat0010"_s;
        VERIFY_OK(openStore(std::nullopt));
        VERIFY_OK(apply(message(4, kBob, keyless)));
        m_store.reset();
        QCOMPARE(leaked(fileBytes(path()), {keyless}), QStringList{keyless});
        // …and the next one with it seals that too.
        VERIFY_OK(openStore(m_key));
        auto list = messages();
        VERIFY_OK(list);
        QCOMPARE(texts(*list), (QStringList{kTheirEdit, kMyEdit, keyless, kCaption}));
        QCOMPARE(search(keyless.left(7))->size(), 1);
        m_store.reset();
        QCOMPARE(leaked(fileBytes(path()), plaintexts() + QStringList{keyless}), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestLocalStoreSealed)
#include "tst_local_store_sealed.moc"
