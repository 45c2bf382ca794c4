#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

namespace tidings::crypto {

/// Argon2id cost parameters (libsodium's crypto_pwhash). The defaults are libsodium's
/// "interactive" level: ~64 MiB and a few tens of milliseconds per hash.
struct PasswordHashCost
{
    quint64 operations;
    size_t memoryBytes;

    static PasswordHashCost interactive();
    /// libsodium's "moderate" level: ~256 MiB, for admins who want more margin.
    static PasswordHashCost moderate();
    /// The cheapest libsodium allows: for tests only, never for real passwords.
    static PasswordHashCost minimum();
};

/// Hashes `password` into a self-describing string ("$argon2id$v=19$m=…") that carries its
/// salt and parameters. CPU- and memory-heavy by design: call it off any event loop.
Result<QByteArray> hashPassword(const QString &password, const PasswordHashCost &cost);

/// Whether `password` matches `hash` (a string made by hashPassword). Constant-time in
/// what matters; as heavy as hashing.
bool verifyPassword(const QByteArray &hash, const QString &password);

/// Whether `hash` was made with other parameters than `cost` and should be replaced after
/// the next successful login.
bool passwordHashNeedsRehash(const QByteArray &hash, const PasswordHashCost &cost);

} // namespace tidings::crypto
