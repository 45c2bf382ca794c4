#include "ui/chat_page.h"

#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "ui/conversation_delegate.h"
#include "ui/conversation_view.h"
#include "ui/link_prompt.h"
#include "ui/settings_keys.h"
#include "ui/theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

const QString kSplitterKey = u"window/splitter"_s;
const QString kLastConversationKey = u"window/lastConversation"_s;

} // namespace

ChatPage::ChatPage(ChatClient &client, QSettings &settings, QWidget *parent)
    : QWidget(parent), m_client(client), m_settings(settings)
{
    setObjectName(u"chatPage"_s);
    client.outbox().setShareReadReceipts(
        m_settings.value(settings::kShareReadReceipts, true).toBool());
    client.transfers().setCacheLimit(
        qint64(m_settings.value(settings::kCacheLimitMiB, settings::kDefaultCacheLimitMiB).toInt())
        * 1024 * 1024);
    m_conversations = new ConversationListModel(client, this);
    m_filtered = new QSortFilterProxyModel(this);
    m_filtered->setSourceModel(m_conversations);
    m_filtered->setFilterRole(ConversationListModel::TitleRole);
    m_filtered->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_banner = new QLabel(this);
    m_banner->setObjectName(u"connectionBanner"_s);
    m_banner->setAccessibleName(tr("Connection status"));
    m_banner->setAlignment(Qt::AlignCenter);
    m_banner->setContentsMargins(8, 5, 8, 5);
    m_banner->setAutoFillBackground(true);
    layout->addWidget(m_banner);
    // While this device needs linking, how to link it (it shows itself only then).
    layout->addWidget(new LinkPrompt(client, this));

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    layout->addWidget(m_splitter, 1);

    auto *left = new QWidget(m_splitter);
    left->setObjectName(u"conversationPanel"_s);
    left->setMinimumWidth(220);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(0);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(8, 8, 8, 8);
    m_menuButton = new QToolButton(left);
    m_menuButton->setObjectName(u"menuButton"_s);
    m_menuButton->setAccessibleName(tr("Menu"));
    m_menuButton->setToolTip(tr("Menu"));
    m_menuButton->setIconSize(QSize(20, 20));
    m_menuButton->setAutoRaise(true);
    top->addWidget(m_menuButton);
    m_filter = new QLineEdit(left);
    m_filter->setObjectName(u"filterEdit"_s);
    m_filter->setAccessibleName(tr("Filter conversations"));
    m_filter->setPlaceholderText(tr("Filter chats"));
    m_filter->setClearButtonEnabled(true);
    top->addWidget(m_filter, 1);
    m_newChatButton = new QToolButton(left);
    m_newChatButton->setObjectName(u"newChatButton"_s);
    m_newChatButton->setAccessibleName(tr("New chat"));
    m_newChatButton->setToolTip(tr("New chat (Ctrl+N)"));
    m_newChatButton->setIconSize(QSize(20, 20));
    m_newChatButton->setAutoRaise(true);
    top->addWidget(m_newChatButton);
    leftLayout->addLayout(top);

    m_list = new QListView(left);
    m_list->setObjectName(u"conversationList"_s);
    m_list->setAccessibleName(tr("Conversations"));
    m_list->setModel(m_filtered);
    m_delegate = new ConversationDelegate(m_list);
    m_list->setItemDelegate(m_delegate);
    m_list->setUniformItemSizes(true);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setMouseTracking(true);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_list, &QListView::customContextMenuRequested, this, [this](const QPoint &position) {
        const QModelIndex index = m_list->indexAt(position);
        if (index.isValid())
            Q_EMIT conversationMenuRequested(index.data(ConversationListModel::IdRole).toLongLong(),
                                             m_list->viewport()->mapToGlobal(position));
    });
    leftLayout->addWidget(m_list, 1);
    // With no chats yet, the list says how to start one.
    auto *empty = new QLabel(tr("No chats yet.\nStart one with the pencil above (Ctrl+N)."),
                             m_list->viewport());
    empty->setObjectName(u"noConversationsLabel"_s);
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setForegroundRole(QPalette::PlaceholderText);
    empty->setContentsMargins(16, 40, 16, 16);
    auto updateEmpty = [this, empty] {
        empty->setVisible(m_conversations->rowCount() == 0);
        empty->resize(m_list->viewport()->width(), empty->sizeHint().height());
    };
    connect(m_conversations, &ConversationListModel::refreshed, empty, updateEmpty);
    empty->hide();

    m_right = new QStackedWidget(m_splitter);
    auto *placeholder = new QLabel(tr("Choose a chat on the left, or start a new one."), m_right);
    placeholder->setObjectName(u"noConversationLabel"_s);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_right->addWidget(placeholder);
    m_view = new ConversationView(client, *m_conversations, m_right);
    m_right->addWidget(m_view);
    m_splitter->addWidget(left);
    m_splitter->addWidget(m_right);
    m_splitter->setStretchFactor(1, 1);
    if (!m_splitter->restoreState(m_settings.value(kSplitterKey).toByteArray()))
        m_splitter->setSizes({300, 700});

    connect(m_filter, &QLineEdit::textChanged, m_filtered,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        if (m_filtered->rowCount() > 0) {
            m_list->setCurrentIndex(m_filtered->index(0, 0));
            m_view->composer()->setFocus();
        }
    });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ChatPage::onCurrentChanged);
    connect(m_list, &QListView::activated, this, [this] { m_view->composer()->setFocus(); });

    // The conversation open last time opens again once the cached list is in.
    m_restore = m_settings.value(kLastConversationKey).toLongLong();
    connect(m_conversations, &ConversationListModel::refreshed, this, [this] {
        if (m_restore != 0 && m_conversations->rowOf(m_restore) >= 0) {
            const qint64 conversation = m_restore;
            m_restore = 0;
            openConversation(conversation);
        }
    });

    applyColours();
    connect(&client, &ChatClient::connectionStateChanged, this, &ChatPage::updateBanner);
    connect(&client, &ChatClient::caughtUp, this, &ChatPage::updateBanner);
    updateBanner();
}

ChatPage::~ChatPage()
{
    saveState();
    // The view uses the list model, which goes first among the children.
    delete m_right;
}

void ChatPage::saveState()
{
    m_settings.setValue(kSplitterKey, m_splitter->saveState());
    if (m_view->conversationId() != 0)
        m_settings.setValue(kLastConversationKey, m_view->conversationId());
    m_view->saveDraft();
}

void ChatPage::applyColours()
{
    QPalette bannerPalette = m_banner->palette();
    bannerPalette.setColor(QPalette::Window, theme::banner());
    m_banner->setPalette(bannerPalette);
    m_menuButton->setIcon(theme::icon(u"menu"_s, theme::secondaryText()));
    m_newChatButton->setIcon(theme::icon(u"compose"_s, theme::secondaryText()));
}

void ChatPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::ApplicationPaletteChange || event->type() == QEvent::PaletteChange)
        applyColours();
}

void ChatPage::updateBanner()
{
    QString text;
    switch (m_client.connectionState()) {
    case Connection::State::Connected:
        if (m_client.isSyncing())
            text = tr("Updating…");
        break;
    case Connection::State::Connecting:
        text = tr("Connecting…");
        break;
    case Connection::State::Offline:
        text = tr("Waiting for network — your messages will be sent when the server is back.");
        break;
    case Connection::State::SignedOut:
        text = tr("Signed out.");
        break;
    case Connection::State::Incompatible:
        text = tr("This server needs a newer version of Tidings.");
        break;
    }
    m_banner->setText(text);
    m_banner->setVisible(!text.isEmpty());
}

void ChatPage::onCurrentChanged(const QModelIndex &current)
{
    const qint64 conversation = current.data(ConversationListModel::IdRole).toLongLong();
    if (conversation == 0 || conversation == m_view->conversationId())
        return;
    m_view->open(conversation);
    m_right->setCurrentWidget(m_view);
    m_settings.setValue(kLastConversationKey, conversation);
}

void ChatPage::openConversation(qint64 conversation)
{
    const int row = m_conversations->rowOf(conversation);
    if (row < 0) {
        m_restore = conversation; // opens when the list has it (it was just made)
        return;
    }
    QModelIndex index = m_filtered->mapFromSource(m_conversations->index(row));
    if (!index.isValid()) {
        m_filter->clear();
        index = m_filtered->mapFromSource(m_conversations->index(row));
    }
    m_list->setCurrentIndex(index);
    m_list->scrollTo(index);
    if (m_view->conversationId() != conversation) {
        m_view->open(conversation);
        m_right->setCurrentWidget(m_view);
    }
}

qint64 ChatPage::currentConversation() const
{
    return m_view->conversationId();
}

void ChatPage::stepConversation(int delta)
{
    const int rows = m_filtered->rowCount();
    if (rows == 0)
        return;
    int row = m_list->currentIndex().isValid() ? m_list->currentIndex().row() + delta : 0;
    row = std::clamp(row, 0, rows - 1);
    m_list->setCurrentIndex(m_filtered->index(row, 0));
}

void ChatPage::focusFilter()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

void ChatPage::setMuted(const QSet<qint64> &muted)
{
    m_delegate->setMuted(muted);
    m_list->viewport()->update();
}

} // namespace tidings::app
