#include "core/local_store.h"

#include "core/store_cipher.h"
#include "e2e/store_crypto.h"
#include "sql/migrations.h"
#include "sql/sql_helpers.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <array>

namespace tidings::app {

std::span<const Migration> localMigrations();

using namespace Qt::StringLiterals;
using sql::run;

namespace {

/// Messages sealed per pass, so a long history is never all in memory at once.
constexpr int kSealBatch = 256;
/// In `account` once every value is sealed, so later opens need not read the whole history
/// to find out. An open without the key removes it: what that run writes stays plaintext.
const QString kSealedKey = u"sealed_at_rest"_s;

/// Seals messages' bodies that are still text (sealed values are BLOBs) and indexes their
/// keyed tokens instead of their words. Returns how many it sealed.
Result<qint64> sealMessageBodies(QSqlDatabase &db)
{
    qint64 sealed = 0;
    qint64 after = 0;
    while (true) {
        auto query = run(db,
                         u"SELECT id, body, text FROM messages WHERE id > ? AND "
                         "typeof(body) = 'text' ORDER BY id LIMIT ?"_s,
                         {after, kSealBatch});
        if (!query)
            return query.error();
        struct Row
        {
            qint64 id = 0;
            QString body;
            QString text;
        };
        QList<Row> rows;
        while (query->next())
            rows.append({query->value(0).toLongLong(), query->value(1).toString(),
                         query->value(2).toString()});
        query->finish();
        if (rows.isEmpty())
            return sealed;
        for (const Row &row : rows) {
            after = row.id;
            auto body = local::sealText(db, "messages", "body", QString::number(row.id), row.body);
            if (!body)
                return body.error();
            auto updated = run(db, u"UPDATE messages SET body = ?, text = ? WHERE id = ?"_s,
                               {*body, local::searchText(db, row.text), row.id});
            if (!updated)
                return updated.error();
            ++sealed;
        }
    }
}

/// Seals column `column` of `table` (trusted names), in each row that keeps it as non-empty
/// text; `keyColumn` is what binds a value to its row. Returns how many it sealed.
Result<qint64> sealTextColumn(QSqlDatabase &db, const QString &table, const QString &keyColumn,
                              const QString &column)
{
    auto query = run(db,
                     u"SELECT %1, %2 FROM %3 WHERE typeof(%2) = 'text' AND %2 <> ''"_s.arg(
                         keyColumn, column, table));
    if (!query)
        return query.error();
    QList<std::pair<QString, QString>> rows;
    while (query->next())
        rows.append({query->value(0).toString(), query->value(1).toString()});
    query->finish();
    for (const auto &[key, value] : std::as_const(rows)) {
        auto sealed = local::sealText(db, table.toUtf8(), column.toUtf8(), key, value);
        if (!sealed)
            return sealed.error();
        auto updated = run(db, u"UPDATE %1 SET %2 = ? WHERE %3 = ?"_s.arg(table, column, keyColumn),
                           {*sealed, key});
        if (!updated)
            return updated.error();
    }
    return qint64(rows.size());
}

/// What an earlier run kept in plaintext (an older app's store, or one used without a key),
/// sealed in place: in one transaction, then VACUUM, so no plaintext is left in free pages,
/// and the WAL truncated. secure_delete is on by now: what the transaction frees is zeroed.
Result<void> sealInPlace(QSqlDatabase &db)
{
    auto marked = run(db, u"SELECT 1 FROM account WHERE key = ?"_s, {kSealedKey});
    if (!marked)
        return marked.error();
    if (marked->next())
        return {};
    marked->finish();
    if (!db.transaction())
        return Error{ErrorCode::Io, u"cannot begin sealing: "_s + db.lastError().text()};
    auto sealAll = [&db]() -> Result<qint64> {
        auto messages = sealMessageBodies(db);
        if (!messages)
            return messages.error();
        // The index held words: built again from the tokens, so none of its pages keeps one.
        if (*messages > 0) {
            if (auto rebuilt = run(db,
                                   u"INSERT INTO messages_search(messages_search) "
                                   "VALUES ('rebuild')"_s);
                !rebuilt)
                return rebuilt.error();
        }
        qint64 sealed = *messages;
        const std::array<std::array<QString, 3>, 5> columns{{
            {u"messages"_s, u"id"_s, u"confirmed_body"_s},
            {u"conversations"_s, u"id"_s, u"draft"_s},
            {u"outbox"_s, u"key"_s, u"payload"_s},
            {u"transfers"_s, u"id"_s, u"path"_s},
            {u"transfers"_s, u"id"_s, u"name"_s},
        }};
        for (const auto &[table, keyColumn, column] : columns) {
            auto count = sealTextColumn(db, table, keyColumn, column);
            if (!count)
                return count.error();
            sealed += *count;
        }
        if (auto mark
            = run(db, u"INSERT INTO account (key, value) VALUES (?, '1')"_s, {kSealedKey});
            !mark)
            return mark.error();
        return sealed;
    };
    const auto sealed = sealAll();
    if (!sealed) {
        db.rollback();
        return sealed.error();
    }
    if (!db.commit()) {
        const QString why = db.lastError().text();
        db.rollback();
        return Error{ErrorCode::Io, u"cannot commit sealing: "_s + why};
    }
    if (*sealed == 0)
        return {};
    QSqlQuery query(db);
    for (const QString &statement : {u"VACUUM"_s, u"PRAGMA wal_checkpoint(TRUNCATE)"_s}) {
        if (!query.exec(statement))
            return Error{ErrorCode::Io, u"%1: %2"_s.arg(statement, query.lastError().text())};
    }
    return {};
}

/// A run without the key writes plaintext: the next one with it looks for values to seal.
Result<void> forgetSealed(QSqlDatabase &db)
{
    if (auto forgotten = run(db, u"DELETE FROM account WHERE key = ?"_s, {kSealedKey}); !forgotten)
        return forgotten.error();
    return {};
}

} // namespace

LocalStore::LocalStore(QString path, QObject *parent) : QObject(parent), m_path(std::move(path)) { }

LocalStore::~LocalStore()
{
    close();
}

void LocalStore::setStoreKey(const e2e::StoreKey &key)
{
    m_cipher = std::make_shared<const e2e::StoreValueCipher>(key);
    m_tokenizer = std::make_shared<const e2e::StoreSearchTokenizer>(key);
}

WorkerFuture<Result<int>> LocalStore::open()
{
    const QString path = m_path;
    m_connection = std::make_shared<QString>();
    m_thread = std::make_unique<SqlThread>(
        u"QSQLITE"_s,
        [path, cipher = m_cipher, tokenizer = m_tokenizer,
         connection = m_connection](QSqlDatabase &database) -> Result<void> {
            *connection = database.connectionName();
            if (cipher)
                local::attachColumnCipher(*connection, cipher, tokenizer);
            QDir().mkpath(QFileInfo(path).absolutePath());
            database.setDatabaseName(path);
            database.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
            if (!database.open())
                return Error{ErrorCode::Io,
                             u"cannot open %1: %2"_s.arg(path, database.lastError().text())};
            QSqlQuery query(database);
            // FULL: a message the user sent is in the outbox on disk before it shows, and stays
            // there through a crash or power loss until the relay acked it.
            QStringList pragmas{u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=FULL"_s,
                                u"PRAGMA foreign_keys=ON"_s};
            // With a key, what SQLite frees is zeroed: no old value stays in a free page.
            if (cipher)
                pragmas.append(u"PRAGMA secure_delete=ON"_s);
            for (const QString &pragma : std::as_const(pragmas)) {
                if (!query.exec(pragma))
                    return Error{ErrorCode::Io, u"%1: %2"_s.arg(path, query.lastError().text())};
            }
            return {};
        });
    auto opened = m_thread->submit<int>(
        [path, sealing = m_cipher != nullptr](QSqlDatabase &database) -> Result<int> {
            auto version = applyMigrations(database, localMigrations());
            if (!version)
                return Error{version.error().code, u"%1: %2"_s.arg(path, version.error().message)};
            auto sealed = sealing ? sealInPlace(database) : forgetSealed(database);
            if (!sealed)
                return Error{sealed.error().code, u"%1: %2"_s.arg(path, sealed.error().message)};
            return *version;
        });
    Q_EMIT opening();
    return opened;
}

void LocalStore::close()
{
    if (m_thread) {
        m_thread->stop();
        m_thread.reset();
    }
    if (m_connection && !m_connection->isEmpty())
        local::detachColumnCipher(*m_connection);
}

} // namespace tidings::app
