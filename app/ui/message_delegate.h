#pragma once

#include <QFont>
#include <QHash>
#include <QPointer>
#include <QStyledItemDelegate>

class QTextLayout;

namespace tidings::app {

class AttachmentMedia;

/// Paints one entry of a conversation: a message as a bubble (own ones on the right), with
/// the sender's name at the top of a run in groups, the quoted message it replies to, the
/// text, "edited", the time and the ticks (clock, ✓, ✓✓, coloured ✓✓ when read) and the
/// reactions under it; a date above the first entry of each day, a "New messages" divider,
/// and events ("Alice added Bob") as a centred line (a changed safety number with a link to
/// compare it). An encrypted message whose key has not
/// come, or that could not be decrypted, says so in place of its text; a line marks where a
/// conversation's end-to-end encryption began. Consecutive messages of one sender
/// close in time are grouped (less space, one name). A change of mine the relay refused
/// (undone) shows under its message as a line in the error colour with Retry and Discard.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit MessageDelegate(QObject *parent = nullptr);
    ~MessageDelegate() override;

    /// The model whose rows this paints: its changes tell which cached heights are stale.
    void watch(QAbstractItemModel *model);
    void setGroup(bool group)
    {
        m_group = group;
        m_heights.clear();
    }
    /// The first unread entry when the conversation was opened (0: no divider).
    void setNewMessagesSeq(qint64 seq)
    {
        m_newMessagesSeq = seq;
        m_heights.clear();
    }
    qint64 newMessagesSeq() const { return m_newMessagesSeq; }
    /// The conversation's first end-to-end encrypted entry (0: none): when messages that
    /// were not encrypted come before it, a line above it says so.
    void setEncryptedFromSeq(qint64 seq)
    {
        m_encryptedFromSeq = seq;
        m_heights.clear();
    }
    qint64 encryptedFromSeq() const { return m_encryptedFromSeq; }
    /// An entry to draw attention to (a search result jumped to); 0: none.
    void setHighlightSeq(qint64 seq) { m_highlightSeq = seq; }
    /// Where pictures and transfer progress come from (none: attachments as placeholders).
    void setMedia(AttachmentMedia *media) { m_media = media; }

    /// The attachment of `index` under `position` (its place in the message's list of
    /// attachments), or -1.
    int attachmentAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                     const QPoint &position) const;

    /// Whether `position` is on the line of `index` that says a contact's safety number
    /// changed (kind "key_changed"): a click there compares the new one.
    bool keyChangeAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                     const QPoint &position) const;

    /// What a click under a message can ask of its refused change (FailedChangeRole).
    enum class ChangeAction { None, Retry, Discard };
    /// The Retry or Discard link of `index` under `position`, or None.
    ChangeAction changeActionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                const QPoint &position) const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    /// What the ticks of `index` say, in words ("Read by 1 of 2", "Delivered", …): the
    /// tooltip of an own message. Empty for others' messages.
    static QString receiptText(const QModelIndex &index, bool group);
    /// The date as a separator shows it: "Today", "Yesterday", a weekday, or the date.
    static QString dayLabel(const QDate &date);
    /// Paints an own message's state (`MessageListModel::State`) in `rect`: a clock while
    /// queued, one tick when sent, two when delivered, two bolder ones in the read colour
    /// (theme::readTicks, never the time's `color`) when read, a red mark when it failed.
    static void paintTicks(QPainter *painter, const QRectF &rect, int state, const QColor &color);

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    /// Whether `index` is the first encrypted entry, after messages that were not.
    bool startsEncryption(const QModelIndex &index) const;
    /// Lays out the line about a refused change under the message, from `y` down; returns
    /// the y under it. (message_delegate_note.cpp)
    int layoutFailedChange(Layout &result, const QStyleOptionViewItem &option,
                           const QModelIndex &index, int y) const;
    void paintFailedChange(QPainter *painter, const Layout &layout,
                           const QStyleOptionViewItem &option) const;

    /// Heights by row id: a view lays out every row again whenever rows come in, and laying
    /// out text is the costly part. A row's height depends on it and the row before it, so
    /// both are forgotten when either changes (see watch()).
    struct CachedHeight
    {
        int width = 0;
        int height = 0;
    };
    mutable QHash<qint64, CachedHeight> m_heights;
    mutable QFont m_heightsFont;
    QPointer<QAbstractItemModel> m_watched;
    void forgetRow(int row);

    /// Lays out the attachments of `index` at most `maxText` wide, from `y` down (their
    /// left edges at 0); returns the y under them. (message_delegate_attachments.cpp)
    int layoutAttachments(Layout &result, const QModelIndex &index, int maxText, int line,
                          int y) const;
    void paintAttachments(QPainter *painter, const Layout &layout, const QModelIndex &index,
                          const QFont &font) const;

    AttachmentMedia *m_media = nullptr;
    bool m_group = false;
    qint64 m_newMessagesSeq = 0;
    qint64 m_highlightSeq = 0;
    qint64 m_encryptedFromSeq = 0;
};

} // namespace tidings::app
