#pragma once

#include "util/result.h"

#include <QString>

#include <cstdio>

namespace tidings::relay {

/// What `tidings-relay migrate-store` is asked to do.
struct StoreMigrationOptions
{
    QString dataDirectory; ///< the embedded relay's, with tidings.db and media/
    QString targetStore; ///< postgresql://… (--to)
    QString targetMedia; ///< s3://… (the `media` setting); may be empty when there is none
    qint64 pieceBytes = 8 * 1024 * 1024; ///< the most sent to S3 in one request
};

/// Moves a stopped embedded relay into a cluster (docs/operations.md, "Moving an embedded
/// relay into a cluster"): its media blobs to S3, then every row of its SQLite store into
/// an empty PostgreSQL store in one transaction. The data directory is locked as a relay
/// locks it (so the relay cannot run meanwhile) and only read; a failure leaves the target
/// store without rows, so the command can simply be run again.
class StoreMigration
{
public:
    /// Progress and the summary go to `out`.
    StoreMigration(StoreMigrationOptions options, FILE *out);

    Result<void> run();

private:
    void say(const QString &line) const;

    StoreMigrationOptions m_options;
    FILE *m_out;
};

} // namespace tidings::relay
