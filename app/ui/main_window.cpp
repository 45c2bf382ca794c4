#include "ui/main_window.h"

#include "core/chat_client.h"
#include "core/session.h"
#include "models/conversation_list_model.h"
#include "protocol/messages/message_requests.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/group_info_dialog.h"
#include "ui/notifier.h"
#include "ui/people_dialog.h"
#include "ui/quick_switcher.h"
#include "ui/report_reason.h"
#include "ui/search_dialog.h"
#include "ui/settings_dialog.h"
#include "ui/settings_keys.h"
#include "ui/sign_in_page.h"
#include "ui/token_storage_choice.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QToolButton>

namespace tidings::app {

using namespace Qt::StringLiterals;

MainWindow::MainWindow(Session &session, QSettings &settings, QWidget *parent)
    : QMainWindow(parent), m_session(session), m_settings(settings)
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("Tidings"));
    setWindowIcon(Notifier::icon(0));
    m_stack = new QStackedWidget(this);
    m_signIn = new SignInPage(m_stack);
    m_stack->addWidget(m_signIn);
    setCentralWidget(m_stack);
    m_signIn->setServer(m_session.lastServer());
    m_signIn->setUsername(m_session.lastUsername());
    if (!restoreGeometry(m_settings.value(settings::kGeometry).toByteArray()))
        resize(1000, 680);

    connect(m_signIn, &SignInPage::submitted, this, &MainWindow::submitSignIn);
    connect(m_signIn, &SignInPage::cancelled, this, [this] {
        m_session.cancelSignIn();
        m_signIn->setBusy(false);
        m_signIn->showMessage(tr("Cancelled."));
    });
    connect(&m_session, &Session::signedIn, this, &MainWindow::showChats);
    connect(&m_session, &Session::clientClosing, this, &MainWindow::closeChats);
    connect(&m_session, &Session::signedOut, this,
            [this](const QString &reason) { showSignIn(reason, !reason.isEmpty()); });
    connect(&m_session, &Session::signInFailed, this, [this](const QString &message) {
        m_signIn->setBusy(false);
        showSignIn(message, true);
    });
    connect(&m_session, &Session::keychainUnavailable, this,
            [this](const QString &reason, const QString &filePath) {
                TokenStorageChoice::ask(this, reason, filePath, [this](TokenStore::Backend choice) {
                    m_session.setTokenBackend(choice);
                });
            });
    createActions();
}

MainWindow::~MainWindow()
{
    if (m_chat)
        m_chat->saveState();
}

ChatPage *MainWindow::chatPage() const
{
    return m_chat;
}

Notifier *MainWindow::notifier() const
{
    return m_notifier;
}

void MainWindow::createActions()
{
    auto add = [this](const QString &name, const QKeySequence &keys, auto slot) {
        auto *action = new QAction(this);
        action->setShortcutVisibleInContextMenu(true);
        action->setObjectName(name);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        return action;
    };
    add(u"quickSwitcherAction"_s, QKeySequence(u"Ctrl+K"_s), [this] {
        showQuickSwitcher();
    })->setText(tr("&Go to Chat…"));
    add(u"searchAction"_s, QKeySequence::Find, [this] {
        showSearch();
    })->setText(tr("&Search Messages…"));
    add(u"newChatAction"_s, QKeySequence::New, [this] {
        showNewChat();
    })->setText(tr("New &Chat…"));
    add(u"newGroupAction"_s, QKeySequence(u"Ctrl+Shift+N"_s), [this] {
        showNewGroup();
    })->setText(tr("New &Group…"));
    add(u"previousConversationAction"_s, QKeySequence(u"Alt+Up"_s), [this] {
        if (m_chat)
            m_chat->stepConversation(-1);
    });
    add(u"nextConversationAction"_s, QKeySequence(u"Alt+Down"_s), [this] {
        if (m_chat)
            m_chat->stepConversation(1);
    });
    add(u"settingsAction"_s, QKeySequence(u"Ctrl+,"_s), [this] {
        showSettings();
    })->setText(tr("S&ettings…"));
    add(u"filterAction"_s, QKeySequence(u"Ctrl+L"_s), [this] {
        if (m_chat)
            m_chat->focusFilter();
    });
    add(u"quitAction"_s, QKeySequence(u"Ctrl+Q"_s), [] {
        QApplication::quit();
    })->setText(tr("&Quit"));
}

void MainWindow::prefill(const QString &server, const QString &username)
{
    if (!server.isEmpty())
        m_signIn->setServer(server);
    if (!username.isEmpty())
        m_signIn->setUsername(username);
}

void MainWindow::signIn(const QString &server, const QString &username, const QString &password)
{
    m_signIn->setServer(server);
    m_signIn->setUsername(username);
    m_signIn->setBusy(true);
    m_session.signIn(server, username, password, Session::Mode::LogIn);
}

void MainWindow::submitSignIn()
{
    m_signIn->setBusy(true);
    m_session.signIn(m_signIn->server(), m_signIn->username(), m_signIn->password(),
                     m_signIn->isRegistering() ? Session::Mode::Register : Session::Mode::LogIn,
                     m_signIn->displayName());
}

void MainWindow::showSignIn(const QString &message, bool error)
{
    closeChats();
    m_signIn->setBusy(false);
    m_signIn->clearPassword();
    if (m_signIn->server().isEmpty())
        m_signIn->setServer(m_session.lastServer());
    if (m_signIn->username().isEmpty())
        m_signIn->setUsername(m_session.lastUsername());
    if (error)
        m_signIn->showError(message);
    else
        m_signIn->showMessage(message);
    m_stack->setCurrentWidget(m_signIn);
    setWindowTitle(tr("Tidings"));
    m_signIn->focusFirstEmpty();
}

void MainWindow::closeChats()
{
    // Deleted later, not now: this may run inside a click on the page's own menu (Sign
    // Out), which must return into live widgets. The client the page uses is deleted
    // later too, after it.
    if (ChatPage *page = m_chat) {
        m_chat = nullptr;
        page->saveState();
        m_stack->removeWidget(page);
        page->hide();
        page->deleteLater();
    }
    if (Notifier *notifier = m_notifier) {
        m_notifier = nullptr;
        notifier->deleteLater();
    }
}

void MainWindow::showChats()
{
    ChatClient *client = m_session.client();
    if (!client)
        return;
    m_signIn->setBusy(false);
    m_signIn->clearPassword();
    m_signIn->showMessage({});
    closeChats();
    m_chat = new ChatPage(*client, m_settings, m_stack);
    m_stack->addWidget(m_chat);
    m_stack->setCurrentWidget(m_chat);
    m_notifier = new Notifier(m_chat->conversations(), m_settings, this);
    m_chat->setMuted(m_notifier->muted());
    connect(m_notifier, &Notifier::mutedChanged, m_chat,
            [this] { m_chat->setMuted(m_notifier->muted()); });
    connect(m_notifier, &Notifier::conversationClicked, m_chat,
            [this](qint64 conversation) { m_chat->openConversation(conversation); });
    connect(&m_chat->view(), &ConversationView::infoRequested, this, &MainWindow::showGroupInfo);
    connect(m_chat, &ChatPage::conversationMenuRequested, this,
            [this](qint64 conversation, const QPoint &position) {
                QMenu menu(this);
                menu.setObjectName(u"conversationMenu"_s);
                const bool muted = m_notifier->isMuted(conversation);
                menu.addAction(
                    muted ? tr("&Unmute") : tr("&Mute Notifications"), this,
                    [this, conversation, muted] { m_notifier->setMuted(conversation, !muted); });
                menu.exec(position);
            });
    m_notifier->setOpenConversation([this] { return m_chat ? m_chat->currentConversation() : 0; });

    auto *menu = new QMenu(m_chat);
    menu->setObjectName(u"mainMenu"_s);
    // The window's own actions, so each shortcut has one owner.
    auto action
        = [this](const char *name) { return findChild<QAction *>(QString::fromLatin1(name)); };
    menu->addAction(action("newChatAction"));
    menu->addAction(action("newGroupAction"));
    menu->addAction(action("searchAction"));
    menu->addAction(action("quickSwitcherAction"));
    menu->addSeparator();
    menu->addAction(action("settingsAction"));
    menu->addAction(tr("Sign &Out"), this, [this] { m_session.signOut(); });
    menu->addAction(action("quitAction"));
    // Opened by hand rather than with setMenu(), which would draw an arrow on the button.
    connect(m_chat->menuButton(), &QToolButton::clicked, menu, [this, menu] {
        QToolButton *button = m_chat->menuButton();
        menu->popup(button->mapToGlobal(QPoint(0, button->height())));
    });
    connect(m_chat->newChatButton(), &QToolButton::clicked, this, &MainWindow::showNewChat);
    Q_EMIT chatShown();
}

void MainWindow::showNewChat()
{
    if (!m_chat || !m_session.client())
        return;
    auto *dialog = new PeopleDialog(*m_session.client(), PeopleDialog::Mode::Direct, 0, this);
    connect(dialog, &PeopleDialog::conversationReady, m_chat, &ChatPage::openConversation);
    dialog->open();
}

void MainWindow::showNewGroup()
{
    if (!m_chat || !m_session.client())
        return;
    auto *dialog = new PeopleDialog(*m_session.client(), PeopleDialog::Mode::Group, 0, this);
    connect(dialog, &PeopleDialog::conversationReady, m_chat, &ChatPage::openConversation);
    dialog->open();
}

void MainWindow::showGroupInfo()
{
    if (!m_chat || !m_session.client())
        return;
    const qint64 conversation = m_chat->currentConversation();
    ConversationListModel &conversations = m_chat->conversations();
    const QModelIndex index = conversations.index(conversations.rowOf(conversation));
    if (!index.isValid())
        return;
    ChatClient &client = *m_session.client();
    if (index.data(ConversationListModel::KindRole).toString() == u"group") {
        auto *info = new GroupInfoDialog(client, conversations, conversation, this);
        connect(info, &GroupInfoDialog::safetyNumberRequested, m_chat,
                [this](qint64 user, const QString &name) {
                    m_chat->view().showSafetyNumber(user, name);
                });
        info->open();
        return;
    }
    const qint64 other = index.data(ConversationListModel::OtherUserRole).toLongLong();
    if (other == 0)
        return;
    const QString name = index.data(ConversationListModel::TitleRole).toString();
    QMenu menu(this);
    menu.setObjectName(u"personMenu"_s);
    menu.addAction(tr("&Verify Safety Number…"), this, [this, other, name] {
        if (m_chat)
            m_chat->view().showSafetyNumber(other, name);
    });
    menu.addSeparator();
    if (client.isBlocked(other)) {
        // The menu runs an event loop: the session may end while it is open.
        menu.addAction(tr("&Unblock %1").arg(name), this, [this, other] {
            if (ChatClient *now = m_session.client())
                now->setBlocked(other, false);
        });
    } else {
        menu.addAction(tr("&Block %1").arg(name), this, [this, other, name] {
            if (QMessageBox::question(
                    this, tr("Block"),
                    tr("Block %1? Neither of you will be able to message the other.").arg(name))
                != QMessageBox::Yes)
                return;
            // Asked again after the question: the session may have ended while it was open.
            if (ChatClient *now = m_session.client())
                now->setBlocked(other, true);
        });
    }
    menu.addAction(tr("&Report %1…").arg(name), this, [this, other] {
        askReportReason(this, u"reportPersonDialog"_s, tr("Report"), tr("What is wrong?"),
                        [this, other](const QString &reason) {
                            if (ChatClient *now = m_session.client())
                                now->report(protocol::messages::Report{other, 0, 0, reason});
                        });
    });
    menu.exec(QCursor::pos());
}

void MainWindow::showSearch()
{
    if (!m_chat || !m_session.client())
        return;
    auto *dialog = new SearchDialog(*m_session.client(), m_chat->conversations(), this);
    connect(dialog, &SearchDialog::messageChosen, m_chat, [this](qint64 conversation, qint64 seq) {
        m_chat->openConversation(conversation);
        m_chat->view().jumpTo(seq);
    });
    dialog->open();
}

void MainWindow::showQuickSwitcher()
{
    if (!m_chat)
        return;
    auto *dialog = new QuickSwitcher(m_chat->conversations(), this);
    connect(dialog, &QuickSwitcher::conversationChosen, m_chat, [this](qint64 conversation) {
        m_chat->openConversation(conversation);
        m_chat->view().composer()->setFocus();
    });
    dialog->open();
}

void MainWindow::showSettings()
{
    if (!m_session.client())
        return;
    auto *dialog = new SettingsDialog(*m_session.client(), m_settings, this);
    connect(dialog, &SettingsDialog::appearanceChanged, this, &MainWindow::appearanceChanged);
    connect(dialog, &SettingsDialog::signOutRequested, this, [this] { m_session.signOut(); });
    dialog->open();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_settings.setValue(settings::kGeometry, saveGeometry());
    if (m_chat)
        m_chat->saveState();
    QMainWindow::closeEvent(event);
}

} // namespace tidings::app
