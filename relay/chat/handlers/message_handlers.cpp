// Messages and reading: message.send, message.edit, message.delete, message.react, receipt,
// sync, history.
#include "chat/chat_core.h"
#include "chat/delivery.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "chat/wire.h"
#include "protocol/fields.h"
#include "protocol/messages/events.h"
#include "protocol/messages/message_requests.h"
#include "push/push_service.h"
#include "store/key_directory_queries.h"
#include "store/media_queries.h"
#include "store/message_queries.h"
#include "store/push_queries.h"
#include "store/store.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace fields = protocol::fields;
namespace messages = protocol::messages;

namespace {

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

/// Refuses what the relay's e2e setting does not take (true), else false.
bool refusedByE2e(const Request &request, bool encrypted)
{
    if (auto refused = e2eRefusal(request, encrypted)) {
        request.fail(*refused);
        return true;
    }
    return false;
}

void sendMessageFrom(const Request &request, UserId sender, const messages::SendMessage &send,
                     quint32 device);

void sendMessage(const Request &request, const messages::SendMessage &send)
{
    if (refusedByE2e(request, send.encrypted()))
        return;
    const UserId sender = request.session()->userId();
    if (!send.encrypted())
        return sendMessageFrom(request, sender, send, 0);
    withDevice(request, [request, sender, send](quint32 device) {
        sendMessageFrom(request, sender, send, device);
    });
}

/// message.send once the sending device is known (0 for plaintext).
void sendMessageFrom(const Request &request, UserId sender, const messages::SendMessage &send,
                     quint32 device)
{
    const ConversationId conversation = send.conversation;
    const QString clientId = send.clientId;
    sql::NewMessage message;
    message.text = send.text;
    message.replyTo = send.replyTo;
    message.attachments = send.attachments;
    message.ciphertext = send.ciphertext;
    message.device = device;
    message.media = send.media;
    message.mentions = send.mentions;
    // Push jobs for members with no live session go in the message's own transaction.
    const qint64 pushDelay
        = request.core().push() ? request.core().push()->options().coalesceMs : -1;
    // On PostgreSQL, a message from a sender the writer knows goes ahead with the others of
    // its group commit, in one round trip.
    const auto staged = sql::newStagedMessage();
    appendAndDeliver(
        request, conversation,
        [sender, conversation, clientId, message, pushDelay, staged](QSqlDatabase &db) {
            auto sent = sql::sendMessage(db, sender, conversation, clientId, message, staged.get());
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
        [sender, conversation, clientId, message, staged](QSqlDatabase &db) {
            return sql::stageMessage(db, *staged, sender, conversation, clientId, message);
        });
}

void editMessage(const Request &request, const messages::EditMessage &edit)
{
    if (refusedByE2e(request, edit.encrypted()))
        return;
    const UserId sender = request.session()->userId();
    if (!edit.encrypted()) {
        return appendAndDeliver(request, edit.conversation, [sender, edit](QSqlDatabase &db) {
            return sql::editMessage(db, sender, edit.conversation, edit.clientId, edit.seq,
                                    edit.text);
        });
    }
    withDevice(request, [request, sender, edit](quint32 device) {
        appendAndDeliver(request, edit.conversation, [sender, edit, device](QSqlDatabase &db) {
            return sql::editEncrypted(db, sender, edit.conversation, edit.clientId, edit.seq,
                                      device, edit.ciphertext);
        });
    });
}

void deleteMessage(const Request &request, const messages::DeleteMessage &removal)
{
    const UserId sender = request.session()->userId();
    appendAndDeliver(request, removal.conversation, [sender, removal](QSqlDatabase &db) {
        return sql::deleteMessage(db, sender, removal.conversation, removal.clientId, removal.seq);
    });
}

void reactToMessage(const Request &request, const messages::ReactToMessage &reaction)
{
    if (refusedByE2e(request, reaction.encrypted()))
        return;
    const UserId sender = request.session()->userId();
    if (!reaction.encrypted()) {
        return appendAndDeliver(
            request, reaction.conversation, [sender, reaction](QSqlDatabase &db) {
                return sql::react(db, sender, reaction.conversation, reaction.clientId,
                                  reaction.seq, reaction.emoji, reaction.on);
            });
    }
    withDevice(request, [request, sender, reaction](quint32 device) {
        appendAndDeliver(
            request, reaction.conversation, [sender, reaction, device](QSqlDatabase &db) {
                return sql::reactEncrypted(db, sender, reaction.conversation, reaction.clientId,
                                           reaction.seq, device, reaction.tag, reaction.ciphertext,
                                           reaction.on);
            });
    });
}

void updateReceipt(const Request &request, const messages::Receipt &receipt)
{
    const UserId user = request.session()->userId();
    const ConversationId id = receipt.conversation;
    const std::optional<Seq> deliveredSeq = receipt.deliveredSeq;
    const std::optional<Seq> readSeq = receipt.readSeq;
    request.core()
        .store()
        .write<sql::ReceiptUpdate>([user, id, deliveredSeq, readSeq](QSqlDatabase &db) {
            return sql::updateReceipt(db, user, id, deliveredSeq, readSeq);
        })
        .then(&request.core(), [request](const Result<sql::ReceiptUpdate> &update) {
            if (!update)
                return request.fail(update.error());
            if (update->changed) {
                const messages::ReceiptEvent event{update->conversationId, update->userId,
                                                   update->deliveredSeq, update->readSeq};
                request.core().sendToUsers(
                    update->recipients,
                    QJsonDocument(messages::eventFrame(event)).toJson(QJsonDocument::Compact),
                    request.session());
            }
            request.reply(
                {{u"delivered_seq"_s, update->deliveredSeq}, {u"read_seq"_s, update->readSeq}});
        });
}

int pageLimit(const Request &request, std::optional<int> limit, int fallback)
{
    return limit.value_or(std::min(fallback, request.core().options().maxPageSize));
}

QJsonArray eventArray(const QList<EventRecord> &events)
{
    QJsonArray array;
    for (const EventRecord &event : events)
        array.append(wire::event(event));
    return array;
}

void sync(const Request &request, const messages::Sync &asked)
{
    QHash<ConversationId, Seq> cursors;
    cursors.reserve(asked.cursors.size());
    for (const messages::Cursor &cursor : asked.cursors)
        cursors.insert(cursor.conversation, cursor.seq);
    const UserId user = request.session()->userId();
    const int count = pageLimit(request, asked.limit, request.core().options().maxPageSize);
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

void history(const Request &request, const messages::History &asked)
{
    const UserId user = request.session()->userId();
    const ConversationId id = asked.conversation;
    const std::optional<Seq> from = asked.after;
    const Seq until = asked.before.value_or(fields::kMaxSafeInteger);
    const int count = pageLimit(request, asked.limit, messages::History::kDefaultLimit);
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
    add<messages::SendMessage, sendMessage>(table, Access::SignedIn);
    add<messages::EditMessage, editMessage>(table, Access::SignedIn);
    add<messages::DeleteMessage, deleteMessage>(table, Access::SignedIn);
    add<messages::ReactToMessage, reactToMessage>(table, Access::SignedIn);
    add<messages::Receipt, updateReceipt>(table, Access::SignedIn);
    add<messages::Sync, sync>(table, Access::SignedIn);
    add<messages::History, history>(table, Access::SignedIn);
}

} // namespace tidings::relay
