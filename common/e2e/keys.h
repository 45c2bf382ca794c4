#pragma once

// Every key type of end-to-end encryption, in one include: key pairs and sign/verify
// (key_pairs.h), device certificates, device lists and a device's own keys
// (device_keys.h), signed and one-time prekeys and the bundle others fetch (prekeys.h).

#include "e2e/device_keys.h"
#include "e2e/key_pairs.h"
#include "e2e/prekeys.h"
