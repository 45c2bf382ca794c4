#include "ui/conversation_view.h"

#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "protocol/file_names.h"
#include "protocol/messages/message_requests.h"
#include "ui/attachment_media.h"
#include "ui/conversation_delegate.h"
#include "ui/dialogs.h"
#include "ui/media_dialogs.h"
#include "ui/media_files.h"
#include "ui/message_delegate.h"
#include "ui/theme.h"
#include "ui/video_player.h"
#include "util/futures.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

namespace {

/// How close to the top (in viewports) the list must come before older history loads.
constexpr double kLoadAheadViewports = 1.0;
/// Pages a jump to an old message may load before it gives up.
constexpr int kMaxJumpPages = 400;

const QStringList kReactions = {u"👍"_s, u"❤️"_s, u"😂"_s, u"😮"_s, u"😢"_s, u"🙏"_s};

} // namespace

QSize Composer::sizeHint() const
{
    const int lines = std::clamp(int(document()->size().height()), 1, 6);
    return {200, fontMetrics().lineSpacing() * lines + 16};
}

bool Composer::event(QEvent *event)
{
    // Ctrl+K is "delete to the end of the line" in Qt's text editing on some platforms; here
    // it is the window's quick switcher, as in the chat apps people know.
    if (event->type() == QEvent::ShortcutOverride) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_K && key->modifiers() == Qt::ControlModifier) {
            event->ignore();
            return true;
        }
    }
    return QPlainTextEdit::event(event);
}

namespace {

/// The local files among dropped or pasted data.
QStringList localFiles(const QMimeData *data)
{
    QStringList paths;
    if (!data || !data->hasUrls())
        return paths;
    const QList<QUrl> urls = data->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            paths.append(url.toLocalFile());
    }
    return paths;
}

} // namespace

bool Composer::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasImage() || !localFiles(source).isEmpty()
        || QPlainTextEdit::canInsertFromMimeData(source);
}

void Composer::insertFromMimeData(const QMimeData *source)
{
    if (const QStringList files = localFiles(source); !files.isEmpty()) {
        Q_EMIT filesGiven(files);
        return;
    }
    if (source->hasImage()) {
        Q_EMIT imagePasted(qvariant_cast<QImage>(source->imageData()));
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        Q_EMIT submitted();
        return;
    }
    if (event->key() == Qt::Key_Up && event->modifiers() == Qt::NoModifier
        && toPlainText().isEmpty()) {
        Q_EMIT editLastRequested();
        return;
    }
    if (event->key() == Qt::Key_Escape) {
        Q_EMIT cancelRequested();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

ConversationView::ConversationView(ChatClient &client, ConversationListModel &conversations,
                                   QWidget *parent)
    : QWidget(parent), m_client(client), m_conversations(conversations)
{
    connect(&client, &ChatClient::blocksChanged, this, [this] { updateHeader(); });
    setObjectName(u"conversationView"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

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
    m_status = new QLabel(header);
    m_status->setObjectName(u"conversationStatus"_s);
    m_status->setAccessibleName(tr("Presence"));
    titles->addWidget(m_title);
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
    layout->addWidget(header);

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
    m_media = new AttachmentMedia(client.transfers(), this);
    m_delegate->setMedia(m_media);
    connect(m_media, &AttachmentMedia::changed, m_list->viewport(), qOverload<>(&QWidget::update));
    m_list->setItemDelegate(m_delegate);
    setAcceptDrops(true);
    layout->addWidget(m_list, 1);

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

    m_typing = new QLabel(this);
    m_typing->setObjectName(u"typingLabel"_s);
    m_typing->setAccessibleName(tr("Who is typing"));
    m_typing->setContentsMargins(14, 2, 14, 2);
    m_typing->setText(u" "_s);
    m_typing->setAutoFillBackground(true);
    layout->addWidget(m_typing);

    m_notice = new QLabel(this);
    m_notice->setObjectName(u"noticeLabel"_s);
    m_notice->setAccessibleName(tr("Notice"));
    m_notice->setContentsMargins(14, 2, 14, 2);
    m_notice->setWordWrap(true);
    m_notice->hide();
    layout->addWidget(m_notice);

    m_modeBar = new QWidget(this);
    m_modeBar->setObjectName(u"replyBar"_s);
    auto *modeLayout = new QHBoxLayout(m_modeBar);
    modeLayout->setContentsMargins(14, 4, 8, 4);
    m_modeLabel = new QLabel(m_modeBar);
    m_modeLabel->setObjectName(u"replyLabel"_s);
    modeLayout->addWidget(m_modeLabel, 1);
    auto *cancel = new QToolButton(m_modeBar);
    cancel->setObjectName(u"cancelReplyButton"_s);
    cancel->setText(u"✕"_s);
    cancel->setAccessibleName(tr("Cancel reply or edit"));
    cancel->setToolTip(tr("Cancel (Esc)"));
    connect(cancel, &QToolButton::clicked, this, &ConversationView::cancelMode);
    modeLayout->addWidget(cancel);
    m_modeBar->hide();
    layout->addWidget(m_modeBar);

    auto *bottom = new QWidget(this);
    bottom->setAutoFillBackground(true);
    bottom->setBackgroundRole(QPalette::Base);
    auto *bottomLayout = new QHBoxLayout(bottom);
    bottomLayout->setContentsMargins(10, 6, 10, 6);
    m_attachButton = new QToolButton(bottom);
    m_attachButton->setObjectName(u"attachButton"_s);
    m_attachButton->setAccessibleName(tr("Attach files"));
    m_attachButton->setToolTip(tr("Attach files (or drop or paste them here)"));
    m_attachButton->setIconSize(QSize(22, 22));
    m_attachButton->setAutoRaise(true);
    connect(m_attachButton, &QToolButton::clicked, this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(
            this, tr("Send Files"),
            QStandardPaths::writableLocation(QStandardPaths::PicturesLocation));
        if (!paths.isEmpty())
            attachFiles(paths);
    });
    bottomLayout->addWidget(m_attachButton, 0, Qt::AlignBottom);
    m_composer = new Composer(bottom);
    m_composer->setObjectName(u"composer"_s);
    m_composer->setAccessibleName(tr("Message"));
    m_composer->setPlaceholderText(tr("Write a message…"));
    m_composer->setFrameShape(QFrame::NoFrame);
    m_composer->setTabChangesFocus(true);
    m_composer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_composer->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    bottomLayout->addWidget(m_composer, 1);
    m_sendButton = new QPushButton(tr("Send"), bottom);
    m_sendButton->setObjectName(u"sendButton"_s);
    m_sendButton->setAccessibleName(tr("Send message"));
    m_sendButton->setToolTip(tr("Send (Enter)"));
    bottomLayout->addWidget(m_sendButton, 0, Qt::AlignBottom);
    layout->addWidget(bottom);

    connect(m_composer, &Composer::submitted, this, &ConversationView::send);
    connect(m_sendButton, &QPushButton::clicked, this, &ConversationView::send);
    connect(m_composer, &Composer::editLastRequested, this, &ConversationView::editLast);
    connect(m_composer, &Composer::cancelRequested, this, &ConversationView::cancelMode);
    connect(m_composer, &Composer::filesGiven, this, &ConversationView::attachFiles);
    connect(m_composer, &Composer::imagePasted, this, &ConversationView::attachImage);
    m_draftTimer = new QTimer(this);
    m_draftTimer->setSingleShot(true);
    m_draftTimer->setInterval(600);
    connect(m_draftTimer, &QTimer::timeout, this, &ConversationView::saveDraft);
    m_composer->setFixedHeight(m_composer->sizeHint().height());
    connect(m_composer, &QPlainTextEdit::textChanged, this, [this] {
        // The box grows with its text, up to six lines.
        m_composer->setFixedHeight(m_composer->sizeHint().height());
        if (m_conversation == 0)
            return;
        m_draftTimer->start();
        if (m_editing == 0)
            m_client.sync().setOwnTyping(m_conversation,
                                         !m_composer->toPlainText().trimmed().isEmpty());
    });

    connect(m_list, &QListView::customContextMenuRequested, this,
            &ConversationView::showContextMenu);
    QScrollBar *bar = m_list->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, &ConversationView::onScrolled);
    connect(bar, &QScrollBar::rangeChanged, this, &ConversationView::onRangeChanged);

    connect(&m_client.sync(), &SyncEngine::typingChanged, this, [this](qint64 conversation) {
        if (conversation == m_conversation)
            updateTyping();
    });
    connect(&m_client.sync(), &SyncEngine::presenceChanged, this, &ConversationView::updateHeader);
    connect(&m_conversations, &QAbstractItemModel::dataChanged, this,
            &ConversationView::updateHeader);
    connect(&m_conversations, &ConversationListModel::refreshed, this,
            &ConversationView::updateHeader);
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

void ConversationView::open(qint64 conversation)
{
    if (conversation == m_conversation && m_model)
        return;
    saveDraft();
    if (m_conversation != 0)
        m_client.sync().setOwnTyping(m_conversation, false);
    cancelMode();
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
    if (conversation != 0) {
        m_model = new MessageListModel(m_client, conversation, MessageListModel::kDefaultPageSize,
                                       this);
        connect(m_model, &MessageListModel::refreshed, this, [this] {
            if (!m_firstLoadDone)
                onFirstLoad();
            if (m_jumpTarget != 0)
                continueJump();
            markSeen();
        });
        // Older rows come in above what the user reads: the distance from the bottom is kept
        // (see onRangeChanged), so the same messages stay in place.
        connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this,
                [this](const QModelIndex &, int first) {
                    if (first == 0 && m_model->rowCount() > 0 && !m_stickToBottom) {
                        const QScrollBar *bar = m_list->verticalScrollBar();
                        m_keepFromBottom = bar->maximum() - bar->value();
                    }
                });
        connect(m_model, &MessageListModel::olderLoaded, this, [this] {
            m_loadingOlder = false;
            // Still near the top (a fast scroll, a short page): the next page.
            QTimer::singleShot(0, this, &ConversationView::maybeLoadOlder);
        });
        connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
            if (m_jumpTarget != 0)
                QTimer::singleShot(0, this, &ConversationView::continueJump);
            else if (m_stickToBottom)
                QTimer::singleShot(0, this, &ConversationView::scrollToBottom);
        });
    }
    m_delegate->watch(m_model);
    m_list->setModel(m_model);
    delete old;

    const QModelIndex index = listRow();
    m_delegate->setGroup(index.data(ConversationListModel::KindRole).toString() == u"group");
    {
        const QSignalBlocker blocker(m_composer);
        m_composer->setPlainText(index.data(ConversationListModel::DraftRole).toString());
        m_composer->moveCursor(QTextCursor::End);
    }
    m_composer->setEnabled(conversation != 0);
    m_sendButton->setEnabled(conversation != 0);
    updateHeader();
    updateTyping();
    m_jumpButton->hide();
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

void ConversationView::saveDraft()
{
    if (m_draftTimer)
        m_draftTimer->stop();
    if (m_conversation == 0 || !m_composer || m_editing != 0)
        return;
    const qint64 conversation = m_conversation;
    const QString draft = m_composer->toPlainText();
    if (draft == listRow().data(ConversationListModel::DraftRole).toString())
        return;
    m_client.store()
        .write<void>([conversation, draft](QSqlDatabase &db) {
            return local::setDraft(db, conversation, draft);
        })
        // Called from the destructor too: the continuation holds the list, not the view.
        .then(&m_conversations, [conversations = &m_conversations](const Result<void> &) {
            conversations->refresh();
        });
}

void ConversationView::send()
{
    if (m_conversation == 0)
        return;
    const QString text = m_composer->toPlainText().trimmed();
    // Checked before anything is queued: the text stays in the composer, to be shortened.
    if (const qsizetype bytes = text.toUtf8().size(); bytes > m_client.outbox().maxTextBytes()) {
        showNotice(Outbox::tooLongText(bytes, m_client.outbox().maxTextBytes()));
        return;
    }
    if (m_editing != 0) {
        if (!text.isEmpty())
            m_client.outbox().edit(m_conversation, m_editing, text);
        m_composer->clear();
        cancelMode();
        return;
    }
    if (text.isEmpty())
        return;
    m_client.outbox().send(m_conversation, text, m_replyTo);
    m_client.sync().setOwnTyping(m_conversation, false);
    m_composer->clear();
    cancelMode();
    m_stickToBottom = true;
    saveDraft();
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
            startEdit(quoted(index));
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

ConversationView::Quoted ConversationView::quoted(const QModelIndex &index)
{
    return {index.data(Model::SeqRole).toLongLong(), index.data(Model::TextRole).toString(),
            index.data(Model::SenderNameRole).toString()};
}

void ConversationView::startReply(const Quoted &message)
{
    m_editing = 0;
    m_replyTo = message.seq;
    if (m_replyTo == 0)
        return;
    QString text = message.text;
    text.replace(u'\n', u' ');
    m_modeLabel->setText(
        tr("Reply to %1: %2")
            .arg(message.senderName,
                 m_modeLabel->fontMetrics().elidedText(text, Qt::ElideRight, 400)));
    m_modeBar->show();
    m_composer->setFocus();
}

void ConversationView::startEdit(const Quoted &message)
{
    m_replyTo = 0;
    m_editing = message.seq;
    if (m_editing == 0)
        return;
    saveDraft();
    m_modeLabel->setText(tr("Editing message"));
    m_modeBar->show();
    const QSignalBlocker blocker(m_composer);
    m_composer->setPlainText(message.text);
    m_composer->moveCursor(QTextCursor::End);
    m_composer->setFocus();
}

void ConversationView::cancelMode()
{
    const bool wasEditing = m_editing != 0;
    m_replyTo = 0;
    m_editing = 0;
    m_modeBar->hide();
    if (wasEditing) {
        const QSignalBlocker blocker(m_composer);
        m_composer->setPlainText(listRow().data(ConversationListModel::DraftRole).toString());
    }
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
    const bool own = index.data(Model::IsOwnRole).toBool();
    const bool deleted = index.data(Model::DeletedRole).toBool();
    const qint64 seq = index.data(Model::SeqRole).toLongLong();
    const auto state = index.data(Model::StateRole).value<Model::State>();
    const QString clientId = index.data(Model::ClientIdRole).toString();
    const qint64 conversation = m_conversation;
    // The menu runs an event loop: a sync may change the rows meanwhile, so the actions
    // keep what they act on, never the index.
    const Quoted message = quoted(index);

    QMenu menu(this);
    menu.setObjectName(u"messageMenu"_s);
    if (seq > 0 && !deleted) {
        menu.addAction(tr("&Reply"), this, [this, message] { startReply(message); });
        menu.addAction(tr("&Copy Text"), this,
                       [message] { QApplication::clipboard()->setText(message.text); });
        QMenu *react = menu.addMenu(tr("Re&act"));
        const QVariantMap reactions = index.data(Model::ReactionsRole).toMap();
        for (const QString &emoji : kReactions) {
            const bool mine = reactions.value(emoji).toList().contains(m_client.userId());
            QAction *action = react->addAction(emoji, this, [this, conversation, seq, emoji, mine] {
                m_client.outbox().react(conversation, seq, emoji, !mine);
            });
            action->setCheckable(true);
            action->setChecked(mine);
        }
    }
    const QVariantList attachments
        = deleted ? QVariantList() : index.data(Model::AttachmentsRole).toList();
    for (const QVariant &item : attachments) {
        const QVariantMap attachment = item.toMap();
        const QString path = m_media->status(attachment).path;
        const QString name = attachment.value(u"name"_s).toString();
        if (path.isEmpty()) {
            if (attachment.contains(u"media"_s)) {
                menu.addSeparator();
                menu.addAction(tr("&Download “%1”").arg(name), this,
                               [this, attachment] { m_media->download(attachment); });
            }
            continue;
        }
        menu.addSeparator();
        menu.addAction(tr("&Open “%1”").arg(name), this, [this, path] { openFile(path); });
        menu.addAction(tr("&Save As…"), this, [this, path, name] { saveCopyAs(this, path, name); });
        menu.addAction(tr("Show in &Folder"), this, [path] {
            QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath()));
        });
    }
    if (own && seq > 0 && !deleted) {
        menu.addAction(tr("&Edit"), this, [this, message] { startEdit(message); });
        menu.addAction(tr("&Delete for Everyone"), this, [this, conversation, seq] {
            if (QMessageBox::question(this, tr("Delete message"),
                                      tr("Delete this message for everyone?"))
                == QMessageBox::Yes)
                m_client.outbox().remove(conversation, seq);
        });
    }
    if (own && (state == Model::State::Failed || state == Model::State::Queued)) {
        // Not sent (yet): the text is never lost — copy it, or take it back to change it.
        const QString text = index.data(Model::TextRole).toString();
        if (!text.isEmpty()) {
            menu.addAction(tr("&Copy Text"), this,
                           [text] { QApplication::clipboard()->setText(text); });
            menu.addAction(tr("&Edit and Send Again"), this, [this, clientId, text] {
                m_client.outbox().cancel(clientId);
                cancelMode();
                m_composer->setPlainText(text);
                m_composer->setFocus();
            });
        }
        if (state == Model::State::Failed)
            menu.addAction(tr("Try &Again"), this,
                           [this, clientId] { m_client.outbox().retry(clientId); });
        menu.addAction(tr("&Cancel Sending"), this,
                       [this, clientId] { m_client.outbox().cancel(clientId); });
    }
    if (!own && seq > 0) {
        menu.addSeparator();
        menu.addAction(tr("Re&port…"), this, [this, conversation, seq] {
            askReportReason(this, u"reportDialog"_s, tr("Report message"),
                            tr("What is wrong with this message?"),
                            [this, conversation, seq](const QString &reason) {
                                report(conversation, seq, reason);
                            });
        });
    }
    if (!menu.isEmpty())
        menu.exec(m_list->viewport()->mapToGlobal(position));
}

void ConversationView::report(qint64 conversation, qint64 seq, const QString &reason)
{
    whenReady(m_client.report(protocol::messages::Report{0, conversation, seq, reason}), this,
              [this](const Result<QJsonObject> &reply) {
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
        return;
    }
    const QString title = index.data(ConversationListModel::TitleRole).toString();
    if (m_title->text() != title) {
        m_title->setText(title);
        const qreal ratio = devicePixelRatioF();
        QPixmap avatar(QSize(40, 40) * ratio);
        avatar.setDevicePixelRatio(ratio);
        avatar.fill(Qt::transparent);
        QPainter painter(&avatar);
        paintAvatar(
            &painter, QRectF(0, 0, 40, 40),
            index.data(ConversationListModel::InitialsRole).toString(),
            theme::avatarColor(index.data(ConversationListModel::AvatarKeyRole).toLongLong()));
        painter.end();
        m_avatar->setPixmap(avatar);
    }
    // A person this user blocked: said in the header, and the composer waits for Unblock.
    const qint64 other = index.data(ConversationListModel::OtherUserRole).toLongLong();
    const bool blocked = other != 0 && m_client.isBlocked(other);
    const QString placeholder = blocked
        ? tr("You blocked %1. To write again, unblock them with the info button above.").arg(title)
        : tr("Write a message…");
    if (m_composer->placeholderText() != placeholder)
        m_composer->setPlaceholderText(placeholder);
    m_composer->setEnabled(!blocked);
    m_sendButton->setEnabled(!blocked);
    const QString status = blocked ? tr("Blocked") : statusText();
    m_status->setText(status);
    QPalette palette = m_status->palette();
    const bool lively = index.data(ConversationListModel::OnlineRole).toBool()
        || !index.data(ConversationListModel::TypingRole).toStringList().isEmpty();
    palette.setColor(QPalette::WindowText, lively ? theme::accent() : theme::secondaryText());
    m_status->setPalette(palette);
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
                activateAttachment(index, which);
                return true;
            }
        }
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
    m_attachButton->setIcon(theme::icon(u"attach"_s, theme::secondaryText()));
    m_jumpButton->setIcon(theme::icon(u"down"_s, theme::secondaryText()));
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
        && (!localFiles(event->mimeData()).isEmpty() || event->mimeData()->hasImage()))
        event->acceptProposedAction();
}

void ConversationView::dropEvent(QDropEvent *event)
{
    if (const QStringList files = localFiles(event->mimeData()); !files.isEmpty())
        attachFiles(files);
    else if (event->mimeData()->hasImage())
        attachImage(qvariant_cast<QImage>(event->mimeData()->imageData()));
    event->acceptProposedAction();
}

void ConversationView::attachFiles(const QStringList &paths)
{
    if (m_conversation == 0 || paths.isEmpty())
        return;
    const qint64 conversation = m_conversation;
    // Types, sizes and thumbnails come from the files: read off the UI thread.
    whenReady(QtConcurrent::run([paths] {
                  QList<ChatClient::OutgoingFile> files;
                  for (const QString &path : paths)
                      files.append(media::describeFile(path));
                  return files;
              }),
              this, [this, conversation](const QList<ChatClient::OutgoingFile> &files) {
                  describeVideos(files, 0,
                                 [this, conversation](const QList<ChatClient::OutgoingFile> &all) {
                                     offerFiles(conversation, all);
                                 });
              });
}

void ConversationView::describeVideos(
    QList<ChatClient::OutgoingFile> files, qsizetype from,
    std::function<void(const QList<ChatClient::OutgoingFile> &)> done)
{
    // Videos are probed one after another: each plays silently up to its first frame.
    while (from < files.size() && !files.at(from).type.startsWith(u"video/"_s))
        ++from;
    if (from >= files.size())
        return done(files);
    const QString path = files.at(from).path;
    probeVideo(path, this, [this, files, from, done](const VideoFacts &facts) mutable {
        ChatClient::OutgoingFile &video = files[from];
        if (facts.size.isValid()) {
            video.width = facts.size.width();
            video.height = facts.size.height();
            video.thumbnail = media::thumbnailOf(facts.poster);
        }
        video.durationMs = facts.durationMs;
        describeVideos(files, from + 1, done);
    });
}

void ConversationView::offerFiles(qint64 conversation, const QList<ChatClient::OutgoingFile> &files)
{
    auto *dialog = new SendFilesDialog(files, m_composer->toPlainText().trimmed(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [this, dialog, conversation] {
        m_client.sendFiles(conversation, dialog->caption(), dialog->files());
        if (conversation == m_conversation) {
            m_composer->clear();
            m_stickToBottom = true;
        }
    });
    dialog->open();
}

void ConversationView::attachImage(const QImage &image)
{
    if (image.isNull() || m_conversation == 0)
        return;
    // Kept with the account's files: the upload may outlive this run of the app.
    const QString folder = m_client.transfers().cacheDirectory() + u"/outgoing"_s;
    const QString path = folder
        + u"/pasted-%1.png"_s.arg(QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss-zzz"_s));
    whenReady(QtConcurrent::run([image, folder, path] {
                  return QDir().mkpath(folder) && image.save(path, "PNG");
              }),
              this, [this, path](bool saved) {
                  if (saved)
                      attachFiles({path});
                  else
                      showNotice(tr("The pasted picture could not be kept."));
              });
}

void ConversationView::activateAttachment(const QModelIndex &index, int which)
{
    const QVariantMap attachment = index.data(Model::AttachmentsRole).toList().value(which).toMap();
    if (attachment.isEmpty())
        return;
    const AttachmentMedia::Status status = m_media->status(attachment);
    if (status.progress >= 0) {
        // Stopping an upload takes its message back (nothing of it was sent).
        const bool uploading = attachment.contains(u"upload"_s) && !attachment.contains(u"media"_s);
        m_media->cancel(attachment);
        if (uploading)
            m_client.outbox().cancel(index.data(Model::ClientIdRole).toString());
        return;
    }
    const QString name = attachment.value(u"name"_s).toString();
    if (status.path.isEmpty()
        && AttachmentMedia::kindOf(attachment) == AttachmentMedia::Kind::Video) {
        // Streamed while it plays (Range requests through a signed link).
        whenReady(m_client.transfers().link(attachment.value(u"media"_s).toString()), this,
                  [this, name](const Result<QUrl> &link) {
                      if (!link)
                          return showNotice(
                              tr("The video cannot be played: %1").arg(link.error().message));
                      (new VideoPlayer(*link, name, this))->show();
                  });
        return;
    }
    if (status.path.isEmpty()) {
        m_media->download(attachment);
        return;
    }
    switch (AttachmentMedia::kindOf(attachment)) {
    case AttachmentMedia::Kind::Picture: {
        auto *viewer = new ImageViewer(status.path, name, this);
        viewer->show();
        return;
    }
    case AttachmentMedia::Kind::Video:
        (new VideoPlayer(QUrl::fromLocalFile(status.path), name, this))->show();
        return;
    case AttachmentMedia::Kind::File:
        openFile(status.path);
        return;
    }
}

void ConversationView::openFile(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    if (protocol::mayRunPrograms(name)) {
        // Not exec(): no nested loop in which this view could go away.
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Open a program?"),
                                    tr("“%1” can run a program on this computer. Open it only "
                                       "if you expected this file and trust the person who "
                                       "sent it.")
                                        .arg(name),
                                    QMessageBox::Cancel, this);
        box->setObjectName(u"runnableFileWarning"_s);
        box->setAttribute(Qt::WA_DeleteOnClose);
        QPushButton *open = box->addButton(tr("&Open Anyway"), QMessageBox::AcceptRole);
        open->setObjectName(u"openAnywayButton"_s);
        box->setDefaultButton(QMessageBox::Cancel);
        connect(open, &QPushButton::clicked, this,
                [path] { QDesktopServices::openUrl(QUrl::fromLocalFile(path)); });
        box->open();
        return;
    }
    QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

} // namespace tidings::app
