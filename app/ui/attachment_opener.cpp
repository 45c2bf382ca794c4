#include "ui/attachment_opener.h"

#include "core/chat_client.h"
#include "models/message_list_model.h"
#include "protocol/file_names.h"
#include "ui/attachment_media.h"
#include "ui/conversation_view.h"
#include "ui/media_dialogs.h"
#include "ui/video_player.h"
#include "util/futures.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QUrl>

// This was part of ConversationView, and the translations keep its strings there: they are
// translated as ConversationView::tr().

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

AttachmentOpener::AttachmentOpener(ChatClient &client, AttachmentMedia &media, QWidget *view)
    : QObject(view), m_client(client), m_media(media), m_view(view)
{ }

void AttachmentOpener::activate(const QModelIndex &index, int which)
{
    const auto attachments = index.data(Model::AttachmentsRole).value<QList<MessageAttachment>>();
    if (which < 0 || which >= attachments.size())
        return;
    const MessageAttachment attachment = attachments.at(which);
    const AttachmentMedia::Status status = m_media.status(attachment);
    if (status.progress >= 0) {
        // Stopping an upload takes its message back (nothing of it was sent).
        const bool uploading = attachment.isUploading();
        m_media.cancel(attachment);
        if (uploading)
            m_client.outbox().cancel(index.data(Model::ClientIdRole).toString());
        return;
    }
    // Known not here: no need to look. Else the file is checked on disk first, off the UI
    // thread: it may have been removed behind the app's back.
    if (status.path.isEmpty()) {
        open(attachment, {});
        return;
    }
    whenReady(m_media.checkedPath(attachment), this,
              [this, attachment](const QString &path) { open(attachment, path); });
}

void AttachmentOpener::open(const MessageAttachment &attachment, const QString &path)
{
    const QString name = attachment.file.name;
    if (path.isEmpty() && AttachmentMedia::kindOf(attachment) == AttachmentMedia::Kind::Video) {
        // Streamed while it plays (Range requests through a signed link).
        whenReady(m_client.transfers().link(attachment.file.media), this,
                  [this, name](const Result<QUrl> &link) {
                      if (!link) {
                          Q_EMIT noticeRequested(
                              ConversationView::tr("The video cannot be played: %1")
                                  .arg(link.error().message));
                          return;
                      }
                      (new VideoPlayer(*link, name, m_view))->show();
                  });
        return;
    }
    if (path.isEmpty()) {
        m_media.download(attachment);
        return;
    }
    switch (AttachmentMedia::kindOf(attachment)) {
    case AttachmentMedia::Kind::Picture: {
        auto *viewer = new ImageViewer(path, name, m_view);
        viewer->show();
        return;
    }
    case AttachmentMedia::Kind::Video:
        (new VideoPlayer(QUrl::fromLocalFile(path), name, m_view))->show();
        return;
    case AttachmentMedia::Kind::File:
        openPath(path);
        return;
    }
}

void AttachmentOpener::whenHere(const MessageAttachment &attachment,
                                std::function<void(const QString &)> use)
{
    whenReady(m_media.checkedPath(attachment), this,
              [this, attachment, use = std::move(use)](const QString &path) {
                  if (path.isEmpty())
                      m_media.download(attachment);
                  else
                      use(path);
              });
}

void AttachmentOpener::openFile(const MessageAttachment &attachment)
{
    whenHere(attachment, [this](const QString &path) { openPath(path); });
}

void AttachmentOpener::saveFileAs(const MessageAttachment &attachment)
{
    whenHere(attachment, [this, name = attachment.file.name](const QString &path) {
        saveCopyAs(m_view, path, name);
    });
}

void AttachmentOpener::showInFolder(const MessageAttachment &attachment)
{
    whenHere(attachment, [](const QString &path) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath()));
    });
}

void AttachmentOpener::openPath(const QString &path)
{
    const QString name = QFileInfo(path).fileName();
    if (protocol::mayRunPrograms(name)) {
        // Not exec(): no nested loop in which the view could go away.
        auto *box = new QMessageBox(
            QMessageBox::Warning, ConversationView::tr("Open a program?"),
            ConversationView::tr("“%1” can run a program on this computer. Open it only "
                                 "if you expected this file and trust the person who "
                                 "sent it.")
                .arg(name),
            QMessageBox::Cancel, m_view);
        box->setObjectName(u"runnableFileWarning"_s);
        box->setAttribute(Qt::WA_DeleteOnClose);
        QPushButton *open
            = box->addButton(ConversationView::tr("&Open Anyway"), QMessageBox::AcceptRole);
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
