#include "ui/compose_bar.h"

#include "models/conversation_list_model.h"
#include "ui/composer.h"
#include "ui/conversation_view.h"
#include "ui/media_dialogs.h"
#include "ui/media_files.h"
#include "ui/theme.h"
#include "ui/video_player.h"
#include "util/futures.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

// The bar was part of ConversationView, and the translations keep its strings there: they
// are translated as ConversationView::tr().

namespace tidings::app {

using namespace Qt::StringLiterals;

ComposeBar::ComposeBar(ChatClient &client, ConversationListModel &conversations, QWidget *parent)
    : QWidget(parent), m_client(client), m_conversations(conversations)
{
    setObjectName(u"composeBar"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(makeKeyBanner());
    layout->addWidget(makeModeBar());
    layout->addWidget(makeInputRow());

    connect(m_composer, &Composer::submitted, this, &ComposeBar::send);
    connect(m_sendButton, &QPushButton::clicked, this, &ComposeBar::send);
    connect(m_composer, &Composer::editLastRequested, this, &ComposeBar::editLastRequested);
    connect(m_composer, &Composer::cancelRequested, this, &ComposeBar::cancelMode);
    connect(m_composer, &Composer::filesGiven, this, &ComposeBar::attachFiles);
    connect(m_composer, &Composer::imagePasted, this, &ComposeBar::attachImage);
    m_draftTimer = new QTimer(this);
    m_draftTimer->setSingleShot(true);
    m_draftTimer->setInterval(600);
    connect(m_draftTimer, &QTimer::timeout, this, &ComposeBar::saveDraft);
    m_composer->setFixedHeight(m_composer->sizeHint().height());
    connect(m_composer, &QPlainTextEdit::textChanged, this, [this] {
        // The box grows with its text, up to six lines.
        m_composer->setFixedHeight(m_composer->sizeHint().height());
        if (m_conversation == 0)
            return;
        m_draftTimer->start();
        if (m_editing == 0)
            m_client.setOwnTyping(m_conversation, !m_composer->toPlainText().trimmed().isEmpty());
    });
}

QWidget *ComposeBar::makeKeyBanner()
{
    m_keyBanner = new QWidget(this);
    m_keyBanner->setObjectName(u"keyChangeBanner"_s);
    m_keyBanner->setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(m_keyBanner);
    layout->setContentsMargins(14, 8, 10, 8);
    m_keyText = new QLabel(m_keyBanner);
    m_keyText->setObjectName(u"keyChangeText"_s);
    m_keyText->setTextFormat(Qt::PlainText); // it carries a name
    m_keyText->setWordWrap(true);
    layout->addWidget(m_keyText, 1);
    auto *verify = new QPushButton(ConversationView::tr("&Verify"), m_keyBanner);
    verify->setObjectName(u"keyChangeVerifyButton"_s);
    verify->setAccessibleName(ConversationView::tr("Verify the new safety number"));
    connect(verify, &QPushButton::clicked, this,
            [this] { Q_EMIT verifyKeyRequested(m_keyChangeUser, m_keyChangeName); });
    layout->addWidget(verify, 0, Qt::AlignVCenter);
    auto *accept = new QPushButton(ConversationView::tr("I &understand"), m_keyBanner);
    accept->setObjectName(u"keyChangeAcceptButton"_s);
    accept->setAccessibleName(ConversationView::tr("Accept the new safety number"));
    connect(accept, &QPushButton::clicked, this,
            [this] { Q_EMIT keyChangeAccepted(m_keyChangeUser); });
    layout->addWidget(accept, 0, Qt::AlignVCenter);
    m_keyBanner->hide();
    return m_keyBanner;
}

QWidget *ComposeBar::makeModeBar()
{
    m_modeBar = new QWidget(this);
    m_modeBar->setObjectName(u"replyBar"_s);
    auto *layout = new QHBoxLayout(m_modeBar);
    layout->setContentsMargins(14, 4, 8, 4);
    m_modeLabel = new QLabel(m_modeBar);
    m_modeLabel->setObjectName(u"replyLabel"_s);
    layout->addWidget(m_modeLabel, 1);
    auto *cancel = new QToolButton(m_modeBar);
    cancel->setObjectName(u"cancelReplyButton"_s);
    cancel->setText(u"✕"_s);
    cancel->setAccessibleName(ConversationView::tr("Cancel reply or edit"));
    cancel->setToolTip(ConversationView::tr("Cancel (Esc)"));
    connect(cancel, &QToolButton::clicked, this, &ComposeBar::cancelMode);
    layout->addWidget(cancel);
    m_modeBar->hide();
    return m_modeBar;
}

QWidget *ComposeBar::makeInputRow()
{
    auto *row = new QWidget(this);
    row->setAutoFillBackground(true);
    row->setBackgroundRole(QPalette::Base);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(10, 6, 10, 6);
    m_attachButton = new QToolButton(row);
    m_attachButton->setObjectName(u"attachButton"_s);
    m_attachButton->setAccessibleName(ConversationView::tr("Attach files"));
    m_attachButton->setToolTip(ConversationView::tr("Attach files (or drop or paste them here)"));
    m_attachButton->setIconSize(QSize(22, 22));
    m_attachButton->setAutoRaise(true);
    connect(m_attachButton, &QToolButton::clicked, this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(
            this, ConversationView::tr("Send Files"),
            QStandardPaths::writableLocation(QStandardPaths::PicturesLocation));
        if (!paths.isEmpty())
            attachFiles(paths);
    });
    layout->addWidget(m_attachButton, 0, Qt::AlignBottom);
    m_composer = new Composer(row);
    m_composer->setObjectName(u"composer"_s);
    m_composer->setAccessibleName(ConversationView::tr("Message"));
    m_composer->setPlaceholderText(ConversationView::tr("Write a message…"));
    m_composer->setFrameShape(QFrame::NoFrame);
    m_composer->setTabChangesFocus(true);
    m_composer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_composer->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    layout->addWidget(m_composer, 1);
    m_sendButton = new QPushButton(ConversationView::tr("Send"), row);
    m_sendButton->setObjectName(u"sendButton"_s);
    m_sendButton->setAccessibleName(ConversationView::tr("Send message"));
    m_sendButton->setToolTip(ConversationView::tr("Send (Enter)"));
    layout->addWidget(m_sendButton, 0, Qt::AlignBottom);
    return row;
}

void ComposeBar::applyColours()
{
    m_attachButton->setIcon(theme::icon(u"attach"_s, theme::secondaryText()));
    QPalette bannerPalette = m_keyBanner->palette();
    bannerPalette.setColor(QPalette::Window, theme::banner());
    m_keyBanner->setPalette(bannerPalette);
}

void ComposeBar::open(qint64 conversation)
{
    saveDraft();
    if (m_conversation != 0)
        m_client.setOwnTyping(m_conversation, false);
    cancelMode();
    m_conversation = conversation;
    {
        const QSignalBlocker blocker(m_composer);
        m_composer->setPlainText(storedDraft());
        m_composer->moveCursor(QTextCursor::End);
    }
    m_composer->setEnabled(conversation != 0);
    m_sendButton->setEnabled(conversation != 0);
}

QString ComposeBar::storedDraft() const
{
    return m_conversations.index(m_conversations.rowOf(m_conversation))
        .data(ConversationListModel::DraftRole)
        .toString();
}

void ComposeBar::setBlocked(bool blocked, const QString &name)
{
    const QString placeholder = blocked
        ? ConversationView::tr(
              "You blocked %1. To write again, unblock them with the info button above.")
              .arg(name)
        : ConversationView::tr("Write a message…");
    if (m_composer->placeholderText() != placeholder)
        m_composer->setPlaceholderText(placeholder);
    m_composer->setEnabled(!blocked);
    m_sendButton->setEnabled(!blocked);
}

void ComposeBar::setKeyChange(qint64 user, const QString &name)
{
    m_keyChangeUser = user;
    m_keyChangeName = name;
    if (user != 0) {
        m_keyText->setText(
            ConversationView::tr("%1's safety number has changed. This can mean they reinstalled "
                                 "Tidings or that someone is trying to intercept your messages.")
                .arg(name));
    }
    m_keyBanner->setVisible(user != 0);
}

void ComposeBar::saveDraft()
{
    m_draftTimer->stop();
    if (m_conversation == 0 || m_editing != 0)
        return;
    const qint64 conversation = m_conversation;
    const QString draft = m_composer->toPlainText();
    if (draft == storedDraft())
        return;
    // Called from the view's destructor too: the continuation holds the list, not the bar.
    whenReady(m_client.saveDraft(conversation, draft), &m_conversations,
              [conversations = &m_conversations, conversation](const Result<void> &) {
                  conversations->refreshRow(conversation);
              });
}

void ComposeBar::send()
{
    if (m_conversation == 0)
        return;
    const QString text = m_composer->toPlainText().trimmed();
    // Checked before anything is queued: the text stays in the composer, to be shortened.
    if (const qsizetype bytes = text.toUtf8().size(); bytes > m_client.outbox().maxTextBytes()) {
        Q_EMIT noticeRequested(Outbox::tooLongText(bytes, m_client.outbox().maxTextBytes()));
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
    m_client.setOwnTyping(m_conversation, false);
    m_composer->clear();
    cancelMode();
    Q_EMIT sent();
    saveDraft();
}

void ComposeBar::startReply(const QuotedMessage &message)
{
    m_editing = 0;
    m_replyTo = message.seq;
    if (m_replyTo == 0)
        return;
    QString text = message.text;
    text.replace(u'\n', u' ');
    m_modeLabel->setText(
        ConversationView::tr("Reply to %1: %2")
            .arg(message.senderName,
                 m_modeLabel->fontMetrics().elidedText(text, Qt::ElideRight, 400)));
    m_modeBar->show();
    m_composer->setFocus();
}

void ComposeBar::startEdit(const QuotedMessage &message)
{
    m_replyTo = 0;
    m_editing = message.seq;
    if (m_editing == 0)
        return;
    saveDraft();
    m_modeLabel->setText(ConversationView::tr("Editing message"));
    m_modeBar->show();
    const QSignalBlocker blocker(m_composer);
    m_composer->setPlainText(message.text);
    m_composer->moveCursor(QTextCursor::End);
    m_composer->setFocus();
}

void ComposeBar::cancelMode()
{
    const bool wasEditing = m_editing != 0;
    m_replyTo = 0;
    m_editing = 0;
    m_modeBar->hide();
    if (wasEditing) {
        const QSignalBlocker blocker(m_composer);
        m_composer->setPlainText(storedDraft());
    }
}

void ComposeBar::editAgain(const QString &text)
{
    cancelMode();
    m_composer->setPlainText(text);
    m_composer->setFocus();
}

void ComposeBar::attachFiles(const QStringList &paths)
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

void ComposeBar::describeVideos(QList<ChatClient::OutgoingFile> files, qsizetype from,
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

void ComposeBar::offerFiles(qint64 conversation, const QList<ChatClient::OutgoingFile> &files)
{
    // Over the view (this bar's parent), as the other windows of the conversation.
    auto *dialog = new SendFilesDialog(files, m_composer->toPlainText().trimmed(), parentWidget());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [this, dialog, conversation] {
        m_client.sendFiles(conversation, dialog->caption(), dialog->files());
        if (conversation == m_conversation) {
            m_composer->clear();
            Q_EMIT sent();
        }
    });
    dialog->open();
}

void ComposeBar::attachImage(const QImage &image)
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
                      Q_EMIT noticeRequested(
                          ConversationView::tr("The pasted picture could not be kept."));
              });
}

} // namespace tidings::app
