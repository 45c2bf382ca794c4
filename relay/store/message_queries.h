#pragma once

#include "store/records.h"
#include "util/result.h"

#include <QHash>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QStringList>

#include <memory>

/// Messages and what happens to them, receipts, and reading a conversation's log: the
/// queries behind the delivery contract. Writes are idempotent by (sender, client id): a
/// retry returns the original event, marked duplicate, and stores nothing.
namespace tidings::relay::sql {

struct NewMessage
{
    QString text;
    Seq replyTo = 0; ///< 0: not a reply
    QJsonArray attachments; ///< opaque here; filled by the media feature
    /// End-to-end encrypted (kind "encrypted") when not empty; text, replyTo and attachments
    /// are then empty, and the fields below say what the relay may know.
    QByteArray ciphertext;
    quint32 device = 0; ///< encrypted: the sender's registered device
    QStringList media; ///< encrypted: the media its attachments use
    QList<UserId> mentions; ///< encrypted: whom it mentions

    bool encrypted() const { return !ciphertext.isEmpty(); }
    /// The entry's kind: "message" or "encrypted".
    QString kind() const;
    /// Its body as stored, but for checked attachments (added once checked).
    QJsonObject body() const;
    /// Whether anything must be looked up before it is appended (a quote, files).
    bool needsLookups() const { return replyTo > 0 || !attachments.isEmpty() || !media.isEmpty(); }
};

/// A message the PostgreSQL writer sends ahead of its turn, in one round trip with the
/// others of its group commit (SqlThread::submitWrite's `stage`): made by newStagedMessage()
/// for one send, filled by stageMessage(), its answer read by sendMessage().
struct StagedMessage;
std::shared_ptr<StagedMessage> newStagedMessage();
/// Stages the message when it can go ahead: the writer knows the conversation and the
/// sender's membership, and it is a plain text message. False: it goes the checked way in
/// its turn.
bool stageMessage(QSqlDatabase &db, StagedMessage &staged, UserId sender,
                  ConversationId conversation, const QString &clientId, const NewMessage &message);

/// `staged`: the same message, if stageMessage() was given it.
Result<Appended> sendMessage(QSqlDatabase &db, UserId sender, ConversationId conversation,
                             const QString &clientId, const NewMessage &message,
                             const StagedMessage *staged = nullptr);
/// The author edits the text of a message that is not deleted. EncryptionRequired in an
/// encrypted conversation; BadRequest for an encrypted message.
Result<Appended> editMessage(QSqlDatabase &db, UserId sender, ConversationId conversation,
                             const QString &clientId, Seq target, const QString &text);
/// The same for an encrypted message: `ciphertext` from the author's `device` is its new
/// content (entry kind "encrypted_edit"). BadRequest for a plaintext message.
Result<Appended> editEncrypted(QSqlDatabase &db, UserId sender, ConversationId conversation,
                               const QString &clientId, Seq target, quint32 device,
                               const QByteArray &ciphertext);
/// The author, or a group's owner or admin, deletes a message for everyone: its content is
/// erased from the store, the log keeps a "deleted" mark.
Result<Appended> deleteMessage(QSqlDatabase &db, UserId sender, ConversationId conversation,
                               const QString &clientId, Seq target);
/// Adds (on) or removes a reaction of `sender` to a message. EncryptionRequired in an
/// encrypted conversation; BadRequest for an encrypted message.
Result<Appended> react(QSqlDatabase &db, UserId sender, ConversationId conversation,
                       const QString &clientId, Seq target, const QString &emoji, bool on);
/// The same for an encrypted message: the reaction `tag`, whose emoji `ciphertext` from the
/// sender's `device` holds (entry kind "encrypted_reaction"). BadRequest for a plaintext
/// message.
Result<Appended> reactEncrypted(QSqlDatabase &db, UserId sender, ConversationId conversation,
                                const QString &clientId, Seq target, quint32 device,
                                const QString &tag, const QByteArray &ciphertext, bool on);

struct ReceiptUpdate
{
    ConversationId conversationId = 0;
    UserId userId = 0;
    Seq deliveredSeq = 0;
    Seq readSeq = 0;
    bool changed = false; ///< false: the cursors were already there
    QList<UserId> recipients; ///< the conversation's current members
};
/// Moves the member's cursors forward (never back, never past what they may see); read
/// implies delivered.
Result<ReceiptUpdate> updateReceipt(QSqlDatabase &db, UserId user, ConversationId conversation,
                                    std::optional<Seq> delivered, std::optional<Seq> read);

/// A page of events (history, sync) holds at most `limit` events and, past its first
/// event, about this many bytes of them: one reply stays well under a session's send limit.
constexpr qsizetype kMaxPageBytes = 1024 * 1024;

struct EventPage
{
    QList<EventRecord> events; ///< ascending by seq
    bool more = false; ///< more events exist beyond this page
};
/// The events after `after`, ascending, that `user` may see.
Result<EventPage> eventsAfter(QSqlDatabase &db, UserId user, ConversationId conversation, Seq after,
                              int limit);
/// The events before `before`, the closest first in the store but returned ascending.
Result<EventPage> eventsBefore(QSqlDatabase &db, UserId user, ConversationId conversation,
                               Seq before, int limit);

struct SyncPage
{
    QList<EventRecord> events; ///< grouped by conversation, ascending within each
    QHash<ConversationId, Seq> cursors; ///< where each conversation touched now stands
    bool more = false;
};
/// Everything `user` missed in all their conversations after `cursors` (a conversation not
/// in `cursors` starts from the beginning of what the user may see), at most `limit`
/// events: call again with the returned cursors while `more`.
Result<SyncPage> syncEvents(QSqlDatabase &db, UserId user,
                            const QHash<ConversationId, Seq> &cursors, int limit);

/// Retention: erases the content of messages (and edits) made before `cutoffMs`, at most
/// `batch` per call; their log entries stay (as {"expired": true}), so seqs stay gap-free.
/// Returns how many it erased: call again while that equals `batch`.
Result<int> expireContent(QSqlDatabase &db, qint64 cutoffMs, int batch);

} // namespace tidings::relay::sql
