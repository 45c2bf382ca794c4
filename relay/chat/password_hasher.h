#pragma once

#include "crypto/password_hash.h"
#include "util/futures.h"
#include "util/result.h"

#include <QFuture>
#include <QThreadPool>

#include <atomic>

namespace tidings::relay {

/// Argon2id hashing and verification on a small pool of its own threads: each costs tens
/// of milliseconds and ~64 MiB, so it runs neither on the network thread nor on the store
/// threads. The number waiting is bounded; beyond it, work is refused at once with
/// ErrorCode::RateLimited ("too many sign-ins at once").
class PasswordHasher
{
public:
    PasswordHasher(crypto::PasswordHashCost cost, int threads, int maxPending);
    ~PasswordHasher();

    WorkerFuture<Result<QByteArray>> hash(const QString &password);
    /// Verifies against `hash`; with no hash (unknown user) it verifies against a dummy one,
    /// so that an answer takes as long for a user that does not exist.
    WorkerFuture<Result<bool>> verify(const QByteArray &hash, const QString &password);

    const crypto::PasswordHashCost &cost() const { return m_cost; }
    bool needsRehash(const QByteArray &hash) const;

private:
    bool reserve();

    const crypto::PasswordHashCost m_cost;
    const int m_maxPending;
    std::atomic<int> m_pending{0};
    QByteArray m_dummyHash;
    QThreadPool m_pool;
};

} // namespace tidings::relay
