#pragma once

#include "util/result.h"

#include <QDialog>
#include <QFuture>
#include <QJsonObject>
#include <QList>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QListWidget;
class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QSpinBox;
class QTimer;

namespace tidings::app {

class ChatClient;

/// Asks why something is reported, in a window-modal box named `objectName` (for scripts);
/// `reported` gets the reason, trimmed, once the user confirms a non-empty one.
void askReportReason(QWidget *parent, const QString &objectName, const QString &title,
                     const QString &label, std::function<void(const QString &)> reported);
class ConversationListModel;

/// Finds people by username (users.search) and starts a chat with one, makes a group with
/// several, or adds several to an existing group.
class PeopleDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Mode { Direct, Group, AddMembers };
    PeopleDialog(ChatClient &client, Mode mode, qint64 conversation = 0, QWidget *parent = nullptr);

Q_SIGNALS:
    /// The conversation to open (made or found).
    void conversationReady(qint64 conversation);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void search();
    void submit();
    void updateButton();
    QList<qint64> chosen() const;

    ChatClient &m_client;
    Mode m_mode;
    qint64 m_conversation;
    QLineEdit *m_title = nullptr;
    QLineEdit *m_query = nullptr;
    QListWidget *m_results = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_submit = nullptr;
    QTimer *m_debounce = nullptr;
    int m_searchGeneration = 0;
};

/// A group's members and what an admin may do with them: rename, add, remove; leave.
class GroupInfoDialog : public QDialog
{
    Q_OBJECT

public:
    GroupInfoDialog(ChatClient &client, ConversationListModel &conversations, qint64 conversation,
                    QWidget *parent = nullptr);

private:
    void reload();
    /// Shows that `change` (ChatClient::changeGroup()) is under way, then how it went.
    void run(QFuture<Result<QJsonObject>> change, bool closeAfter = false);

    ChatClient &m_client;
    ConversationListModel &m_conversations;
    qint64 m_conversation;
    QLineEdit *m_title = nullptr;
    QListWidget *m_members = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_rename = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    bool m_admin = false;
};

/// Ctrl+F: finds messages in every conversation (the local full-text index) and jumps to
/// the one chosen.
class SearchDialog : public QDialog
{
    Q_OBJECT

public:
    SearchDialog(ChatClient &client, ConversationListModel &conversations,
                 QWidget *parent = nullptr);

Q_SIGNALS:
    void messageChosen(qint64 conversation, qint64 seq);

private:
    void search();

    ChatClient &m_client;
    ConversationListModel &m_conversations;
    QLineEdit *m_query = nullptr;
    QListWidget *m_results = nullptr;
    QLabel *m_status = nullptr;
    QTimer *m_debounce = nullptr;
    int m_generation = 0;
};

/// Ctrl+K: type a few letters of a chat's name, Enter opens it.
class QuickSwitcher : public QDialog
{
    Q_OBJECT

public:
    QuickSwitcher(ConversationListModel &conversations, QWidget *parent = nullptr);

Q_SIGNALS:
    void conversationChosen(qint64 conversation);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void choose();

    QLineEdit *m_query = nullptr;
    QListView *m_list = nullptr;
    QSortFilterProxyModel *m_filtered = nullptr;
};

/// Theme, font size, language, notifications, privacy; signing out.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(ChatClient &client, QSettings &settings, QWidget *parent = nullptr);

Q_SIGNALS:
    /// Theme or font size changed: apply them.
    void appearanceChanged();
    void notificationsChanged();
    void signOutRequested();

private:
    ChatClient &m_client;
    QSettings &m_settings;
};

} // namespace tidings::app
