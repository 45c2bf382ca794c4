#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;
class QTimer;

namespace tidings::app {

class ChatClient;
class ConversationListModel;

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

} // namespace tidings::app
