#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QString>

namespace tidings::relay {

/// Token buckets by key ("login:10.0.0.7", "send:42", …). A bucket holds up to `burst`
/// tokens and regains `perSecond` of them each second; each request takes one. Memory is
/// bounded: buckets that are full again are forgotten by prune(), and past `maxKeys` new
/// keys are refused outright (an attack with many keys meets a limit too).
class RateLimiter
{
public:
    struct Rule
    {
        double perSecond;
        double burst;
    };

    explicit RateLimiter(qsizetype maxKeys = 200000);

    /// Takes a token for `key` under `rule`. Returns 0 if allowed, else how many
    /// milliseconds until a token is there.
    qint64 take(const QString &key, const Rule &rule);

    /// Forgets buckets that have refilled completely (call now and then).
    void prune();
    qsizetype size() const { return m_buckets.size(); }

private:
    struct Bucket
    {
        double tokens;
        qint64 updatedMs;
        Rule rule;
    };
    double refilled(const Bucket &bucket, qint64 nowMs) const;

    QHash<QString, Bucket> m_buckets;
    QElapsedTimer m_clock;
    const qsizetype m_maxKeys;
};

/// The addresses each account has signed in from (by password or token) since the relay
/// started: guesses at an account's password from elsewhere spend the account's shared
/// budget, not the budget of the places its owner uses (decision 42). Bounded: when full,
/// it starts again empty (which only brings back the shared budget for everyone).
class KnownAddresses
{
public:
    explicit KnownAddresses(qsizetype maxEntries = 100000) : m_maxEntries(maxEntries) { }

    void remember(const QString &account, const QString &address)
    {
        if (m_entries.size() >= m_maxEntries)
            m_entries.clear();
        m_entries.insert(key(account, address));
    }
    bool contains(const QString &account, const QString &address) const
    {
        return m_entries.contains(key(account, address));
    }

private:
    static QString key(const QString &account, const QString &address)
    {
        return account.toLower() + u'\n' + address;
    }

    QSet<QString> m_entries;
    const qsizetype m_maxEntries;
};

} // namespace tidings::relay
