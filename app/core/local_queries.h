#pragma once

#include "protocol/messages/events.h"
#include "util/result.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace tidings::protocol::messages {
struct ConversationInfo;
struct MediaObject;
struct User;
} // namespace tidings::protocol::messages

namespace tidings::app {
struct SealedFile;
}

/// What the app keeps: synchronous functions of the local connection, run on LocalStore's
/// worker thread. Everything the relay sends is applied idempotently: applying the same
/// entry twice changes nothing.
namespace tidings::app::local {

using Seq = qint64;

struct Member
{
    qint64 userId = 0;
    QString role;
    Seq deliveredSeq = 0;
    Seq readSeq = 0;
};

struct Message
{
    qint64 id = 0; ///< local id
    qint64 conversationId = 0;
    std::optional<Seq> seq; ///< none while queued
    QString clientId;
    qint64 senderId = 0;
    QString kind; ///< message, created, member_added, …, or a local kind (kKeyChanged)
    QJsonObject body; ///< the entry's fields, current state
    qint64 createdAt = 0;
    QString state; ///< queued, sent, failed
    QString error; ///< why it failed
    /// A change of mine to this (sent) message that the relay refused: it is undone here,
    /// and waits for the user to retry or discard it (outboxRetry / outboxCancel by key).
    struct FailedChange
    {
        QString key; ///< the outbox key
        QString type; ///< message.edit, message.delete or message.react
        QString error;
    };
    std::optional<FailedChange> failedChange;
    /// A local entry (this device's own, never sent; no seq): it stands right after the
    /// entry at this seq. None for the relay's entries and queued messages.
    std::optional<Seq> afterSeq;
};

/// Local entries, kept by this device in a conversation and never sent.
namespace kinds {
/// A member's safety number changed (their identity key; docs/encryption.md, section 7).
/// Body: {"user": id}; its sender is that user.
inline constexpr QStringView kKeyChanged = u"key_changed";
} // namespace kinds

/// Whether `a` comes before `b` in their conversation: the relay's entries by seq, each
/// local entry right after the entry at its afterSeq (after those already there), queued
/// messages last; the local id decides the rest.
bool comesBefore(const Message &a, const Message &b);

struct Conversation
{
    qint64 id = 0;
    QString kind;
    QString title;
    Seq lastSeq = 0;
    Seq syncedSeq = 0;
    int memberCount = 0;
    QString myRole;
    Seq joinedSeq = 1;
    std::optional<Seq> leftSeq;
    Seq deliveredSeq = 0;
    Seq readSeq = 0;
    qint64 lastActivity = 0;
    QString draft;
    /// The seq of its first encrypted entry: from there on it is end-to-end encrypted.
    /// 0: nothing in it is encrypted (yet).
    Seq e2eSeq = 0;
    int unread = 0;
    std::optional<Message> lastMessage;
    QList<Member> members;
};

struct User
{
    qint64 id = 0;
    QString username;
    QString displayName;
};

struct OutboxItem
{
    qint64 id = 0;
    QString key;
    QString type;
    QJsonObject payload;
    qint64 conversationId = 0;
    QString state;
    int attempts = 0;
    QString error;
    /// End-to-end encryption: 1 while it waits to be sealed (e2e_queries.h), 2 once sealed.
    int seal = 0;
    /// Sent only once the item with this key is gone (a sealed message after the inbox.send
    /// that carries its chain); empty: whenever.
    QString afterKey;
};

// --- account ---------------------------------------------------------------------------
Result<void> setAccountValue(QSqlDatabase &db, const QString &key, const QString &value);
Result<QHash<QString, QString>> accountValues(QSqlDatabase &db);

// --- from the relay ----------------------------------------------------------------------
Result<void> storeUsers(QSqlDatabase &db, const QList<protocol::messages::User> &users);
/// A conversation as the relay describes it: metadata, my membership and the members.
Result<void> storeConversation(QSqlDatabase &db,
                               const protocol::messages::ConversationInfo &conversation);
/// The same from the relay's JSON (a `users` array, a `conversation` object), decoded by
/// common/protocol first: BadRequest naming the field when it does not decode.
Result<void> storeUsers(QSqlDatabase &db, const QJsonArray &users);
Result<void> storeConversation(QSqlDatabase &db, const QJsonObject &conversation);

struct Applied
{
    bool applied = false; ///< the entry changed something here
    bool gap = false; ///< it came before an earlier one: fetch from syncedSeq
    Seq syncedSeq = 0; ///< where the conversation now stands
};
/// Applies one log entry. In order (seq = synced + 1) it is applied and the cursor moves;
/// already seen, nothing happens; ahead of a gap, a message is still stored (so it shows)
/// but the rest waits for the gap to be filled, and `gap` says so.
Result<Applied> applyEvent(QSqlDatabase &db, const protocol::messages::LogEntry &event, qint64 me);
/// The same from the relay's JSON, decoded first (BadRequest naming the field otherwise).
Result<Applied> applyEvent(QSqlDatabase &db, const QJsonObject &event, qint64 me);
/// A member's receipt cursors moved.
Result<void> applyReceipt(QSqlDatabase &db, qint64 conversation, qint64 user, Seq delivered,
                          Seq read, qint64 me);
Result<bool> hasConversation(QSqlDatabase &db, qint64 conversation);
/// Every conversation's cursor, for sync.
Result<QHash<qint64, Seq>> syncCursors(QSqlDatabase &db);

// --- from the user ----------------------------------------------------------------------
/// Stores a new message as queued and puts its send in the outbox, in one transaction.
Result<Message> queueMessage(QSqlDatabase &db, qint64 conversation, qint64 me,
                             const QString &clientId, const QString &text, Seq replyTo,
                             const QJsonArray &attachments = {});
/// An attachment's upload (its "upload" field, a transfer id) is complete: the queued
/// message and its outbox item now name the relay's `media` (id, size, type, sha256). A
/// `sealed` upload's attachment gets the media's id and the key instead, and keeps
/// describing the plaintext (its size and sha256 from `sealed`; its type and name as sent):
/// the media's size and hash are the ciphertext's.
/// Returns the message's conversation, 0 when no queued message waits for it.
Result<qint64> attachmentUploaded(QSqlDatabase &db, const QString &uploadId,
                                  const protocol::messages::MediaObject &media,
                                  const SealedFile &sealed);
/// An attachment's upload failed for good: its message fails with `reason`.
Result<qint64> attachmentFailed(QSqlDatabase &db, const QString &uploadId, const QString &reason);
/// Whether an outbox payload still waits for an upload (an attachment without "media").
bool waitsForUpload(const QJsonObject &payload);
/// The payload as the relay gets it: without what only this device knows (local paths,
/// transfer ids).
QJsonObject wirePayload(const QJsonObject &payload);
/// Puts an edit, delete or reaction in the outbox (and shows an edit or delete at once).
Result<OutboxItem> queueChange(QSqlDatabase &db, const QString &type, const QJsonObject &payload,
                               qint64 me);
/// Moves my receipt cursors (never back) and queues them for the relay, merged with any
/// receipt still waiting for that conversation. With `shareRead` false the read cursor
/// moves here only: the relay (and so the other members) learns just that it was delivered.
Result<bool> queueReceipt(QSqlDatabase &db, qint64 conversation, std::optional<Seq> delivered,
                          std::optional<Seq> read, bool shareRead = true);
Result<void> setDraft(QSqlDatabase &db, qint64 conversation, const QString &draft);

// --- the outbox ---------------------------------------------------------------------------
Result<QList<OutboxItem>> pendingOutbox(QSqlDatabase &db, int limit);
/// The relay accepted `key`, sent as `sentPayload`; `event` is the entry it answered with
/// (for sends and changes; empty for receipts). An item whose payload changed meanwhile (a
/// receipt merged with newer cursors) stays for another trip.
Result<Applied> outboxDone(QSqlDatabase &db, const QString &key, const QJsonObject &sentPayload,
                           const std::optional<protocol::messages::LogEntry> &event, qint64 me);
/// The relay refused `key` for good: it stays, marked failed, until retried or cancelled. A
/// refused change to a message (edit, delete, reaction) comes off it: the message shows
/// what the relay confirmed, with the failed change noted (Message::failedChange).
Result<void> outboxFailed(QSqlDatabase &db, const QString &key, const QString &error);
Result<void> outboxAttempted(QSqlDatabase &db, const QString &key);
/// Cancels a queued or failed item; a queued message disappears with it, a change to a
/// message comes off it. Retrying a failed change applies it again at once.
/// Both return the item's conversation (0: no such item).
Result<qint64> outboxCancel(QSqlDatabase &db, const QString &key);
Result<qint64> outboxRetry(QSqlDatabase &db, const QString &key);

// --- for the UI ---------------------------------------------------------------------------
/// All conversations, the most recently active first, with unread counts and last messages.
Result<QList<Conversation>> conversations(QSqlDatabase &db, qint64 me);
Result<Conversation> conversation(QSqlDatabase &db, qint64 id, qint64 me);
/// Up to `limit` entries before `beforeSeq` (queued messages come last, after every seq),
/// in comesBefore() order. `beforeSeq` 0: the newest. Local entries come along (not counted
/// in `limit`): those among the entries returned, and, when fewer than `limit` came (the
/// start is reached), those before them too. So the first entry returned is never a local
/// one whose entry at its afterSeq is here and left out.
Result<QList<Message>> messages(QSqlDatabase &db, qint64 conversation, Seq beforeSeq, int limit);
/// Up to `limit` entries from `fromSeq` on, then the queued ones, in order: what a view
/// showing history from `fromSeq` holds now, with the local entries among them (those
/// whose afterSeq is `fromSeq` or later).
Result<QList<Message>> messagesFrom(QSqlDatabase &db, qint64 conversation, Seq fromSeq, int limit);
/// The entries at `seqs` (those that are here), ascending: what a view re-reads when
/// the relay's news named them. Local entries have no seq: none comes.
Result<QList<Message>> messagesAt(QSqlDatabase &db, qint64 conversation, const QList<Seq> &seqs);
Result<QList<User>> users(QSqlDatabase &db);
/// Messages whose text matches `query` (FTS5 syntax-free: words, prefix with *), newest first.
Result<QList<Message>> search(QSqlDatabase &db, const QString &query, int limit);

} // namespace tidings::app::local
