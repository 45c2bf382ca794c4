#include "models/initials.h"

#include <QStringList>

namespace tidings::app {

namespace {

/// The first whole character (a surrogate pair stays whole) that is a letter or digit.
QString firstCharacter(QStringView word)
{
    for (qsizetype i = 0; i < word.size(); ++i) {
        const char32_t code = word.at(i).isHighSurrogate() && i + 1 < word.size()
            ? QChar::surrogateToUcs4(word.at(i), word.at(i + 1))
            : word.at(i).unicode();
        if (QChar::isLetterOrNumber(code))
            return QString::fromUcs4(&code, 1).toUpper();
        if (QChar::requiresSurrogates(code))
            ++i;
    }
    return {};
}

} // namespace

QString initialsOf(const QString &name)
{
    QString initials;
    int letters = 0;
    const QStringList words = name.simplified().split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words) {
        const QString first = firstCharacter(word);
        if (first.isEmpty())
            continue;
        initials += first;
        if (++letters == 2)
            break;
    }
    return initials.isEmpty() ? QStringLiteral("?") : initials;
}

} // namespace tidings::app
