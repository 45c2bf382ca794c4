#pragma once

#include "store/store.h"

#include <QUrl>

#include <span>

namespace tidings {
struct Migration;
}

namespace tidings::relay {

/// The PostgreSQL schema, oldest migration first (postgres_schema.cpp).
std::span<const Migration> postgresMigrations();

/// Where a PostgreSQL store is: the parts of a `postgresql://user:password@host:port/db`
/// URL. A `host` query item names a socket directory (libpq's convention); the password may
/// instead come from TIDINGS_STORE_PASSWORD or libpq's own PGPASSWORD / ~/.pgpass.
struct PostgresLocation
{
    QString host = QStringLiteral("localhost");
    int port = 5432;
    QString user;
    QString password;
    QString database;
    QString options; ///< libpq options from the other query items, e.g. "sslmode=require"

    /// The URL without its password, for logs and /readyz.
    QString display() const;
};

/// Parses a `postgresql://` (or `postgres://`) URL. Errors say what is wrong, never the password.
Result<PostgresLocation> parsePostgresUrl(const QString &url);

/// The cluster store: PostgreSQL through QtSql's QPSQL driver, shared by every relay node.
/// The same writer/reader shape as SqliteStore: one connection for group commits, one for
/// reads. Every node appends to the same logs: a conversation's seq is taken with the row
/// lock of `UPDATE conversations SET last_seq = last_seq + 1 … RETURNING`, held to commit,
/// so seqs are gap-free and become visible in order; nothing of the store is kept in
/// memory across jobs (another node may change it).
class PostgresStore final : public Store
{
public:
    explicit PostgresStore(PostgresLocation location);
    ~PostgresStore() override;

    /// Connects, checks the schema and brings it up to date (under an advisory lock, so
    /// that nodes starting together migrate once). A schema newer than this build knows is
    /// refused and left alone. With `migrate` false, an out-of-date schema is refused too.
    Result<StoreInfo> open(bool migrate = true);

private:
    PostgresLocation m_location;
};

} // namespace tidings::relay
