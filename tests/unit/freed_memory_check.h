#pragma once

// Whether secrets are left behind in freed heap memory (the e2e tests): with
// AddressSanitizer, its free hook runs before a block is released, so the block can be
// searched for the secrets. TIDINGS_TEST_ASAN is defined when that is available; the tests
// that need it are skipped without it.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <cstring>
#include <functional>
#include <utility>

// The test's own code is compiled without the sanitizers (docs/development.md), so it asks the
// build whether the program has them.
#if defined(TIDINGS_SANITIZED)
#define TIDINGS_TEST_ASAN 1
#endif

#ifdef TIDINGS_TEST_ASAN
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*mallocHook)(const volatile void *,
                                                                            std::size_t),
                                                         void (*freeHook)(const volatile void *));
extern "C" std::size_t __sanitizer_get_allocated_size(const volatile void *pointer);
#endif

#ifdef TIDINGS_TEST_ASAN
namespace tidings::test {

/// The names of the `secrets` found in heap blocks freed while `work` ran. AddressSanitizer
/// calls the free hook before it releases a block, so the block can still be read.
inline QStringList secretsLeftInFreedMemory(const QList<std::pair<QString, QByteArray>> &secrets,
                                            const std::function<void()> &work)
{
    static const QList<std::pair<QString, QByteArray>> *watched = nullptr;
    static std::array<int, 16> found{};
    static const bool installed = __sanitizer_install_malloc_and_free_hooks(
        [](const volatile void *, std::size_t) {},
        [](const volatile void *block) {
            if (!watched || !block)
                return;
            const auto *bytes = const_cast<const char *>(static_cast<const volatile char *>(block));
            const std::size_t size = __sanitizer_get_allocated_size(block);
            for (qsizetype i = 0; i < watched->size(); ++i) {
                const QByteArray &secret = watched->at(i).second;
                if (memmem(bytes, size, secret.constData(),
                           static_cast<std::size_t>(secret.size())))
                    ++found[static_cast<std::size_t>(i)];
            }
        });
    if (!installed || secrets.size() > static_cast<qsizetype>(found.size()))
        return {QStringLiteral("(no free hook)")};
    found.fill(0);
    watched = &secrets;
    work();
    watched = nullptr;
    QStringList leaked;
    for (qsizetype i = 0; i < secrets.size(); ++i) {
        if (found[static_cast<std::size_t>(i)] > 0)
            leaked.append(secrets[i].first);
    }
    return leaked;
}

} // namespace tidings::test
#endif
