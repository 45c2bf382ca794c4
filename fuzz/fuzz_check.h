#pragma once

#include <cstdio>
#include <cstdlib>

/// What every fuzz target checks besides "no crash, no leak, no undefined behaviour": the
/// decoder's promises (sizes within their limits, a reason with every refusal). A broken
/// promise aborts, so libFuzzer keeps the input and the replay test fails on it.
#define FUZZ_CHECK(condition)                                                                      \
    ((condition) ? void() : tidings::fuzz::checkFailed(#condition, __FILE__, __LINE__))

namespace tidings::fuzz {

[[noreturn]] inline void checkFailed(const char *condition, const char *file, int line)
{
    std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", file, line, condition);
    std::abort();
}

} // namespace tidings::fuzz
