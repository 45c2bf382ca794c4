#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QToolButton;

namespace tidings::app {

class ChatClient;
class ConversationDelegate;
class ConversationListModel;
class ConversationView;

/// The signed-in window's content: the conversation list (with its filter box) on the
/// left, the open conversation on the right, and a banner across the top while offline or
/// reconnecting, and one while this device needs linking (LinkPrompt). Remembers the
/// splitter and the open conversation.
class ChatPage : public QWidget
{
    Q_OBJECT

public:
    ChatPage(ChatClient &client, QSettings &settings, QWidget *parent = nullptr);
    ~ChatPage() override;

    ConversationListModel &conversations() const { return *m_conversations; }
    ConversationView &view() const { return *m_view; }
    QToolButton *menuButton() const { return m_menuButton; }
    QToolButton *newChatButton() const { return m_newChatButton; }

    void openConversation(qint64 conversation);
    qint64 currentConversation() const;
    /// Alt+Up / Alt+Down: the conversation above or below the open one.
    void stepConversation(int delta);
    void focusFilter();
    void setMuted(const QSet<qint64> &muted);
    /// Saves what the next start restores (splitter, open conversation, draft).
    void saveState();

Q_SIGNALS:
    void conversationMenuRequested(qint64 conversation, const QPoint &globalPosition);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyColours();
    void updateBanner();
    void onCurrentChanged(const QModelIndex &current);

    ChatClient &m_client;
    QSettings &m_settings;
    ConversationListModel *m_conversations = nullptr;
    QSortFilterProxyModel *m_filtered = nullptr;
    ConversationDelegate *m_delegate = nullptr;
    QLabel *m_banner = nullptr;
    QSplitter *m_splitter = nullptr;
    QToolButton *m_menuButton = nullptr;
    QToolButton *m_newChatButton = nullptr;
    QLineEdit *m_filter = nullptr;
    QListView *m_list = nullptr;
    QStackedWidget *m_right = nullptr;
    ConversationView *m_view = nullptr;
    qint64 m_restore = 0;
};

} // namespace tidings::app
