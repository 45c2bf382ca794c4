#pragma once

#include "config/relay_config.h"

#include <QStringList>

#include <cstdio>

namespace tidings::relay {

/// What an admin command needs besides the relay's settings.
struct AdminInvocation
{
    QStringList words; ///< e.g. {"user", "add", "alice"}
    QString displayName; ///< --display-name
    bool passwordFromStdin
        = false; ///< --password-stdin: read the password from the first line of stdin
    QString targetStore; ///< --to: the store migrate-store copies into
};

/// Whether `word` starts an admin command ("user", "report", "migrate-store").
bool isAdminCommand(const QString &word);

/// Runs an admin command against the store in the configured data directory, while a relay
/// may be running on it (but for migrate-store, which needs the relay stopped). Prints results on
/// `out`, problems on `err`; returns the exit code (0 done, 1 failed, 2 usage).
int runAdminCommand(const AdminInvocation &invocation, const RelayConfig &config, FILE *in,
                    FILE *out, FILE *err);

/// The admin commands' usage text.
QString adminUsage();

} // namespace tidings::relay
