#pragma once

#include "util/result.h"

#include <QString>

namespace tidings::protocol {

/// Usernames: 3 to 32 characters of a–z, 0–9, '.', '_' and '-', starting with a letter or
/// digit. Case does not matter: returns the canonical (lower-case) form.
Result<QString> canonicalUsername(const QString &input);

/// Display names: 1 to 64 characters after trimming, no control characters.
Result<QString> validDisplayName(const QString &input);

/// Group titles: 1 to 128 characters after trimming, no control characters.
Result<QString> validTitle(const QString &input);

/// Passwords: 8 to 1024 bytes of UTF-8, not the username itself.
Result<void> checkPassword(const QString &password, const QString &username);

inline constexpr qsizetype kMinUsernameLength = 3;
inline constexpr qsizetype kMaxUsernameLength = 32;
inline constexpr qsizetype kMaxDisplayNameLength = 64;
inline constexpr qsizetype kMaxTitleLength = 128;
inline constexpr qsizetype kMinPasswordBytes = 8;
inline constexpr qsizetype kMaxPasswordBytes = 1024;

} // namespace tidings::protocol
