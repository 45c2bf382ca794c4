#include "ui/theme.h"

#include <QApplication>
#include <QFont>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QRegularExpression>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleHints>

namespace tidings::app::theme {

using namespace Qt::StringLiterals;

namespace {

QPalette g_systemPalette;
bool g_systemPaletteKnown = false;

QPalette darkPalette()
{
    QPalette palette;
    const QColor window(0x17, 0x21, 0x2b);
    const QColor base(0x0e, 0x16, 0x21);
    const QColor text(0xe9, 0xed, 0xf1);
    const QColor disabled(0x6c, 0x78, 0x83);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, window);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabled);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(0x24, 0x2f, 0x3d));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::white);
    palette.setColor(QPalette::Highlight, QColor(0x2b, 0x52, 0x78));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x6a, 0xb3, 0xf3));
    palette.setColor(QPalette::Mid, QColor(0x2a, 0x35, 0x43));
    palette.setColor(QPalette::Dark, QColor(0x0b, 0x11, 0x19));
    palette.setColor(QPalette::Light, QColor(0x30, 0x3d, 0x4c));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    return palette;
}

QPalette lightPalette()
{
    QPalette palette = QApplication::style()->standardPalette();
    palette.setColor(QPalette::Highlight, QColor(0x41, 0x9f, 0xd9));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xf1, 0xf3, 0xf5));
    return palette;
}

} // namespace

Mode modeFromName(const QString &name)
{
    if (name == u"light")
        return Mode::Light;
    if (name == u"dark")
        return Mode::Dark;
    return Mode::System;
}

QString nameOf(Mode mode)
{
    switch (mode) {
    case Mode::Light:
        return u"light"_s;
    case Mode::Dark:
        return u"dark"_s;
    case Mode::System:
        break;
    }
    return u"system"_s;
}

void apply(QApplication &application, Mode mode, int fontPointSize)
{
    if (!g_systemPaletteKnown) {
        g_systemPalette = QApplication::palette();
        g_systemPaletteKnown = true;
    }
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    switch (mode) {
    case Mode::Light:
        QApplication::setPalette(lightPalette());
        break;
    case Mode::Dark:
        QApplication::setPalette(darkPalette());
        break;
    case Mode::System: {
        // The system's palette, unless the system says it is dark and its palette is not
        // (Fusion on some desktops): then ours.
        bool systemDark = g_systemPalette.color(QPalette::Window).lightness() < 128;
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
        systemDark
            = systemDark || QGuiApplication::styleHints()->colorScheme() == Qt::ColorScheme::Dark;
#endif
        QApplication::setPalette(systemDark ? darkPalette() : g_systemPalette);
        break;
    }
    }
    QFont font = QApplication::font();
    if (fontPointSize > 0)
        font.setPointSize(fontPointSize);
    application.setFont(font);
}

bool isDark()
{
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

QColor avatarColor(qint64 key)
{
    static const QColor colors[] = {
        QColor(0xe1, 0x71, 0x76), QColor(0xf0, 0x9a, 0x5c), QColor(0xa6, 0x95, 0xe7),
        QColor(0x7b, 0xc8, 0x62), QColor(0x6e, 0xc9, 0xcb), QColor(0x65, 0xaa, 0xdd),
        QColor(0xee, 0x7a, 0xae), QColor(0xd4, 0xa5, 0x4a),
    };
    const auto index = static_cast<quint64>(key) % std::size(colors);
    return colors[index];
}

QColor accent()
{
    return isDark() ? QColor(0x5e, 0xb5, 0xf7) : QColor(0x3a, 0x8e, 0xd0);
}

QColor ownBubble()
{
    return isDark() ? QColor(0x2b, 0x52, 0x78) : QColor(0xef, 0xfd, 0xde);
}

QColor otherBubble()
{
    return isDark() ? QColor(0x18, 0x25, 0x33) : QColor(0xff, 0xff, 0xff);
}

QColor pillBackground()
{
    return isDark() ? QColor(0x24, 0x2f, 0x3d) : QColor(0xe4, 0xe9, 0xee);
}

QColor bubbleText()
{
    return isDark() ? QColor(0xf5, 0xf5, 0xf5) : QColor(0x0f, 0x0f, 0x0f);
}

QColor secondaryText()
{
    return isDark() ? QColor(0x8b, 0x9b, 0xab) : QColor(0x70, 0x7a, 0x84);
}

QColor ownMetaText()
{
    return isDark() ? secondaryText() : QColor(0x5f, 0xa8, 0x5e);
}

QColor readTicks()
{
    // Blue on the light theme's green bubble, bright sky blue on the dark theme's blue one:
    // far from the time's colour in both (tst_message_ticks).
    return isDark() ? QColor(0x7c, 0xd4, 0xff) : QColor(0x1e, 0x88, 0xe5);
}

QColor online()
{
    return QColor(0x4c, 0xc4, 0x5a);
}

QColor danger()
{
    return QColor(0xe5, 0x39, 0x35);
}

QString clockTime(const QTime &time)
{
    QString format = QLocale().timeFormat(QLocale::ShortFormat);
    static const QRegularExpression seconds(u"[:.]ss?"_s);
    format.remove(seconds);
    return QLocale().toString(time, format.trimmed());
}

QIcon icon(const QString &name, const QColor &color)
{
    QIcon result;
    for (const int size : {16, 24, 32, 48}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal s = size;
        QPen pen(color, std::max(1.4, s / 12), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
        painter.setPen(pen);
        if (name == u"info") {
            painter.drawEllipse(QRectF(s * 0.1, s * 0.1, s * 0.8, s * 0.8));
            painter.drawLine(QPointF(s / 2, s * 0.45), QPointF(s / 2, s * 0.7));
            painter.setBrush(color);
            painter.setPen(Qt::NoPen);
            painter.drawEllipse(QPointF(s / 2, s * 0.3), s * 0.06, s * 0.06);
        } else if (name == u"menu") {
            for (const qreal y : {0.28, 0.5, 0.72})
                painter.drawLine(QPointF(s * 0.2, s * y), QPointF(s * 0.8, s * y));
        } else if (name == u"compose") {
            QPainterPath pencil;
            pencil.moveTo(s * 0.22, s * 0.78);
            pencil.lineTo(s * 0.27, s * 0.6);
            pencil.lineTo(s * 0.68, s * 0.19);
            pencil.lineTo(s * 0.81, s * 0.32);
            pencil.lineTo(s * 0.4, s * 0.73);
            pencil.closeSubpath();
            painter.drawPath(pencil);
        } else if (name == u"attach") {
            // A paperclip: two nested loops, open at the top.
            QPainterPath clip;
            clip.moveTo(s * 0.62, s * 0.3);
            clip.lineTo(s * 0.62, s * 0.68);
            clip.arcTo(QRectF(s * 0.36, s * 0.56, s * 0.26, s * 0.26), 0, -180);
            clip.lineTo(s * 0.36, s * 0.22);
            clip.arcTo(QRectF(s * 0.36, s * 0.1, s * 0.36, s * 0.24), 180, -180);
            clip.lineTo(s * 0.72, s * 0.7);
            painter.drawPath(clip);
        } else if (name == u"lock" || name == u"verified") {
            // A padlock: the shackle, then the body filled; "verified" has a tick cut out of
            // the body.
            painter.drawArc(QRectF(s * 0.31, s * 0.1, s * 0.38, s * 0.44), 0, 180 * 16);
            painter.drawLine(QPointF(s * 0.31, s * 0.32), QPointF(s * 0.31, s * 0.46));
            painter.drawLine(QPointF(s * 0.69, s * 0.32), QPointF(s * 0.69, s * 0.46));
            painter.setBrush(color);
            painter.drawRoundedRect(QRectF(s * 0.2, s * 0.44, s * 0.6, s * 0.46), s * 0.08,
                                    s * 0.08);
            if (name == u"verified") {
                painter.setCompositionMode(QPainter::CompositionMode_Clear);
                painter.setBrush(Qt::NoBrush);
                QPainterPath tick;
                tick.moveTo(s * 0.36, s * 0.67);
                tick.lineTo(s * 0.46, s * 0.77);
                tick.lineTo(s * 0.65, s * 0.57);
                painter.drawPath(tick);
            }
        } else if (name == u"down") {
            painter.drawLine(QPointF(s * 0.5, s * 0.22), QPointF(s * 0.5, s * 0.76));
            painter.drawLine(QPointF(s * 0.26, s * 0.52), QPointF(s * 0.5, s * 0.76));
            painter.drawLine(QPointF(s * 0.74, s * 0.52), QPointF(s * 0.5, s * 0.76));
        }
        painter.end();
        result.addPixmap(pixmap);
    }
    return result;
}

QColor chatBackground()
{
    return isDark() ? QColor(0x0e, 0x16, 0x21) : QColor(0xdf, 0xe7, 0xee);
}

QColor banner()
{
    return isDark() ? QColor(0x5a, 0x45, 0x14) : QColor(0xff, 0xf3, 0xcd);
}

} // namespace tidings::app::theme
