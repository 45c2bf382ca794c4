// MessageDelegate: the line under a message about a change of mine the relay refused ("Not
// deleted: …"), in the error colour, with its Retry and Discard links.
#include "ui/message_delegate.h"

#include "models/message_list_model.h"
#include "ui/message_delegate_p.h"
#include "ui/theme.h"

#include <QPainter>
#include <QTextLayout>

namespace tidings::app {

using Model = MessageListModel;
using message_painting::kSide;
using message_painting::measure;
using message_painting::TextSize;

namespace {

/// The smaller font of the line about a refused change.
QFont noteFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    return small;
}

} // namespace

int MessageDelegate::layoutFailedChange(Layout &result, const QStyleOptionViewItem &option,
                                        const QModelIndex &index, int y) const
{
    if (index.data(Model::FailedChangeRole).toString().isEmpty())
        return y;
    // "Not deleted: …", then Retry and Discard: on its last line when they fit, else under it.
    const QFont small = noteFont(option.font);
    const QFontMetrics metrics(small);
    result.noteText = index.data(Model::FailedChangeTextRole).toString();
    const int room = std::max(120, option.rect.width() - 2 * kSide);
    const TextSize note = measure(result.noteText, small, room);
    result.noteRoom = room;
    const int linkHeight = metrics.height() + 4;
    const int retryWidth = metrics.horizontalAdvance(tr("Retry")) + 16;
    const int discardWidth = metrics.horizontalAdvance(tr("Discard")) + 16;
    const int linksWidth = retryWidth + 4 + discardWidth;
    const int noteWidth = int(note.size.width());
    const int noteHeight = int(note.size.height());
    const bool sameLine = int(note.lastLineWidth) + 8 + linksWidth <= room;
    const int blockWidth = sameLine ? std::max(noteWidth, int(note.lastLineWidth) + 8 + linksWidth)
                                    : std::max(noteWidth, linksWidth);
    const int left
        = result.own ? option.rect.right() - kSide - blockWidth : option.rect.left() + kSide;
    y += 4;
    result.note = QRect(left, y, noteWidth, noteHeight);
    int linksLeft = left;
    int linksTop = y + noteHeight + 2;
    if (sameLine) {
        linksLeft = left + int(note.lastLineWidth) + 8;
        linksTop = y + noteHeight - metrics.height() - 2;
    }
    result.retry = QRect(linksLeft, linksTop, retryWidth, linkHeight);
    result.discard = QRect(result.retry.right() + 5, linksTop, discardWidth, linkHeight);
    return std::max(result.note.bottom(), result.retry.bottom()) + 3;
}

void MessageDelegate::paintFailedChange(QPainter *painter, const Layout &layout,
                                        const QStyleOptionViewItem &option) const
{
    if (layout.retry.isNull())
        return;
    const QFont small = noteFont(option.font);
    QTextLayout text;
    measure(layout.noteText, small, layout.noteRoom, &text);
    painter->setPen(theme::danger());
    text.draw(painter, layout.note.topLeft());
    const QColor background = theme::isDark() ? QColor(0x24, 0x2f, 0x3d) : QColor(0xe4, 0xf0, 0xfa);
    painter->setFont(small);
    for (const auto &[rect, label] :
         {std::pair{layout.retry, tr("Retry")}, std::pair{layout.discard, tr("Discard")}}) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(background);
        painter->drawRoundedRect(rect, rect.height() / 2.0, rect.height() / 2.0);
        painter->setPen(theme::accent());
        painter->drawText(rect, Qt::AlignCenter, label);
    }
}

} // namespace tidings::app
