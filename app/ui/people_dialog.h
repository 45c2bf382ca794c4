#pragma once

#include <QDialog>
#include <QList>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTimer;

namespace tidings::app {

class ChatClient;

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

} // namespace tidings::app
