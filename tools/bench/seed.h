#pragma once

#include <QJsonObject>
#include <QString>

namespace tidings::bench {

struct SeedOptions
{
    QString dataDirectory; ///< the relay's --data-dir (its tidings.db), relay stopped
    qint64 messages = 1000000; ///< added in all, spread evenly over the conversations
};

/// Fills a relay's SQLite store with history fast, for the `history` scenario: `messages`
/// message events spread over the direct conversations that already exist (made by a
/// `throughput` run), appended after what each has, in large transactions with
/// synchronous=OFF. Writes the relay's schema directly — version 3 — and refuses any other.
/// Returns the JSON report; "errors" is non-zero on failure, with "error" saying why.
QJsonObject seedHistory(const SeedOptions &options);

} // namespace tidings::bench
