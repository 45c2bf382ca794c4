#pragma once

#include <QObject>

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
    /// Opens a file here with the system's program for it (after the warning, if need be).
    void openFile(const QString &path);

Q_SIGNALS:
    /// A short line for the user ("the video cannot be played: …").
    void noticeRequested(const QString &text);

private:
    ChatClient &m_client;
    AttachmentMedia &m_media;
    QWidget *m_view;
};

} // namespace tidings::app
