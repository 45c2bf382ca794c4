#pragma once

#include <QString>

/// The app's settings (QSettings keys), in one place.
namespace tidings::app::settings {

inline const QString kTheme = QStringLiteral("appearance/theme"); ///< system, light, dark
inline const QString kFontSize = QStringLiteral("appearance/fontSize"); ///< points; 0: system
inline const QString kLanguage = QStringLiteral("appearance/language"); ///< "": system; de, es, en
inline const QString kNotify = QStringLiteral("notifications/enabled");
inline const QString kSound = QStringLiteral("notifications/sound");
inline const QString kMuted = QStringLiteral("notifications/muted"); ///< conversation ids
inline const QString kShareReadReceipts = QStringLiteral("privacy/readReceipts");
/// Encrypt end to end (ChatClient::setEndToEnd); applied when the app next starts. Off
/// unless chosen, or unless the relay requires it (then the setting does not matter).
inline const QString kEndToEnd = QStringLiteral("privacy/endToEnd");
inline const QString kCacheLimitMiB = QStringLiteral("storage/cacheLimitMiB"); ///< downloads kept
inline constexpr int kDefaultCacheLimitMiB = 2048;
inline const QString kGeometry = QStringLiteral("window/geometry");

} // namespace tidings::app::settings
