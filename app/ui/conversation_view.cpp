#include "ui/conversation_view.h"

#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/e2e_status.h"
#include "models/message_list_model.h"
#include "protocol/messages/message_requests.h"
#include "ui/attachment_media.h"
#include "ui/attachment_opener.h"
#include "ui/compose_bar.h"
#include "ui/conversation_delegate.h"
#include "ui/message_delegate.h"
#include "ui/message_menu.h"
#include "ui/report_reason.h"
#include "ui/theme.h"
#include "util/futures.h"

#include <QDateTime>
#include <QDragEnterEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMimeData>
#include <QPainter>
#include <QScrollBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

namespace {

/// How close to the top (in viewports) the list must come before older history loads.
constexpr double kLoadAheadViewports = 1.0;
/// Pages a jump to an old message may load before it gives up.
constexpr int kMaxJumpPages = 400;

} // namespace

ConversationView::ConversationView(ChatClient &client, ConversationListModel &conversations,
                                   QWidget *parent)
    : QWidget(parent), m_client(client), m_conversations(conversations)
{
    connect(&client, &ChatClient::blocksChanged, this, [this] { updateHeader(); });
    m_e2e = new E2eStatus(client, this);
    connect(m_e2e, &E2eStatus::changed, this, [this] {
        updateHeader();
        checkTrust();
    });
    connect(&client, &ChatClient::keysChanged, this, &ConversationView::checkTrust);
    setObjectName(u"conversationView"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(makeHeader());
    setAcceptDrops(true);
    layout->addWidget(makeMessageList(), 1);
    makeJumpButton();
    layout->addWidget(makeTypingLine());
    layout->addWidget(makeNoticeLine());
    m_composeBar = new ComposeBar(client, conversations, this);
    layout->addWidget(m_composeBar);
    m_opener = new AttachmentOpener(client, *m_media, this);
    connectParts();
    // "last seen 5 min ago" ages.
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(30000);
    connect(m_statusTimer, &QTimer::timeout, this, &ConversationView::updateHeader);
    m_statusTimer->start();
    applyColours();

    open(0);
}

ConversationView::~ConversationView()
{
    saveDraft();
}

QWidget *ConversationView::makeHeader()
{
    auto *header = new QWidget(this);
    header->setObjectName(u"conversationHeader"_s);
    header->setAutoFillBackground(true);
    header->setBackgroundRole(QPalette::Base);
    auto *headerLayout = new QHBoxLayout(header);
    headerLayout->setContentsMargins(14, 8, 14, 8);
    m_avatar = new QLabel(header);
    m_avatar->setFixedSize(40, 40);
    headerLayout->addWidget(m_avatar);
    auto *titles = new QVBoxLayout;
    titles->setSpacing(0);
    m_title = new QLabel(header);
    m_title->setObjectName(u"conversationTitle"_s);
    m_title->setAccessibleName(tr("Conversation name"));
    QFont titleFont = m_title->font();
    titleFont.setWeight(QFont::DemiBold);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.08);
    m_title->setFont(titleFont);
    // Beside the name: a lock when the chat is end-to-end encrypted, or a muted note when
    // this app encrypts and the chat is not (docs/encryption.md, section 9).
    auto *titleRow = new QHBoxLayout;
    titleRow->setSpacing(6);
    titleRow->addWidget(m_title);
    m_lock = new QLabel(header);
    m_lock->setObjectName(u"encryptionLock"_s);
    m_lock->setAccessibleName(tr("End-to-end encrypted"));
    m_lock->setFixedSize(16, 16);
    m_lock->hide();
    titleRow->addWidget(m_lock);
    m_notEncrypted = new QLabel(tr("Not end-to-end encrypted"), header);
    m_notEncrypted->setObjectName(u"notEncryptedLabel"_s);
    m_notEncrypted->setToolTip(
        tr("Messages in this chat so far were sent without end-to-end encryption: the "
           "server could read them."));
    QFont noteFont = m_notEncrypted->font();
    noteFont.setPointSizeF(noteFont.pointSizeF() * 0.85);
    m_notEncrypted->setFont(noteFont);
    m_notEncrypted->hide();
    titleRow->addWidget(m_notEncrypted);
    titleRow->addStretch(1);
    m_status = new QLabel(header);
    m_status->setObjectName(u"conversationStatus"_s);
    m_status->setAccessibleName(tr("Presence"));
    titles->addLayout(titleRow);
    titles->addWidget(m_status);
    headerLayout->addLayout(titles, 1);
    m_info = new QToolButton(header);
    m_info->setObjectName(u"conversationInfoButton"_s);
    m_info->setAccessibleName(tr("Conversation info"));
    m_info->setToolTip(tr("Info"));
    m_info->setIconSize(QSize(22, 22));
    m_info->setAutoRaise(true);
    connect(m_info, &QToolButton::clicked, this, &ConversationView::infoRequested);
    headerLayout->addWidget(m_info);
    return header;
}

QListView *ConversationView::makeMessageList()
{
    m_list = new QListView(this);
    m_list->setObjectName(u"messageList"_s);
    m_list->setAccessibleName(tr("Messages"));
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setMouseTracking(true);
    m_list->verticalScrollBar()->setSingleStep(24);
    m_delegate = new MessageDelegate(m_list);
    m_media = new AttachmentMedia(m_client.transfers(), this);
    m_delegate->setMedia(m_media);
    connect(m_media, &AttachmentMedia::changed, m_list->viewport(), qOverload<>(&QWidget::update));
    m_list->setItemDelegate(m_delegate);
    m_list->installEventFilter(this); // Enter on a line about a changed safety number
    return m_list;
}

void ConversationView::makeJumpButton()
{
    m_jumpButton = new QToolButton(m_list->viewport());
    m_jumpButton->setObjectName(u"jumpToLatestButton"_s);
    m_jumpButton->setAccessibleName(tr("Jump to the newest message"));
    m_jumpButton->setToolTip(tr("Jump to the newest message"));
    m_jumpButton->setIconSize(QSize(20, 20));
    m_jumpButton->setFixedSize(40, 40);
    m_jumpButton->setStyleSheet(u"QToolButton { border-radius: 20px; background: palette(base); "
                                u"border: 1px solid palette(mid); }"_s);
    m_jumpButton->hide();
    connect(m_jumpButton, &QToolButton::clicked, this, [this] {
        m_stickToBottom = true;
        scrollToBottom();
    });
    m_list->viewport()->installEventFilter(this);
}

QLabel *ConversationView::makeTypingLine()
{
    m_typing = new QLabel(this);
    m_typing->setObjectName(u"typingLabel"_s);
    m_typing->setAccessibleName(tr("Who is typing"));
    m_typing->setContentsMargins(14, 2, 14, 2);
    m_typing->setText(u" "_s);
    m_typing->setAutoFillBackground(true);
    return m_typing;
}

QLabel *ConversationView::makeNoticeLine()
{
    m_notice = new QLabel(this);
    m_notice->setObjectName(u"noticeLabel"_s);
    m_notice->setAccessibleName(tr("Notice"));
    m_notice->setContentsMargins(14, 2, 14, 2);
    m_notice->setWordWrap(true);
    m_notice->hide();
    return m_notice;
}

void ConversationView::connectParts()
{
    connect(m_composeBar, &ComposeBar::sent, this, [this] { m_stickToBottom = true; });
    connect(m_composeBar, &ComposeBar::editLastRequested, this, &ConversationView::editLast);
    connect(m_composeBar, &ComposeBar::noticeRequested, this, &ConversationView::showNotice);
    connect(m_opener, &AttachmentOpener::noticeRequested, this, &ConversationView::showNotice);
    connect(m_composeBar, &ComposeBar::verifyKeyRequested, this,
            &ConversationView::showSafetyNumber);
    connect(m_composeBar, &ComposeBar::keyChangeAccepted, this, [this](qint64 user) {
        whenReady(m_client.acknowledgeKeyChange(user), this, [this](const Result<void> &done) {
            if (!done)
                showNotice(
                    tr("Could not accept the new safety number: %1").arg(done.error().message));
            checkTrust();
        });
    });

    connect(m_list, &QListView::customContextMenuRequested, this,
            &ConversationView::showContextMenu);
    QScrollBar *bar = m_list->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, &ConversationView::onScrolled);
    connect(bar, &QScrollBar::rangeChanged, this, &ConversationView::onRangeChanged);

    connect(&m_client, &ChatClient::typingChanged, this, [this](qint64 conversation) {
        if (conversation == m_conversation)
            updateTyping();
    });
    connect(&m_client, &ChatClient::presenceChanged, this, &ConversationView::updateHeader);
    connect(&m_conversations, &QAbstractItemModel::dataChanged, this,
            &ConversationView::updateHeader);
    connect(&m_conversations, &ConversationListModel::refreshed, this,
            &ConversationView::updateHeader);
}

Composer *ConversationView::composer() const
{
    return m_composeBar->composer();
}

void ConversationView::saveDraft()
{
    m_composeBar->saveDraft();
}

void ConversationView::attachFiles(const QStringList &paths)
{
    m_composeBar->attachFiles(paths);
}

void ConversationView::attachImage(const QImage &image)
{
    m_composeBar->attachImage(image);
}

void ConversationView::open(qint64 conversation)
{
    if (conversation == m_conversation && m_model)
        return;
    m_composeBar->open(conversation);
    m_conversation = conversation;
    m_firstLoadDone = false;
    m_stickToBottom = true;
    m_keepFromBottom = -1;
    m_loadingOlder = false;
    m_jumpTarget = 0;
    m_delegate->setNewMessagesSeq(0);
    m_delegate->setHighlightSeq(0);
    MessageListModel *old = m_model;
    m_model = nullptr;
    if (conversation != 0)
        m_model = makeModel(conversation);
    m_delegate->watch(m_model);
    m_list->setModel(m_model);
    delete old;

    m_delegate->setGroup(listRow().data(ConversationListModel::KindRole).toString() == u"group");
    m_verifiedUser = 0;
    m_verified = false;
    m_composeBar->setKeyChange(0, {});
    updateHeader();
    updateTyping();
    m_jumpButton->hide();
    checkTrust();
}

MessageListModel *ConversationView::makeModel(qint64 conversation)
{
    auto *model
        = new MessageListModel(m_client, conversation, MessageListModel::kDefaultPageSize, this);
    connect(model, &MessageListModel::refreshed, this, [this] {
        // Older messages that were not encrypted may have come: the lock's words, the line.
        if (const QModelIndex row = listRow(); row.isValid())
            updateEncryption(row);
        if (!m_firstLoadDone)
            onFirstLoad();
        if (m_jumpTarget != 0)
            continueJump();
        markSeen();
    });
    // Older rows come in above what the user reads: the distance from the bottom is kept
    // (see onRangeChanged), so the same messages stay in place.
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this](const QModelIndex &, int first) {
                if (first == 0 && m_model->rowCount() > 0 && !m_stickToBottom) {
                    const QScrollBar *bar = m_list->verticalScrollBar();
                    m_keepFromBottom = bar->maximum() - bar->value();
                }
            });
    connect(model, &MessageListModel::olderLoaded, this, [this] {
        m_loadingOlder = false;
        // Still near the top (a fast scroll, a short page): the next page.
        QTimer::singleShot(0, this, &ConversationView::maybeLoadOlder);
    });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_jumpTarget != 0)
            QTimer::singleShot(0, this, &ConversationView::continueJump);
        else if (m_stickToBottom)
            QTimer::singleShot(0, this, &ConversationView::scrollToBottom);
    });
    return model;
}

void ConversationView::onFirstLoad()
{
    m_firstLoadDone = true;
    // The divider goes above the first message from others the user has not read.
    const qint64 readSeq = m_model->details().readSeq;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex index = m_model->index(row);
        const qint64 seq = index.data(Model::SeqRole).toLongLong();
        if (seq > readSeq && !index.data(Model::IsOwnRole).toBool()
            && index.data(Model::KindRole).toString() == u"message") {
            m_delegate->setNewMessagesSeq(seq);
            m_list->doItemsLayout();
            m_stickToBottom = false;
            m_list->scrollTo(index, QAbstractItemView::PositionAtTop);
            return;
        }
    }
    scrollToBottom();
}

void ConversationView::editLast()
{
    if (!m_model)
        return;
    for (int row = m_model->rowCount() - 1; row >= 0; --row) {
        const QModelIndex index = m_model->index(row);
        if (index.data(Model::IsOwnRole).toBool()
            && index.data(Model::KindRole).toString() == u"message"
            && !index.data(Model::DeletedRole).toBool()
            && index.data(Model::SeqRole).toLongLong() > 0) {
            m_composeBar->startEdit(QuotedMessage::of(index));
            return;
        }
    }
}

void ConversationView::showNotice(const QString &text)
{
    m_notice->setText(text);
    m_notice->show();
    QTimer::singleShot(5000, m_notice, [notice = m_notice, text] {
        if (notice->text() == text)
            notice->hide();
    });
}

void ConversationView::jumpTo(qint64 seq)
{
    if (!m_model || seq <= 0)
        return;
    m_jumpTarget = seq;
    m_jumpPages = 0;
    continueJump();
}

void ConversationView::continueJump()
{
    if (!m_model || m_jumpTarget == 0 || !m_firstLoadDone)
        return;
    const int row = m_model->rowOfSeq(m_jumpTarget);
    if (row >= 0) {
        m_delegate->setHighlightSeq(m_jumpTarget);
        m_jumpTarget = 0;
        m_stickToBottom = false;
        m_keepFromBottom = -1;
        const QModelIndex index = m_model->index(row);
        m_list->scrollTo(index, QAbstractItemView::PositionAtCenter);
        m_list->setCurrentIndex(index);
        m_list->viewport()->update();
        // The highlight fades after a moment, as in the apps people know.
        QTimer::singleShot(2500, this, [this] {
            m_delegate->setHighlightSeq(0);
            m_list->viewport()->update();
        });
        return;
    }
    if (!m_model->canLoadOlder() || ++m_jumpPages > kMaxJumpPages) {
        m_jumpTarget = 0;
        return;
    }
    m_model->loadOlder();
}

void ConversationView::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_list->indexAt(position);
    if (!index.isValid() || index.data(Model::KindRole).toString() != u"message")
        return;
    MessageMenu menu(index, m_conversation, m_client, *m_media, this);
    connect(&menu, &MessageMenu::replyRequested, m_composeBar, &ComposeBar::startReply);
    connect(&menu, &MessageMenu::editRequested, m_composeBar, &ComposeBar::startEdit);
    connect(&menu, &MessageMenu::editAgainRequested, m_composeBar, &ComposeBar::editAgain);
    // What the file actions do outlives the menu: the opener belongs to the view.
    connect(&menu, &MessageMenu::openFileRequested, m_opener, &AttachmentOpener::openFile);
    connect(&menu, &MessageMenu::saveFileRequested, m_opener, &AttachmentOpener::saveFileAs);
    connect(&menu, &MessageMenu::showFileRequested, m_opener, &AttachmentOpener::showInFolder);
    connect(&menu, &MessageMenu::reportRequested, this, &ConversationView::askToReport);
    if (!menu.isEmpty())
        menu.exec(m_list->viewport()->mapToGlobal(position));
}

void ConversationView::askToReport(qint64 conversation, qint64 seq)
{
    askReportReason(
        this, u"reportDialog"_s, tr("Report message"), tr("What is wrong with this message?"),
        [this, conversation, seq](const QString &reason) { report(conversation, seq, reason); });
}

void ConversationView::report(qint64 conversation, qint64 seq, const QString &reason)
{
    whenReady(m_client.report(protocol::messages::Report{0, conversation, seq, reason}), this,
              [this](const Result<qint64> &reply) {
                  showNotice(reply ? tr("Reported. Thank you.")
                                   : tr("Could not report it: %1").arg(reply.error().message));
              });
}

QString ConversationView::lastSeenText(const QDateTime &seen, const QDateTime &now)
{
    if (!seen.isValid())
        return tr("offline");
    const qint64 seconds = seen.secsTo(now);
    if (seconds < 60)
        return tr("last seen just now");
    if (seconds < 3600)
        return tr("last seen %n min ago", nullptr, int(seconds / 60));
    const QDateTime local = seen.toLocalTime();
    const QString time = theme::clockTime(local.time());
    const QDate today = now.toLocalTime().date();
    if (local.date() == today)
        return tr("last seen today at %1").arg(time);
    if (local.date() == today.addDays(-1))
        return tr("last seen yesterday at %1").arg(time);
    return tr("last seen %1").arg(QLocale().toString(local.date(), QLocale::ShortFormat));
}

QModelIndex ConversationView::listRow() const
{
    return m_conversations.index(m_conversations.rowOf(m_conversation));
}

QString ConversationView::statusText() const
{
    if (m_conversation == 0)
        return {};
    const QModelIndex index = listRow();
    if (!index.isValid())
        return {};
    const QStringList typing = index.data(ConversationListModel::TypingRole).toStringList();
    const bool group = index.data(ConversationListModel::KindRole).toString() == u"group";
    if (group) {
        if (!typing.isEmpty())
            return ConversationDelegate::typingLine(typing);
        return tr("%n member(s)", nullptr,
                  index.data(ConversationListModel::MemberCountRole).toInt());
    }
    if (index.data(ConversationListModel::OtherUserRole).toLongLong() == 0)
        return tr("notes to self");
    if (!typing.isEmpty())
        return tr("typing…");
    if (index.data(ConversationListModel::OnlineRole).toBool())
        return tr("online");
    return lastSeenText(index.data(ConversationListModel::LastSeenRole).toDateTime(),
                        QDateTime::currentDateTime());
}

void ConversationView::updateHeader()
{
    const QModelIndex index = listRow();
    if (m_conversation == 0 || !index.isValid()) {
        m_title->setText(m_conversation == 0 ? QString() : tr("Loading…"));
        m_status->clear();
        m_avatar->clear();
        m_lock->hide();
        m_notEncrypted->hide();
        return;
    }
    const QString title = index.data(ConversationListModel::TitleRole).toString();
    if (m_title->text() != title) {
        m_title->setText(title);
        updateAvatar(index);
    }
    // A person this user blocked: said in the header, and the composer waits for Unblock.
    const qint64 other = index.data(ConversationListModel::OtherUserRole).toLongLong();
    const bool blocked = other != 0 && m_client.isBlocked(other);
    m_composeBar->setBlocked(blocked, title);
    const QString status = blocked ? tr("Blocked") : statusText();
    m_status->setText(status);
    QPalette palette = m_status->palette();
    const bool lively = index.data(ConversationListModel::OnlineRole).toBool()
        || !index.data(ConversationListModel::TypingRole).toStringList().isEmpty();
    // The header is drawn on Base: its labels write in Text (QWidget::foregroundRole()).
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text})
        palette.setColor(role, lively ? theme::accent() : theme::secondaryText());
    m_status->setPalette(palette);
    updateEncryption(index);
}

void ConversationView::updateAvatar(const QModelIndex &index)
{
    const qreal ratio = devicePixelRatioF();
    QPixmap avatar(QSize(40, 40) * ratio);
    avatar.setDevicePixelRatio(ratio);
    avatar.fill(Qt::transparent);
    QPainter painter(&avatar);
    paintAvatar(&painter, QRectF(0, 0, 40, 40),
                index.data(ConversationListModel::InitialsRole).toString(),
                theme::avatarColor(index.data(ConversationListModel::AvatarKeyRole).toLongLong()));
    painter.end();
    m_avatar->setPixmap(avatar);
}

void ConversationView::updateTyping()
{
    QStringList names;
    if (m_conversation != 0) {
        const QModelIndex index = listRow();
        names = index.data(ConversationListModel::TypingRole).toStringList();
    }
    // The line keeps its height when empty, so the messages do not jump.
    m_typing->setText(names.isEmpty() ? u" "_s : ConversationDelegate::typingLine(names));
    updateHeader();
}

bool ConversationView::atBottom() const
{
    const QScrollBar *bar = m_list->verticalScrollBar();
    return bar->value() >= bar->maximum() - 8;
}

void ConversationView::scrollToBottom()
{
    if (!m_model)
        return;
    m_list->scrollToBottom();
    m_stickToBottom = true;
    m_jumpButton->hide();
    markSeen();
}

void ConversationView::onScrolled()
{
    if (!m_model)
        return;
    if (m_keepFromBottom < 0)
        m_stickToBottom = atBottom();
    m_jumpButton->setVisible(!atBottom() && m_model->rowCount() > 0);
    placeJumpButton();
    maybeLoadOlder();
    markSeen();
}

void ConversationView::maybeLoadOlder()
{
    if (!m_model || !m_firstLoadDone || m_loadingOlder || m_jumpTarget != 0
        || !m_model->canLoadOlder())
        return;
    if (m_list->verticalScrollBar()->value() >= m_list->viewport()->height() * kLoadAheadViewports)
        return;
    m_loadingOlder = true;
    m_model->loadOlder();
}

void ConversationView::onRangeChanged(int minimum, int maximum)
{
    Q_UNUSED(minimum);
    QScrollBar *bar = m_list->verticalScrollBar();
    if (m_keepFromBottom >= 0) {
        // Older history came in above: the same messages stay under the user's eyes.
        bar->setValue(maximum - m_keepFromBottom);
        m_keepFromBottom = -1;
    } else if (m_stickToBottom) {
        bar->setValue(maximum);
    }
}

void ConversationView::markSeen()
{
    if (!m_model || m_model->rowCount() == 0 || !isVisible() || !window()->isActiveWindow())
        return;
    const QRect viewport = m_list->viewport()->rect();
    QModelIndex last = m_list->indexAt(QPoint(viewport.width() / 2, viewport.bottom() - 2));
    if (!last.isValid())
        last = m_model->index(m_model->rowCount() - 1);
    m_model->markSeenUpTo(last.row());
}

void ConversationView::placeJumpButton()
{
    const QRect viewport = m_list->viewport()->rect();
    m_jumpButton->move(viewport.right() - m_jumpButton->width() - 14,
                       viewport.bottom() - m_jumpButton->height() - 14);
}

bool ConversationView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list->viewport() && event->type() == QEvent::Resize)
        placeJumpButton();
    if (watched == m_list->viewport() && event->type() == QEvent::MouseButtonRelease) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        const QModelIndex index = m_list->indexAt(mouse->position().toPoint());
        if (mouse->button() == Qt::LeftButton && index.isValid()) {
            QStyleOptionViewItem option;
            option.initFrom(m_list);
            option.rect = m_list->visualRect(index);
            option.font = m_list->font();
            option.widget = m_list;
            const int which = m_delegate->attachmentAt(option, index, mouse->position().toPoint());
            if (which >= 0) {
                m_opener->activate(index, which);
                return true;
            }
            // The line that says a contact's safety number changed: compare the new one.
            if (m_delegate->keyChangeAt(option, index, mouse->position().toPoint())) {
                verifyKeyChange(index);
                return true;
            }
            // Retry or Discard under a message whose change of mine the relay refused.
            const QString change = index.data(Model::FailedChangeRole).toString();
            switch (m_delegate->changeActionAt(option, index, mouse->position().toPoint())) {
            case MessageDelegate::ChangeAction::Retry:
                m_client.outbox().retry(change);
                return true;
            case MessageDelegate::ChangeAction::Discard:
                m_client.outbox().cancel(change);
                return true;
            case MessageDelegate::ChangeAction::None:
                break;
            }
        }
    }
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        // The same from the keyboard, on the line that is current.
        const int key = static_cast<QKeyEvent *>(event)->key();
        if ((key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Space)
            && verifyKeyChange(m_list->currentIndex()))
            return true;
    }
    if (event->type() == QEvent::WindowActivate && watched == window())
        QTimer::singleShot(0, this, &ConversationView::markSeen);
    return QWidget::eventFilter(watched, event);
}

void ConversationView::applyColours()
{
    QPalette listPalette = m_list->palette();
    listPalette.setColor(QPalette::Base, theme::chatBackground());
    m_list->setPalette(listPalette);
    QPalette typingPalette = m_typing->palette();
    typingPalette.setColor(QPalette::WindowText, theme::accent());
    typingPalette.setColor(QPalette::Window, theme::chatBackground());
    m_typing->setPalette(typingPalette);
    m_info->setIcon(theme::icon(u"info"_s, theme::secondaryText()));
    m_composeBar->applyColours();
    m_jumpButton->setIcon(theme::icon(u"down"_s, theme::secondaryText()));
    QPalette notePalette = m_notEncrypted->palette();
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text})
        notePalette.setColor(role, theme::secondaryText());
    m_notEncrypted->setPalette(notePalette);
    m_title->clear(); // the avatar is drawn again
    updateHeader();
}

void ConversationView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::ApplicationPaletteChange || event->type() == QEvent::PaletteChange)
        applyColours();
}

void ConversationView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Reading counts only while the window is active: its activation is watched.
    window()->installEventFilter(this);
    QTimer::singleShot(0, this, &ConversationView::markSeen);
}

void ConversationView::dragEnterEvent(QDragEnterEvent *event)
{
    if (m_conversation != 0
        && (!Composer::localFiles(event->mimeData()).isEmpty() || event->mimeData()->hasImage()))
        event->acceptProposedAction();
}

void ConversationView::dropEvent(QDropEvent *event)
{
    if (const QStringList files = Composer::localFiles(event->mimeData()); !files.isEmpty())
        attachFiles(files);
    else if (event->mimeData()->hasImage())
        attachImage(qvariant_cast<QImage>(event->mimeData()->imageData()));
    event->acceptProposedAction();
}

} // namespace tidings::app
