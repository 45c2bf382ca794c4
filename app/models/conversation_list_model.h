#pragma once

#include "core/local_queries.h"
#include "models/row_list_model.h"
#include "models/user_names.h"

#include <QHash>

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
    };
    Q_ENUM(Role)

    explicit ConversationListModel(ChatClient &client, QObject *parent = nullptr);
    ~ConversationListModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// The row of `conversation`, or -1.
    int rowOf(qint64 conversation) const;
    /// Reads the LocalStore again (done by itself on every change).
    void refresh();

Q_SIGNALS:
    /// A refresh finished (the first one: the cached list is shown).
    void refreshed();

private:
    struct Row
    {
        local::Conversation conversation;
        QString title;
        QString preview;
        qint64 otherUser = 0;
    };
    Row makeRow(const local::Conversation &conversation) const;
    static bool same(const Row &a, const Row &b);
    void rowsWithUserChanged(qint64 user);

    ChatClient &m_client;
    QList<Row> m_rows;
    UserNames m_names;
    bool m_loading = false;
    bool m_dirty = false;
};

} // namespace tidings::app
