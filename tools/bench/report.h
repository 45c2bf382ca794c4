#pragma once

#include <QJsonObject>

namespace tidings::bench {

/// Prints a scenario's result twice: one JSON line on stdout (for scripts and
/// docs/benchmarks.md) and a readable table on stderr.
void printReport(const QJsonObject &result);

} // namespace tidings::bench
