#pragma once

#include <QCache>
#include <QStyledItemDelegate>

class QTextLayout;

namespace tidings::app {

/// Paints one entry of a conversation: a message as a bubble (own ones on the right), with
/// the sender's name at the top of a run in groups, the quoted message it replies to, the
/// text, "edited", the time and the ticks (clock, ✓, ✓✓, coloured ✓✓ when read) and the
/// reactions under it; a date above the first entry of each day, a "New messages" divider,
/// and events ("Alice added Bob") as a centred line. Consecutive messages of one sender
/// close in time are grouped (less space, one name).
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit MessageDelegate(QObject *parent = nullptr);
    ~MessageDelegate() override;

    void setGroup(bool group) { m_group = group; }
    /// The first unread entry when the conversation was opened (0: no divider).
    void setNewMessagesSeq(qint64 seq) { m_newMessagesSeq = seq; }
    qint64 newMessagesSeq() const { return m_newMessagesSeq; }
    /// An entry to draw attention to (a search result jumped to); 0: none.
    void setHighlightSeq(qint64 seq) { m_highlightSeq = seq; }

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

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    void paintTicks(QPainter *painter, const QRectF &rect, int state, const QColor &color) const;

    bool m_group = false;
    qint64 m_newMessagesSeq = 0;
    qint64 m_highlightSeq = 0;
};

} // namespace tidings::app
