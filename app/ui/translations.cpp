#include "ui/translations.h"

#include "ui/settings_keys.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace tidings::app {

using namespace Qt::StringLiterals;

QLocale chosenLocale(const QSettings &settings)
{
    const QString language = settings.value(settings::kLanguage).toString();
    return language.isEmpty() ? QLocale() : QLocale(language);
}

bool installTranslations(QCoreApplication &application, const QLocale &locale)
{
    auto *qtTranslator = new QTranslator(&application);
    if (qtTranslator->load(locale, u"qtbase"_s, u"_"_s,
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qtTranslator);
    } else {
        delete qtTranslator;
    }

    auto *translator = new QTranslator(&application);
    if (translator->load(locale, u"tidings"_s, u"_"_s, u":/i18n"_s)) {
        QCoreApplication::installTranslator(translator);
        return true;
    }
    // A language Tidings does not speak: English, whose translation holds the plural forms.
    if (translator->load(u"tidings_en"_s, u":/i18n"_s)) {
        QCoreApplication::installTranslator(translator);
        return false;
    }
    delete translator;
    return false;
}

} // namespace tidings::app
