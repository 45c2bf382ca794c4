#pragma once

#include <QSet>
#include <QStyledItemDelegate>

namespace tidings::app {

/// Paints a row of the conversation list as people know it: a round avatar with initials
/// in the person's colour (a green dot when they are online), the name, the time of the
/// last message, the last message (or "typing…" in the accent colour, or the draft) and
/// the unread count (grey when the conversation is muted).
class ConversationDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void setMuted(const QSet<qint64> &muted) { m_muted = muted; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    /// "14:05" today, the weekday within a week, else the date: how lists show times.
    static QString shortTime(const QDateTime &time);
    /// One line for "who types": "Alice is typing…", "Alice and Bob are typing…".
    static QString typingLine(const QStringList &names);

private:
    QSet<qint64> m_muted;
};

/// Paints a round avatar with `initials` on `color` in `rect`.
void paintAvatar(QPainter *painter, const QRectF &rect, const QString &initials,
                 const QColor &color);

} // namespace tidings::app
