#pragma once

namespace tidings::crypto {

/// Initialises libsodium once per process; safe to call from any thread, any number of
/// times. Every function in tidings::crypto calls it, so callers need not.
void ensureSodium();

} // namespace tidings::crypto
