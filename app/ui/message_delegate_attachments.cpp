// MessageDelegate: the attachments of a message, above its text: pictures and videos
// inline (with a progress ring, a play button, the length), other files as cards.
#include "ui/message_delegate.h"

#include "models/message_list_model.h"
#include "ui/media_files.h"
#include "ui/message_delegate_p.h"
#include "ui/theme.h"

#include <QPainter>
#include <QPainterPath>
#include <QTime>

namespace tidings::app {

using namespace Qt::StringLiterals;
using Model = MessageListModel;

int MessageDelegate::layoutAttachments(Layout &result, const QModelIndex &index, int maxText,
                                       int line, int y) const
{
    const auto attachments = index.data(Model::AttachmentsRole).value<QList<MessageAttachment>>();
    const int mediaWidth = std::min(maxText, line * 20);
    for (int i = 0; i < attachments.size(); ++i) {
        const MessageAttachment &attachment = attachments.at(i);
        const auto shape = AttachmentMedia::kindOf(attachment);
        QSize size;
        if (shape == AttachmentMedia::Kind::File) {
            size = QSize(std::min(maxText, line * 18), 2 * line + 16);
        } else {
            QSize natural(attachment.file.width, attachment.file.height);
            if (natural.isEmpty())
                natural = QSize(16, 9);
            size = natural.scaled(mediaWidth, line * 22, Qt::KeepAspectRatio)
                       .expandedTo(QSize(std::min(mediaWidth, line * 6), line * 4));
            size = size.boundedTo(QSize(mediaWidth, line * 22));
        }
        result.pieces.append({QRect(0, y, size.width(), size.height()), i, shape});
        y += size.height() + 4;
    }
    return y;
}

void MessageDelegate::paintAttachments(QPainter *painter, const Layout &layout,
                                       const QModelIndex &index, const QFont &font) const
{
    if (layout.pieces.isEmpty())
        return;
    const auto attachments = index.data(Model::AttachmentsRole).value<QList<MessageAttachment>>();
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
        const MessageAttachment attachment = attachments.value(piece.index);
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
            if (const qint64 duration = attachment.file.durationMs;
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
        painter->drawText(
            nameRect, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(bold).elidedText(attachment.file.name, Qt::ElideMiddle, nameRect.width()));
        const qint64 size = attachment.file.size;
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

} // namespace tidings::app
