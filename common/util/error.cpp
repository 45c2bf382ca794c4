#include "util/error.h"

#include <array>
#include <utility>

namespace tidings {

namespace {

using namespace Qt::StringLiterals;

constexpr std::array kNames = {
    std::pair{ErrorCode::BadRequest, "bad_request"},
    std::pair{ErrorCode::Unauthorized, "unauthorized"},
    std::pair{ErrorCode::Forbidden, "forbidden"},
    std::pair{ErrorCode::NotFound, "not_found"},
    std::pair{ErrorCode::Conflict, "conflict"},
    std::pair{ErrorCode::TooLarge, "too_large"},
    std::pair{ErrorCode::RateLimited, "rate_limited"},
    std::pair{ErrorCode::Unavailable, "unavailable"},
    std::pair{ErrorCode::Unsupported, "unsupported"},
    std::pair{ErrorCode::Internal, "internal"},
    std::pair{ErrorCode::Io, "io_error"},
    std::pair{ErrorCode::Corrupt, "corrupt"},
    std::pair{ErrorCode::Incompatible, "incompatible"},
    std::pair{ErrorCode::EncryptionRequired, "encryption_required"},
};

} // namespace

QString errorCodeName(ErrorCode code)
{
    for (const auto &[value, name] : kNames) {
        if (value == code)
            return QString::fromLatin1(name);
    }
    Q_UNREACHABLE();
    return u"internal"_s;
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (const auto &[value, text] : kNames) {
        if (name == QLatin1StringView(text))
            return value;
    }
    return std::nullopt;
}

} // namespace tidings
