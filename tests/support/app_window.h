#pragma once

#include "core/session.h"
#include "core/token_store.h"
#include "ui/main_window.h"

#include <QNetworkAccessManager>
#include <QSettings>
#include <QTemporaryDir>

#include <memory>

namespace tidings::app {
class ChatPage;
class ConversationView;
class MessageListModel;
} // namespace tidings::app

namespace tidings::test {

/// The real app — Session and MainWindow, as main() builds them — on a profile directory
/// of its own, offscreen. launch() again on the same directory is a restart.
struct AppWindow
{
    explicit AppWindow(const QString &profileDirectory = {});
    ~AppWindow();

    /// Builds the session and window, shows it and restores the last account (as at start).
    void launch(app::TokenStore::Backend tokens = app::TokenStore::Backend::PlainFile);
    /// Closes the window and ends the session, as quitting the app does.
    void quit();

    /// Fills the sign-in form like a user (typing) and submits it with Enter.
    void typeSignIn(const QString &server, const QString &username, const QString &password,
                    bool createAccount);
    /// Signs in through the form and waits for the chats; false if they did not show.
    bool signUp(quint16 port, const QString &username);

    template<typename T> T *find(const QString &name) const { return window->findChild<T *>(name); }
    app::ChatPage *chat() const;
    app::ConversationView &view() const;
    app::MessageListModel *messages() const;
    /// Opens a direct chat with `username` through the New Chat dialog (typing the name).
    bool startChatWith(const QString &username);
    /// Types `text` into the composer and presses Enter.
    void send(const QString &text);
    /// Saves a screenshot of the window into the test's output directory.
    QString shot(const QString &name) const;

    QString directory;
    std::unique_ptr<QTemporaryDir> temporary;
    std::unique_ptr<QSettings> settings;
    QNetworkAccessManager network;
    std::unique_ptr<app::Session> session;
    std::unique_ptr<app::MainWindow> window;
};

/// The line under the open conversation's title: "online", "last seen …", "3 members".
QString statusLine(const AppWindow &app);
/// The line that says who is typing in the open conversation, or nothing.
QString typingLine(const AppWindow &app);

} // namespace tidings::test
