#include "ui/attachment_opener.h"

#include "core/cached_file_device.h"
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
#include <QMediaPlayer>
#include <QMessageBox>
#include <QPushButton>
#include <QUrl>

// This was part of ConversationView, and the translations keep its strings there: they are
// translated as ConversationView::tr().

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

namespace {

/// The name a file goes by when opened: a sealed file of the cache is called what its
/// message calls it (cleaned, as a download's file was), anything else what it is called.
QString openedName(const CachedFile &file, const MessageAttachment &attachment)
{
    return file.isSealed() ? protocol::cleanFileName(attachment.file.name)
                           : QFileInfo(file.path).fileName();
}

} // namespace

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
    const CachedFile file = m_media.fileAt(attachment, path);
    switch (AttachmentMedia::kindOf(attachment)) {
    case AttachmentMedia::Kind::Picture: {
        auto *viewer = new ImageViewer(file, name, m_view);
        viewer->show();
        return;
    }
    case AttachmentMedia::Kind::Video:
        if (file.isSealed())
            return playSealed(file, name);
        (new VideoPlayer(QUrl::fromLocalFile(path), name, m_view))->show();
        return;
    case AttachmentMedia::Kind::File:
        openPath(file, openedName(file, attachment));
        return;
    }
}

void AttachmentOpener::playSealed(const CachedFile &file, const QString &name)
{
    // Read as it plays, a chunk at a time, seekable; never decrypted to the disk. (Only a
    // whole download plays so: one on its way streams from the relay, as before.)
    auto *device = new CachedFileDevice(file);
    if (!device->open(QIODevice::ReadOnly)) {
        delete device;
        Q_EMIT noticeRequested(AttachmentMedia::damagedFile());
        return;
    }
    auto *player = new VideoPlayer(QUrl(), name, m_view);
    device->setParent(player); // after the player's QMediaPlayer: it goes first
    // The cached file's URL only names the source: the device is what is read.
    player->player()->setSourceDevice(device, QUrl::fromLocalFile(file.path));
    player->player()->play();
    player->show();
}

void AttachmentOpener::withPlaintext(const CachedFile &file, const QString &name,
                                     std::function<void(const QString &)> use)
{
    if (!file.isSealed()) {
        use(file.path);
        return;
    }
    whenReady(m_client.transfers().plaintextCopy(file, name), this,
              [this, use = std::move(use)](const Result<QString> &copy) {
                  if (!copy) {
                      Q_EMIT noticeRequested(
                          copy.error().code == ErrorCode::Corrupt
                              ? AttachmentMedia::damagedFile()
                              : ConversationView::tr("The file cannot be opened: %1")
                                    .arg(copy.error().message));
                      return;
                  }
                  use(*copy);
              });
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
    whenHere(attachment, [this, attachment](const QString &path) {
        const CachedFile file = m_media.fileAt(attachment, path);
        openPath(file, openedName(file, attachment));
    });
}

void AttachmentOpener::saveFileAs(const MessageAttachment &attachment)
{
    whenHere(attachment, [this, attachment](const QString &path) {
        saveCopyAs(m_view, m_media.fileAt(attachment, path), attachment.file.name);
    });
}

void AttachmentOpener::showInFolder(const MessageAttachment &attachment)
{
    // A sealed file's folder shows nothing anyone could open: its plaintext copy's does.
    whenHere(attachment, [this, attachment](const QString &path) {
        const CachedFile file = m_media.fileAt(attachment, path);
        withPlaintext(file, openedName(file, attachment), [](const QString &shown) {
            QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(shown).absolutePath()));
        });
    });
}

void AttachmentOpener::openPath(const CachedFile &file, const QString &name)
{
    // The plaintext copy of a sealed file is made only once it is to be opened.
    const auto openIt = [this, file, name] {
        withPlaintext(file, name, [](const QString &path) {
            QDesktopServices::openUrl(QUrl::fromLocalFile(path));
        });
    };
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
        connect(open, &QPushButton::clicked, this, openIt);
        box->open();
        return;
    }
    openIt();
}

} // namespace tidings::app
