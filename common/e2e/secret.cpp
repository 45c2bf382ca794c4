#include "e2e/secret.h"

#include "crypto/sodium.h"

#include <sodium.h>

namespace tidings::e2e {

namespace detail {

void wipe(void *data, std::size_t size)
{
    sodium_memzero(data, size);
}

bool constantTimeEqual(const void *a, const void *b, std::size_t size)
{
    crypto::ensureSodium();
    return sodium_memcmp(a, b, size) == 0;
}

void fillRandom(void *data, std::size_t size)
{
    crypto::ensureSodium();
    randombytes_buf(data, size);
}

bool isAllZero(const void *data, std::size_t size)
{
    return sodium_is_zero(static_cast<const unsigned char *>(data), size) == 1;
}

} // namespace detail

void wipe(QByteArray &bytes)
{
    if (!bytes.isEmpty())
        sodium_memzero(bytes.data(), static_cast<std::size_t>(bytes.size()));
    bytes.clear();
}

} // namespace tidings::e2e
