#pragma once

#include <QString>

#include <optional>

namespace tidings {

/// Stable, machine-readable error codes. Their wire names (errorCodeName) are part of the
/// protocol and never change once released; add new codes at the end.
enum class ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    RateLimited,
    Unavailable,
    Unsupported,
    Internal,
    Io,
    Corrupt,
    Incompatible,
    /// Plaintext where the relay or the conversation takes only end-to-end encrypted content.
    EncryptionRequired,
};

/// The wire name of a code, e.g. "bad_request".
QString errorCodeName(ErrorCode code);

/// The code for a wire name, or nothing for a name this build does not know.
std::optional<ErrorCode> errorCodeFromName(QStringView name);

/// An error as a value: a stable code plus a human sentence saying what went wrong.
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;

    friend bool operator==(const Error &, const Error &) = default;
};

} // namespace tidings
