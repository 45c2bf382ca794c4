#pragma once

class QCoreApplication;
class QLocale;
class QSettings;

namespace tidings::app {

/// Installs Qt's own and Tidings' translations for `locale` into `application`; where
/// Tidings has none for it, English (whose translation only holds the plural forms).
/// Returns whether a Tidings translation for `locale` was found.
bool installTranslations(QCoreApplication &application, const QLocale &locale);
/// The language the user chose in Settings ("appearance/language"), else the system's.
QLocale chosenLocale(const QSettings &settings);

} // namespace tidings::app
