#pragma once

#include "core/chat_client.h"

#include <QPlainTextEdit>

#include <functional>
#include <QPointer>
#include <QWidget>

class QLabel;
class QListView;
class QMimeData;
class QToolButton;
class QPushButton;
class QTimer;

namespace tidings::app {

class AttachmentMedia;
class ChatClient;
class ConversationListModel;
class MessageDelegate;
class MessageListModel;

/// The message box: multi-line; Enter sends, Shift+Enter starts a new line, Up in an empty
/// box edits the last own message, Escape cancels an edit or reply.
class Composer : public QPlainTextEdit
{
    Q_OBJECT

public:
    using QPlainTextEdit::QPlainTextEdit;
    QSize sizeHint() const override;

Q_SIGNALS:
    void submitted();
    void editLastRequested();
    void cancelRequested();
    /// Files dropped or pasted into the box: they are to be sent, not typed.
    void filesGiven(const QStringList &paths);
    void imagePasted(const QImage &image);

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;
};

/// The open conversation: a header with its name and presence ("online", "last seen 5 min
/// ago", "3 members"), the messages (scrolling up loads older history; a button jumps back
/// to the newest), who is typing, and the composer with its reply/edit bar. Marks messages
/// read only while they are on screen and the window is active.
class ConversationView : public QWidget
{
    Q_OBJECT

public:
    ConversationView(ChatClient &client, ConversationListModel &conversations,
                     QWidget *parent = nullptr);
    ~ConversationView() override;

    /// Shows `conversation` (0: none); keeps the draft of the one before.
    void open(qint64 conversation);
    qint64 conversationId() const { return m_conversation; }
    MessageListModel *messages() const { return m_model; }
    /// Loads history back to `seq`, scrolls to it and highlights it.
    void jumpTo(qint64 seq);
    /// Saves the draft now (the app is closing).
    void saveDraft();
    Composer *composer() const { return m_composer; }
    AttachmentMedia *media() const { return m_media; }

    /// Offers `paths` for sending in the open conversation (the send preview).
    void attachFiles(const QStringList &paths);
    /// Offers a picture (pasted) for sending: kept as a PNG until it is sent.
    void attachImage(const QImage &image);
    /// Fills in the size, length and poster of the videos among `files`, then `done`.
    void describeVideos(QList<ChatClient::OutgoingFile> files, qsizetype from,
                        std::function<void(const QList<ChatClient::OutgoingFile> &)> done);
    /// The send preview for `files`, then sending them.
    void offerFiles(qint64 conversation, const QList<ChatClient::OutgoingFile> &files);
    /// What a click on attachment `which` of message `index` does: open or play it when
    /// it is here, download it when not, stop its transfer while it moves.
    void activateAttachment(const QModelIndex &index, int which);

    /// What the header's second line says for the open conversation.
    QString statusText() const;
    /// "last seen 5 min ago" and the like, from a last-seen time.
    static QString lastSeenText(const QDateTime &seen, const QDateTime &now);

Q_SIGNALS:
    /// The header's info button: group members, or the person's options.
    void infoRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    /// Colours and icons from the theme (again when it changes).
    void applyColours();
    /// The open conversation's row in the conversation list (invalid when it has none).
    QModelIndex listRow() const;
    void send();
    void editLast();
    void cancelMode();
    /// A short line above the composer that goes by itself ("Reported. Thank you.").
    void showNotice(const QString &text);
    void report(qint64 conversation, qint64 seq, const QString &reason);
    /// Opens a received file with the system's program for it; one that could run a program
    /// is opened only after a warning the user confirms.
    void openFile(const QString &path);
    /// What the reply and edit bars need of a message, read when the action was offered:
    /// a model index would name whatever row is there when the action runs.
    struct Quoted
    {
        qint64 seq = 0;
        QString text;
        QString senderName;
    };
    static Quoted quoted(const QModelIndex &index);
    void startReply(const Quoted &message);
    void startEdit(const Quoted &message);
    void showContextMenu(const QPoint &position);
    void updateHeader();
    void updateTyping();
    void markSeen();
    void onScrolled();
    void onRangeChanged(int minimum, int maximum);
    void maybeLoadOlder();
    void onFirstLoad();
    void continueJump();
    bool atBottom() const;
    void scrollToBottom();
    void placeJumpButton();

    ChatClient &m_client;
    ConversationListModel &m_conversations;
    qint64 m_conversation = 0;
    MessageListModel *m_model = nullptr;
    MessageDelegate *m_delegate = nullptr;

    QLabel *m_avatar = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QListView *m_list = nullptr;
    QToolButton *m_jumpButton = nullptr;
    QToolButton *m_info = nullptr;
    QLabel *m_typing = nullptr;
    QLabel *m_notice = nullptr;
    QWidget *m_modeBar = nullptr;
    QLabel *m_modeLabel = nullptr;
    Composer *m_composer = nullptr;
    QPushButton *m_sendButton = nullptr;
    QToolButton *m_attachButton = nullptr;
    AttachmentMedia *m_media = nullptr;
    QTimer *m_draftTimer = nullptr;
    QTimer *m_statusTimer = nullptr;

    qint64 m_replyTo = 0;
    qint64 m_editing = 0;
    bool m_stickToBottom = true;
    /// While older history loads above: the distance from the bottom to keep.
    int m_keepFromBottom = -1;
    bool m_firstLoadDone = false;
    bool m_loadingOlder = false;
    qint64 m_jumpTarget = 0;
    int m_jumpPages = 0;
};

} // namespace tidings::app
