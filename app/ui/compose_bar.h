#pragma once

#include "core/chat_client.h"
#include "ui/quoted_message.h"

#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;
class QTimer;
class QToolButton;

namespace tidings::app {

class Composer;
class ConversationListModel;

/// Below the messages: the reply or edit bar, the attach button, the Composer and Send.
/// Sends and edits through the Outbox; keeps the open conversation's draft (saved when the
/// user pauses and when another conversation opens); tells the relay while the user types;
/// offers files for sending in the send preview, the box's text as their caption.
class ComposeBar : public QWidget
{
    Q_OBJECT

public:
    ComposeBar(ChatClient &client, ConversationListModel &conversations, QWidget *parent = nullptr);

    Composer *composer() const { return m_composer; }
    /// Leaves the conversation open before (its draft saved, typing stopped, a reply or
    /// edit dropped) for `conversation` (0: none), and shows its draft.
    void open(qint64 conversation);
    /// Saves the draft now (not while editing: that text is no draft).
    void saveDraft();
    /// The other person is blocked: the box waits for Unblock, and says so.
    void setBlocked(bool blocked, const QString &name);
    /// The safety number of `user` (`name`), in this conversation, changed and waits to be
    /// acknowledged (0: none): a banner above the box says so, with Verify and I understand.
    /// What is written meanwhile waits in the outbox until then.
    void setKeyChange(qint64 user, const QString &name);
    qint64 keyChangeUser() const { return m_keyChangeUser; }

    void startReply(const QuotedMessage &message);
    void startEdit(const QuotedMessage &message);
    /// Ends a reply or an edit; an edit's text gives way to the draft again.
    void cancelMode();
    /// Puts the text of a message not sent back in the box, to change and send again.
    void editAgain(const QString &text);

    /// Offers `paths` for sending in the open conversation (the send preview).
    void attachFiles(const QStringList &paths);
    /// Offers a picture (pasted) for sending: kept as a PNG until it is sent.
    void attachImage(const QImage &image);

    /// Colours and icons from the theme.
    void applyColours();

Q_SIGNALS:
    /// A message or files went to the outbox from the open conversation.
    void sent();
    /// Up in an empty box: edit the last own message.
    void editLastRequested();
    /// A short line for the user ("the message is too long").
    void noticeRequested(const QString &text);
    /// The key change banner's Verify: the safety number of `user`.
    void verifyKeyRequested(qint64 user, const QString &name);
    /// The key change banner's I understand, for `user`.
    void keyChangeAccepted(qint64 user);

private:
    QWidget *makeKeyBanner();
    QWidget *makeModeBar();
    QWidget *makeInputRow();
    void send();
    /// The open conversation's draft as the conversation list has it.
    QString storedDraft() const;
    /// Fills in the size, length and poster of the videos among `files`, then `done`.
    void describeVideos(QList<ChatClient::OutgoingFile> files, qsizetype from,
                        std::function<void(const QList<ChatClient::OutgoingFile> &)> done);
    /// The send preview for `files`, then sending them.
    void offerFiles(qint64 conversation, const QList<ChatClient::OutgoingFile> &files);

    ChatClient &m_client;
    ConversationListModel &m_conversations;
    qint64 m_conversation = 0;
    qint64 m_replyTo = 0;
    qint64 m_editing = 0;

    QWidget *m_keyBanner = nullptr;
    QLabel *m_keyText = nullptr;
    qint64 m_keyChangeUser = 0;
    QString m_keyChangeName;
    QWidget *m_modeBar = nullptr;
    QLabel *m_modeLabel = nullptr;
    QToolButton *m_attachButton = nullptr;
    Composer *m_composer = nullptr;
    QPushButton *m_sendButton = nullptr;
    QTimer *m_draftTimer = nullptr;
};

} // namespace tidings::app
