#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlDatabase>

#include <memory>
#include <vector>

namespace tidings::relay::sql {

/// A statement a PostgreSQL writer's job sends ahead of its turn (see PostgresPipeline),
/// and the answer it finds when its turn comes.
struct StagedStatement
{
    /// A statement prepared once per connection, under its name. The text casts every
    /// parameter ($1::bigint…): they are sent untyped, as text.
    struct Prepared
    {
        const char *name;
        const char *text;
        int parameters;
    };
    const Prepared *statement = nullptr;
    QList<QByteArray> parameters; ///< as text, in order
    qint64 conversation = 0; ///< the log it appends to
    /// Set once the round trip is back: whether the statement ran, and the columns of its
    /// first row as text (empty: it returned no row).
    bool answered = false;
    QList<QByteArray> row;
};

/// Sends what a group commit's jobs staged in one round trip, through libpq's pipeline
/// mode on QtSql's own connection (QPSQL's native handle): QtSql would take one round trip
/// per statement and send its values as literals for the server to parse. A batch's first
/// round trip also begins its transaction and takes its conversations' row locks in id
/// order (SqlThread::SendStaged).
///
/// One lives beside the writer's connection (see PostgresStore), on its thread.
class PostgresPipeline
{
public:
    /// A new pipeline, made the pipeline of `database` on this thread for its lifetime;
    /// null when the driver gives no libpq connection (nothing is then staged).
    static std::unique_ptr<PostgresPipeline> installedFor(const QSqlDatabase &database);
    /// The pipeline installed for `database` on this thread, or null (the reader, SQLite).
    static PostgresPipeline *of(const QSqlDatabase &database);
    ~PostgresPipeline();
    PostgresPipeline(const PostgresPipeline &) = delete;
    PostgresPipeline &operator=(const PostgresPipeline &) = delete;

    /// Puts `statement` in the next round trip (it must live until then); `conversation`
    /// is the log it appends to.
    void stage(StagedStatement *statement, qint64 conversation);
    /// How many statements staged for the next round trip append to `conversation`.
    int stagedFor(qint64 conversation) const { return m_perConversation.value(conversation); }

    /// The round trip: BEGIN and the row locks of `lockKeys` when given, then every staged
    /// statement, each answer stored in its statement. Fails (after reading every answer)
    /// when any statement failed; the transaction is then aborted. When the round trip
    /// could not be sent whole, the connection is shut, for SqlThread to open it again:
    /// what libpq would answer after a broken send is not worth waiting for.
    Result<void> send(QSqlDatabase &database, const QList<qint64> *lockKeys);
    /// Forgets what is staged (a rollback).
    void clear();

private:
    PostgresPipeline() = default;
    std::vector<StagedStatement *> m_staged;
    QHash<qint64, int> m_perConversation;
    /// Statements prepared on this connection (by their text's address).
    QList<const StagedStatement::Prepared *> m_prepared;
    bool m_installed = false;
};

} // namespace tidings::relay::sql
