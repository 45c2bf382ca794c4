#pragma once

#include "util/result.h"

#include <QDialog>
#include <QFuture>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace tidings::app {

class ChatClient;
class ConversationListModel;

/// A group's members and what an admin may do with them: rename, add, remove; leave. Any
/// member may verify another's safety number.
class GroupInfoDialog : public QDialog
{
    Q_OBJECT

public:
    GroupInfoDialog(ChatClient &client, ConversationListModel &conversations, qint64 conversation,
                    QWidget *parent = nullptr);

Q_SIGNALS:
    /// Verify Safety Number for the chosen member.
    void safetyNumberRequested(qint64 user, const QString &name);

private:
    /// Rename, add, remove and `leave` do what they say; remove only for an admin, not on
    /// oneself.
    void connectActions(QPushButton *leave);
    void reload();
    /// Shows that `change` (ChatClient::changeGroup()) is under way, then how it went.
    void run(QFuture<Result<void>> change, bool closeAfter = false);

    ChatClient &m_client;
    ConversationListModel &m_conversations;
    qint64 m_conversation;
    QLineEdit *m_title = nullptr;
    QListWidget *m_members = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_rename = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_verify = nullptr;
    bool m_admin = false;
};

} // namespace tidings::app
