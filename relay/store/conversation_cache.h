#pragma once

#include "sql/sql_thread.h"
#include "store/records.h"
#include "util/result.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>

#include <memory>
#include <optional>

namespace tidings::relay::sql {

/// What the message path needs to know of a conversation, kept in the writer's memory so
/// that a message costs no query for it: its kind, its last seq, its current members and,
/// for a direct conversation, whether either member blocked the other.
///
/// It lives beside the store's writer connection (a ConnectionState) and only the writer
/// uses it, so it is kept right by the same transactions that change what it holds: the
/// query functions that change members, blocks or a conversation's log forget the entries
/// concerned, and any rollback forgets everything. A miss reads the store. Bounded: past
/// `capacity` conversations it starts over.
class ConversationCache final : public ConnectionState
{
public:
    struct Member
    {
        UserId user = 0;
        Seq joinedSeq = 1;
        bool pushTarget = false; ///< has a push target (may be stale true, never stale false)
    };
    struct Entry
    {
        bool isGroup = false;
        Seq lastSeq = 0;
        QList<Member> members; ///< current members
        bool blocked = false; ///< direct only: a block either way between its members
        Seq e2eSeq = 0; ///< its first end-to-end encrypted entry; 0: none (plaintext only)

        const Member *member(UserId user) const;
        QList<UserId> memberIds() const;
        /// Whether a member other than `sender` may have a push target: when not, a
        /// message queues no push job and needs no query to find that out.
        bool mayPush(UserId sender) const;
    };

    explicit ConversationCache(qsizetype capacity = 100000) : m_capacity(capacity) { }
    ~ConversationCache() override;
    /// A new cache, made the cache of `database` on this thread (see of()) for its
    /// lifetime: a writer's SqlThread state (its makeState).
    static std::unique_ptr<ConnectionState> installedFor(const QSqlDatabase &database);
    ConversationCache(const ConversationCache &) = delete;
    ConversationCache &operator=(const ConversationCache &) = delete;

    /// The cache installed for `database` on this thread, or null (the reader, tests).
    static ConversationCache *of(const QSqlDatabase &database);

    /// The conversation as the store has it: from memory, or read on a miss. NotFound when
    /// there is no such conversation.
    Result<Entry *> get(QSqlDatabase &db, ConversationId conversation);
    /// What a caller already read of the conversation's row.
    struct Known
    {
        bool isGroup = false;
        Seq lastSeq = 0;
        /// PostgreSQL: the seq the conversation's row lock just gave this message. An entry
        /// is only used when it ends right before it: every change of members appends to
        /// the log, so no other append in between (by any node) means the members held are
        /// still the members. Otherwise it is read again.
        Seq reserved = 0;
        /// Read with the row (blocks change on any node and lock no conversation): taken
        /// as it is instead of from memory or another query.
        std::optional<bool> blocked;
        Seq e2eSeq = 0; ///< read with the row, as lastSeq
    };
    /// get() when the row was just read: a miss reads the members only.
    Result<Entry *> get(QSqlDatabase &db, ConversationId conversation, const Known &known);

    /// What memory holds of `conversation`, unchecked (null: nothing).
    Entry *peek(ConversationId conversation)
    {
        const auto it = m_entries.find(conversation);
        return it == m_entries.end() ? nullptr : &*it;
    }
    void forget(ConversationId conversation) { m_entries.remove(conversation); }
    void clear() { m_entries.clear(); }
    void rolledBack() override { clear(); }

private:
    void installFor(const QSqlDatabase &database);
    bool m_installed = false;
    QHash<ConversationId, Entry> m_entries;
    const qsizetype m_capacity;
};

/// Forgets what the writer's cache holds of `conversation` (a no-op on other connections):
/// called by every write that changes its members or appends to its log outside the
/// message path.
void conversationChanged(const QSqlDatabase &db, ConversationId conversation);
/// A block was made or lifted: forgets every conversation.
void blocksChanged(const QSqlDatabase &db);
/// A push target was added: forgets every conversation (a removed one needs nothing: the
/// push query then finds no target).
void pushTargetsChanged(const QSqlDatabase &db);

} // namespace tidings::relay::sql
