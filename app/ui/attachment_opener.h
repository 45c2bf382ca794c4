#pragma once

#include "core/cached_file.h"
#include "core/message_attachment.h"

#include <QObject>

#include <functional>

class QModelIndex;
class QWidget;

namespace tidings::app {

class AttachmentMedia;
class ChatClient;

/// What a click on an attachment in the conversation view does: opens or plays it when it
/// is here, downloads it when not, stops its transfer while it moves. A received file that
/// could run a program opens only after a warning the user confirms.
class AttachmentOpener : public QObject
{
    Q_OBJECT

public:
    /// Viewers, players and warnings open over `view`, which owns this.
    AttachmentOpener(ChatClient &client, AttachmentMedia &media, QWidget *view);

    /// Attachment `which` of the message at `index` (a MessageListModel row).
    void activate(const QModelIndex &index, int which);
    /// The menu's file actions: open with the system's program (after the warning, if need
    /// be), save a copy, show the folder. Each checks the file on disk first (off the UI
    /// thread): one gone behind the app's back is downloaded again instead. A sealed file
    /// of the cache is handed to other programs as a plaintext copy
    /// (TransferManager::plaintextCopy), made only once the user has said to open it.
    void openFile(const MessageAttachment &attachment);
    void saveFileAs(const MessageAttachment &attachment);
    void showInFolder(const MessageAttachment &attachment);

Q_SIGNALS:
    /// A short line for the user ("the video cannot be played: …").
    void noticeRequested(const QString &text);

private:
    /// Opens, plays or shows the attachment's file at `path` (checked on disk), or, when
    /// it is not here, streams a video and downloads anything else.
    void open(const MessageAttachment &attachment, const QString &path);
    /// Runs `use` with the attachment's file once it is checked on disk; downloads it when
    /// it is not here.
    void whenHere(const MessageAttachment &attachment, std::function<void(const QString &)> use);
    /// Opens a file here with the system's program for it (after the warning, if need be).
    void openPath(const CachedFile &file, const QString &name);
    /// Runs `use` with a plaintext copy of `file` (`file` itself when it is not sealed);
    /// tells the user when there is none.
    void withPlaintext(const CachedFile &file, const QString &name,
                       std::function<void(const QString &)> use);
    /// Plays a sealed file of the cache, read through a CachedFileDevice.
    void playSealed(const CachedFile &file, const QString &name);

    ChatClient &m_client;
    AttachmentMedia &m_media;
    QWidget *m_view;
};

} // namespace tidings::app
