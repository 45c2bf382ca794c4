#include "bench/seed.h"

#include "store/conversation_queries.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace tidings::bench {

namespace {

constexpr int kSchemaVersion = 11; ///< the relay store schema this seeder writes
constexpr qint64 kRowsPerTransaction = 200000;

struct Conversation
{
    qint64 id = 0;
    qint64 lastSeq = 0;
    qint64 sender = 0;
};

QJsonObject failed(const QString &why)
{
    return {{u"scenario"_s, u"seed"_s}, {u"errors"_s, 1}, {u"error"_s, why}};
}

/// The database connection, closed and removed when this goes out of scope.
class Connection
{
public:
    explicit Connection(const QString &path)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name());
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=0"_s);
    }
    ~Connection()
    {
        QSqlDatabase::database(name(), false).close();
        QSqlDatabase::removeDatabase(name());
    }
    static QString name() { return u"tidings-bench-seed"_s; }
    QSqlDatabase db() const { return QSqlDatabase::database(name(), false); }
};

} // namespace

QJsonObject seedHistory(const SeedOptions &options)
{
    const QString path = QDir(options.dataDirectory).filePath(u"tidings.db"_s);
    if (!QFileInfo::exists(path))
        return failed(
            u"no relay store at %1 (run the relay and a throughput run first)"_s.arg(path));
    if (options.messages < 1)
        return failed(u"nothing to seed"_s);

    Connection connection(path);
    QSqlDatabase db = connection.db();
    if (!db.open())
        return failed(u"cannot open %1: %2"_s.arg(path, db.lastError().text()));
    QSqlQuery query(db);
    if (!query.exec(u"SELECT coalesce(max(version), 0) FROM schema_migrations"_s) || !query.next())
        return failed(u"%1 is not a relay store: %2"_s.arg(path, query.lastError().text()));
    if (query.value(0).toInt() != kSchemaVersion)
        return failed(u"store schema %1, this seeder writes schema %2"_s.arg(query.value(0).toInt())
                          .arg(kSchemaVersion));

    for (const QString &pragma :
         {u"PRAGMA synchronous=OFF"_s, u"PRAGMA cache_size=-262144"_s, u"BEGIN EXCLUSIVE"_s}) {
        if (!query.exec(pragma))
            return failed(u"%1: %2"_s.arg(pragma, query.lastError().text()));
    }
    QList<Conversation> conversations;
    // The last seq as the relay reads it: messages leave the column behind the log.
    if (!query.exec(u"SELECT c.id, "_s + relay::sql::lastSeqOf(db, u"c"_s)
                    + u", min(m.user_id) FROM conversations c "
                      "JOIN members m ON m.conversation_id = c.id WHERE c.kind = 'direct' "
                      "GROUP BY c.id ORDER BY c.id"_s))
        return failed(query.lastError().text());
    while (query.next())
        conversations.append({query.value(0).toLongLong(), query.value(1).toLongLong(),
                              query.value(2).toLongLong()});
    if (conversations.isEmpty()) {
        query.exec(u"ROLLBACK"_s);
        return failed(u"no direct conversations to fill (run a throughput run first)"_s);
    }

    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO events (conversation_id, seq, kind, sender_id, body, created_at) "
                   "VALUES (?, ?, 'message', ?, ?, ?)"_s);
    QSqlQuery advance(db);
    advance.prepare(u"UPDATE conversations SET last_seq = ? WHERE id = ?"_s);

    QElapsedTimer clock;
    clock.start();
    // Timestamps 1 ms apart, ending now: the newest history is the most recent.
    qint64 createdAt = QDateTime::currentMSecsSinceEpoch() - options.messages;
    qint64 written = 0;
    qint64 sinceCommit = 0;
    const qint64 perConversation = options.messages / conversations.size();
    for (qsizetype c = 0; c < conversations.size(); ++c) {
        Conversation &conversation = conversations[c];
        const qint64 count
            = perConversation + (c < options.messages % conversations.size() ? 1 : 0);
        for (qint64 i = 0; i < count; ++i) {
            const qint64 seq = ++conversation.lastSeq;
            insert.bindValue(0, conversation.id);
            insert.bindValue(1, seq);
            insert.bindValue(2, conversation.sender);
            insert.bindValue(3, u"{\"text\":\"seeded message %1\"}"_s.arg(seq));
            insert.bindValue(4, ++createdAt);
            if (!insert.exec()) {
                query.exec(u"ROLLBACK"_s);
                return failed(insert.lastError().text());
            }
            ++written;
            if (++sinceCommit == kRowsPerTransaction) {
                advance.bindValue(0, conversation.lastSeq);
                advance.bindValue(1, conversation.id);
                if (!advance.exec() || !query.exec(u"COMMIT"_s) || !query.exec(u"BEGIN"_s))
                    return failed(query.lastError().text());
                sinceCommit = 0;
                if (written % (10 * kRowsPerTransaction) == 0)
                    std::fprintf(
                        stderr, "tidings-bench: seeded %lld of %lld (%.0f/s)\n",
                        static_cast<long long>(written), static_cast<long long>(options.messages),
                        double(written) * 1000.0 / double(std::max<qint64>(1, clock.elapsed())));
            }
        }
        advance.bindValue(0, conversation.lastSeq);
        advance.bindValue(1, conversation.id);
        if (!advance.exec())
            return failed(advance.lastError().text());
    }
    if (!query.exec(u"COMMIT"_s))
        return failed(query.lastError().text());
    const double seconds = double(clock.elapsed()) / 1000.0;
    return {{u"scenario"_s, u"seed"_s},
            {u"messages"_s, written},
            {u"conversations"_s, int(conversations.size())},
            {u"seconds"_s, seconds},
            {u"rows_per_s"_s, seconds > 0 ? double(written) / seconds : 0},
            {u"errors"_s, 0}};
}

} // namespace tidings::bench
