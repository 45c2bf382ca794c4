#pragma once

#include "util/result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

#include <memory>
#include <optional>

namespace tidings::sql {

/// Prepares `statement`, binds `values` in order and runs it. A failure is an Error whose
/// code is Conflict for a violated UNIQUE/PRIMARY KEY constraint, Io otherwise.
Result<QSqlQuery> run(QSqlDatabase &database, const QString &statement,
                      const QVariantList &values = {});

/// Runs `statements` as given, unprepared: several separated by ';' go in one round trip.
/// Only for text built of trusted parts (no values from outside). Fails as run() does.
Result<void> runUnprepared(QSqlDatabase &database, const QString &statements);

/// A query from runCached(): the connection's prepared statement, lent until this goes
/// (then it is reset for its next use), or a query of its own when that statement is
/// already lent out or no cache is installed. Reads like the QSqlQuery it stands for.
class CachedQuery
{
public:
    CachedQuery(QSqlQuery *lent, bool *inUse) : m_query(lent), m_inUse(inUse) { }
    explicit CachedQuery(QSqlQuery own);
    CachedQuery(CachedQuery &&other) noexcept;
    CachedQuery &operator=(CachedQuery &&) = delete;
    ~CachedQuery();

    bool next() { return m_query->next(); }
    QVariant value(int index) const { return m_query->value(index); }
    void finish() { m_query->finish(); }
    operator const QSqlQuery &() const { return *m_query; }

private:
    std::optional<QSqlQuery> m_own;
    QSqlQuery *m_query = nullptr;
    bool *m_inUse = nullptr;
};

/// As run(), for the hot paths: reuses the statement as prepared on this connection the
/// last time, instead of parsing it again (half the writer thread's time went to preparing,
/// docs/benchmarks.md). Statements are kept per connection while a StatementCacheScope
/// lives on the thread (SqlThread makes one around its connection).
Result<CachedQuery> runCached(QSqlDatabase &database, const QString &statement,
                              const QVariantList &values = {});

struct StatementCache;

/// Installs, for the thread's life of this object, the cache runCached() uses for
/// `database`; its statements are released when it goes (before the connection closes).
class StatementCacheScope
{
public:
    explicit StatementCacheScope(const QSqlDatabase &database);
    ~StatementCacheScope();
    StatementCacheScope(const StatementCacheScope &) = delete;
    StatementCacheScope &operator=(const StatementCacheScope &) = delete;

private:
    std::unique_ptr<StatementCache> m_cache;
};

/// The SQLSTATE of the last statement run() or runCached() saw fail on this thread, and
/// forgets it. PostgreSQL's "40P01" (deadlock) and "40001" (serialization failure) mean the
/// transaction is worth running again (SqlThread does).
QString takeFailedState();
/// Records `state` as the last failure's SQLSTATE on this thread (for statements sent
/// without run() or runCached(), e.g. straight through the driver's library).
void setFailedState(const QString &state);
/// Whether a failure with this SQLSTATE is cured by running the transaction again.
bool isTransientState(const QString &state);

/// Milliseconds since the epoch, UTC: the one clock the store uses.
qint64 now();

/// "?,?,…,?": `count` placeholders for an IN (…) list.
QString placeholders(qsizetype count);

} // namespace tidings::sql
