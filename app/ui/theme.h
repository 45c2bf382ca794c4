#pragma once

#include <QColor>
#include <QIcon>
#include <QString>
#include <QTime>

class QApplication;

namespace tidings::app {

/// The app's colours and how it looks: light, dark or the system's, on the Fusion style
/// (the same on every platform, and it follows the palette it is given).
namespace theme {

enum class Mode { System, Light, Dark };

Mode modeFromName(const QString &name);
QString nameOf(Mode mode);
/// Applies `mode` and the base font size (points; 0 keeps the system's) to the app.
void apply(QApplication &application, Mode mode, int fontPointSize);
/// The palette in use is dark.
bool isDark();

/// A colour for avatars and sender names, picked from a fixed set by `key` (a user or
/// group id), so a person has one colour everywhere.
QColor avatarColor(qint64 key);
QColor accent();
QColor ownBubble();
QColor otherBubble();
QColor bubbleText();
/// Behind date pills and event lines.
QColor pillBackground();
QColor secondaryText();
/// The time and ticks of one's own message, on theme::ownBubble().
QColor ownMetaText();
/// The ticks of a read message: a colour of its own, never the time's.
QColor readTicks();
QColor online();
QColor danger();
QColor banner();
/// Behind the message bubbles.
QColor chatBackground();

/// A time of day as chat apps show it: the locale's short format, without seconds ("14:05",
/// "2:05 PM"); some locales' short format carries seconds.
QString clockTime(const QTime &time);
/// A small monochrome icon drawn for the app (no icon theme needed): "info", "compose",
/// "menu", "down", "attach", "lock" (end-to-end encrypted), "verified" (a lock with a tick).
QIcon icon(const QString &name, const QColor &color);

} // namespace theme

} // namespace tidings::app
