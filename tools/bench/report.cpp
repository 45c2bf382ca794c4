#include "bench/report.h"

#include <QJsonDocument>

#include <cstdio>

namespace tidings::bench {

namespace {

void printRows(const QJsonObject &object, const QString &prefix)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? it.key() : prefix + u'.' + it.key();
        if (it.value().isObject()) {
            printRows(it.value().toObject(), key);
            continue;
        }
        const QString value = it.value().isDouble() ? QString::number(it.value().toDouble(), 'g', 8)
                                                    : it.value().toVariant().toString();
        std::fprintf(stderr, "  %-28s %s\n", qPrintable(key), qPrintable(value));
    }
}

} // namespace

void printReport(const QJsonObject &result)
{
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    printRows(result, QString());
}

} // namespace tidings::bench
