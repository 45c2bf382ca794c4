#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <span>

namespace tidings::e2e {

namespace detail {
void wipe(void *data, std::size_t size);
bool constantTimeEqual(const void *a, const void *b, std::size_t size);
void fillRandom(void *data, std::size_t size);
bool isAllZero(const void *data, std::size_t size);
} // namespace detail

/// Zeroes `bytes` (sodium_memzero) and empties it. Only this copy's buffer is wiped: a
/// QByteArray shared with another is detached first, so wipe what you alone hold.
void wipe(QByteArray &bytes);

/// Fixed-size secret bytes (a key, a chain key, a seed) that are zeroed when dropped.
/// Copies are deep, so every copy wipes its own bytes.
template<std::size_t N> class Secret
{
public:
    static constexpr std::size_t kSize = N;

    Secret() { m_bytes.fill(0); }
    Secret(const Secret &) = default;
    Secret &operator=(const Secret &) = default;
    ~Secret() { detail::wipe(m_bytes.data(), N); }

    /// Random bytes from libsodium's generator.
    static Secret random()
    {
        Secret secret;
        detail::fillRandom(secret.m_bytes.data(), N);
        return secret;
    }

    /// A copy of `bytes`, or nothing when it does not have exactly N bytes.
    static std::optional<Secret> fromBytes(QByteArrayView bytes)
    {
        if (bytes.size() != static_cast<qsizetype>(N))
            return std::nullopt;
        Secret secret;
        std::copy_n(reinterpret_cast<const unsigned char *>(bytes.data()), N,
                    secret.m_bytes.data());
        return secret;
    }

    unsigned char *data() { return m_bytes.data(); }
    const unsigned char *data() const { return m_bytes.data(); }
    static constexpr std::size_t size() { return N; }
    std::span<unsigned char, N> span() { return std::span<unsigned char, N>(m_bytes); }
    QByteArrayView view() const
    {
        return QByteArrayView(reinterpret_cast<const char *>(m_bytes.data()),
                              static_cast<qsizetype>(N));
    }
    /// A plain copy, for callers that must hand the bytes on; wipe() it when done.
    QByteArray toByteArray() const { return view().toByteArray(); }
    bool isZero() const { return detail::isAllZero(m_bytes.data(), N); }

    /// Compared in constant time.
    friend bool operator==(const Secret &a, const Secret &b)
    {
        return detail::constantTimeEqual(a.m_bytes.data(), b.m_bytes.data(), N);
    }

private:
    std::array<unsigned char, N> m_bytes;
};

/// A 32-byte secret: symmetric keys, chain keys, X25519 secret keys, seeds.
using SecretKey = Secret<32>;

} // namespace tidings::e2e
