#include "store/message_queries.h"

#include "protocol/json_writer.h"
#include "protocol/messages/message_rules.h"
#include "store/conversation_cache.h"
#include "store/conversation_queries.h"
#include "store/media_queries.h"
#include "store/message_queries_p.h"
#include "store/postgres_pipeline.h"
#include "store/sql_helpers.h"

#include <QJsonDocument>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

const QString kEventColumns
    = u"conversation_id, seq, kind, sender_id, client_id, target_seq, body, created_at"_s;

EventRecord readEvent(const QSqlQuery &query)
{
    EventRecord event;
    event.conversationId = query.value(0).toLongLong();
    event.seq = query.value(1).toLongLong();
    event.kind = query.value(2).toString();
    event.senderId = query.value(3).toLongLong();
    event.clientId = query.value(4).toString();
    event.targetSeq = query.value(5).toLongLong();
    event.body = QJsonDocument::fromJson(query.value(6).toString().toUtf8()).object();
    event.createdAt = query.value(7).toLongLong();
    return event;
}

QString NewMessage::kind() const
{
    return encrypted() ? u"encrypted"_s : u"message"_s;
}

QJsonObject NewMessage::body() const
{
    if (!encrypted())
        return {{u"text"_s, text}};
    QJsonObject body{{u"device"_s, qint64(device)},
                     {u"ciphertext"_s, QString::fromLatin1(ciphertext.toBase64())}};
    if (!media.isEmpty())
        body.insert(u"media"_s, QJsonArray::fromStringList(media));
    if (!mentions.isEmpty()) {
        QJsonArray ids;
        for (const UserId id : mentions)
            ids.append(id);
        body.insert(u"mentions"_s, ids);
    }
    return body;
}

namespace {

Error encryptionRequired()
{
    return Error{ErrorCode::EncryptionRequired,
                 u"this conversation is end-to-end encrypted: messages, edits and reactions in "
                 "it are sent as ciphertext"_s};
}

/// A plaintext change to an encrypted message or the reverse: each is changed in its kind.
Error kindMismatch(bool encryptedTarget)
{
    return Error{ErrorCode::BadRequest,
                 encryptedTarget
                     ? u"the message is end-to-end encrypted: change it with ciphertext"_s
                     : u"the message is not end-to-end encrypted: change it in plaintext"_s};
}

Result<std::optional<EventRecord>> eventByClientId(QSqlDatabase &db, UserId sender,
                                                   const QString &clientId)
{
    auto query = runCached(
        db, u"SELECT "_s + kEventColumns + u" FROM events WHERE sender_id = ? AND client_id = ?"_s,
        {sender, clientId});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<EventRecord>();
    return std::optional<EventRecord>(readEvent(*query));
}

/// A retry of an earlier request: the original event, or a conflict if the client id was
/// used for something else. Nothing when the client id is new.
Result<std::optional<Appended>> replay(QSqlDatabase &db, UserId sender, ConversationId conversation,
                                       const QString &clientId, const QString &kind)
{
    auto existing = eventByClientId(db, sender, clientId);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return std::optional<Appended>();
    const EventRecord &event = **existing;
    if (event.conversationId != conversation || event.kind != kind)
        return Error{ErrorCode::Conflict, u"this client_id was already used for another request"_s};
    return std::optional<Appended>(Appended{event, {}, true});
}

Result<EventRecord> messageAt(QSqlDatabase &db, ConversationId conversation, Seq seq,
                              const MemberRecord &member)
{
    if (seq < member.joinedSeq || (member.leftSeq && seq > *member.leftSeq))
        return Error{ErrorCode::NotFound, u"no such message"_s};
    auto query = run(db,
                     u"SELECT "_s + kEventColumns
                         + u" FROM events WHERE conversation_id = ? AND seq = ? "
                           "AND kind IN ('message', 'encrypted')"_s,
                     {conversation, seq});
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::NotFound, u"no such message"_s};
    return readEvent(*query);
}

Result<void> storeBody(QSqlDatabase &db, ConversationId conversation, Seq seq,
                       const QJsonObject &body)
{
    auto query = run(db, u"UPDATE events SET body = ? WHERE conversation_id = ? AND seq = ?"_s,
                     {QString::fromUtf8(protocol::json::encode(body)), conversation, seq});
    if (!query)
        return query.error();
    return {};
}

/// The sender's current membership, or why they may not write here.
Result<MemberRecord> writer(QSqlDatabase &db, ConversationId conversation, UserId sender)
{
    auto member = membership(db, conversation, sender);
    if (!member)
        return member.error();
    if (!member->isCurrent())
        return Error{ErrorCode::Forbidden, u"you are no longer a member of this conversation"_s};
    return member;
}

Result<Appended> withRecipients(QSqlDatabase &db, Result<EventRecord> event)
{
    if (!event)
        return event.error();
    auto recipients = currentMemberIds(db, event->conversationId);
    if (!recipients)
        return recipients.error();
    return Appended{*event, *recipients, false};
}

/// What edit, delete and react check first: the sender is a current member, a retry of
/// the same request replays (`replayed` is set, nothing else), and the target is a message
/// that is not deleted.
struct Change
{
    MemberRecord member;
    EventRecord original;
};

Result<Change> startChange(QSqlDatabase &db, UserId sender, ConversationId conversation,
                           const QString &clientId, const QString &kind, Seq target,
                           std::optional<Appended> &replayed)
{
    auto member = writer(db, conversation, sender);
    if (!member)
        return member.error();
    auto retry = replay(db, sender, conversation, clientId, kind);
    if (!retry)
        return retry.error();
    if (retry->has_value()) {
        replayed = **retry;
        return Change{};
    }
    auto original = messageAt(db, conversation, target, *member);
    if (!original)
        return original.error();
    if (original->body.value(u"deleted"_s).toBool())
        return Error{ErrorCode::Conflict, u"the message was deleted"_s};
    return Change{*member, *original};
}

} // namespace

namespace {

/// sendMessage() once the seq is known: `reserved` is the seq PostgreSQL's row lock gave
/// (0: SQLite, where the log's last seq plus one is the next).
Result<Appended> appendMessage(QSqlDatabase &db, UserId sender, ConversationId conversation,
                               const QString &clientId, const NewMessage &message, Seq reserved,
                               const ConversationCache::Known &known = {})
{
    // The writer answers membership, blocks and the last seq from its memory; any other
    // connection reads them afresh.
    ConversationCache fallback;
    ConversationCache *cache = ConversationCache::of(db);
    if (!cache)
        cache = &fallback;
    // PostgreSQL: the row lock's UPDATE told the kind and the seq already.
    auto cached = reserved > 0 ? cache->get(db, conversation, known) : cache->get(db, conversation);
    if (!cached)
        return cached.error();
    if (!(*cached)->member(sender)) {
        // Never a member, or no longer one: the store tells which (and, should the cache
        // ever be behind it, the entry is read again).
        auto member = writer(db, conversation, sender);
        if (!member)
            return member.error();
        cache->forget(conversation);
        cached = cache->get(db, conversation);
        if (!cached)
            return cached.error();
    }
    ConversationCache::Entry &entry = **cached;
    const ConversationCache::Member *current = entry.member(sender);
    if (!current)
        return Error{ErrorCode::Forbidden, u"you are no longer a member of this conversation"_s};
    MemberRecord member;
    member.userId = sender;
    member.joinedSeq = current->joinedSeq;

    // A retry is answered with the original before anything is checked again. The insert
    // below finds most retries by itself; these checks could refuse one first.
    const bool downgrade = entry.e2eSeq > 0 && !message.encrypted();
    if (entry.blocked || message.needsLookups() || downgrade) {
        auto retry = replay(db, sender, conversation, clientId, message.kind());
        if (!retry)
            return retry.error();
        if (retry->has_value())
            return **retry;
    }
    if (entry.blocked)
        return Error{ErrorCode::Forbidden, u"you cannot message this user"_s};
    if (downgrade)
        return encryptionRequired();

    QJsonObject body = message.body();
    if (message.replyTo > 0) {
        if (auto original = messageAt(db, conversation, message.replyTo, member); !original)
            return Error{ErrorCode::NotFound, u"the message replied to does not exist"_s};
        body.insert(u"reply_to"_s, message.replyTo);
    }
    QJsonArray attachments;
    if (!message.attachments.isEmpty()) {
        auto checked = checkAttachments(db, sender, message.attachments);
        if (!checked)
            return checked.error();
        attachments = *checked;
        body.insert(u"attachments"_s, attachments);
    }
    // An encrypted message names its files by id only: the relay checks that the sender may
    // send them and keeps them while it refers to them, as for attachments.
    for (const QString &id : message.media)
        attachments.append(QJsonObject{{u"media"_s, id}});
    if (!message.media.isEmpty()) {
        if (auto checked = checkAttachments(db, sender, attachments); !checked)
            return checked.error();
    }

    // Nothing is written above this line (the job runs without a savepoint): from here on a
    // failure is reported as Io, which rolls the whole group commit back.
    EventRecord event;
    event.conversationId = conversation;
    event.seq = reserved > 0 ? reserved : entry.lastSeq + 1;
    event.kind = message.kind();
    event.senderId = sender;
    event.clientId = clientId;
    event.body = body;
    event.createdAt = now();
    auto inserted = runCached(
        db,
        u"INSERT INTO events (conversation_id, seq, kind, sender_id, client_id, body, created_at) "
        u"VALUES (?, ?, ?, ?, ?, ?, ?) "
        u"ON CONFLICT (sender_id, client_id) WHERE client_id IS NOT NULL DO NOTHING"_s,
        {conversation, event.seq, event.kind, sender, clientId,
         QString::fromUtf8(protocol::json::encode(body)), event.createdAt});
    if (!inserted) {
        cache->forget(conversation);
        return Error{ErrorCode::Io, inserted.error().message};
    }
    if (static_cast<const QSqlQuery &>(*inserted).numRowsAffected() == 0) {
        // The client id was used before: the original, or a conflict. Nothing was written.
        auto retry = replay(db, sender, conversation, clientId, message.kind());
        if (!retry)
            return retry.error();
        if (!retry->has_value())
            return Error{ErrorCode::Io, u"an insert was ignored for no known reason"_s};
        return **retry;
    }
    // The conversation's row is left alone: its last seq is the log's (lastSeqOf()).
    entry.lastSeq = event.seq;
    if (auto referred = referMedia(db, conversation, event.seq, attachments); !referred)
        return Error{ErrorCode::Io, referred.error().message};
    if (message.encrypted() && entry.e2eSeq == 0) {
        // The first encrypted entry: from here on the conversation takes no plaintext.
        if (auto marked = run(db,
                              u"UPDATE conversations SET e2e_seq = ? WHERE id = ? "
                              "AND e2e_seq IS NULL"_s,
                              {event.seq, conversation});
            !marked) {
            cache->forget(conversation);
            return Error{ErrorCode::Io, marked.error().message};
        }
        entry.e2eSeq = event.seq;
    }
    Appended appended{event, entry.memberIds(), false};
    appended.mayPush = entry.mayPush(sender);
    return appended;
}

} // namespace

struct StagedMessage
{
    StagedStatement statement;
    EventRecord event; ///< as it is appended, but for its seq
    QList<UserId> members; ///< the members when staged (right, if it was appended)
};

namespace {

// A message sent ahead: appended if, and only if, the conversation's last seq is the one
// the writer expects, no block stands between a direct chat's two members and the client
// id is new. Otherwise it changes nothing (the seq is not taken) and the message goes the
// checked way in its turn. Those of the same conversation after it in the round trip must
// then change nothing either, for the log's order to be the jobs': each one after the
// first ($8 false) also requires the row to have been changed by this transaction (its
// xmin). Without that, when the writer's memory is k appends behind (another node wrote),
// the first k would miss and the (k+1)th would find the seq it expects, and be appended
// before them with members that may have changed meanwhile. The batch's row lock keeps
// other nodes out from the round trip's start to its commit. A client id taken meanwhile
// by a commit of another node is the one case where the seq is taken and nothing
// appended: the job then fails its batch, which runs again. It also requires the
// conversation to be end-to-end encrypted exactly when the message is ($10): the first
// encrypted message, and plaintext where it is refused, go the checked way.
#define TIDINGS_SEND_AHEAD(BLOCKS)                                                                 \
    "WITH c AS (UPDATE conversations c SET last_seq = c.last_seq + 1 "                             \
    "WHERE c.id = $1::bigint AND c.last_seq = $2::bigint - 1 "                                     \
    "AND ($8::boolean OR c.xmin = pg_current_xact_id()::xid) " BLOCKS                              \
    "AND (c.e2e_seq IS NOT NULL) = $10::boolean "                                                  \
    "AND NOT EXISTS (SELECT 1 FROM events WHERE sender_id = $3::bigint "                           \
    "AND client_id = $4::text) "                                                                   \
    "RETURNING c.last_seq, EXISTS (SELECT 1 FROM push_targets "                                    \
    "WHERE user_id = ANY ($5::bigint[])) AS may_push), "                                           \
    "i AS (INSERT INTO events (conversation_id, seq, kind, sender_id, client_id, body, "           \
    "created_at) SELECT $1::bigint, c.last_seq, $9::text, $3::bigint, $4::text, $6::text, "        \
    "$7::bigint FROM c ON CONFLICT (sender_id, client_id) WHERE client_id IS NOT NULL "            \
    "DO NOTHING RETURNING seq) "                                                                   \
    "SELECT c.last_seq, c.may_push, (SELECT COUNT(*) FROM i) FROM c"

const StagedStatement::Prepared kSendAheadToGroup{"tidings_send_ahead", TIDINGS_SEND_AHEAD(""), 10};
const StagedStatement::Prepared kSendAheadDirect{
    "tidings_send_ahead_direct",
    TIDINGS_SEND_AHEAD("AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $3::bigint "
                       "AND blocked_id = $11::bigint) AND NOT EXISTS (SELECT 1 FROM blocks "
                       "WHERE blocker_id = $11::bigint AND blocked_id = $3::bigint) "),
    11};
#undef TIDINGS_SEND_AHEAD

} // namespace

std::shared_ptr<StagedMessage> newStagedMessage()
{
    return std::make_shared<StagedMessage>();
}

bool stageMessage(QSqlDatabase &db, StagedMessage &staged, UserId sender,
                  ConversationId conversation, const QString &clientId, const NewMessage &message)
{
    staged.statement.answered = false;
    PostgresPipeline *pipeline = PostgresPipeline::of(db);
    ConversationCache *cache = ConversationCache::of(db);
    if (!pipeline || !cache || message.needsLookups())
        return false;
    const ConversationCache::Entry *entry = cache->peek(conversation);
    if (!entry || !entry->member(sender) || (entry->e2eSeq > 0) != message.encrypted())
        return false;
    const bool direct = !entry->isGroup && entry->members.size() == 2;
    QByteArray others = "{";
    UserId other = 0;
    for (const ConversationCache::Member &member : entry->members) {
        if (member.user == sender)
            continue;
        if (others.size() > 1)
            others += ',';
        others += QByteArray::number(member.user);
        other = member.user;
    }
    others += '}';

    staged.event = EventRecord{};
    staged.event.conversationId = conversation;
    staged.event.kind = message.kind();
    staged.event.senderId = sender;
    staged.event.clientId = clientId;
    staged.event.body = message.body();
    staged.event.createdAt = now();
    staged.members = entry->memberIds();
    // Its seq: after the last one written and those staged before it.
    const int before = pipeline->stagedFor(conversation);
    const Seq expected = entry->lastSeq + 1 + before;
    staged.statement.statement = direct ? &kSendAheadDirect : &kSendAheadToGroup;
    staged.statement.parameters
        = {QByteArray::number(conversation),
           QByteArray::number(expected),
           QByteArray::number(sender),
           clientId.toUtf8(),
           others,
           protocol::json::encode(staged.event.body),
           QByteArray::number(staged.event.createdAt),
           before == 0 ? QByteArrayLiteral("t") : QByteArrayLiteral("f"),
           staged.event.kind.toUtf8(),
           message.encrypted() ? QByteArrayLiteral("t") : QByteArrayLiteral("f")};
    if (direct)
        staged.statement.parameters.append(QByteArray::number(other));
    pipeline->stage(&staged.statement, conversation);
    return true;
}

Result<Appended> sendMessage(QSqlDatabase &db, UserId sender, ConversationId conversation,
                             const QString &clientId, const NewMessage &message,
                             const StagedMessage *staged)
{
    if (!isPostgres(db))
        return appendMessage(db, sender, conversation, clientId, message, 0);

    if (staged && staged->statement.answered && !staged->statement.row.isEmpty()) {
        // Sent ahead, and its seq was taken.
        const QList<QByteArray> &row = staged->statement.row;
        const Seq seq = row.value(0).toLongLong();
        if (row.value(2).toLongLong() != 1) {
            tidings::sql::setFailedState(u"40001"_s); // run again: the checked way finds it
            return Error{ErrorCode::Io,
                         u"the message's client id was taken by another commit meanwhile"_s};
        }
        ConversationCache *cache = ConversationCache::of(db);
        if (ConversationCache::Entry *entry = cache ? cache->peek(conversation) : nullptr) {
            if (entry->lastSeq == seq - 1)
                entry->lastSeq = seq;
            else
                cache->forget(conversation);
        }
        Appended appended{staged->event, staged->members, false};
        appended.event.seq = seq;
        appended.mayPush = row.value(1) == "t";
        return appended;
    }

    // PostgreSQL: every node appends to this log. The row lock taken here, held to commit,
    // orders the appends: the seq is the next, and commits follow seq order. Everything is
    // checked under the lock (a member removed by another node is seen removed). One round
    // trip tells the seq, the kind, blocks between a direct chat's two members and whether
    // anyone else has a push target; the members come from the writer's memory when no
    // other append came between (see ConversationCache::Known::reserved).
    //
    // The common case is that one round trip and no other: a plain message from a member
    // the writer knows, to a conversation whose last append was its own. The insert is
    // then part of the lock's statement, made only if the seq is the one expected (nobody
    // else appended since) and no block stands; if not, the lock is held all the same and
    // the message goes the checked way below with the seq it got.
    static const QString kBump
        = u"UPDATE conversations c SET last_seq = c.last_seq + 1 WHERE c.id = ? "
          "RETURNING c.last_seq, c.kind = 'group' AS is_group, "
          "c.kind <> 'group' AND EXISTS (SELECT 1 FROM members a "
          "  JOIN members b ON b.conversation_id = a.conversation_id AND b.user_id <> a.user_id "
          "  JOIN blocks k ON k.blocker_id = a.user_id AND k.blocked_id = b.user_id "
          "  WHERE a.conversation_id = c.id AND a.left_seq IS NULL AND b.left_seq IS NULL) "
          "  AS blocked, "
          "EXISTS (SELECT 1 FROM members m JOIN push_targets t ON t.user_id = m.user_id "
          "  WHERE m.conversation_id = c.id AND m.left_seq IS NULL AND m.user_id <> ?) "
          "  AS may_push, c.e2e_seq"_s;
    ConversationCache *cache = ConversationCache::of(db);
    ConversationCache::Entry *remembered = cache ? cache->peek(conversation) : nullptr;
    const bool oneTrip = remembered && remembered->member(sender) && !message.needsLookups()
        && (remembered->e2eSeq > 0) == message.encrypted();
    std::optional<EventRecord> event;
    if (oneTrip) {
        event.emplace();
        event->conversationId = conversation;
        event->kind = message.kind();
        event->senderId = sender;
        event->clientId = clientId;
        event->body = message.body();
        event->createdAt = now();
    }
    const auto bump = [&]() -> Result<tidings::sql::CachedQuery> {
        if (!oneTrip)
            return runCached(db, kBump, {conversation, sender});
        // The members are known, so the blocks and push targets are looked up by their
        // keys (a direct chat's block either way; anyone else's target) rather than joined.
        QStringList others; // everyone but the sender: one other in a direct chat
        for (const ConversationCache::Member &member : std::as_const(remembered->members)) {
            if (member.user != sender)
                others.append(QString::number(member.user));
        }
        const bool direct = !remembered->isGroup && remembered->members.size() == 2;
        const UserId other = direct ? others.value(0).toLongLong() : 0;
        QVariantList values{conversation};
        if (direct)
            values << sender << other << other << sender;
        values << QString(u'{' + others.join(u',') + u'}') << conversation << event->kind << sender
               << clientId << QString::fromUtf8(protocol::json::encode(event->body))
               << event->createdAt << remembered->lastSeq + 1 << message.encrypted();
        return runCached(
            db,
            u"WITH c AS (UPDATE conversations c SET last_seq = c.last_seq + 1 WHERE c.id = ? "
            "RETURNING c.last_seq, c.kind = 'group' AS is_group, "_s
                + (direct
                       ? u"EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?) "
                         "OR EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?)"_s
                       : u"FALSE"_s)
                + u" AS blocked, EXISTS (SELECT 1 FROM push_targets "
                  "WHERE user_id = ANY (CAST(? AS BIGINT[]))) AS may_push, c.e2e_seq), "
                  "i AS (INSERT INTO events (conversation_id, seq, kind, sender_id, "
                  "client_id, body, created_at) "
                  "SELECT ?, c.last_seq, ?, ?, ?, ?, ? FROM c "
                  "WHERE c.last_seq = ? AND NOT c.blocked "
                  "AND (c.e2e_seq IS NOT NULL) = CAST(? AS BOOLEAN) "
                  "ON CONFLICT (sender_id, client_id) WHERE client_id IS NOT NULL "
                  "DO NOTHING RETURNING seq) "
                  "SELECT c.last_seq, c.is_group, c.blocked, c.may_push, "
                  "(SELECT COUNT(*) FROM i), c.e2e_seq FROM c"_s,
            values);
    };
    auto bumped = bump();
    if (!bumped)
        return Error{ErrorCode::Io, bumped.error().message};
    if (!bumped->next())
        return Error{ErrorCode::NotFound, u"no such conversation"_s};
    const Seq reserved = bumped->value(0).toLongLong();
    const bool inserted = oneTrip && bumped->value(4).toLongLong() == 1;
    ConversationCache::Known known{bumped->value(1).toBool(), reserved, reserved,
                                   bumped->value(2).toBool(),
                                   bumped->value(oneTrip ? 5 : 4).toLongLong()};
    const bool mayPush = bumped->value(3).toBool();
    bumped->finish();
    if (inserted) {
        event->seq = reserved;
        remembered->lastSeq = reserved;
        Appended appended{*event, remembered->memberIds(), false};
        appended.mayPush = mayPush;
        return appended;
    }
    auto appended = appendMessage(db, sender, conversation, clientId, message, reserved, known);
    if (appended && !appended->duplicate) {
        appended->mayPush = mayPush;
        return appended;
    }
    if (!appended && appended.error().code == ErrorCode::Io)
        return appended;
    // Refused, or a retry answered with the original: the seq is given back (still under
    // the lock), so the job wrote nothing, as a job without a savepoint must; what the
    // writer holds of the conversation is read again next time.
    conversationChanged(db, conversation);
    if (auto undone = runCached(
            db, u"UPDATE conversations SET last_seq = last_seq - 1 WHERE id = ?"_s, {conversation});
        !undone) {
        return Error{ErrorCode::Io, undone.error().message};
    }
    return appended;
}

namespace {

/// Whether the conversation takes only encrypted changes (it has an encrypted entry).
Result<bool> isEncrypted(QSqlDatabase &db, ConversationId conversation)
{
    auto record = conversationById(db, conversation);
    if (!record)
        return record.error();
    return record->e2eSeq > 0;
}

/// What a plaintext change checks of its target and conversation, and an encrypted one of
/// its target.
Result<void> checkChangeKind(QSqlDatabase &db, const Change &change, ConversationId conversation,
                             bool encryptedChange)
{
    const bool encryptedTarget = change.original.kind == u"encrypted";
    if (encryptedChange)
        return encryptedTarget ? Result<void>() : Result<void>(kindMismatch(false));
    auto encrypted = isEncrypted(db, conversation);
    if (!encrypted)
        return encrypted.error();
    if (*encrypted)
        return encryptionRequired();
    return encryptedTarget ? Result<void>(kindMismatch(true)) : Result<void>();
}

} // namespace

Result<Appended> editMessage(QSqlDatabase &db, UserId sender, ConversationId conversation,
                             const QString &clientId, Seq target, const QString &text)
{
    std::optional<Appended> replayed;
    auto change = startChange(db, sender, conversation, clientId, u"edit"_s, target, replayed);
    if (!change)
        return change.error();
    if (replayed)
        return *replayed;
    if (change->original.senderId != sender)
        return Error{ErrorCode::Forbidden, u"only the author edits a message"_s};
    if (auto kind = checkChangeKind(db, *change, conversation, false); !kind)
        return kind.error();

    auto event
        = appendEvent(db, conversation, u"edit"_s, sender, clientId, target, {{u"text"_s, text}});
    if (!event)
        return event.error();
    const QJsonObject body
        = protocol::messages::withEdit(change->original.body, text, event->createdAt);
    if (auto stored = storeBody(db, conversation, target, body); !stored)
        return stored.error();
    return withRecipients(db, *event);
}

Result<Appended> editEncrypted(QSqlDatabase &db, UserId sender, ConversationId conversation,
                               const QString &clientId, Seq target, quint32 device,
                               const QByteArray &ciphertext)
{
    std::optional<Appended> replayed;
    auto change
        = startChange(db, sender, conversation, clientId, u"encrypted_edit"_s, target, replayed);
    if (!change)
        return change.error();
    if (replayed)
        return *replayed;
    if (change->original.senderId != sender)
        return Error{ErrorCode::Forbidden, u"only the author edits a message"_s};
    if (auto kind = checkChangeKind(db, *change, conversation, true); !kind)
        return kind.error();

    auto event = appendEvent(db, conversation, u"encrypted_edit"_s, sender, clientId, target,
                             {{u"device"_s, qint64(device)},
                              {u"ciphertext"_s, QString::fromLatin1(ciphertext.toBase64())}});
    if (!event)
        return event.error();
    const QJsonObject body = protocol::messages::withEncryptedEdit(
        change->original.body, event->seq, device, ciphertext, event->createdAt);
    if (auto stored = storeBody(db, conversation, target, body); !stored)
        return stored.error();
    return withRecipients(db, *event);
}

Result<Appended> deleteMessage(QSqlDatabase &db, UserId sender, ConversationId conversation,
                               const QString &clientId, Seq target)
{
    std::optional<Appended> replayed;
    auto change = startChange(db, sender, conversation, clientId, u"delete"_s, target, replayed);
    if (!change)
        return change.error();
    if (replayed)
        return *replayed;
    auto record = conversationById(db, conversation);
    if (!record)
        return record.error();
    const bool moderator = record->isGroup && change->member.role != Role::Member;
    if (change->original.senderId != sender && !moderator)
        return Error{ErrorCode::Forbidden, u"only the author or a group admin deletes a message"_s};

    auto event = appendEvent(db, conversation, u"delete"_s, sender, clientId, target, {});
    if (!event)
        return event.error();
    // The content goes for good: text, attachments, reactions, quote. Media no other message
    // refers to is collected afterwards (RelayServer's media sweep).
    if (auto released = releaseMedia(db, conversation, target); !released)
        return released.error();
    if (auto stored
        = storeBody(db, conversation, target, protocol::messages::deletedBody(event->createdAt));
        !stored) {
        return stored.error();
    }
    // Earlier versions of the text go too: the log keeps that an edit happened, not what it
    // said; and for an encrypted message, what its reactions said.
    if (auto erased = run(db,
                          u"UPDATE events SET body = '{\"deleted\":true}' "
                          "WHERE conversation_id = ? AND target_seq = ? "
                          "AND kind IN ('edit', 'encrypted_edit', 'encrypted_reaction')"_s,
                          {conversation, target});
        !erased) {
        return erased.error();
    }
    return withRecipients(db, *event);
}

Result<Appended> react(QSqlDatabase &db, UserId sender, ConversationId conversation,
                       const QString &clientId, Seq target, const QString &emoji, bool on)
{
    std::optional<Appended> replayed;
    auto change = startChange(db, sender, conversation, clientId, u"reaction"_s, target, replayed);
    if (!change)
        return change.error();
    if (replayed)
        return *replayed;
    if (auto kind = checkChangeKind(db, *change, conversation, false); !kind)
        return kind.error();

    auto body = protocol::messages::withReaction(change->original.body, emoji, sender, on);
    if (!body)
        return body.error();

    auto event = appendEvent(db, conversation, u"reaction"_s, sender, clientId, target,
                             {{u"emoji"_s, emoji}, {u"on"_s, on}});
    if (!event)
        return event.error();
    if (auto stored = storeBody(db, conversation, target, *body); !stored)
        return stored.error();
    return withRecipients(db, *event);
}

Result<Appended> reactEncrypted(QSqlDatabase &db, UserId sender, ConversationId conversation,
                                const QString &clientId, Seq target, quint32 device,
                                const QString &tag, const QByteArray &ciphertext, bool on)
{
    std::optional<Appended> replayed;
    auto change = startChange(db, sender, conversation, clientId, u"encrypted_reaction"_s, target,
                              replayed);
    if (!change)
        return change.error();
    if (replayed)
        return *replayed;
    if (auto kind = checkChangeKind(db, *change, conversation, true); !kind)
        return kind.error();

    auto body = protocol::messages::withEncryptedReaction(change->original.body, tag, sender,
                                                          device, ciphertext, on);
    if (!body)
        return body.error();
    const QString sealed = QString::fromLatin1(ciphertext.toBase64());
    auto event = appendEvent(
        db, conversation, u"encrypted_reaction"_s, sender, clientId, target,
        {{u"device"_s, qint64(device)}, {u"tag"_s, tag}, {u"on"_s, on}, {u"ciphertext"_s, sealed}});
    if (!event)
        return event.error();
    if (auto stored = storeBody(db, conversation, target, *body); !stored)
        return stored.error();
    return withRecipients(db, *event);
}

Result<ReceiptUpdate> updateReceipt(QSqlDatabase &db, UserId user, ConversationId conversation,
                                    std::optional<Seq> delivered, std::optional<Seq> read)
{
    auto member = membership(db, conversation, user);
    if (!member)
        return member.error();
    auto record = conversationById(db, conversation);
    if (!record)
        return record.error();
    const Seq limit = member->visibleUpTo(record->lastSeq);
    const Seq newRead = std::max(member->readSeq, std::min(read.value_or(0), limit));
    const Seq newDelivered
        = std::max({member->deliveredSeq, std::min(delivered.value_or(0), limit), newRead});

    ReceiptUpdate update{conversation, user, newDelivered, newRead, false, {}};
    if (newRead != member->readSeq || newDelivered != member->deliveredSeq) {
        auto query = run(
            db,
            u"UPDATE members SET delivered_seq = ?, read_seq = ? WHERE conversation_id = ? AND user_id = ?"_s,
            {newDelivered, newRead, conversation, user});
        if (!query)
            return query.error();
        update.changed = true;
        auto recipients = currentMemberIds(db, conversation);
        if (!recipients)
            return recipients.error();
        update.recipients = *recipients;
    }
    return update;
}

} // namespace tidings::relay::sql
