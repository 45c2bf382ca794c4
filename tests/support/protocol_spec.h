#pragma once

// For the data-driven tests of common/protocol/messages: the types docs/protocol.md names
// under a heading, and the check of one row's outcome (decoded, or refused naming fields).

#include "util/error.h"

#include <QRegularExpression>
#include <QSet>
#include <QStringList>
#include <QtTest>

#include <optional>

namespace tidings::test {

/// The "### `name`" headings of docs/protocol.md from the heading `from` to the next "## ",
/// or to the next line starting with `until` before it when `until` is given.
inline QSet<QString> headings(const QString &spec, const QString &from, const QString &until = {})
{
    const qsizetype start = spec.indexOf(QLatin1Char('\n') + from);
    if (start < 0)
        return {};
    qsizetype end = spec.indexOf(QStringLiteral("\n## "), start + 1);
    if (end < 0)
        end = spec.size();
    if (!until.isEmpty()) {
        const qsizetype next = spec.indexOf(QLatin1Char('\n') + until, start + 1);
        if (next >= 0 && next < end)
            end = next;
    }
    static const QRegularExpression heading(QStringLiteral("\\n### `([a-z0-9_.]+)`"));
    QSet<QString> names;
    auto matches = heading.globalMatch(spec.mid(start, end - start));
    while (matches.hasNext())
        names.insert(matches.next().captured(1));
    return names;
}

inline QSet<QString> setOf(const QStringList &list)
{
    return QSet<QString>(list.begin(), list.end());
}

/// Checks a row's outcome: decoded (no code) or refused with `code`, naming every field of
/// the comma-separated `names`.
inline void expectOutcome(const std::optional<Error> &error, const QString &code,
                          const QString &names)
{
    if (code.isEmpty()) {
        QVERIFY2(!error, qPrintable(error ? error->message : QString()));
        return;
    }
    QVERIFY2(error, "decoded what it must refuse");
    QCOMPARE(errorCodeName(error->code), code);
    for (const QString &name : names.split(QLatin1Char(','))) {
        QVERIFY2(error->message.contains(QLatin1Char('\'') + name + QLatin1Char('\'')),
                 qPrintable(name + QStringLiteral(" not named in: ") + error->message));
    }
}

} // namespace tidings::test
