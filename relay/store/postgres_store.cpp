#include "store/postgres_store.h"

#include "sql/migrations.h"
#include "sql/sql_helpers.h"
#include "store/account_queries.h"
#include "store/conversation_cache.h"
#include "store/postgres_pipeline.h"
#include "store/store_logging.h"

#include <QProcessEnvironment>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>
#include <QUuid>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

/// What the writer keeps beside its connection: what it knows of conversations, and what
/// its jobs staged for the next round trip.
class WriterState final : public ConnectionState
{
public:
    static std::unique_ptr<ConnectionState> make(QSqlDatabase &database)
    {
        return std::make_unique<WriterState>(database);
    }
    explicit WriterState(const QSqlDatabase &database)
        : m_cache(sql::ConversationCache::installedFor(database)),
          m_pipeline(sql::PostgresPipeline::installedFor(database))
    { }
    void rolledBack() override
    {
        m_cache->rolledBack();
        if (m_pipeline)
            m_pipeline->clear();
    }

private:
    std::unique_ptr<ConnectionState> m_cache;
    std::unique_ptr<sql::PostgresPipeline> m_pipeline;
};

/// The advisory lock nodes take to migrate one at a time ("TDGS").
constexpr qint64 kMigrationLock = 0x54444753;

Result<void> pgExec(QSqlDatabase &database, const QString &statement)
{
    if (auto done = tidings::sql::runUnprepared(database, statement); !done)
        return Error{ErrorCode::Io, u"%1: %2"_s.arg(statement, done.error().message)};
    return {};
}

Result<void> openPgConnection(QSqlDatabase &database, const PostgresLocation &location)
{
    database.setHostName(location.host);
    database.setPort(location.port);
    database.setDatabaseName(location.database);
    if (!location.user.isEmpty())
        database.setUserName(location.user);
    if (!location.password.isEmpty())
        database.setPassword(location.password);
    // A server that does not answer is given up on after 5 s, not waited on for ever.
    QString options = u"connect_timeout=5;application_name=tidings-relay"_s;
    if (!location.options.isEmpty())
        options += u';' + location.options;
    database.setConnectOptions(options);
    if (!database.open()) {
        return Error{ErrorCode::Unavailable,
                     u"cannot connect to PostgreSQL at %1: %2"_s.arg(location.display(),
                                                                     database.lastError().text())};
    }
    // Durable commits whatever the server's default, and no statement or lock held for
    // ever: a stuck query fails (and its jobs with it) instead of stopping the node.
    for (const QString &setting :
         {u"SET synchronous_commit = on"_s, u"SET statement_timeout = '30s'"_s,
          u"SET lock_timeout = '10s'"_s, u"SET idle_in_transaction_session_timeout = '60s'"_s,
          u"SET client_min_messages = warning"_s, u"SET plan_cache_mode = force_generic_plan"_s}) {
        if (auto done = pgExec(database, setting); !done)
            return Error{ErrorCode::Unavailable, done.error().message};
    }
    return {};
}

Result<StoreInfo> openPgStore(QSqlDatabase &database, const PostgresLocation &location,
                              bool migrate)
{
    const QString where = location.display();
    // Nodes that start together take turns: the first migrates, the others find it done.
    if (auto locked = pgExec(database, u"SELECT pg_advisory_lock(%1)"_s.arg(kMigrationLock));
        !locked) {
        return Error{ErrorCode::Unavailable, u"%1: %2"_s.arg(where, locked.error().message)};
    }
    const auto unlock = qScopeGuard(
        [&] { (void)pgExec(database, u"SELECT pg_advisory_unlock(%1)"_s.arg(kMigrationLock)); });

    const auto state = readSchemaState(database);
    if (!state)
        return Error{ErrorCode::Unavailable, u"%1: %2"_s.arg(where, state.error().message)};
    const auto migrations = postgresMigrations();
    if (!state->empty && state->version == 0) {
        return Error{ErrorCode::Incompatible,
                     u"%1 holds tables that are not a Tidings store; give the relay a database "
                     "of its own"_s.arg(where)};
    }
    if (state->version > migrations.back().version) {
        return Error{ErrorCode::Incompatible,
                     u"%1 has schema version %2, newer than this relay supports (%3); "
                     "run a newer tidings-relay"_s.arg(where)
                         .arg(state->version)
                         .arg(migrations.back().version)};
    }
    if (!migrate && state->version < migrations.back().version) {
        return Error{ErrorCode::Incompatible,
                     u"%1 has schema version %2, older than this relay's (%3); run "
                     "`tidings-relay migrate` first"_s.arg(where)
                         .arg(state->version)
                         .arg(migrations.back().version)};
    }
    auto version = applyMigrations(database, migrations);
    if (!version)
        return Error{version.error().code, u"%1: %2"_s.arg(where, version.error().message)};

    StoreInfo info;
    info.backend = u"postgresql"_s;
    info.location = where;
    info.schemaVersion = *version;
    QSqlQuery query(database);
    query.prepare(u"INSERT INTO relay_meta (key, value) VALUES ('instance_id', ?) "
                  "ON CONFLICT (key) DO NOTHING"_s);
    query.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
    if (!query.exec())
        return Error{ErrorCode::Io, u"%1: %2"_s.arg(where, query.lastError().text())};
    if (!query.exec(u"SELECT value FROM relay_meta WHERE key = 'instance_id'"_s) || !query.next())
        return Error{ErrorCode::Io, u"%1: %2"_s.arg(where, query.lastError().text())};
    info.instanceId = query.value(0).toString();
    // As on SQLite: decided at the first open by this version (migrate-store then brings
    // the embedded store's decision over this one).
    const auto decided = sql::e2eDefault(database);
    if (!decided)
        return Error{decided.error().code, u"%1: %2"_s.arg(where, decided.error().message)};
    info.e2eDefault = *decided;
    return info;
}

} // namespace

QString PostgresLocation::display() const
{
    QUrl url;
    url.setScheme(u"postgresql"_s);
    url.setHost(host.startsWith(u'/') ? QString() : host);
    url.setPort(port);
    url.setUserName(user);
    url.setPath(u'/' + database);
    QUrlQuery query;
    if (host.startsWith(u'/'))
        query.addQueryItem(u"host"_s, host);
    url.setQuery(query);
    return url.toString();
}

Result<PostgresLocation> parsePostgresUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"postgresql" && url.scheme() != u"postgres")) {
        return Error{ErrorCode::BadRequest, u"expected postgresql://user@host:port/database"_s};
    }
    PostgresLocation location;
    if (!url.host().isEmpty())
        location.host = url.host();
    location.port = url.port(5432);
    location.user = url.userName();
    location.password = url.password();
    if (location.password.isEmpty())
        location.password
            = QProcessEnvironment::systemEnvironment().value(u"TIDINGS_STORE_PASSWORD"_s);
    location.database = url.path().mid(1);
    if (location.database.isEmpty() || location.database.contains(u'/'))
        return Error{ErrorCode::BadRequest, u"the URL names no database (…/database)"_s};
    QStringList options;
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"host") {
            location.host = value;
        } else if (key == u"sslmode" || key == u"sslrootcert" || key == u"sslcert"
                   || key == u"sslkey" || key == u"target_session_attrs") {
            options << key + u'=' + value;
        } else {
            return Error{ErrorCode::BadRequest, u"unknown URL option '%1'"_s.arg(key)};
        }
    }
    location.options = options.join(u';');
    return location;
}

PostgresStore::PostgresStore(PostgresLocation location) : m_location(std::move(location)) { }

PostgresStore::~PostgresStore() = default;

Result<StoreInfo> PostgresStore::open(bool migrate)
{
    Q_ASSERT(!m_writer);
    const PostgresLocation location = m_location;
    const auto connect
        = [location](QSqlDatabase &database) { return openPgConnection(database, location); };
    m_writer = std::make_unique<SqlThread>(u"QPSQL"_s, connect, 65536, 256, &WriterState::make);
    // Every node's batch takes its conversations' row locks in id order before anything
    // else: batches that share conversations wait for each other instead of deadlocking
    // (which PostgreSQL only notices after deadlock_timeout, a second). The BEGIN, the
    // locks and the messages staged to go with them are one round trip.
    m_writer->setSendStaged([](QSqlDatabase &database, const QList<qint64> *lockKeys) {
        if (sql::PostgresPipeline *pipeline = sql::PostgresPipeline::of(database))
            return pipeline->send(database, lockKeys);
        // No libpq connection to pipeline on (see PostgresPipeline::installedFor): nothing
        // was staged, and the BEGIN and the locks are one simple query.
        if (!lockKeys)
            return Result<void>();
        QString statement = u"BEGIN"_s;
        if (!lockKeys->isEmpty()) {
            QStringList ids;
            ids.reserve(lockKeys->size());
            for (const qint64 key : *lockKeys)
                ids.append(QString::number(key));
            statement
                += u"; SELECT id FROM conversations WHERE id IN (%1) ORDER BY id FOR UPDATE"_s.arg(
                    ids.join(u','));
        }
        return tidings::sql::runUnprepared(database, statement);
    });
    auto opened = m_writer->submit<StoreInfo>([location, migrate](QSqlDatabase &database) {
        return openPgStore(database, location, migrate);
    });
    opened.waitForFinished();
    const Result<StoreInfo> result = opened.result();
    if (result.ok())
        m_reader = std::make_unique<SqlThread>(u"QPSQL"_s, connect);
    else
        close();
    return result;
}

} // namespace tidings::relay
