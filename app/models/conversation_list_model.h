#pragma once

#include "core/local_queries.h"
#include "models/row_list_model.h"
#include "models/user_names.h"

#include <QHash>
#include <QSet>

namespace tidings::app {

class ChatClient;

/// The conversation list: every conversation the LocalStore has, the most recently active
/// first, kept current as the SyncEngine and the Outbox change things (a new message moves
/// its conversation to the top with a row move). Shows cached data before any network.
class ConversationListModel : public RowListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        KindRole, ///< "direct" or "group"
        TitleRole, ///< the group's title, or the other person's name (also DisplayRole)
        InitialsRole, ///< one or two letters for the avatar
        AvatarKeyRole, ///< a stable number to pick the avatar colour from (user or group id)
        PreviewRole, ///< the last message as one line: "You: hi", "Bob: hi" in groups
        LastActivityRole, ///< QDateTime of the last entry
        UnreadRole, ///< messages from others after my read cursor
        MemberCountRole,
        OtherUserRole, ///< direct: the other person's id (0 in groups)
        OnlineRole, ///< direct: the other person is online
        LastSeenRole, ///< direct: QDateTime they were last seen, when known
        TypingRole, ///< QStringList: names of who types there now
        DraftRole,
        /// The seq of its first end-to-end encrypted entry: from there on it is encrypted.
        /// 0: nothing in it is encrypted (yet).
        E2eSeqRole,
        /// A message in it reached the relay (sent or received): it has a history.
        HasMessagesRole,
    };
    Q_ENUM(Role)

    explicit ConversationListModel(ChatClient &client, QObject *parent = nullptr);
    ~ConversationListModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// The row of `conversation`, or -1.
    int rowOf(qint64 conversation) const;
    /// Reads the whole list again from the LocalStore (done by itself when conversations
    /// may have come or gone: at sign-in, after the relay's list).
    void refresh();
    /// Reads the rows of `conversation` again (done by itself when something in it changed:
    /// a message, a receipt, a member, a draft): the list is not read.
    void refreshRow(qint64 conversation);

Q_SIGNALS:
    /// A read finished, of the whole list or of rows (the first one: the cached list is
    /// shown).
    void refreshed();
    /// The read that finished was of rows (refreshRow()): the conversations they show.
    /// Emitted just before its refreshed().
    void rowsRefreshed(const QList<qint64> &conversations);

private:
    struct Row
    {
        local::Conversation conversation;
        QString title;
        QString preview;
        qint64 otherUser = 0;
        bool waiting = false; ///< its last message waits for its key
    };
    Row makeRow(const local::Conversation &conversation) const;
    /// Reads what m_stale names, unless a read is running (then after it).
    void readStale();
    /// Whether `a` comes before `b`: the most recently active first, as the store lists.
    static bool before(const Row &a, const Row &b);
    static bool same(const Row &a, const Row &b);
    void rowsWithUserChanged(qint64 user);

    ChatClient &m_client;
    QList<Row> m_rows;
    UserNames m_names;
    bool m_loading = false;
    bool m_dirty = false; ///< a whole read is wanted after the one running
    QSet<qint64> m_stale; ///< conversations whose rows are to be read again
};

} // namespace tidings::app
