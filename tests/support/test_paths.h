#pragma once

#include <QString>

namespace tidings::test {

/// The tidings-relay binary of this build (TIDINGS_RELAY_BINARY, set by CTest).
QString relayBinary();
/// The tidings app binary (TIDINGS_APP_BINARY) and tidings-bench (TIDINGS_BENCH_BINARY).
QString appBinary();
QString benchBinary();

/// A directory under the build tree for what a test leaves for people to look at
/// (screenshots, logs): TIDINGS_TEST_OUTPUT_DIR, created on first use.
QString testOutputDirectory();

} // namespace tidings::test
