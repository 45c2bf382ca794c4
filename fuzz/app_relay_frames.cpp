// Fuzzes the app's handling of what the relay sends (app/core): each frame decoded as
// Connection::onText() does, then applied to the local SQLite store as SyncEngine, Outbox
// and ChatClient apply events, receipts and replies (local_queries.h), then read back as the
// models read it. None of these is pure: they run on an in-memory database with the app's
// schema, and each input is rolled back.
//
// Input: frames, one per line (at most kMaxFrames).
#include "fuzz_check.h"

#include "core/local_queries.h"
#include "protocol/frame.h"
#include "protocol/messages/replies.h"
#include "sql/migrations.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <cstdint>
#include <limits>

namespace tidings::app {
std::span<const Migration> localMigrations();
}

using namespace tidings;
using namespace tidings::app;
using namespace Qt::StringLiterals;

namespace {

constexpr std::size_t kMaxInputBytes = 64 * 1024;
constexpr qsizetype kMaxFrames = 16;
constexpr qint64 kMe = 1;

QSqlDatabase &database()
{
    static QSqlDatabase *db = [] {
        // The SQLite driver is a plugin: loading it wants an application object.
        static int argc = 1;
        static char name[] = "app_relay_frames";
        static char *argv[] = {name, nullptr};
        new QCoreApplication(argc, argv);
        auto *opened = new QSqlDatabase(QSqlDatabase::addDatabase(u"QSQLITE"_s, u"fuzz"_s));
        opened->setDatabaseName(u":memory:"_s);
        FUZZ_CHECK(opened->open());
        QSqlQuery(*opened).exec(u"PRAGMA foreign_keys=ON"_s);
        FUZZ_CHECK(applyMigrations(*opened, localMigrations()).ok());
        return opened;
    }();
    return *db;
}

template<typename T> void check(const Result<T> &result)
{
    if (!result)
        FUZZ_CHECK(!result.error().message.isEmpty());
}

void applyEvents(QSqlDatabase &db, const QJsonArray &events)
{
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        check(local::hasConversation(db, event.value(u"conversation"_s).toInteger()));
        const auto applied = local::applyEvent(db, event, kMe);
        check(applied);
        if (applied)
            FUZZ_CHECK(applied->syncedSeq >= 0);
    }
}

void storeDetails(QSqlDatabase &db, const QJsonObject &reply)
{
    check(local::storeUsers(db, reply.value(u"users"_s).toArray()));
    for (const QJsonValue &conversation : reply.value(u"conversations"_s).toArray())
        check(local::storeConversation(db, conversation.toObject()));
    if (reply.contains(u"conversation"_s))
        check(local::storeConversation(db, reply.value(u"conversation"_s).toObject()));
}

void handle(QSqlDatabase &db, const protocol::Frame &frame)
{
    if (frame.id.isEmpty()) {
        // Events (SyncEngine::onFrame); typing and presence touch no store.
        if (frame.type == u"event") {
            QJsonObject event = frame.fields;
            event.insert(u"type"_s, frame.type);
            applyEvents(db, {event});
        } else if (frame.type == u"receipt") {
            check(local::applyReceipt(db, frame.fields.value(u"conversation"_s).toInteger(),
                                      frame.fields.value(u"user"_s).toInteger(),
                                      frame.fields.value(u"delivered_seq"_s).toInteger(),
                                      frame.fields.value(u"read_seq"_s).toInteger(), kMe));
        }
        return;
    }
    if (frame.type != u"result")
        return; // an error reply: its code and message go to the caller
    // Replies: a sync or history page, conversations.list, conversation.get / direct.open,
    // and the ack of a sent message with its event.
    applyEvents(db, frame.fields.value(u"events"_s).toArray());
    storeDetails(db, frame.fields);
    if (const auto entry = protocol::messages::EntryResult::decode(frame.fields))
        check(local::outboxDone(db, frame.id, {}, entry->event, kMe));
}

/// What the conversation list and the chat read.
void readBack(QSqlDatabase &db)
{
    const auto conversations = local::conversations(db, kMe);
    check(conversations);
    if (conversations) {
        for (const local::Conversation &conversation : *conversations) {
            check(local::conversation(db, conversation.id, kMe));
            const auto messages = local::messages(db, conversation.id, 0, 50);
            check(messages);
            check(local::messagesFrom(db, conversation.id, conversation.syncedSeq, 50));
            if (messages && !messages->isEmpty())
                check(local::search(db, messages->last().body.value(u"text"_s).toString(), 10));
        }
    }
    check(local::users(db));
    check(local::syncCursors(db));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    QSqlDatabase &db = database();
    const QByteArray input(reinterpret_cast<const char *>(data),
                           qsizetype(std::min(size, kMaxInputBytes)));
    FUZZ_CHECK(db.transaction());
    qsizetype frames = 0;
    for (const QByteArray &line : input.split('\n')) {
        if (line.isEmpty())
            continue;
        if (++frames > kMaxFrames)
            break;
        // The text of a WebSocket message, as QWebSocket hands it to Connection::onText().
        const auto frame = protocol::decodeFrame(QString::fromUtf8(line).toUtf8(),
                                                 std::numeric_limits<qsizetype>::max());
        if (!frame) {
            FUZZ_CHECK(!frame.error().message.isEmpty());
            continue;
        }
        handle(db, *frame);
    }
    readBack(db);
    FUZZ_CHECK(db.rollback());
    return 0;
}
