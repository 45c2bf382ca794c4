// Messages and reading: message.send, message.edit, message.delete, message.react, receipt,
// sync, history.
#include "chat/chat_core.h"
#include "chat/delivery.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "chat/wire.h"
#include "protocol/fields.h"
#include "push/push_service.h"
#include "store/media_queries.h"
#include "store/message_queries.h"
#include "store/push_queries.h"
#include "store/store.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace fields = protocol::fields;

namespace {

constexpr qsizetype kMaxAttachments = 10;
constexpr qsizetype kMaxAttachmentBytes = 8192; // room for a small thumbnail

/// What every change to a message names: the conversation and the client's id for it.
struct Target
{
    ConversationId conversation = 0;
    QString clientId;
    Seq seq = 0; ///< the message changed (edit, delete, react)
};

Result<Target> target(const Request &request, bool message = false)
{
    const auto conversation = fields::integer(request.fields(), u"conversation"_s, 1);
    if (!conversation)
        return conversation.error();
    const auto clientId = fields::string(request.fields(), u"client_id"_s, {1, 64});
    if (!clientId)
        return clientId.error();
    Target place{*conversation, *clientId, 0};
    if (message) {
        const auto seq = fields::integer(request.fields(), u"seq"_s, 1);
        if (!seq)
            return seq.error();
        place.seq = *seq;
    }
    return place;
}
Result<QString> messageText(const Request &request, bool allowEmpty)
{
    const QJsonValue value = request.fields().value(u"text"_s);
    if (allowEmpty && (value.isUndefined() || value.isNull()))
        return QString();
    if (!value.isString())
        return Error{ErrorCode::BadRequest, u"field 'text' must be a string"_s};
    const QString text = value.toString();
    const qsizetype limit = request.core().options().maxTextBytes;
    if (text.toUtf8().size() > limit)
        return Error{ErrorCode::TooLarge, u"a message text has at most %1 bytes"_s.arg(limit)};
    if (!allowEmpty && text.trimmed().isEmpty())
        return Error{ErrorCode::BadRequest, u"a message needs some text"_s};
    return text;
}

Result<QJsonArray> attachments(const Request &request)
{
    const QJsonValue value = request.fields().value(u"attachments"_s);
    if (value.isUndefined() || value.isNull())
        return QJsonArray();
    if (!value.isArray() || value.toArray().size() > kMaxAttachments)
        return Error{ErrorCode::BadRequest,
                     u"field 'attachments' must be an array of at most 10 objects"_s};
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array) {
        if (!item.isObject())
            return Error{ErrorCode::BadRequest,
                         u"field 'attachments' must be an array of at most 10 objects"_s};
        const QJsonObject attachment = item.toObject();
        if (QJsonDocument(attachment).toJson(QJsonDocument::Compact).size() > kMaxAttachmentBytes)
            return Error{ErrorCode::TooLarge,
                         u"an attachment description has at most 8192 bytes"_s};
        // The shapes here; whether the media may be sent, in the store (sql::checkAttachments).
        const auto media = fields::string(attachment, u"media"_s, {32, 32});
        if (!media || !sql::isMediaId(*media))
            return Error{ErrorCode::BadRequest,
                         u"each attachment names its uploaded file in 'media'"_s};
        if (auto name = fields::optionalString(attachment, u"name"_s, {0, 1020}); !name)
            return name.error();
        if (auto thumbnail = fields::optionalString(attachment, u"thumbnail"_s, {0, 8192});
            !thumbnail)
            return thumbnail.error();
        for (const QString &side : {u"width"_s, u"height"_s}) {
            if (auto pixels = fields::optionalInteger(attachment, side, 0, 1'000'000); !pixels)
                return pixels.error();
        }
        if (auto length = fields::optionalInteger(attachment, u"duration_ms"_s, 0); !length)
            return length.error();
    }
    return array;
}

/// Writes, then answers {"event": …, "duplicate": bool} and delivers the event to the
/// other sessions of every member.
/// `conversation`: the log the write appends to (its row is locked in order, see
/// SqlThread's lock keys).
/// `stage`: see Store::write().
void appendAndDeliver(const Request &request, ConversationId conversation,
                      std::function<Result<Appended>(QSqlDatabase &)> write,
                      WriteIsolation isolation = WriteIsolation::Savepoint,
                      std::function<bool(QSqlDatabase &)> stage = {})
{
    if (request.throttledPerUserAndAddress(u"send"_s, request.core().options().messagesPerSecond))
        return;
    request.core().store().write<Appended>(
        std::move(write), &request.core(),
        [request](const Result<Appended> &done) {
            if (!done)
                return request.fail(done.error());
            // The sender's ack goes out only now: the event is durably committed. The
            // event is encoded once, for the ack and every recipient.
            const QByteArray event = wire::eventJson(done->event);
            deliverEvent(request.core(), *done, request.session(), event);
            if (done->pushDueAt != 0 && request.core().push())
                request.core().push()->wake(done->pushDueAt);
            QByteArray members(done->duplicate ? "\"duplicate\":true,\"event\":"
                                               : "\"duplicate\":false,\"event\":");
            members += event;
            request.replyEncoded(members);
        },
        isolation, conversation, std::move(stage));
}

void sendMessage(const Request &request)
{
    const auto where = target(request);
    if (!where)
        return request.fail(where.error());
    const auto files = attachments(request);
    if (!files)
        return request.fail(files.error());
    const auto text = messageText(request, !files->isEmpty());
    if (!text)
        return request.fail(text.error());
    const auto replyTo = fields::optionalInteger(request.fields(), u"reply_to"_s, 1);
    if (!replyTo)
        return request.fail(replyTo.error());

    const UserId sender = request.session()->userId();
    const Target place = *where;
    const sql::NewMessage message{*text, replyTo->value_or(0), *files};
    // Push jobs for members with no live session go in the message's own transaction.
    const qint64 pushDelay
        = request.core().push() ? request.core().push()->options().coalesceMs : -1;
    // On PostgreSQL, a message from a sender the writer knows goes ahead with the others of
    // its group commit, in one round trip.
    const auto staged = sql::newStagedMessage();
    appendAndDeliver(
        request, place.conversation,
        [sender, place, message, pushDelay, staged](QSqlDatabase &db) {
            auto sent = sql::sendMessage(db, sender, place.conversation, place.clientId, message,
                                         staged.get());
            if (!sent || pushDelay < 0)
                return sent;
            const auto due = sql::queuePushes(db, *sent, pushDelay);
            if (!due) // the message is written: this fails the whole commit (no savepoint)
                return Result<Appended>(Error{ErrorCode::Io, due.error().message});
            Appended appended = std::move(sent).value();
            appended.pushDueAt = *due;
            return Result<Appended>(std::move(appended));
        },
        WriteIsolation::None,
        [sender, place, message, staged](QSqlDatabase &db) {
            return sql::stageMessage(db, *staged, sender, place.conversation, place.clientId,
                                     message);
        });
}

void editMessage(const Request &request)
{
    const auto where = target(request, true);
    if (!where)
        return request.fail(where.error());
    const auto text = messageText(request, false);
    if (!text)
        return request.fail(text.error());
    const UserId sender = request.session()->userId();
    const Target place = *where;
    const Seq message = place.seq;
    const QString newText = *text;
    appendAndDeliver(request, place.conversation,
                     [sender, place, message, newText](QSqlDatabase &db) {
                         return sql::editMessage(db, sender, place.conversation, place.clientId,
                                                 message, newText);
                     });
}

void deleteMessage(const Request &request)
{
    const auto where = target(request, true);
    if (!where)
        return request.fail(where.error());
    const UserId sender = request.session()->userId();
    const Target place = *where;
    const Seq message = place.seq;
    appendAndDeliver(request, place.conversation, [sender, place, message](QSqlDatabase &db) {
        return sql::deleteMessage(db, sender, place.conversation, place.clientId, message);
    });
}

void reactToMessage(const Request &request)
{
    const auto where = target(request, true);
    if (!where)
        return request.fail(where.error());
    const auto emoji = fields::string(request.fields(), u"emoji"_s, {1, 32});
    if (!emoji)
        return request.fail(emoji.error());
    for (const QChar c : *emoji) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return request.fail({ErrorCode::BadRequest,
                                 u"field 'emoji' must not contain spaces or control characters"_s});
    }
    const auto on = fields::optionalBoolean(request.fields(), u"on"_s);
    if (!on)
        return request.fail(on.error());
    const UserId sender = request.session()->userId();
    const Target place = *where;
    const Seq message = place.seq;
    const QString reaction = *emoji;
    const bool adding = on->value_or(true);
    appendAndDeliver(request, place.conversation,
                     [sender, place, message, reaction, adding](QSqlDatabase &db) {
                         return sql::react(db, sender, place.conversation, place.clientId, message,
                                           reaction, adding);
                     });
}

void updateReceipt(const Request &request)
{
    const auto conversation = fields::integer(request.fields(), u"conversation"_s, 1);
    if (!conversation)
        return request.fail(conversation.error());
    const auto delivered = fields::optionalInteger(request.fields(), u"delivered_seq"_s, 0);
    if (!delivered)
        return request.fail(delivered.error());
    const auto read = fields::optionalInteger(request.fields(), u"read_seq"_s, 0);
    if (!read)
        return request.fail(read.error());
    if (!delivered->has_value() && !read->has_value())
        return request.fail({ErrorCode::BadRequest, u"give 'delivered_seq', 'read_seq' or both"_s});

    const UserId user = request.session()->userId();
    const ConversationId id = *conversation;
    const std::optional<Seq> deliveredSeq = *delivered;
    const std::optional<Seq> readSeq = *read;
    request.core()
        .store()
        .write<sql::ReceiptUpdate>([user, id, deliveredSeq, readSeq](QSqlDatabase &db) {
            return sql::updateReceipt(db, user, id, deliveredSeq, readSeq);
        })
        .then(&request.core(), [request](const Result<sql::ReceiptUpdate> &update) {
            if (!update)
                return request.fail(update.error());
            if (update->changed) {
                QJsonObject frame{{u"type"_s, u"receipt"_s},
                                  {u"conversation"_s, update->conversationId},
                                  {u"user"_s, update->userId},
                                  {u"delivered_seq"_s, update->deliveredSeq},
                                  {u"read_seq"_s, update->readSeq}};
                request.core().sendToUsers(update->recipients,
                                           QJsonDocument(frame).toJson(QJsonDocument::Compact),
                                           request.session());
            }
            request.reply(
                {{u"delivered_seq"_s, update->deliveredSeq}, {u"read_seq"_s, update->readSeq}});
        });
}

Result<int> pageLimit(const Request &request, int fallback)
{
    const int maximum = request.core().options().maxPageSize;
    const auto limit = fields::optionalInteger(request.fields(), u"limit"_s, 1, maximum);
    if (!limit)
        return limit.error();
    return static_cast<int>(limit->value_or(std::min(fallback, maximum)));
}

QJsonArray eventArray(const QList<EventRecord> &events)
{
    QJsonArray array;
    for (const EventRecord &event : events)
        array.append(wire::event(event));
    return array;
}

void sync(const Request &request)
{
    const auto limit = pageLimit(request, request.core().options().maxPageSize);
    if (!limit)
        return request.fail(limit.error());
    QHash<ConversationId, Seq> cursors;
    const QJsonValue cursorsField = request.fields().value(u"cursors"_s);
    if (!cursorsField.isUndefined() && !cursorsField.isNull()) {
        const Error bad{
            ErrorCode::BadRequest,
            u"field 'cursors' must be an array of at most 100000 {\"conversation\", \"seq\"} objects"_s};
        if (!cursorsField.isArray() || cursorsField.toArray().size() > 100000)
            return request.fail(bad);
        const QJsonArray array = cursorsField.toArray();
        for (const QJsonValue &item : array) {
            if (!item.isObject())
                return request.fail(bad);
            const auto conversation = fields::integer(item.toObject(), u"conversation"_s, 1);
            const auto seq = fields::integer(item.toObject(), u"seq"_s, 0);
            if (!conversation || !seq)
                return request.fail(bad);
            cursors.insert(*conversation, *seq);
        }
    }
    const UserId user = request.session()->userId();
    const int count = *limit;
    request.core()
        .store()
        .read<sql::SyncPage>([user, cursors, count](QSqlDatabase &db) {
            return sql::syncEvents(db, user, cursors, count);
        })
        .then(&request.core(), [request](const Result<sql::SyncPage> &page) {
            if (!page)
                return request.fail(page.error());
            QJsonArray cursorArray;
            for (auto it = page->cursors.cbegin(); it != page->cursors.cend(); ++it)
                cursorArray.append(
                    QJsonObject{{u"conversation"_s, it.key()}, {u"seq"_s, it.value()}});
            request.reply({{u"events"_s, eventArray(page->events)},
                           {u"cursors"_s, cursorArray},
                           {u"more"_s, page->more}});
        });
}

void history(const Request &request)
{
    const auto conversation = fields::integer(request.fields(), u"conversation"_s, 1);
    if (!conversation)
        return request.fail(conversation.error());
    const auto before = fields::optionalInteger(request.fields(), u"before"_s, 1);
    if (!before)
        return request.fail(before.error());
    const auto after = fields::optionalInteger(request.fields(), u"after"_s, 0);
    if (!after)
        return request.fail(after.error());
    if (before->has_value() && after->has_value())
        return request.fail({ErrorCode::BadRequest, u"give 'before' or 'after', not both"_s});
    const auto limit = pageLimit(request, 50);
    if (!limit)
        return request.fail(limit.error());

    const UserId user = request.session()->userId();
    const ConversationId id = *conversation;
    const std::optional<Seq> from = after->has_value() ? *after : std::nullopt;
    const Seq until = before->value_or(fields::kMaxSafeInteger);
    const int count = *limit;
    request.core()
        .store()
        .read<sql::EventPage>([user, id, from, until, count](QSqlDatabase &db) {
            return from ? sql::eventsAfter(db, user, id, *from, count)
                        : sql::eventsBefore(db, user, id, until, count);
        })
        .then(&request.core(), [request](const Result<sql::EventPage> &page) {
            if (!page)
                return request.fail(page.error());
            request.reply({{u"events"_s, eventArray(page->events)}, {u"more"_s, page->more}});
        });
}

} // namespace

void registerMessageHandlers(HandlerTable &table)
{
    table.insert(u"message.send"_s, {Access::SignedIn, sendMessage});
    table.insert(u"message.edit"_s, {Access::SignedIn, editMessage});
    table.insert(u"message.delete"_s, {Access::SignedIn, deleteMessage});
    table.insert(u"message.react"_s, {Access::SignedIn, reactToMessage});
    table.insert(u"receipt"_s, {Access::SignedIn, updateReceipt});
    table.insert(u"sync"_s, {Access::SignedIn, sync});
    table.insert(u"history"_s, {Access::SignedIn, history});
}

} // namespace tidings::relay
