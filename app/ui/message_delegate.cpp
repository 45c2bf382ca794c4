#include "ui/message_delegate.h"

#include "models/message_list_model.h"
#include "ui/attachment_media.h"
#include "ui/media_files.h"
#include "ui/theme.h"

#include <QAbstractItemView>
#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QTextLayout>
#include <QTime>
#include <QToolTip>

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

namespace {

constexpr int kSide = 12; ///< space between a bubble and the view's edge
constexpr int kPadX = 10; ///< inside a bubble
constexpr int kPadY = 6;
constexpr int kTicksWidth = 18;
/// Messages of one sender closer than this are one run.
constexpr qint64 kGroupGapMs = 5 * 60 * 1000;

struct TextSize
{
    QSizeF size;
    qreal lastLineWidth = 0;
};

TextSize measure(const QString &text, const QFont &font, qreal width, QTextLayout *out = nullptr)
{
    QTextLayout local;
    QTextLayout &layout = out ? *out : local;
    layout.setText(text);
    layout.setFont(font);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(option);
    layout.beginLayout();
    qreal height = 0;
    qreal widest = 0;
    qreal last = 0;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
        last = line.naturalTextWidth();
        widest = std::max(widest, last);
    }
    layout.endLayout();
    return {QSizeF(std::ceil(widest), std::ceil(height)), last};
}

/// The smaller font of the line about a refused change.
QFont noteFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.9);
    return small;
}

bool sameDay(const QModelIndex &a, const QModelIndex &b)
{
    return a.data(Model::TimeRole).toDateTime().toLocalTime().date()
        == b.data(Model::TimeRole).toDateTime().toLocalTime().date();
}

} // namespace

struct MessageDelegate::Layout
{
    int height = 0;
    QString dayText;
    QRect day;
    QRect divider;
    bool system = false;
    QString systemText;
    QRect systemRect;
    bool own = false;
    QRect bubble;
    QRect name;
    QRect quote;
    QRect text;
    QString body;
    bool deleted = false;
    QRect meta;
    QString metaText;
    struct Piece
    {
        QRect rect;
        int index = 0;
        AttachmentMedia::Kind kind = AttachmentMedia::Kind::File;
    };
    QList<Piece> pieces; ///< attachments, in order, above the text
    QList<QPair<QRect, QString>> chips;
    /// A refused change of mine: what happened (in the error colour), and its two links.
    QString noteText;
    int noteRoom = 0; ///< the width the note's lines wrap at
    QRect note;
    QRect retry;
    QRect discard;
};

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

MessageDelegate::~MessageDelegate() = default;

QString MessageDelegate::receiptText(const QModelIndex &index, bool group)
{
    if (!index.data(Model::IsOwnRole).toBool())
        return {};
    const auto state = index.data(Model::StateRole).value<Model::State>();
    const int others = index.data(Model::OthersRole).toInt();
    if (state == Model::State::Failed)
        return tr("Not sent: %1").arg(index.data(Model::ErrorRole).toString());
    if (state == Model::State::Queued)
        return tr("Waiting to be sent");
    if (group && others > 0)
        return tr("Read by %1 of %2").arg(index.data(Model::ReadByRole).toInt()).arg(others);
    if (state == Model::State::Read)
        return tr("Read");
    if (state == Model::State::Delivered)
        return tr("Delivered");
    return tr("Sent");
}

QString MessageDelegate::dayLabel(const QDate &date)
{
    const QDate today = QDate::currentDate();
    if (date == today)
        return tr("Today");
    if (date == today.addDays(-1))
        return tr("Yesterday");
    const QLocale locale;
    if (date.daysTo(today) < 7)
        return locale.dayName(date.dayOfWeek(), QLocale::LongFormat);
    if (date.year() == today.year())
        return locale.toString(date, u"d MMMM"_s);
    return locale.toString(date, QLocale::LongFormat);
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index) const
{
    Layout result;
    const QFontMetrics metrics(option.font);
    const int line = metrics.height();
    const int width = option.rect.width();
    int y = option.rect.top();

    const QModelIndex previous = index.siblingAtRow(index.row() - 1);
    if (!previous.isValid() || !sameDay(previous, index)) {
        result.dayText = dayLabel(index.data(Model::TimeRole).toDateTime().toLocalTime().date());
        result.day = QRect(option.rect.left(), y + 8, width, line + 8);
        y += line + 24;
    }
    const qint64 seq = index.data(Model::SeqRole).toLongLong();
    if (m_newMessagesSeq > 0 && seq == m_newMessagesSeq) {
        result.divider = QRect(option.rect.left(), y + 4, width, line + 6);
        y += line + 14;
    }

    const QString kind = index.data(Model::KindRole).toString();
    if (kind != u"message") {
        result.system = true;
        result.systemText = index.data(Model::SystemTextRole).toString();
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.92);
        const QFontMetrics smallMetrics(small);
        const int textWidth
            = std::min(width - 4 * kSide, smallMetrics.horizontalAdvance(result.systemText) + 1);
        const QRect bounds
            = smallMetrics.boundingRect(QRect(0, 0, std::max(40, textWidth), 10000),
                                        Qt::TextWordWrap | Qt::AlignCenter, result.systemText);
        result.systemRect = QRect(option.rect.left() + (width - bounds.width()) / 2 - 10, y + 6,
                                  bounds.width() + 20, bounds.height() + 8);
        result.height = result.systemRect.bottom() + 6 - option.rect.top();
        return result;
    }

    result.own = index.data(Model::IsOwnRole).toBool();
    const qint64 sender = index.data(Model::SenderIdRole).toLongLong();
    bool continues = false;
    if (previous.isValid() && result.day.isNull() && result.divider.isNull()
        && previous.data(Model::KindRole).toString() == u"message"
        && previous.data(Model::SenderIdRole).toLongLong() == sender) {
        const qint64 gap = previous.data(Model::TimeRole)
                               .toDateTime()
                               .msecsTo(index.data(Model::TimeRole).toDateTime());
        continues = gap >= 0 && gap < kGroupGapMs;
    }
    y += continues ? 2 : 6;

    const int maxBubble = std::max(120, std::min(int(width * 0.75), line * 32));
    const int maxText = maxBubble - 2 * kPadX;
    int contentWidth = 0;
    const int top = y;
    y += kPadY;

    if (m_group && !result.own && !continues) {
        QFont bold = option.font;
        bold.setWeight(QFont::DemiBold);
        const QString name = index.data(Model::SenderNameRole).toString();
        contentWidth = std::min(maxText, QFontMetrics(bold).horizontalAdvance(name));
        result.name = QRect(0, y, contentWidth, line);
        y += line + 2;
    }
    if (index.data(Model::ReplyToRole).toLongLong() > 0) {
        result.quote = QRect(0, y, 0, 2 * line + 6);
        const int quoteWidth = std::max(
            metrics.horizontalAdvance(index.data(Model::ReplySenderRole).toString()),
            metrics.horizontalAdvance(index.data(Model::ReplyTextRole).toString().left(200)));
        contentWidth = std::max(contentWidth, std::min(maxText, quoteWidth + 12));
        y += result.quote.height() + 4;
    }

    result.deleted = index.data(Model::DeletedRole).toBool();
    if (!result.deleted) {
        const QVariantList attachments = index.data(Model::AttachmentsRole).toList();
        const int mediaWidth = std::min(maxText, line * 20);
        for (int i = 0; i < attachments.size(); ++i) {
            const QVariantMap attachment = attachments.at(i).toMap();
            const auto shape = AttachmentMedia::kindOf(attachment);
            QSize size;
            if (shape == AttachmentMedia::Kind::File) {
                size = QSize(std::min(maxText, line * 18), 2 * line + 16);
            } else {
                QSize natural(attachment.value(u"width"_s).toInt(),
                              attachment.value(u"height"_s).toInt());
                if (natural.isEmpty())
                    natural = QSize(16, 9);
                size = natural.scaled(mediaWidth, line * 22, Qt::KeepAspectRatio)
                           .expandedTo(QSize(std::min(mediaWidth, line * 6), line * 4));
                size = size.boundedTo(QSize(mediaWidth, line * 22));
            }
            result.pieces.append({QRect(0, y, size.width(), size.height()), i, shape});
            contentWidth = std::max(contentWidth, size.width());
            y += size.height() + 4;
        }
    }
    result.body = result.deleted ? tr("Message deleted") : index.data(Model::TextRole).toString();
    // QTextLayout breaks lines only at U+2028; a typed Shift+Enter is '\n'.
    result.body.replace(u'\n', QChar::LineSeparator);
    QFont textFont = option.font;
    textFont.setItalic(result.deleted);
    const bool onlyFiles = result.body.isEmpty() && !result.pieces.isEmpty();
    const TextSize text = onlyFiles ? TextSize{QSizeF(0, 0), qreal(maxText)}
                                    : measure(result.body, textFont, maxText);

    const QString time
        = theme::clockTime(index.data(Model::TimeRole).toDateTime().toLocalTime().time());
    result.metaText = index.data(Model::EditedRole).toBool() ? tr("edited %1").arg(time) : time;
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.82);
    const int metaWidth = QFontMetrics(small).horizontalAdvance(result.metaText)
        + (result.own ? kTicksWidth + 4 : 0);
    contentWidth = std::max(contentWidth, int(text.size.width()));
    result.text = QRect(0, y, int(text.size.width()), int(text.size.height()));
    y += int(text.size.height());
    if (text.lastLineWidth + 10 + metaWidth <= maxText) {
        // The time fits at the end of the last line, as in the chat apps people know.
        contentWidth = std::max(contentWidth, int(text.lastLineWidth) + 10 + metaWidth);
        result.meta = QRect(0, y - line, metaWidth, line);
    } else {
        contentWidth = std::max(contentWidth, metaWidth);
        result.meta = QRect(0, y, metaWidth, line);
        y += line;
    }
    y += kPadY;

    const int bubbleWidth = contentWidth + 2 * kPadX;
    const int left
        = result.own ? option.rect.right() - kSide - bubbleWidth : option.rect.left() + kSide;
    result.bubble = QRect(left, top, bubbleWidth, y - top);
    const int inner = left + kPadX;
    result.name = QRect(inner, result.name.top(), contentWidth, result.name.height());
    if (!result.quote.isNull())
        result.quote = QRect(inner, result.quote.top(), contentWidth, result.quote.height());
    result.text.moveLeft(inner);
    result.meta.moveLeft(inner + contentWidth - metaWidth);
    for (auto &piece : result.pieces)
        piece.rect.moveLeft(inner);

    const QVariantMap reactions = index.data(Model::ReactionsRole).toMap();
    if (!reactions.isEmpty()) {
        int x = result.own ? 0 : left;
        y += 4;
        QList<QPair<QRect, QString>> chips;
        for (auto reaction = reactions.begin(); reaction != reactions.end(); ++reaction) {
            const QString label
                = reaction.key() + u' ' + QString::number(reaction.value().toList().size());
            const int chipWidth = metrics.horizontalAdvance(label) + 16;
            chips.append({QRect(x, y, chipWidth, line + 6), label});
            x += chipWidth + 4;
        }
        if (result.own) {
            const int shift = result.bubble.right() - (x - 4);
            for (auto &chip : chips)
                chip.first.translate(shift, 0);
        }
        result.chips = chips;
        y += line + 6;
    }
    y = layoutFailedChange(result, option, index, y);
    result.height = y + 2 - option.rect.top();
    return result;
}

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

void MessageDelegate::watch(QAbstractItemModel *model)
{
    if (m_watched)
        disconnect(m_watched, nullptr, this, nullptr);
    m_watched = model;
    m_heights.clear();
    if (!model)
        return;
    connect(model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                for (int row = topLeft.row(); row <= bottomRight.row() + 1; ++row)
                    forgetRow(row);
                // A list view does not ask for sizes again on dataChanged by itself.
                Q_EMIT sizeHintChanged(topLeft);
            });
    // The row after an insert or a removal has a new row before it.
    connect(model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int, int last) { forgetRow(last + 1); });
    connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int, int last) { forgetRow(last + 1); });
    connect(model, &QAbstractItemModel::rowsMoved, this, [this] { m_heights.clear(); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] { m_heights.clear(); });
    connect(model, &QAbstractItemModel::layoutChanged, this, [this] { m_heights.clear(); });
}

void MessageDelegate::forgetRow(int row)
{
    if (!m_watched || row < 0 || row >= m_watched->rowCount())
        return;
    m_heights.remove(m_watched->index(row, 0).data(Model::IdRole).toLongLong());
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem sized = option;
    sized.rect = QRect(0, 0, option.rect.width() > 0 ? option.rect.width() : 600, 0);
    if (const auto *view = qobject_cast<const QAbstractItemView *>(option.widget))
        sized.rect.setWidth(view->viewport()->width());
    if (option.font != m_heightsFont) {
        m_heights.clear();
        m_heightsFont = option.font;
    }
    const qint64 id = index.data(Model::IdRole).toLongLong();
    const auto cached = m_heights.constFind(id);
    if (index.model() == m_watched && cached != m_heights.constEnd()
        && cached->width == sized.rect.width())
        return {sized.rect.width(), cached->height};
    const int height = layout(sized, index).height;
    if (index.model() == m_watched) {
        if (m_heights.size() > 50000)
            m_heights.clear();
        m_heights.insert(id, {sized.rect.width(), height});
    }
    return {sized.rect.width(), height};
}

void MessageDelegate::paintTicks(QPainter *painter, const QRectF &rect, int state,
                                 const QColor &color) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const auto ticks = static_cast<Model::State>(state);
    const qreal h = std::min(rect.height(), 11.0);
    const QPointF origin(rect.left(), rect.center().y() - h / 2);
    if (ticks == Model::State::Failed) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(theme::danger());
        const QRectF circle(origin.x() + 2, origin.y(), h, h);
        painter->drawEllipse(circle);
        painter->setPen(QPen(Qt::white, 1.6));
        painter->drawLine(QPointF(circle.center().x(), circle.top() + 2.5),
                          QPointF(circle.center().x(), circle.center().y() + 1));
        painter->drawPoint(QPointF(circle.center().x(), circle.bottom() - 2.5));
    } else if (ticks == Model::State::Queued) {
        painter->setPen(QPen(color, 1.3));
        painter->setBrush(Qt::NoBrush);
        const QRectF circle(origin.x() + 2, origin.y(), h, h);
        painter->drawEllipse(circle);
        const QPointF centre = circle.center();
        painter->drawLine(centre, QPointF(centre.x(), circle.top() + 2.5));
        painter->drawLine(centre, QPointF(circle.right() - 3, centre.y()));
    } else {
        const QColor tickColor = ticks == Model::State::Read ? theme::readTicks() : color;
        painter->setPen(QPen(tickColor, 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        painter->setBrush(Qt::NoBrush);
        auto tick = [&](qreal dx, bool shortLeg) {
            QPainterPath path;
            if (shortLeg)
                path.moveTo(origin + QPointF(dx + 0.5, h * 0.55));
            else
                path.moveTo(origin + QPointF(dx, h * 0.55));
            path.lineTo(origin + QPointF(dx + h * 0.35, h * 0.9));
            path.lineTo(origin + QPointF(dx + h * 0.95, h * 0.1));
            painter->drawPath(path);
        };
        if (ticks == Model::State::Sent) {
            tick(3, false);
        } else {
            tick(0, false);
            tick(5, true);
        }
    }
    painter->restore();
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    const Layout l = layout(option, index);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QFontMetrics metrics(option.font);
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.82);

    auto pill = [&](const QRect &rect, const QString &text, const QFont &font) {
        const QFontMetrics fm(font);
        const int w = fm.horizontalAdvance(text) + 20;
        const QRectF r(rect.center().x() - w / 2.0, rect.top(), w, rect.height());
        painter->setPen(Qt::NoPen);
        painter->setBrush(theme::pillBackground());
        painter->drawRoundedRect(r, r.height() / 2, r.height() / 2);
        painter->setFont(font);
        painter->setPen(theme::secondaryText());
        painter->drawText(r, Qt::AlignCenter, text);
    };

    if (!l.day.isNull()) {
        QFont dayFont = small;
        dayFont.setWeight(QFont::DemiBold);
        pill(l.day, l.dayText, dayFont);
    }
    if (!l.divider.isNull()) {
        painter->fillRect(l.divider,
                          theme::isDark() ? QColor(0x1e, 0x2c, 0x3a) : QColor(0xe8, 0xf1, 0xf8));
        painter->setFont(small);
        painter->setPen(theme::accent());
        painter->drawText(l.divider, Qt::AlignCenter, tr("New messages"));
    }
    if (l.system) {
        QFont font = option.font;
        font.setPointSizeF(font.pointSizeF() * 0.92);
        painter->setPen(Qt::NoPen);
        painter->setBrush(theme::pillBackground());
        painter->drawRoundedRect(l.systemRect, 10, 10);
        painter->setFont(font);
        painter->setPen(theme::secondaryText());
        painter->drawText(l.systemRect.adjusted(10, 4, -10, -4), Qt::TextWordWrap | Qt::AlignCenter,
                          l.systemText);
        painter->restore();
        return;
    }

    const qint64 seq = index.data(Model::SeqRole).toLongLong();
    QColor bubble = l.own ? theme::ownBubble() : theme::otherBubble();
    if (m_highlightSeq > 0 && seq == m_highlightSeq)
        bubble = bubble.darker(theme::isDark() ? 70 : 115);
    if (option.state & QStyle::State_Selected)
        bubble = bubble.darker(theme::isDark() ? 80 : 108);
    painter->setPen(Qt::NoPen);
    painter->setBrush(bubble);
    painter->drawRoundedRect(l.bubble, 12, 12);

    if (!l.name.isNull()) {
        QFont bold = option.font;
        bold.setWeight(QFont::DemiBold);
        painter->setFont(bold);
        painter->setPen(theme::avatarColor(index.data(Model::SenderIdRole).toLongLong())
                            .darker(theme::isDark() ? 90 : 120));
        painter->drawText(
            l.name, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(bold).elidedText(index.data(Model::SenderNameRole).toString(),
                                          Qt::ElideRight, l.name.width()));
    }
    if (!l.quote.isNull()) {
        painter->fillRect(QRect(l.quote.left(), l.quote.top(), 3, l.quote.height()),
                          theme::accent());
        const QRect inside = l.quote.adjusted(9, 3, 0, -3);
        QFont bold = option.font;
        bold.setWeight(QFont::DemiBold);
        painter->setFont(bold);
        painter->setPen(theme::accent());
        painter->drawText(
            QRect(inside.left(), inside.top(), inside.width(), metrics.height()),
            Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(bold).elidedText(index.data(Model::ReplySenderRole).toString(),
                                          Qt::ElideRight, inside.width()));
        painter->setFont(option.font);
        painter->setPen(theme::bubbleText());
        QString quoted = index.data(Model::ReplyTextRole).toString();
        quoted.replace(u'\n', u' ');
        painter->drawText(
            QRect(inside.left(), inside.top() + metrics.height(), inside.width(), metrics.height()),
            Qt::AlignLeft | Qt::AlignVCenter,
            metrics.elidedText(quoted, Qt::ElideRight, inside.width()));
    }

    paintAttachments(painter, l, index, option.font);

    QFont textFont = option.font;
    textFont.setItalic(l.deleted);
    QTextLayout text;
    measure(l.body, textFont, l.bubble.width() - 2 * kPadX, &text);
    painter->setPen(l.deleted ? theme::secondaryText() : theme::bubbleText());
    text.draw(painter, l.text.topLeft());

    painter->setFont(small);
    const QColor metaColor
        = l.own && !theme::isDark() ? QColor(0x5f, 0xa8, 0x5e) : theme::secondaryText();
    painter->setPen(metaColor);
    QRect timeRect = l.meta;
    if (l.own)
        timeRect.setRight(timeRect.right() - kTicksWidth - 2);
    painter->drawText(timeRect, Qt::AlignRight | Qt::AlignBottom, l.metaText);
    if (l.own) {
        const QRectF ticks(l.meta.right() - kTicksWidth + 2, l.meta.top(), kTicksWidth - 2,
                           l.meta.height());
        paintTicks(painter, ticks.adjusted(0, 3, 0, 0),
                   int(index.data(Model::StateRole).value<Model::State>()), metaColor);
    }

    for (const auto &chip : l.chips) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(theme::isDark() ? QColor(0x24, 0x2f, 0x3d) : QColor(0xe4, 0xf0, 0xfa));
        painter->drawRoundedRect(chip.first, chip.first.height() / 2.0, chip.first.height() / 2.0);
        painter->setFont(option.font);
        painter->setPen(theme::accent());
        painter->drawText(chip.first, Qt::AlignCenter, chip.second);
    }
    paintFailedChange(painter, l, option);
    painter->restore();
}

void MessageDelegate::paintAttachments(QPainter *painter, const Layout &layout,
                                       const QModelIndex &index, const QFont &font) const
{
    if (layout.pieces.isEmpty())
        return;
    const QVariantList attachments = index.data(Model::AttachmentsRole).toList();
    const QFontMetrics metrics(font);
    // A ring of progress, with a cross to stop: uploads and downloads alike.
    const auto progressRing = [painter](const QRectF &circle, double progress) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0, 0, 0, 110));
        painter->drawEllipse(circle);
        painter->setPen(QPen(Qt::white, 2.5, Qt::SolidLine, Qt::RoundCap));
        painter->setBrush(Qt::NoBrush);
        const QRectF arc = circle.adjusted(4, 4, -4, -4);
        painter->drawArc(arc, 90 * 16, -int(360 * 16 * std::clamp(progress, 0.02, 1.0)));
        const QPointF c = circle.center();
        const qreal s = circle.width() * 0.14;
        painter->setPen(QPen(Qt::white, 2, Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(c + QPointF(-s, -s), c + QPointF(s, s));
        painter->drawLine(c + QPointF(-s, s), c + QPointF(s, -s));
    };
    for (const auto &piece : layout.pieces) {
        const QVariantMap attachment = attachments.value(piece.index).toMap();
        const AttachmentMedia::Status status
            = m_media ? m_media->status(attachment) : AttachmentMedia::Status();
        if (piece.kind != AttachmentMedia::Kind::File) {
            const QImage image
                = m_media ? m_media->picture(attachment, piece.rect.size()) : QImage();
            painter->save();
            QPainterPath clip;
            clip.addRoundedRect(piece.rect, 8, 8);
            painter->setClipPath(clip);
            if (image.isNull()) {
                painter->fillRect(piece.rect,
                                  theme::isDark() ? QColor(0x2b, 0x35, 0x42)
                                                  : QColor(0xdd, 0xe3, 0xea));
            } else {
                // Cover the box, cutting off what does not fit (the shapes differ only a
                // little: the box has the picture's own shape unless it is extreme).
                const QSizeF box = piece.rect.size();
                const QSizeF scaled
                    = QSizeF(image.size()).scaled(box, Qt::KeepAspectRatioByExpanding);
                const QRectF source(
                    (scaled.width() - box.width()) / 2 * image.width() / scaled.width(),
                    (scaled.height() - box.height()) / 2 * image.height() / scaled.height(),
                    box.width() * image.width() / scaled.width(),
                    box.height() * image.height() / scaled.height());
                painter->setRenderHint(QPainter::SmoothPixmapTransform);
                painter->drawImage(QRectF(piece.rect), image, source);
            }
            painter->restore();
            const qreal d = std::min(48.0, std::min(piece.rect.width(), piece.rect.height()) * 0.5);
            const QRectF circle(piece.rect.center().x() - d / 2 + 1,
                                piece.rect.center().y() - d / 2 + 1, d, d);
            if (const qint64 duration = attachment.value(u"duration_ms"_s).toLongLong();
                piece.kind == AttachmentMedia::Kind::Video && duration > 0) {
                const QString length
                    = QTime(0, 0)
                          .addMSecs(int(duration))
                          .toString(duration >= 3600 * 1000 ? u"h:mm:ss"_s : u"m:ss"_s);
                QFont small = font;
                small.setPointSizeF(font.pointSizeF() * 0.85);
                const QFontMetrics fm(small);
                const QRectF pill(piece.rect.left() + 6, piece.rect.top() + 6,
                                  fm.horizontalAdvance(length) + 12, fm.height() + 4);
                painter->setPen(Qt::NoPen);
                painter->setBrush(QColor(0, 0, 0, 120));
                painter->drawRoundedRect(pill, pill.height() / 2, pill.height() / 2);
                painter->setFont(small);
                painter->setPen(Qt::white);
                painter->drawText(pill, Qt::AlignCenter, length);
            }
            if (status.progress >= 0) {
                progressRing(circle, status.progress);
            } else if (piece.kind == AttachmentMedia::Kind::Video) {
                painter->setPen(Qt::NoPen);
                painter->setBrush(QColor(0, 0, 0, 120));
                painter->drawEllipse(circle);
                painter->setBrush(Qt::white);
                const QPointF c = circle.center();
                const qreal s = d * 0.22;
                painter->drawPolygon(QPolygonF{c + QPointF(-s * 0.7, -s), c + QPointF(s * 1.1, 0),
                                               c + QPointF(-s * 0.7, s)});
            }
            continue;
        }
        // A file card: a round icon (download, progress, or the file), name, size.
        const QRect card = piece.rect;
        const QRectF icon(card.left() + 4, card.top() + (card.height() - 40) / 2.0, 40, 40);
        if (status.progress >= 0) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(theme::accent());
            painter->drawEllipse(icon);
            progressRing(icon, status.progress);
        } else {
            painter->setPen(Qt::NoPen);
            painter->setBrush(theme::accent());
            painter->drawEllipse(icon);
            painter->setPen(QPen(Qt::white, 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            painter->setBrush(Qt::NoBrush);
            const QPointF c = icon.center();
            if (status.path.isEmpty()) { // an arrow down: click to download
                painter->drawLine(c + QPointF(0, -9), c + QPointF(0, 8));
                painter->drawPolyline(
                    QPolygonF{c + QPointF(-6, 2), c + QPointF(0, 8), c + QPointF(6, 2)});
            } else { // a page: it is here, click to open
                QPainterPath page;
                page.moveTo(c + QPointF(-6, -9));
                page.lineTo(c + QPointF(3, -9));
                page.lineTo(c + QPointF(7, -5));
                page.lineTo(c + QPointF(7, 9));
                page.lineTo(c + QPointF(-6, 9));
                page.closeSubpath();
                painter->drawPath(page);
            }
        }
        const int textLeft = int(icon.right()) + 10;
        const QRect nameRect(textLeft, card.top() + 6, card.right() - textLeft, metrics.height());
        QFont bold = font;
        bold.setWeight(QFont::DemiBold);
        painter->setFont(bold);
        painter->setPen(theme::bubbleText());
        painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(attachment.value(u"name"_s).toString(),
                                                        Qt::ElideMiddle, nameRect.width()));
        const qint64 size = attachment.value(u"size"_s).toLongLong();
        QString detail = media::sizeText(size);
        if (status.progress >= 0)
            detail = tr("%1 of %2").arg(media::sizeText(qint64(size * status.progress)), detail);
        else if (!status.error.isEmpty())
            detail = tr("Download failed: %1").arg(status.error);
        painter->setFont(font);
        painter->setPen(status.error.isEmpty() ? theme::secondaryText() : theme::danger());
        painter->drawText(
            QRect(textLeft, nameRect.bottom() + 3, nameRect.width(), metrics.height()),
            Qt::AlignLeft | Qt::AlignVCenter,
            metrics.elidedText(detail, Qt::ElideRight, nameRect.width()));
    }
}

int MessageDelegate::attachmentAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                  const QPoint &position) const
{
    const Layout l = layout(option, index);
    for (const auto &piece : l.pieces) {
        if (piece.rect.contains(position))
            return piece.index;
    }
    return -1;
}

MessageDelegate::ChangeAction MessageDelegate::changeActionAt(const QStyleOptionViewItem &option,
                                                              const QModelIndex &index,
                                                              const QPoint &position) const
{
    const Layout l = layout(option, index);
    if (l.retry.contains(position))
        return ChangeAction::Retry;
    if (l.discard.contains(position))
        return ChangeAction::Discard;
    return ChangeAction::None;
}

bool MessageDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                                const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (!event || !view || event->type() != QEvent::ToolTip || !index.isValid())
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    const Layout l = layout(option, index);
    const bool onNote = !l.retry.isNull() && l.note.united(l.discard).contains(event->pos());
    if (l.system || (!l.bubble.contains(event->pos()) && !onNote)) {
        QToolTip::hideText();
        return true;
    }
    QStringList lines;
    lines.append(QLocale().toString(index.data(Model::TimeRole).toDateTime().toLocalTime(),
                                    QLocale::LongFormat));
    if (l.own)
        lines.append(receiptText(index, m_group));
    if (!l.noteText.isEmpty())
        lines.append(l.noteText);
    QToolTip::showText(event->globalPos(), lines.join(u'\n'), view->viewport(),
                       onNote ? l.note.united(l.discard) : l.bubble);
    return true;
}

} // namespace tidings::app
