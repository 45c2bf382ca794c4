#pragma once

#include <QMainWindow>
#include <QPointer>

class QSettings;
class QStackedWidget;

namespace tidings::app {

class ChatPage;
class Notifier;
class Session;
class SignInPage;

/// The app's window: the sign-in form until an account is open, then the chats. Owns the
/// keyboard shortcuts (Ctrl+K, Ctrl+F, Ctrl+N, Alt+Up/Down, Ctrl+Q …), the tray icon and
/// notifications; remembers its geometry.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(Session &session, QSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Prefills the sign-in form (from --server / --user).
    void prefill(const QString &server, const QString &username);
    /// Signs in as if the user filled the form and pressed Enter.
    void signIn(const QString &server, const QString &username, const QString &password);

    SignInPage *signInPage() const { return m_signIn; }
    /// The chats; null while signed out.
    ChatPage *chatPage() const;
    Notifier *notifier() const;

    void showNewChat();
    void showNewGroup();
    void showGroupInfo();
    void showSearch();
    void showQuickSwitcher();
    void showSettings();

Q_SIGNALS:
    /// The chat page (and its conversation list) is up.
    void chatShown();
    /// Theme or font size setting changed.
    void appearanceChanged();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void showSignIn(const QString &message, bool error);
    void showChats();
    void closeChats();
    void submitSignIn();
    void createActions();
    void showConversationMenu(const QPoint &position);

    Session &m_session;
    QSettings &m_settings;
    QStackedWidget *m_stack = nullptr;
    SignInPage *m_signIn = nullptr;
    QPointer<ChatPage> m_chat;
    QPointer<Notifier> m_notifier;
};

} // namespace tidings::app
