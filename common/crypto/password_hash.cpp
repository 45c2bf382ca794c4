#include "crypto/password_hash.h"

#include "crypto/sodium.h"

#include <sodium.h>

namespace tidings::crypto {

using namespace Qt::StringLiterals;

PasswordHashCost PasswordHashCost::interactive()
{
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordHashCost PasswordHashCost::moderate()
{
    return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

PasswordHashCost PasswordHashCost::minimum()
{
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<QByteArray> hashPassword(const QString &password, const PasswordHashCost &cost)
{
    ensureSodium();
    const QByteArray utf8 = password.toUtf8();
    QByteArray out(crypto_pwhash_STRBYTES, '\0');
    if (crypto_pwhash_str(out.data(), utf8.constData(),
                          static_cast<unsigned long long>(utf8.size()), cost.operations,
                          cost.memoryBytes)
        != 0) {
        return Error{ErrorCode::Unavailable, u"out of memory while hashing a password"_s};
    }
    out.truncate(static_cast<qsizetype>(qstrnlen(out.constData(), out.size())));
    return out;
}

bool verifyPassword(const QByteArray &hash, const QString &password)
{
    ensureSodium();
    if (hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    QByteArray terminated = hash; // crypto_pwhash_str_verify reads a C string
    terminated.append('\0');
    const QByteArray utf8 = password.toUtf8();
    return crypto_pwhash_str_verify(terminated.constData(), utf8.constData(),
                                    static_cast<unsigned long long>(utf8.size()))
        == 0;
}

bool passwordHashNeedsRehash(const QByteArray &hash, const PasswordHashCost &cost)
{
    ensureSodium();
    if (hash.size() >= crypto_pwhash_STRBYTES)
        return true;
    QByteArray terminated = hash;
    terminated.append('\0');
    return crypto_pwhash_str_needs_rehash(terminated.constData(), cost.operations, cost.memoryBytes)
        != 0;
}

} // namespace tidings::crypto
