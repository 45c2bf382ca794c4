// What the user does, queued: messages, changes and receipts in the outbox, and what the
// relay answers them with.
#include "core/local_queries.h"

#include "core/local_queries_internal.h"
#include "core/message_attachment.h"
#include "core/store_cipher.h"
#include "protocol/messages/events.h"
#include "protocol/messages/http_messages.h"
#include "protocol/messages/message_requests.h"
#include "sql/sql_helpers.h"

#include <algorithm>

namespace tidings::app::local {

using namespace Qt::StringLiterals;
using sql::now;
using sql::run;
using namespace detail;

Result<Message> queueMessage(QSqlDatabase &db, qint64 conversation, qint64 me,
                             const QString &clientId, const QString &caption, Seq replyTo,
                             const QJsonArray &attachments)
{
    const QString text = caption.isNull() ? u""_s : caption; // a null QString binds as NULL
    QJsonObject body{{u"text"_s, text}};
    if (!attachments.isEmpty())
        body.insert(u"attachments"_s, attachments);
    if (replyTo > 0)
        body.insert(u"reply_to"_s, replyTo);
    protocol::messages::SendMessage request;
    request.conversation = conversation;
    request.clientId = clientId;
    request.text = text;
    request.replyTo = replyTo;
    request.attachments = attachments;
    const QJsonObject payload = request.encode();
    const qint64 at = now();
    const auto id = nextMessageId(db);
    if (!id)
        return id.error();
    const auto keptBody = keepBody(db, "body", *id, body);
    if (!keptBody)
        return keptBody.error();
    auto inserted = run(db,
                        u"INSERT INTO messages (id, conversation_id, client_id, sender_id, kind, "
                        u"body, text, created_at, state) "
                        "VALUES (?, ?, ?, ?, 'message', ?, ?, ?, 'queued') RETURNING "_s
                            + messageColumns(),
                        {*id, conversation, clientId, me, *keptBody, searchText(db, text), at});
    if (!inserted)
        return inserted.error();
    inserted->next();
    const auto message = readMessage(db, *inserted);
    inserted->finish();
    if (!message)
        return message.error();
    const auto keptPayload = keepPayload(db, clientId, payload);
    if (!keptPayload)
        return keptPayload.error();
    auto queued = run(
        db,
        u"INSERT INTO outbox (key, type, payload, conversation_id, created_at) VALUES (?, 'message.send', ?, ?, ?)"_s,
        {clientId, *keptPayload, conversation, at});
    if (!queued)
        return queued.error();
    if (auto activity
        = run(db, u"UPDATE conversations SET last_activity = max(last_activity, ?) WHERE id = ?"_s,
              {at, conversation});
        !activity) {
        return activity.error();
    }
    return *message;
}

namespace {

/// `message` (a message.send payload or a stored body) with `media` in the attachment
/// whose upload is `uploadId`: the relay's id, and the size, type and hash it verified; or,
/// for a sealed upload, the id and the key, the size and hash being the plaintext's (the
/// relay verified those of the ciphertext, which a receiver checks by opening it).
/// Nothing when no attachment of it waits for that upload.
std::optional<QJsonObject> withUploaded(const QJsonObject &message, const QString &uploadId,
                                        const protocol::messages::MediaObject &media,
                                        const SealedFile &sealed)
{
    QList<MessageAttachment> attachments = MessageAttachment::in(message);
    bool found = false;
    for (MessageAttachment &attachment : attachments) {
        if (attachment.upload != uploadId)
            continue;
        attachment.file.media = media.id;
        if (sealed.isSealed()) {
            attachment.key = sealed.key;
            attachment.file.size = sealed.size;
            attachment.file.sha256 = sealed.sha256;
        } else {
            attachment.key.clear();
            attachment.file.size = media.size;
            attachment.file.type = media.type;
            attachment.file.sha256 = media.sha256;
        }
        found = true;
    }
    if (!found)
        return std::nullopt;
    return MessageAttachment::with(message, attachments);
}

} // namespace

bool waitsForUpload(const QJsonObject &payload)
{
    const QList<MessageAttachment> attachments = MessageAttachment::in(payload);
    return std::any_of(
        attachments.begin(), attachments.end(),
        [](const MessageAttachment &attachment) { return attachment.isUploading(); });
}

QJsonObject wirePayload(const QJsonObject &payload)
{
    return MessageAttachment::forRelay(payload);
}

namespace {

struct Waiting
{
    QString key;
    QJsonObject payload;
    qint64 conversation = 0;
};

/// The outbox item whose attachments include the upload `uploadId`, if one waits for it.
Result<std::optional<Waiting>> waitingFor(QSqlDatabase &db, const QString &uploadId)
{
    // A plaintext payload is found by its text; sealed ones (BLOBs) are opened to be read.
    const QString pattern = u"\"upload\":\""_s + uploadId + u"\""_s;
    auto query = run(db,
                     u"SELECT key, payload, conversation_id FROM outbox WHERE "
                     "typeof(payload) = 'blob' OR payload LIKE ? ORDER BY id"_s,
                     {QString(u"%"_s + pattern + u"%"_s)});
    if (!query)
        return query.error();
    while (query->next()) {
        const QString key = query->value(0).toString();
        auto text = openText(db, "outbox", "payload", key, query->value(1));
        if (!text)
            return text.error();
        if (text->contains(pattern))
            return std::optional<Waiting>(
                Waiting{key, fromText(*text), query->value(2).toLongLong()});
    }
    return std::optional<Waiting>();
}

} // namespace

Result<qint64> attachmentUploaded(QSqlDatabase &db, const QString &uploadId,
                                  const protocol::messages::MediaObject &media,
                                  const SealedFile &sealed)
{
    auto waiting = waitingFor(db, uploadId);
    if (!waiting)
        return waiting.error();
    if (!waiting->has_value())
        return 0;
    const QString key = (*waiting)->key;
    const qint64 conversation = (*waiting)->conversation;
    const std::optional<QJsonObject> payload
        = withUploaded((*waiting)->payload, uploadId, media, sealed);
    if (!payload)
        return 0;
    const auto keptPayload = keepPayload(db, key, *payload);
    if (!keptPayload)
        return keptPayload.error();
    if (auto stored
        = run(db, u"UPDATE outbox SET payload = ? WHERE key = ?"_s, {*keptPayload, key});
        !stored) {
        return stored.error();
    }
    auto message
        = run(db, u"SELECT id, body FROM messages WHERE client_id = ? AND seq IS NULL"_s, {key});
    if (!message)
        return message.error();
    if (message->next()) {
        const qint64 id = message->value(0).toLongLong();
        const auto body = openBody(db, "body", id, message->value(1));
        message->finish();
        if (!body)
            return body.error();
        if (const std::optional<QJsonObject> shown = withUploaded(*body, uploadId, media, sealed)) {
            const auto keptBody = keepBody(db, "body", id, *shown);
            if (!keptBody)
                return keptBody.error();
            if (auto stored
                = run(db, u"UPDATE messages SET body = ? WHERE id = ?"_s, {*keptBody, id});
                !stored) {
                return stored.error();
            }
        }
    }
    return conversation;
}

Result<qint64> attachmentFailed(QSqlDatabase &db, const QString &uploadId, const QString &reason)
{
    auto waiting = waitingFor(db, uploadId);
    if (!waiting)
        return waiting.error();
    if (!waiting->has_value())
        return 0;
    if (auto failed = outboxFailed(db, (*waiting)->key, reason); !failed)
        return failed.error();
    return (*waiting)->conversation;
}

namespace {

/// Where a change request points: its conversation, client id and message seq.
struct Target
{
    qint64 conversation = 0;
    QString key;
    Seq seq = 0;
};

Target targetOf(const QString &type, const QJsonObject &payload)
{
    namespace proto = protocol::messages;
    if (type == QLatin1StringView(proto::EditMessage::kType)) {
        if (const auto edit = proto::EditMessage::decode(payload))
            return {edit->conversation, edit->clientId, edit->seq};
    } else if (type == QLatin1StringView(proto::DeleteMessage::kType)) {
        if (const auto remove = proto::DeleteMessage::decode(payload))
            return {remove->conversation, remove->clientId, remove->seq};
    } else if (type == QLatin1StringView(proto::ReactToMessage::kType)) {
        if (const auto react = proto::ReactToMessage::decode(payload))
            return {react->conversation, react->clientId, react->seq};
    }
    return {};
}

/// Shows message `seq` as confirmed with my waiting changes on top (after one was queued,
/// refused, retried or discarded). Nothing when the message is not here.
Result<void> settleTarget(QSqlDatabase &db, qint64 conversation, Seq seq)
{
    auto target = messageBySeq(db, conversation, seq);
    if (!target)
        return target.error();
    if (!target->has_value())
        return {};
    return settle(db, (*target)->id, conversation, seq, (*target)->confirmed);
}

/// The message a change in the outbox is for, if `key` is one.
Result<std::optional<std::pair<qint64, Seq>>> changeTarget(QSqlDatabase &db, const QString &key)
{
    auto query = run(db,
                     u"SELECT conversation_id, target_seq FROM outbox WHERE key = ? AND "
                     "target_seq IS NOT NULL"_s,
                     {key});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<std::pair<qint64, Seq>>();
    return std::optional(std::pair(query->value(0).toLongLong(), query->value(1).toLongLong()));
}

} // namespace

Result<OutboxItem> queueChange(QSqlDatabase &db, const QString &type, const QJsonObject &payload,
                               qint64 me)
{
    const Target change = targetOf(type, payload);
    if (change.key.isEmpty())
        return Error{ErrorCode::BadRequest, u"not a change to a message: "_s + type};
    const qint64 conversation = change.conversation;
    const QString &key = change.key;
    Q_UNUSED(me); // settle() applies the change as mine
    const auto keptPayload = keepPayload(db, key, payload);
    if (!keptPayload)
        return keptPayload.error();
    auto queued = run(db,
                      u"INSERT INTO outbox (key, type, payload, conversation_id, target_seq, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, attempts"_s,
                      {key, type, *keptPayload, conversation, change.seq, now()});
    if (!queued)
        return queued.error();
    queued->next();
    const qint64 id = queued->value(0).toLongLong();
    queued->finish();
    // Shown at once, on top of what the relay confirmed; its answer (or a later sync)
    // confirms it, or a refusal takes it off again.
    if (auto settled = settleTarget(db, conversation, change.seq); !settled)
        return settled.error();
    return OutboxItem{id, key, type, payload, conversation, u"pending"_s, 0, {}, 0, {}};
}

Result<bool> queueReceipt(QSqlDatabase &db, qint64 conversation, std::optional<Seq> delivered,
                          std::optional<Seq> read, bool shareRead)
{
    auto query
        = run(db, u"SELECT delivered_seq, read_seq, synced_seq FROM conversations WHERE id = ?"_s,
              {conversation});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::NotFound, u"no such conversation"_s};
    const Seq oldDelivered = query->value(0).toLongLong();
    const Seq oldRead = query->value(1).toLongLong();
    query->finish();
    const Seq newRead = std::max(oldRead, read.value_or(0));
    const Seq newDelivered = std::max({oldDelivered, delivered.value_or(0), newRead});
    if (newRead == oldRead && newDelivered == oldDelivered)
        return false;
    if (auto moved
        = run(db, u"UPDATE conversations SET delivered_seq = ?, read_seq = ? WHERE id = ?"_s,
              {newDelivered, newRead, conversation});
        !moved) {
        return moved.error();
    }
    // One receipt waits per conversation: the newest cursors replace the older ones.
    QJsonObject payload{{u"conversation"_s, conversation}, {u"delivered_seq"_s, newDelivered}};
    if (shareRead)
        payload.insert(u"read_seq"_s, newRead);
    const QString key = u"receipt:%1"_s.arg(conversation);
    const auto keptPayload = keepPayload(db, key, payload);
    if (!keptPayload)
        return keptPayload.error();
    auto queued
        = run(db,
              u"INSERT INTO outbox (key, type, payload, conversation_id, created_at) VALUES (?, "
              u"'receipt', ?, ?, ?) "
              "ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, state = 'pending'"_s,
              {key, *keptPayload, conversation, now()});
    if (!queued)
        return queued.error();
    return true;
}

Result<void> setDraft(QSqlDatabase &db, qint64 conversation, const QString &draft)
{
    const auto kept = sealText(db, "conversations", "draft", QString::number(conversation), draft);
    if (!kept)
        return kept.error();
    auto query
        = run(db, u"UPDATE conversations SET draft = ? WHERE id = ?"_s, {*kept, conversation});
    if (!query)
        return query.error();
    return {};
}

Result<QList<OutboxItem>> pendingOutbox(QSqlDatabase &db, int limit)
{
    auto query
        = run(db,
              u"SELECT id, key, type, payload, conversation_id, state, attempts, error, seal, "
              "coalesce(after_key, '') FROM outbox WHERE state = 'pending' "
              "ORDER BY type = 'inbox.send' DESC, id LIMIT ?"_s,
              {limit});
    if (!query)
        return query.error();
    QList<OutboxItem> items;
    while (query->next()) {
        const QString key = query->value(1).toString();
        auto payload = openPayload(db, key, query->value(3));
        if (!payload)
            return payload.error();
        items.append({query->value(0).toLongLong(), key, query->value(2).toString(),
                      std::move(*payload), query->value(4).toLongLong(), query->value(5).toString(),
                      query->value(6).toInt(), query->value(7).toString(), query->value(8).toInt(),
                      query->value(9).toString()});
    }
    return items;
}

Result<Applied> outboxDone(QSqlDatabase &db, const QString &key, const QJsonObject &sentPayload,
                           const std::optional<protocol::messages::LogEntry> &event, qint64 me)
{
    auto kept = run(db, u"SELECT payload FROM outbox WHERE key = ?"_s, {key});
    if (!kept)
        return kept.error();
    if (kept->next()) {
        const QVariant stored = kept->value(0);
        kept->finish();
        auto payload = openText(db, "outbox", "payload", key, stored);
        if (!payload)
            return payload.error();
        if (*payload == toText(sentPayload)) {
            auto removed = run(db, u"DELETE FROM outbox WHERE key = ?"_s, {key});
            if (!removed)
                return removed.error();
        }
    }
    if (!event)
        return Applied{};
    return applyEvent(db, *event, me);
}

Result<void> outboxFailed(QSqlDatabase &db, const QString &key, const QString &error)
{
    auto change = changeTarget(db, key);
    if (!change)
        return change.error();
    auto failed
        = run(db, u"UPDATE outbox SET state = 'failed', error = ? WHERE key = ?"_s, {error, key});
    if (!failed)
        return failed.error();
    auto message = run(
        db,
        u"UPDATE messages SET state = 'failed', error = ? WHERE client_id = ? AND seq IS NULL"_s,
        {error, key});
    if (!message)
        return message.error();
    if (*change)
        return settleTarget(db, (*change)->first, (*change)->second);
    return {};
}

Result<void> outboxAttempted(QSqlDatabase &db, const QString &key)
{
    auto query = run(db, u"UPDATE outbox SET attempts = attempts + 1 WHERE key = ?"_s, {key});
    if (!query)
        return query.error();
    return {};
}

namespace {

Result<qint64> outboxConversation(QSqlDatabase &db, const QString &key)
{
    auto query = run(db, u"SELECT conversation_id FROM outbox WHERE key = ?"_s, {key});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toLongLong() : qint64(0);
}

} // namespace

Result<qint64> outboxCancel(QSqlDatabase &db, const QString &key)
{
    const auto conversation = outboxConversation(db, key);
    if (!conversation)
        return conversation.error();
    auto change = changeTarget(db, key);
    if (!change)
        return change.error();
    auto message = run(db, u"DELETE FROM messages WHERE client_id = ? AND seq IS NULL"_s, {key});
    if (!message)
        return message.error();
    auto removed = run(db, u"DELETE FROM outbox WHERE key = ?"_s, {key});
    if (!removed)
        return removed.error();
    if (*change) {
        if (auto settled = settleTarget(db, (*change)->first, (*change)->second); !settled)
            return settled.error();
    }
    return *conversation;
}

Result<qint64> outboxRetry(QSqlDatabase &db, const QString &key)
{
    const auto conversation = outboxConversation(db, key);
    if (!conversation)
        return conversation.error();
    auto retried
        = run(db, u"UPDATE outbox SET state = 'pending', attempts = 0, error = '' WHERE key = ?"_s,
              {key});
    if (!retried)
        return retried.error();
    auto message = run(
        db,
        u"UPDATE messages SET state = 'queued', error = '' WHERE client_id = ? AND seq IS NULL"_s,
        {key});
    if (!message)
        return message.error();
    auto change = changeTarget(db, key);
    if (!change)
        return change.error();
    if (*change) {
        if (auto settled = settleTarget(db, (*change)->first, (*change)->second); !settled)
            return settled.error();
    }
    return *conversation;
}
} // namespace tidings::app::local
