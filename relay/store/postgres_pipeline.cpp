#include "store/postgres_pipeline.h"

#include "sql/sql_helpers.h"

#include <QSet>
#include <QSqlDriver>
#include <QVariant>

#include <libpq-fe.h>

#ifdef _WIN32
#include <winsock2.h>
#else
#include <poll.h>
#include <sys/socket.h>
#endif

#include <cstring>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

thread_local PostgresPipeline *t_pipeline = nullptr;
thread_local QString t_connection;

/// The libpq connection under a QPSQL connection, or null.
PGconn *nativeConnection(const QSqlDatabase &database)
{
    const QVariant handle = database.driver() ? database.driver()->handle() : QVariant();
    // The driver's metatype is named for the typedef or for the struct behind it.
    if (!handle.isValid()
        || (qstrcmp(handle.typeName(), "PGconn*") != 0
            && qstrcmp(handle.typeName(), "pg_conn*") != 0)) {
        return nullptr;
    }
    return *static_cast<PGconn *const *>(handle.constData());
}

QString connectionError(PGconn *connection)
{
    return QString::fromUtf8(PQerrorMessage(connection)).trimmed();
}

/// Waits (at most `timeoutMs`) until the connection's socket can be written or has
/// something to read. False on a timeout or an error.
bool waitForSocket(PGconn *connection, int timeoutMs)
{
#ifdef _WIN32
    WSAPOLLFD descriptor{static_cast<SOCKET>(PQsocket(connection)), POLLIN | POLLOUT, 0};
    return WSAPoll(&descriptor, 1, timeoutMs) > 0;
#else
    pollfd descriptor{PQsocket(connection), POLLIN | POLLOUT, 0};
    int ready;
    do {
        ready = poll(&descriptor, 1, timeoutMs);
    } while (ready < 0 && errno == EINTR);
    return ready > 0;
#endif
}

/// What one answer in the round trip belongs to.
struct Expected
{
    enum Kind { Command, Prepare, Statement } kind;
    StagedStatement *statement = nullptr; ///< Statement: where its answer goes
    const StagedStatement::Prepared *prepared = nullptr; ///< Prepare: what it prepares
};

constexpr int kSocketTimeoutMs = 60000; // past the session's statement_timeout (30 s)

} // namespace

std::unique_ptr<PostgresPipeline> PostgresPipeline::installedFor(const QSqlDatabase &database)
{
    Q_ASSERT(!t_pipeline);
    if (!nativeConnection(database)) {
        qWarning("the PostgreSQL driver gives no libpq connection: messages are not pipelined");
        return nullptr;
    }
    std::unique_ptr<PostgresPipeline> pipeline(new PostgresPipeline);
    t_pipeline = pipeline.get();
    t_connection = database.connectionName();
    pipeline->m_installed = true;
    return pipeline;
}

PostgresPipeline *PostgresPipeline::of(const QSqlDatabase &database)
{
    return t_pipeline && t_connection == database.connectionName() ? t_pipeline : nullptr;
}

PostgresPipeline::~PostgresPipeline()
{
    if (m_installed && t_pipeline == this) {
        t_pipeline = nullptr;
        t_connection.clear();
    }
}

void PostgresPipeline::stage(StagedStatement *statement, qint64 conversation)
{
    statement->answered = false;
    statement->row.clear();
    statement->conversation = conversation;
    m_staged.push_back(statement);
    ++m_perConversation[conversation];
}

void PostgresPipeline::clear()
{
    m_staged.clear();
    m_perConversation.clear();
}

Result<void> PostgresPipeline::send(QSqlDatabase &database, const QList<qint64> *lockKeys)
{
    const std::vector<StagedStatement *> staged = std::exchange(m_staged, {});
    m_perConversation.clear();
    PGconn *connection = nativeConnection(database);
    if (!connection)
        return Error{ErrorCode::Io, u"the store's connection is not a PostgreSQL one"_s};
    // QPSQL reads a forward-only query's rows one at a time and leaves the rest of the last
    // one pending until another query replaces it. Every job before this point is done
    // with its queries, so whatever is still pending is read and thrown away.
    if (PQtransactionStatus(connection) == PQTRANS_ACTIVE) {
        while (PGresult *pending = PQgetResult(connection))
            PQclear(pending);
    }
    if (!PQenterPipelineMode(connection))
        return Error{ErrorCode::Io, u"cannot pipeline: %1"_s.arg(connectionError(connection))};

    // Sent without blocking, reading whatever comes back meanwhile: blocked on a full send
    // buffer while the server is blocked on ours, both would wait for ever.
    PQsetnonblocking(connection, 1);
    std::vector<Expected> expected;
    expected.reserve(staged.size() + 2);
    QList<const StagedStatement::Prepared *> preparing;
    // Prepares `prepared` first if this connection has not, then runs it with `values`.
    const auto sendPrepared = [&](const StagedStatement::Prepared *prepared,
                                  const char *const *values, StagedStatement *answer) {
        if (!m_prepared.contains(prepared) && !preparing.contains(prepared)) {
            if (!PQsendPrepare(connection, prepared->name, prepared->text, prepared->parameters,
                               nullptr)) {
                return false;
            }
            expected.push_back({Expected::Prepare, nullptr, prepared});
            preparing.append(prepared);
        }
        expected.push_back({answer ? Expected::Statement : Expected::Command, answer});
        return PQsendQueryPrepared(connection, prepared->name, prepared->parameters, values,
                                   nullptr, nullptr, 0)
            == 1;
    };
    bool queued = true;
    if (lockKeys) {
        queued = PQsendQueryParams(connection, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0);
        expected.push_back({Expected::Command});
        if (queued && !lockKeys->isEmpty()) {
            static const StagedStatement::Prepared kLock{
                "tidings_lock_conversations",
                "SELECT id FROM conversations WHERE id = ANY ($1::bigint[]) ORDER BY id "
                "FOR UPDATE",
                1};
            QByteArray ids = "{";
            for (const qint64 key : *lockKeys) {
                if (ids.size() > 1)
                    ids += ',';
                ids += QByteArray::number(key);
            }
            ids += '}';
            const char *values[] = {ids.constData()};
            queued = sendPrepared(&kLock, values, nullptr);
        }
    }
    for (StagedStatement *statement : staged) {
        if (!queued)
            break;
        const StagedStatement::Prepared *prepared = statement->statement;
        Q_ASSERT(statement->parameters.size() == prepared->parameters);
        constexpr int kMaxParameters = 16;
        Q_ASSERT(prepared->parameters <= kMaxParameters);
        const char *values[kMaxParameters];
        for (int i = 0; i < prepared->parameters; ++i)
            values[i] = statement->parameters.at(i).constData();
        queued = sendPrepared(prepared, values, statement);
    }
    queued = queued && PQpipelineSync(connection);
    while (queued) {
        const int flushed = PQflush(connection);
        if (flushed == 0)
            break;
        queued = flushed > 0 && waitForSocket(connection, kSocketTimeoutMs)
            && PQconsumeInput(connection);
    }
    PQsetnonblocking(connection, 0);
    if (!queued) {
        // libpq refused, the connection broke or the server stopped reading: what was
        // sent may never be answered (a pipeline is answered up to its sync, which may not
        // have gone). Nothing more is read; the socket is shut, so the connection fails
        // its next query and SqlThread opens a new one.
        const QString why = connectionError(connection);
#ifdef _WIN32
        ::shutdown(static_cast<SOCKET>(PQsocket(connection)), SD_BOTH);
#else
        ::shutdown(PQsocket(connection), SHUT_RDWR);
#endif
        return Error{ErrorCode::Io, u"cannot send to PostgreSQL: %1"_s.arg(why)};
    }

    // The answers, in order: each query's results end with a null; the sync comes last.
    // A query may come back one row per result: libpq keeps the single-row mode QPSQL set
    // for its last query until a query is sent outside a pipeline, so a row comes as
    // PGRES_SINGLE_TUPLE results before the final PGRES_TUPLES_OK.
    QString failure;
    for (const Expected &next : expected) {
        PGresult *result = PQgetResult(connection);
        if (!result) { // the connection went away
            failure = connectionError(connection);
            break;
        }
        for (; result; result = PQgetResult(connection)) {
            const ExecStatusType status = PQresultStatus(result);
            if (status == PGRES_FATAL_ERROR && failure.isEmpty()) {
                failure = QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
                tidings::sql::setFailedState(
                    QString::fromLatin1(PQresultErrorField(result, PG_DIAG_SQLSTATE)));
            }
            if (next.kind == Expected::Prepare && status == PGRES_COMMAND_OK)
                m_prepared.append(next.prepared);
            const bool rows = status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE;
            if (next.kind == Expected::Statement && rows) {
                StagedStatement &statement = *next.statement;
                statement.answered = status == PGRES_TUPLES_OK;
                if (statement.row.isEmpty() && PQntuples(result) > 0) {
                    const int columns = PQnfields(result);
                    statement.row.reserve(columns);
                    for (int column = 0; column < columns; ++column) {
                        statement.row.append(PQgetisnull(result, 0, column)
                                                 ? QByteArray()
                                                 : QByteArray(PQgetvalue(result, 0, column),
                                                              PQgetlength(result, 0, column)));
                    }
                }
            }
            PQclear(result);
        }
    }
    bool synced = false;
    if (PQstatus(connection) == CONNECTION_OK) {
        while (PGresult *result = PQgetResult(connection)) {
            synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
            PQclear(result);
            if (synced)
                break;
        }
    }
    if (synced && !PQexitPipelineMode(connection) && failure.isEmpty())
        failure = connectionError(connection);
    if (!synced && failure.isEmpty())
        failure
            = u"the pipeline was not answered to its end: %1"_s.arg(connectionError(connection));
    if (failure.isEmpty()) {
        // Within the batch's row locks, a conversation's staged appends take their seqs
        // in a row or not at all (see stageMessage()): one taken after one refused would
        // be out of the jobs' order. Never expected; the batch is then run again.
        QSet<qint64> refused;
        for (const StagedStatement *statement : staged) {
            if (statement->row.isEmpty()) {
                refused.insert(statement->conversation);
            } else if (refused.contains(statement->conversation)) {
                failure = u"conversation %1's appends were taken out of order"_s.arg(
                    statement->conversation);
                tidings::sql::setFailedState(u"40001"_s);
                break;
            }
        }
    }
    if (!failure.isEmpty()) {
        for (StagedStatement *statement : staged)
            statement->answered = false;
        return Error{ErrorCode::Io, failure};
    }
    return {};
}

} // namespace tidings::relay::sql
