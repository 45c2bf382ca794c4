#pragma once

class QCoreApplication;
class QLocale;

namespace tidings::app {

/// Installs Qt's own and Tidings' translations for `locale` into `application`; English
/// (the source language) needs none. Returns whether a Tidings translation was found.
bool installTranslations(QCoreApplication &application, const QLocale &locale);

} // namespace tidings::app
