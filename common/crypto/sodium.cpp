#include "crypto/sodium.h"

#include <QtGlobal>

#include <mutex>

#include <sodium.h>

namespace tidings::crypto {

void ensureSodium()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0)
            qFatal("libsodium could not be initialised");
    });
}

} // namespace tidings::crypto
