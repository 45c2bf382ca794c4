#pragma once

#include "ui/composer.h"

#include <QWidget>

class QDateTime;
class QLabel;
class QListView;
class QTimer;
class QToolButton;

namespace tidings::app {

class AttachmentMedia;
class AttachmentOpener;
class ChatClient;
class ComposeBar;
class ConversationListModel;
class E2eStatus;
class MessageDelegate;
class MessageListModel;

/// The open conversation: a header with its name and presence ("online", "last seen 5 min
/// ago", "3 members"), the messages (scrolling up loads older history; a button jumps back
/// to the newest), who is typing, and the ComposeBar. Marks messages read only while they
/// are on screen and the window is active.
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
    Composer *composer() const;
    AttachmentMedia *media() const { return m_media; }

    /// Offers `paths` for sending in the open conversation (the send preview).
    void attachFiles(const QStringList &paths);
    /// Offers a picture (pasted) for sending: kept as a PNG until it is sent.
    void attachImage(const QImage &image);

    /// What the header's second line says for the open conversation.
    QString statusText() const;
    /// Opens the Safety Number dialog for `user` (`name`); the header and the key change
    /// banner follow what is done there.
    void showSafetyNumber(qint64 user, const QString &name);
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
    QWidget *makeHeader();
    QListView *makeMessageList();
    void makeJumpButton();
    QLabel *makeTypingLine();
    QLabel *makeNoticeLine();
    void connectParts();
    /// The messages of `conversation`, watched for the first load, older pages and jumps.
    MessageListModel *makeModel(qint64 conversation);
    /// Colours and icons from the theme (again when it changes).
    void applyColours();
    /// The open conversation's row in the conversation list (invalid when it has none).
    QModelIndex listRow() const;
    void editLast();
    /// A short line above the composer that goes by itself ("Reported. Thank you.").
    void showNotice(const QString &text);
    void askToReport(qint64 conversation, qint64 seq);
    void report(qint64 conversation, qint64 seq, const QString &reason);
    void showContextMenu(const QPoint &position);
    void updateHeader();
    /// The lock (end-to-end encrypted from e2eSeq on), or "Not end-to-end encrypted".
    void updateEncryption(const QModelIndex &index);
    /// Whether a message older than `seq` that was not encrypted is loaded.
    bool plainMessageBefore(qint64 seq) const;
    /// Asks again what this device trusts of the people here: a changed safety number
    /// (the banner above the composer) and, in a direct chat, a verified one.
    void checkTrust();
    void showKeyChange(const QList<qint64> &changed);
    /// Opens the Safety Number dialog when `index` is a line saying a contact's safety
    /// number changed; returns whether it is one.
    bool verifyKeyChange(const QModelIndex &index);
    void updateAvatar(const QModelIndex &index);
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
    QLabel *m_lock = nullptr;
    QString m_lockIcon; ///< which lock it shows, in which colour
    QLabel *m_notEncrypted = nullptr;
    QListView *m_list = nullptr;
    QToolButton *m_jumpButton = nullptr;
    QToolButton *m_info = nullptr;
    QLabel *m_typing = nullptr;
    QLabel *m_notice = nullptr;
    ComposeBar *m_composeBar = nullptr;
    AttachmentMedia *m_media = nullptr;
    AttachmentOpener *m_opener = nullptr;
    QTimer *m_statusTimer = nullptr;
    E2eStatus *m_e2e = nullptr;
    /// The other person of the open direct chat, as trust() last said.
    qint64 m_verifiedUser = 0;
    bool m_verified = false;

    bool m_stickToBottom = true;
    /// While older history loads above: the distance from the bottom to keep.
    int m_keepFromBottom = -1;
    bool m_firstLoadDone = false;
    bool m_loadingOlder = false;
    qint64 m_jumpTarget = 0;
    int m_jumpPages = 0;
};

} // namespace tidings::app
