#pragma once

namespace tidings::relay {

enum class LogFormat;

/// Sets how log lines look on stderr: "time level category: message", or one JSON object
/// per line for log collectors. Debug output of tidings.* is off unless QT_LOGGING_RULES
/// turns it on.
void installLogOutput(LogFormat format);

} // namespace tidings::relay
