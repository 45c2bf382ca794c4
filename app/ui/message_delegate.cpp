#include "ui/message_delegate.h"

#include "models/message_list_model.h"
#include "ui/message_delegate_p.h"
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

namespace message_painting {

TextSize measure(const QString &text, const QFont &font, qreal width, QTextLayout *out)
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

} // namespace message_painting

using message_painting::kSide;
using message_painting::measure;
using message_painting::TextSize;

namespace {

constexpr int kPadX = 10; ///< inside a bubble
constexpr int kPadY = 6;
constexpr int kTicksWidth = 18;
constexpr int kLinkIcon = 14; ///< the lock before "Verify safety number"
/// Messages of one sender closer than this are one run.
constexpr qint64 kGroupGapMs = 5 * 60 * 1000;

bool sameDay(const QModelIndex &a, const QModelIndex &b)
{
    return a.data(Model::TimeRole).toDateTime().toLocalTime().date()
        == b.data(Model::TimeRole).toDateTime().toLocalTime().date();
}

} // namespace

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
    if (startsEncryption(index)) {
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.82);
        result.encryptedFromText = tr("Messages above were not end-to-end encrypted. New "
                                      "messages are.");
        const QRect bounds = QFontMetrics(small).boundingRect(
            QRect(0, 0, std::max(40, width - 4 * kSide), 10000), Qt::TextWordWrap | Qt::AlignCenter,
            result.encryptedFromText);
        result.encryptedFrom = QRect(option.rect.left(), y + 6, width, bounds.height() + 8);
        y += bounds.height() + 18;
    }
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
        int pillWidth = bounds.width();
        int pillHeight = bounds.height();
        if (kind == u"key_changed") {
            // Under the sentence, a link to compare the new number: a lock, then the words.
            result.verifyText = tr("Verify safety number");
            QFont bold = small;
            bold.setWeight(QFont::DemiBold);
            const int linkWidth
                = kLinkIcon + 4 + QFontMetrics(bold).horizontalAdvance(result.verifyText);
            pillWidth = std::max(pillWidth, linkWidth);
            result.verify = QRect(option.rect.left() + (width - linkWidth) / 2,
                                  y + 6 + 4 + pillHeight + 2, linkWidth, smallMetrics.height());
            pillHeight += smallMetrics.height() + 2;
        }
        result.systemRect = QRect(option.rect.left() + (width - pillWidth) / 2 - 10, y + 6,
                                  pillWidth + 20, pillHeight + 8);
        result.height = result.systemRect.bottom() + 6 - option.rect.top();
        return result;
    }

    result.own = index.data(Model::IsOwnRole).toBool();
    const qint64 sender = index.data(Model::SenderIdRole).toLongLong();
    bool continues = false;
    if (previous.isValid() && result.day.isNull() && result.divider.isNull()
        && result.encryptedFrom.isNull() && previous.data(Model::KindRole).toString() == u"message"
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
        y = layoutAttachments(result, index, maxText, line, y);
        for (const auto &piece : std::as_const(result.pieces))
            contentWidth = std::max(contentWidth, piece.rect.width());
    }
    const QString sealing = index.data(Model::EncryptionRole).toString();
    result.unreadable = !result.deleted && (sealing == u"waiting" || sealing == u"failed");
    if (result.deleted)
        result.body = tr("Message deleted");
    else if (sealing == u"waiting")
        result.body = tr("Waiting for this message's key…");
    else if (sealing == u"failed")
        result.body = tr("This message could not be decrypted.");
    else
        result.body = index.data(Model::TextRole).toString();
    // QTextLayout breaks lines only at U+2028; a typed Shift+Enter is '\n'.
    result.body.replace(u'\n', QChar::LineSeparator);
    QFont textFont = option.font;
    textFont.setItalic(result.deleted || result.unreadable);
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

bool MessageDelegate::startsEncryption(const QModelIndex &index) const
{
    if (m_encryptedFromSeq <= 0 || index.data(Model::SeqRole).toLongLong() != m_encryptedFromSeq)
        return false;
    for (QModelIndex above = index.siblingAtRow(index.row() - 1); above.isValid();
         above = above.siblingAtRow(above.row() - 1)) {
        if (above.data(Model::KindRole).toString() == u"message"
            && above.data(Model::EncryptionRole).toString().isEmpty())
            return true;
    }
    return false;
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
            [this](const QModelIndex &, int first, int last) {
                forgetRow(last + 1);
                // Older messages came above: the first encrypted one may now start a line.
                if (first == 0 && m_encryptedFromSeq > 0 && m_watched) {
                    for (int row = last + 1; row < m_watched->rowCount(); ++row) {
                        if (m_watched->index(row, 0).data(Model::SeqRole).toLongLong()
                            == m_encryptedFromSeq) {
                            forgetRow(row);
                            break;
                        }
                    }
                }
            });
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
                                 const QColor &color)
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
        // Read must be unmistakable: its own colour and a bolder stroke, not a shade of the
        // time's colour (in the light theme both were green).
        const bool read = ticks == Model::State::Read;
        painter->setPen(QPen(read ? theme::readTicks() : color, read ? 1.9 : 1.5, Qt::SolidLine,
                             Qt::RoundCap, Qt::RoundJoin));
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
    if (!l.encryptedFrom.isNull()) {
        const QFontMetrics smallMetrics(small);
        const QRect inner
            = l.encryptedFrom.adjusted(2 * kSide, 4, -2 * kSide, -4); // where the text wraps
        const QRect bounds = smallMetrics.boundingRect(inner, Qt::TextWordWrap | Qt::AlignCenter,
                                                       l.encryptedFromText);
        painter->setPen(Qt::NoPen);
        painter->setBrush(theme::pillBackground());
        painter->drawRoundedRect(QRectF(bounds).adjusted(-10, -4, 10, 4), 10, 10);
        painter->setFont(small);
        painter->setPen(theme::secondaryText());
        painter->drawText(inner, Qt::TextWordWrap | Qt::AlignCenter, l.encryptedFromText);
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
        QRect textRect = l.systemRect.adjusted(10, 4, -10, -4);
        if (!l.verify.isNull())
            textRect.setBottom(l.verify.top() - 2);
        painter->drawText(textRect, Qt::TextWordWrap | Qt::AlignCenter, l.systemText);
        if (!l.verify.isNull()) {
            const QRect icon(l.verify.left(), l.verify.center().y() - kLinkIcon / 2, kLinkIcon,
                             kLinkIcon);
            theme::icon(u"lock"_s, theme::accent()).paint(painter, icon);
            QFont link = font;
            link.setWeight(QFont::DemiBold);
            painter->setFont(link);
            painter->setPen(theme::accent());
            painter->drawText(l.verify.adjusted(kLinkIcon + 4, 0, 0, 0),
                              Qt::AlignLeft | Qt::AlignVCenter, l.verifyText);
        }
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
    textFont.setItalic(l.deleted || l.unreadable);
    QTextLayout text;
    measure(l.body, textFont, l.bubble.width() - 2 * kPadX, &text);
    painter->setPen(l.deleted || l.unreadable ? theme::secondaryText() : theme::bubbleText());
    text.draw(painter, l.text.topLeft());

    painter->setFont(small);
    const QColor metaColor = l.own ? theme::ownMetaText() : theme::secondaryText();
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

bool MessageDelegate::keyChangeAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                  const QPoint &position) const
{
    const Layout l = layout(option, index);
    return !l.verify.isNull() && l.systemRect.contains(position);
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
