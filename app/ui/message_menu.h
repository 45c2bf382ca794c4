#pragma once

#include "core/message_attachment.h"
#include "ui/quoted_message.h"

#include <QMenu>

class QModelIndex;

namespace tidings::app {

class AttachmentMedia;
class ChatClient;

/// What can be done with one message, on a right click: reply, copy, react; open, save or
/// download its files; edit or delete one's own; copy, send again or cancel one not sent;
/// retry or discard a change of mine the relay refused; report someone else's. What concerns the
/// rest of the conversation view is asked for with a signal.
class MessageMenu : public QMenu
{
    Q_OBJECT

public:
    /// The actions for the message at `index` (a MessageListModel row) in `conversation`.
    /// The menu runs an event loop: a sync may change the rows meanwhile, so the actions
    /// keep what they act on, never the index.
    MessageMenu(const QModelIndex &index, qint64 conversation, ChatClient &client,
                AttachmentMedia &media, QWidget *parent);

Q_SIGNALS:
    void replyRequested(const tidings::app::QuotedMessage &message);
    void editRequested(const tidings::app::QuotedMessage &message);
    /// A message not sent was taken back: its text goes into the box again.
    void editAgainRequested(const QString &text);
    /// The file actions, for the attachment (its file is checked on disk first).
    void openFileRequested(const tidings::app::MessageAttachment &attachment);
    void saveFileRequested(const tidings::app::MessageAttachment &attachment);
    void showFileRequested(const tidings::app::MessageAttachment &attachment);
    void reportRequested(qint64 conversation, qint64 seq);

private:
    void addReplyCopyAndReact(const QModelIndex &index);
    void addFileActions(const QModelIndex &index);
    void addEditAndDelete(const QModelIndex &index);
    void addUnsentActions(const QModelIndex &index);
    void addFailedChangeActions(const QModelIndex &index);

    qint64 m_conversation;
    ChatClient &m_client;
    AttachmentMedia &m_media;
};

} // namespace tidings::app
