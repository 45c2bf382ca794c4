#include "ui/conversation_delegate.h"

#include "models/conversation_list_model.h"
#include "ui/theme.h"

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

namespace tidings::app {

using namespace Qt::StringLiterals;

void paintAvatar(QPainter *painter, const QRectF &rect, const QString &initials,
                 const QColor &color)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawEllipse(rect);
    QFont font = painter->font();
    font.setPixelSize(std::max(8, int(rect.height() * 0.38)));
    font.setWeight(QFont::DemiBold);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(rect, Qt::AlignCenter, initials);
    painter->restore();
}

QString ConversationDelegate::shortTime(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    const QDate today = QDate::currentDate();
    const QLocale locale;
    if (local.date() == today)
        return theme::clockTime(local.time());
    if (local.date().daysTo(today) < 7)
        return locale.dayName(local.date().dayOfWeek(), QLocale::ShortFormat);
    return locale.toString(local.date(), QLocale::ShortFormat);
}

QString ConversationDelegate::typingLine(const QStringList &names)
{
    if (names.isEmpty())
        return {};
    if (names.size() == 1)
        return tr("%1 is typing…").arg(names.first());
    if (names.size() == 2)
        return tr("%1 and %2 are typing…").arg(names.at(0), names.at(1));
    return tr("%1 and %n others are typing…", nullptr, int(names.size()) - 1).arg(names.first());
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const
{
    Q_UNUSED(index);
    const int line = option.fontMetrics.height();
    return {240, std::max(56, line * 2 + 22)};
}

void ConversationDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    using Model = ConversationListModel;
    painter->save();
    const QRect rect = option.rect;
    const bool selected = option.state & QStyle::State_Selected;
    const bool hovered = option.state & QStyle::State_MouseOver;
    const QPalette &palette = option.palette;
    if (selected)
        painter->fillRect(rect, palette.color(QPalette::Highlight));
    else if (hovered)
        painter->fillRect(rect, palette.color(QPalette::AlternateBase));

    const int margin = 8;
    const int avatarSize = rect.height() - 2 * margin;
    const QRectF avatar(rect.left() + margin + 2, rect.top() + margin, avatarSize, avatarSize);
    paintAvatar(painter, avatar, index.data(Model::InitialsRole).toString(),
                theme::avatarColor(index.data(Model::AvatarKeyRole).toLongLong()));
    if (index.data(Model::OnlineRole).toBool()) {
        const qreal dot = avatarSize * 0.28;
        const QRectF dotRect(avatar.right() - dot, avatar.bottom() - dot, dot, dot);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(
            QPen(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Base), 2));
        painter->setBrush(theme::online());
        painter->drawEllipse(dotRect);
    }

    const QColor text
        = selected ? palette.color(QPalette::HighlightedText) : palette.color(QPalette::Text);
    const QColor secondary
        = selected ? palette.color(QPalette::HighlightedText) : theme::secondaryText();
    const int left = int(avatar.right()) + 10;
    const int right = rect.right() - margin - 2;
    const QFontMetrics metrics = option.fontMetrics;
    const int top = rect.top() + (rect.height() - 2 * metrics.height() - 4) / 2;

    // First line: name and time.
    QFont bold = option.font;
    bold.setWeight(QFont::DemiBold);
    const QString time = shortTime(index.data(Model::LastActivityRole).toDateTime());
    painter->setFont(option.font);
    painter->setPen(secondary);
    const int timeWidth = metrics.horizontalAdvance(time);
    painter->drawText(QRect(right - timeWidth, top, timeWidth, metrics.height()),
                      Qt::AlignRight | Qt::AlignVCenter, time);
    painter->setFont(bold);
    painter->setPen(text);
    const QFontMetrics boldMetrics(bold);
    const QRect titleRect(left, top, right - timeWidth - 8 - left, metrics.height());
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter,
                      boldMetrics.elidedText(index.data(Model::TitleRole).toString(),
                                             Qt::ElideRight, titleRect.width()));

    // Second line: typing, draft or the last message; the unread badge on the right.
    const int secondTop = top + metrics.height() + 4;
    int previewRight = right;
    const int unread = index.data(Model::UnreadRole).toInt();
    if (unread > 0) {
        const QString count = unread > 999 ? u"999+"_s : QString::number(unread);
        QFont badgeFont = option.font;
        badgeFont.setWeight(QFont::DemiBold);
        badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.85);
        const QFontMetrics badgeMetrics(badgeFont);
        const int height = metrics.height();
        const int width = std::max(height, badgeMetrics.horizontalAdvance(count) + 12);
        const QRectF badge(right - width, secondTop, width, height);
        const bool muted = m_muted.contains(index.data(Model::IdRole).toLongLong());
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(selected ? palette.color(QPalette::HighlightedText)
                                   : (muted ? theme::secondaryText() : theme::accent()));
        painter->drawRoundedRect(badge, height / 2.0, height / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(selected ? palette.color(QPalette::Highlight) : QColor(Qt::white));
        painter->drawText(badge, Qt::AlignCenter, count);
        previewRight = int(badge.left()) - 8;
    }
    const QStringList typing = index.data(Model::TypingRole).toStringList();
    const QString draft = index.data(Model::DraftRole).toString();
    QString preview;
    QString prefix;
    QColor previewColor = secondary;
    if (!typing.isEmpty()) {
        const bool group = index.data(Model::KindRole).toString() == u"group";
        preview = group ? typingLine(typing) : tr("typing…");
        if (!selected)
            previewColor = theme::accent();
    } else if (!draft.isEmpty() && !selected) {
        prefix = tr("Draft:") + u' ';
        preview = draft;
    } else {
        preview = index.data(Model::PreviewRole).toString();
    }
    preview.replace(u'\n', u' ');
    const QRect previewRect(left, secondTop, previewRight - left, metrics.height());
    painter->setFont(option.font);
    int prefixWidth = 0;
    if (!prefix.isEmpty()) {
        painter->setPen(theme::danger());
        prefixWidth = metrics.horizontalAdvance(prefix);
        painter->drawText(previewRect, Qt::AlignLeft | Qt::AlignVCenter, prefix);
    }
    painter->setPen(previewColor);
    painter->drawText(
        previewRect.adjusted(prefixWidth, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(preview, Qt::ElideRight, previewRect.width() - prefixWidth));
    painter->restore();
}

} // namespace tidings::app
