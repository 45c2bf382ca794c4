#include "chat/password_hasher.h"

#include "util/futures.h"

#include <QtConcurrent>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

template<typename T> WorkerFuture<Result<T>> refused()
{
    return WorkerFuture(readyFuture(
        Result<T>(ErrorCode::RateLimited, u"too many sign-ins at once; try again in a moment"_s)));
}

} // namespace

PasswordHasher::PasswordHasher(crypto::PasswordHashCost cost, int threads, int maxPending)
    : m_cost(cost), m_maxPending(maxPending)
{
    m_pool.setMaxThreadCount(threads);
    m_pool.setObjectName(u"tidings-password-hasher"_s);
    auto dummy = crypto::hashPassword(u"not a password anyone has"_s, m_cost);
    m_dummyHash = dummy ? *dummy : QByteArray();
}

PasswordHasher::~PasswordHasher()
{
    m_pool.waitForDone();
}

bool PasswordHasher::reserve()
{
    if (m_pending.fetch_add(1) >= m_maxPending) {
        m_pending.fetch_sub(1);
        return false;
    }
    return true;
}

WorkerFuture<Result<QByteArray>> PasswordHasher::hash(const QString &password)
{
    if (!reserve())
        return refused<QByteArray>();
    return WorkerFuture(QtConcurrent::run(&m_pool, [this, password]() -> Result<QByteArray> {
        auto hashed = crypto::hashPassword(password, m_cost);
        m_pending.fetch_sub(1);
        return hashed;
    }));
}

WorkerFuture<Result<bool>> PasswordHasher::verify(const QByteArray &hash, const QString &password)
{
    if (!reserve())
        return refused<bool>();
    return WorkerFuture(QtConcurrent::run(&m_pool, [this, hash, password]() -> Result<bool> {
        const bool matches = hash.isEmpty() ? (crypto::verifyPassword(m_dummyHash, password), false)
                                            : crypto::verifyPassword(hash, password);
        m_pending.fetch_sub(1);
        return matches;
    }));
}

bool PasswordHasher::needsRehash(const QByteArray &hash) const
{
    return crypto::passwordHashNeedsRehash(hash, m_cost);
}

} // namespace tidings::relay
