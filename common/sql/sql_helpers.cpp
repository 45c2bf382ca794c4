#include "sql/sql_helpers.h"

#include <QDateTime>
#include <QSqlError>

#include <memory>
#include <unordered_map>

namespace tidings::sql {

using namespace Qt::StringLiterals;

namespace {

struct CachedStatement
{
    QSqlQuery query;
    bool inUse = false;
};

struct StringHash
{
    size_t operator()(const QString &text) const { return qHash(text); }
};

} // namespace

struct StatementCache
{
    QString connection;
    std::unordered_map<QString, std::unique_ptr<CachedStatement>, StringHash> statements;
};

namespace {

thread_local StatementCache *t_cache = nullptr;
thread_local QString t_failedState;

Error prepareError(const QSqlQuery &query)
{
    return Error{ErrorCode::Io, u"cannot prepare: %1"_s.arg(query.lastError().text())};
}

/// Binds `values` in order and runs the prepared `query`.
Result<void> execute(QSqlQuery &query, const QVariantList &values)
{
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(static_cast<int>(i), values.at(i));
    if (query.exec())
        return {};
    const QSqlError error = query.lastError();
    t_failedState = error.nativeErrorCode();
    const bool constraint = error.nativeErrorCode() == u"2067" // SQLITE_CONSTRAINT_UNIQUE
        || error.nativeErrorCode() == u"1555" // SQLITE_CONSTRAINT_PRIMARYKEY
        || error.nativeErrorCode() == u"23505"; // PostgreSQL unique_violation
    return Error{constraint ? ErrorCode::Conflict : ErrorCode::Io, error.text()};
}

} // namespace

Result<QSqlQuery> run(QSqlDatabase &database, const QString &statement, const QVariantList &values)
{
    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.prepare(statement))
        return prepareError(query);
    if (auto done = execute(query, values); !done)
        return done.error();
    return query;
}

CachedQuery::CachedQuery(QSqlQuery own) : m_own(std::move(own))
{
    m_query = &*m_own;
}

CachedQuery::CachedQuery(CachedQuery &&other) noexcept
    : m_own(std::move(other.m_own)), m_query(m_own ? &*m_own : other.m_query),
      m_inUse(std::exchange(other.m_inUse, nullptr))
{
    other.m_query = nullptr;
}

CachedQuery::~CachedQuery()
{
    if (m_inUse) { // lent: reset it for its next use
        m_query->finish();
        *m_inUse = false;
    }
}

Result<CachedQuery> runCached(QSqlDatabase &database, const QString &statement,
                              const QVariantList &values)
{
    if (!t_cache || t_cache->connection != database.connectionName()) {
        auto query = run(database, statement, values);
        if (!query)
            return query.error();
        return CachedQuery(std::move(*query));
    }
    auto &slot = t_cache->statements[statement];
    if (!slot) {
        slot = std::make_unique<CachedStatement>();
        slot->query = QSqlQuery(database);
        slot->query.setForwardOnly(true);
        if (!slot->query.prepare(statement)) {
            const Error error = prepareError(slot->query);
            t_cache->statements.erase(statement);
            return error;
        }
    }
    if (slot->inUse) { // lent out further up this call: a query of its own
        auto query = run(database, statement, values);
        if (!query)
            return query.error();
        return CachedQuery(std::move(*query));
    }
    if (auto done = execute(slot->query, values); !done) {
        slot->query.finish();
        return done.error();
    }
    slot->inUse = true;
    return CachedQuery(&slot->query, &slot->inUse);
}

StatementCacheScope::StatementCacheScope(const QSqlDatabase &database)
    : m_cache(std::make_unique<StatementCache>())
{
    Q_ASSERT(!t_cache);
    m_cache->connection = database.connectionName();
    t_cache = m_cache.get();
}

StatementCacheScope::~StatementCacheScope()
{
    if (t_cache == m_cache.get())
        t_cache = nullptr;
}

Result<void> runUnprepared(QSqlDatabase &database, const QString &statements)
{
    QSqlQuery query(database);
    if (query.exec(statements))
        return {};
    t_failedState = query.lastError().nativeErrorCode();
    return Error{ErrorCode::Io, query.lastError().text()};
}

QString takeFailedState()
{
    return std::exchange(t_failedState, QString());
}

void setFailedState(const QString &state)
{
    t_failedState = state;
}

bool isTransientState(const QString &state)
{
    return state == u"40P01" || state == u"40001";
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString placeholders(qsizetype count)
{
    QString marks;
    marks.reserve(count * 2);
    for (qsizetype i = 0; i < count; ++i)
        marks += i == 0 ? u"?"_s : u",?"_s;
    return marks;
}

} // namespace tidings::sql
