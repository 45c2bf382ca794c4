// The device inbox of end-to-end encryption: inbox.send, inbox.fetch, inbox.ack
// (docs/protocol.md, "End-to-end encryption: the device inbox"; the design in
// docs/encryption.md, section 4). Key messages between devices keep the delivery contract
// of chat messages: stored in the group commit before the sender hears "stored" or the
// recipient hears of them, kept until the recipient acks, idempotent by client id. The
// relay never reads a body.
#include "chat/chat_core.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "protocol/messages/device_inbox.h"
#include "protocol/messages/events.h"
#include "store/device_inbox_queries.h"
#include "store/key_directory_queries.h"
#include "store/sql_helpers.h"
#include "store/store.h"

#include <QJsonDocument>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// This session's device, or Forbidden: only a registered device has an inbox or writes to
/// others'.
Result<sql::DeviceKey> deviceOf(QSqlDatabase &db, UserId user, qint64 session)
{
    auto device = sql::deviceOfSession(db, session);
    if (!device)
        return device.error();
    if (!*device)
        return Error{ErrorCode::Forbidden,
                     u"this session has no device: register one first (device.register)"_s};
    return sql::DeviceKey{user, (*device)->id};
}

messages::InboxRefusal refusal(sql::InboxOutcome::Kind kind)
{
    switch (kind) {
    case sql::InboxOutcome::Full:
        return messages::InboxRefusal::Full;
    case sql::InboxOutcome::Forbidden:
        return messages::InboxRefusal::Forbidden;
    case sql::InboxOutcome::NotRegistered:
    case sql::InboxOutcome::Stored:
        break;
    }
    return messages::InboxRefusal::NotRegistered;
}

/// inbox.send counts against message-rate once, malformed or not (while e2e is on).
bool sendBudget(const Request &request)
{
    return refuseWithoutE2e(request)
        || request.throttledPerUserAndAddress(u"send"_s,
                                              request.core().options().messagesPerSecond);
}

void sendToInbox(const Request &request, const messages::SendToInbox &asked)
{
    // The gate took one token of the send budget; every further 50 recipients take another,
    // so a request's cost follows its size.
    for (qsizetype more = (asked.messages.size() - 1) / 50; more > 0; --more) {
        if (request.throttledPerUserAndAddress(u"send"_s,
                                               request.core().options().messagesPerSecond))
            return;
    }
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    QList<sql::InboxWrite> writes;
    writes.reserve(asked.messages.size());
    for (const messages::InboxRecipient &message : asked.messages)
        writes.append({{message.user, message.device}, message.body});
    const qint64 at = sql::now();
    struct Sent
    {
        messages::InboxSent result;
        quint32 device = 0; ///< the sender's
        QList<sql::InboxOutcome> outcomes; ///< one per write; none for a duplicate
    };
    request.core().store().write<Sent>(
        [user, session, clientId = asked.clientId, writes = std::move(writes),
         at](QSqlDatabase &db) -> Result<Sent> {
            auto sender = deviceOf(db, user, session);
            if (!sender)
                return sender.error();
            auto earlier = sql::inboxSendResult(db, *sender, clientId);
            if (!earlier)
                return earlier.error();
            if (*earlier) {
                auto first
                    = messages::InboxSent::decode(QJsonDocument::fromJson(**earlier).object());
                if (!first)
                    return Error{ErrorCode::Io, u"a stored result: "_s + first.error().message};
                first->duplicate = true;
                return Sent{*first, sender->device, {}};
            }
            auto outcomes = sql::sendToInbox(db, *sender, writes, at);
            if (!outcomes)
                return outcomes.error();
            messages::InboxSent sent;
            for (qsizetype i = 0; i < writes.size(); ++i) {
                const sql::InboxOutcome &outcome = outcomes->at(i);
                if (outcome.kind == sql::InboxOutcome::Stored)
                    ++sent.stored;
                else
                    sent.undelivered.append(
                        {writes[i].to.user, writes[i].to.device, refusal(outcome.kind)});
            }
            if (auto kept = sql::rememberInboxSend(db, *sender, clientId, compact(sent.encode()));
                !kept)
                return kept.error();
            return Sent{sent, sender->device, std::move(outcomes).value()};
        },
        &request.core(),
        [request, user, asked, at](const Result<Sent> &sent) {
            if (!sent)
                return request.fail(sent.error());
            // Durable now: the sender hears "stored", each live recipient its message.
            request.reply(sent->result.encode());
            for (qsizetype i = 0; i < sent->outcomes.size(); ++i) {
                const sql::InboxOutcome &outcome = sent->outcomes.at(i);
                if (outcome.kind != sql::InboxOutcome::Stored)
                    continue;
                const messages::InboxMessage message{outcome.seq, user, sent->device,
                                                     asked.messages.at(i).body, at};
                request.core().sendToSession(outcome.sessionId,
                                             compact(messages::eventFrame(message)));
            }
        });
}

void fetchInbox(const Request &request, const messages::FetchInbox &asked)
{
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .read<messages::InboxPage>(
            [user, session, asked](QSqlDatabase &db) -> Result<messages::InboxPage> {
                auto device = deviceOf(db, user, session);
                if (!device)
                    return device.error();
                auto fetched = sql::fetchInbox(db, *device, asked.after, asked.limit);
                if (!fetched)
                    return fetched.error();
                messages::InboxPage page;
                page.more = fetched->more;
                page.messages.reserve(fetched->rows.size());
                for (const sql::InboxRow &row : std::as_const(fetched->rows))
                    page.messages.append(
                        {row.seq, row.from.user, row.from.device, row.body, row.createdAt});
                return page;
            })
        .then(&request.core(), [request](const Result<messages::InboxPage> &page) {
            if (!page)
                return request.fail(page.error());
            request.reply(page->encode());
        });
}

void ackInbox(const Request &request, const messages::AckInbox &asked)
{
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .write<qint64>([user, session, upTo = asked.upTo](QSqlDatabase &db) -> Result<qint64> {
            auto device = deviceOf(db, user, session);
            if (!device)
                return device.error();
            return sql::ackInbox(db, *device, upTo);
        })
        .then(&request.core(), [request](const Result<qint64> &acked) {
            if (!acked)
                return request.fail(acked.error());
            request.reply();
        });
}

} // namespace

void registerInboxHandlers(HandlerTable &table)
{
    add<messages::SendToInbox, sendToInbox, sendBudget>(table, Access::SignedIn);
    add<messages::FetchInbox, fetchInbox, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::AckInbox, ackInbox, refuseWithoutE2e>(table, Access::SignedIn);
}

} // namespace tidings::relay
