#pragma once

#include "core/local_queries.h"
#include "core/sync_engine.h"
#include "models/row_list_model.h"
#include "models/shown_message.h"
#include "models/user_names.h"

#include <QHash>
#include <QSet>

#include <optional>

namespace tidings::app {

class ChatClient;

/// One conversation's messages, oldest at the top, paged from the LocalStore: the newest
/// page first, older pages on loadOlder() (as a view scrolls up). Kept current as messages
/// arrive, are sent, edited, deleted, reacted to, delivered and read — with inserts and
/// single-row changes, never a reset. The ChatClient must outlive the model.
class MessageListModel : public RowListModel
{
    Q_OBJECT

public:
    /// Ticks of my own messages.
    enum class State { Queued, Sent, Delivered, Read, Failed };
    Q_ENUM(State)

    enum Role {
        IdRole = Qt::UserRole + 1, ///< local id (stable from queued to sent)
        SeqRole, ///< 0 while queued
        ClientIdRole, ///< the outbox key, for retry and cancel
        KindRole, ///< "message", an event ("created", "member_added", …), or a local entry
                  ///< of this device's ("key_changed": SenderIdRole's safety number changed)
        SenderIdRole,
        SenderNameRole,
        IsOwnRole,
        TextRole, ///< also DisplayRole; empty when deleted
        TimeRole, ///< QDateTime
        StateRole, ///< State, for own messages
        ErrorRole, ///< why it failed
        ReadByRole, ///< own messages: how many other members have read it
        OthersRole, ///< how many other members there are (for "read by N of M")
        EditedRole,
        DeletedRole,
        ReactionsRole, ///< QVariantMap emoji → QVariantList of user ids
        ReplyToRole, ///< seq of the quoted message, 0 when none
        AttachmentsRole, ///< QList<MessageAttachment> (core/message_attachment.h), or empty
        SystemTextRole, ///< events: one sentence ("Alice added Bob"); empty for messages
        ReplySenderRole, ///< the quoted message's sender, when it is loaded
        ReplyTextRole, ///< the quoted message's text ("…" when it is not loaded)
        /// A change of mine to this message the relay refused (it is undone): its outbox
        /// key, for Outbox::retry / cancel; empty when none.
        FailedChangeRole,
        FailedChangeTextRole, ///< that refusal in a sentence ("Your edit was not sent: …")
        /// End-to-end encryption of a message: "" (none), "encrypted", "waiting" (its key
        /// has not come yet; no text until it does) or "failed" (it could not be decrypted).
        EncryptionRole,
    };
    Q_ENUM(Role)

    static constexpr int kDefaultPageSize = 50;

    MessageListModel(ChatClient &client, qint64 conversation, int pageSize = kDefaultPageSize,
                     QObject *parent = nullptr);
    ~MessageListModel() override;

    qint64 conversationId() const { return m_conversation; }
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    /// Older history is there to load. (Not Qt's canFetchMore()/fetchMore(): views call
    /// those whenever the last row shows, which here is always — and they mean "append".)
    bool canLoadOlder() const;
    void loadOlder();
    /// The conversation as of the last load: members, receipt cursors, kind.
    const local::Conversation &details() const { return m_details; }

    /// The row of the entry with `seq`, or -1 (not loaded).
    int rowOfSeq(local::Seq seq) const;
    /// The user has seen everything up to `row` (it was on screen, the window active):
    /// moves the read receipt, never back.
    void markSeenUpTo(int row);
    /// Reads the LocalStore again (done by itself on every change).
    void refresh();

Q_SIGNALS:
    /// A load finished (the first one: the newest page is shown).
    void refreshed();
    /// A loadOlder() finished (whether or not it brought rows).
    void olderLoaded();

private:
    struct Row
    {
        local::Message message;
        ShownMessage shown; ///< message.body, read once
        State state = State::Sent;
        int readBy = 0;
    };
    Row makeRow(const local::Message &message) const;
    /// The ticks of my own message from the members' cursors (m_details).
    void setTicks(Row &row) const;
    static bool same(const Row &a, const Row &b);
    /// Where the loaded window starts: the seq of its first entry, or the seq a local
    /// first entry stands after (what messagesFrom() and messages() take); none when only
    /// queued messages (or nothing) are loaded.
    std::optional<local::Seq> windowStart() const;

    ChatClient &m_client;
    qint64 m_conversation;
    int m_pageSize;
    QList<Row> m_rows;
    local::Conversation m_details;
    UserNames m_names;
    // One read at a time; what is asked meanwhile runs after it.
    bool m_busy = false;
    bool m_dirty = false;
    bool m_wantOlder = false;
    bool m_loaded = false; ///< the first page is in
    bool m_atStart = false; ///< the oldest entry is loaded
    void loadOlderPage();
    void next();
    /// The relay's news for this conversation: read just what it names, when idle.
    void applyChange(const ConversationChange &change);
    /// Reads the rows that wait for their key again (they may have opened).
    void readWaiting();
    void readChanges();
    void mergeRows(const QList<local::Message> &changed, bool details);
    QSet<local::Seq> m_changedSeqs;
    bool m_changedDetails = false; ///< members' cursors or roles: ticks change
    bool m_changedMembers = false; ///< who is in it: names too
    QString describeEvent(const local::Message &message) const;
    static QString describeFailedChange(const local::Message::FailedChange &change);
};

} // namespace tidings::app
