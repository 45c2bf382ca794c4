#include "sql/migrations.h"
#include "sql/sql_thread.h"
#include "store/sqlite_store.h"
#include "support/await.h"
#include "support/file_helpers.h"

#include <QDir>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

// Runs `statements` on the file through a connection of the test's own.
void execOn(const QString &path, const QStringList &statements)
{
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"test-direct"_s);
        database.setDatabaseName(path);
        QVERIFY(database.open());
        QSqlQuery query(database);
        for (const QString &statement : statements)
            QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
        database.close();
    }
    QSqlDatabase::removeDatabase(u"test-direct"_s);
}

QVariant queryOn(const QString &path, const QString &statement)
{
    QVariant value;
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"test-direct"_s);
        database.setDatabaseName(path);
        if (database.open()) {
            QSqlQuery query(database);
            if (query.exec(statement) && query.next())
                value = query.value(0);
        }
        database.close();
    }
    QSqlDatabase::removeDatabase(u"test-direct"_s);
    return value;
}

} // namespace

class TestSqliteStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    QString dbPath() const { return m_directory->filePath(u"tidings.db"_s); }

private Q_SLOTS:
    void init() { m_directory = std::make_unique<QTemporaryDir>(); }

    void newStoreIsCreatedAndMigrated()
    {
        SqliteStore store(dbPath());
        const auto info = store.open();
        QVERIFY2(info.ok(), info.ok() ? "" : qPrintable(info.error().message));
        QCOMPARE(info->schemaVersion, 11);
        QCOMPARE(info->backend, u"sqlite"_s);
        QVERIFY(!QUuid::fromString(info->instanceId).isNull());
        store.close();

        QCOMPARE(queryOn(dbPath(), u"PRAGMA application_id"_s).toInt(),
                 SqliteStore::kApplicationId);
        QCOMPARE(queryOn(dbPath(), u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
        QCOMPARE(queryOn(dbPath(), u"SELECT max(version) FROM schema_migrations"_s).toInt(), 11);
    }

    void reopeningKeepsDataAndDoesNotMigrateAgain()
    {
        QString firstId;
        {
            SqliteStore store(dbPath());
            const auto info = store.open();
            QVERIFY(info.ok());
            firstId = info->instanceId;
        }
        const QVariant appliedAt
            = queryOn(dbPath(), u"SELECT applied_at FROM schema_migrations WHERE version = 1"_s);
        SqliteStore store(dbPath());
        const auto info = store.open();
        QVERIFY(info.ok());
        QCOMPARE(info->instanceId, firstId);
        store.close();
        QCOMPARE(queryOn(dbPath(), u"SELECT count(*) FROM schema_migrations"_s).toInt(), 11);
        QCOMPARE(queryOn(dbPath(), u"SELECT applied_at FROM schema_migrations WHERE version = 1"_s),
                 appliedAt);
    }

    void version7KeepsPushTargetsAndLetsAccountsShareAnAddress()
    {
        // A store of schema 6 with a device's push target and a job waiting for it.
        {
            QSqlDatabase database = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v6"_s);
            database.setDatabaseName(dbPath());
            QVERIFY(database.open());
            QSqlQuery(database).exec(u"PRAGMA foreign_keys=ON"_s);
            QSqlQuery(database).exec(
                u"PRAGMA application_id=%1"_s.arg(SqliteStore::kApplicationId));
            const auto v6 = applyMigrations(database, sqliteMigrations().first(6));
            QVERIFY2(v6.ok(), v6.ok() ? "" : qPrintable(v6.error().message));
            QCOMPARE(*v6, 6);
            QSqlQuery query(database);
            for (const QString &statement : {
                     u"INSERT INTO users (id, username, display_name, password_hash, created_at) "
                     "VALUES (1, 'ann', 'Ann', 'x', 0), (2, 'bob', 'Bob', 'x', 0)"_s,
                     u"INSERT INTO sessions (id, user_id, token_digest, created_at, last_used_at) "
                     "VALUES (10, 1, x'01', 0, 0), (20, 2, x'02', 0, 0)"_s,
                     u"INSERT INTO push_targets (id, user_id, session_id, provider, address, "
                     "notify, created_at) VALUES (5, 1, 10, 'webhook', 'https://p/1', 'all', 0)"_s,
                     u"INSERT INTO push_jobs (target_id, state, conversation_id, sender_id, count, "
                     "first_at, due_at, job_key) VALUES (5, 'open', 7, 2, 3, 0, 0, 'k')"_s,
                 }) {
                QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
            }
            database.close();
        }
        QSqlDatabase::removeDatabase(u"v6"_s);

        {
            SqliteStore store(dbPath());
            const auto info = store.open();
            QVERIFY2(info.ok(), info.ok() ? "" : qPrintable(info.error().message));
            QCOMPARE(info->schemaVersion, 11);
        }
        QCOMPARE(queryOn(dbPath(), u"SELECT count(*) FROM push_jobs WHERE target_id = 5"_s).toInt(),
                 1);
        QCOMPARE(queryOn(dbPath(), u"SELECT address FROM push_targets WHERE id = 5"_s).toString(),
                 u"https://p/1"_s);
        QCOMPARE(queryOn(dbPath(), u"SELECT group_adds FROM users WHERE id = 1"_s).toString(),
                 u"everyone"_s);
        // The jobs still follow their target, and another account may use the address.
        execOn(dbPath(),
               {u"PRAGMA foreign_keys=ON"_s,
                u"INSERT INTO push_targets (user_id, session_id, provider, address, notify, "
                "created_at) VALUES (2, 20, 'webhook', 'https://p/1', 'all', 0)"_s,
                u"DELETE FROM sessions WHERE id = 10"_s});
        QCOMPARE(queryOn(dbPath(), u"SELECT count(*) FROM push_jobs"_s).toInt(), 0);
        QCOMPARE(queryOn(dbPath(), u"SELECT group_concat(user_id) FROM push_targets"_s).toString(),
                 u"2"_s);
    }

    void corruptFileIsRefusedAndLeftAlone()
    {
        QFile file(dbPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray garbage(8192, Qt::Uninitialized);
        QRandomGenerator generator(42);
        for (char &c : garbage)
            c = static_cast<char>(generator.bounded(256));
        file.write(garbage);
        file.close();
        const QByteArray before = directoryFingerprint(m_directory->path());

        SqliteStore store(dbPath());
        const auto info = store.open();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().code, ErrorCode::Corrupt);
        QVERIFY2(info.error().message.contains(dbPath()), qPrintable(info.error().message));
        store.close();
        QCOMPARE(directoryFingerprint(m_directory->path()), before);
    }

    void databaseOfAnotherApplicationIsRefused()
    {
        execOn(dbPath(),
               {u"CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)"_s,
                u"INSERT INTO photos (path) VALUES ('/a.jpg')"_s});
        const QByteArray before = directoryFingerprint(m_directory->path());

        SqliteStore store(dbPath());
        const auto info = store.open();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().code, ErrorCode::Incompatible);
        QVERIFY(info.error().message.contains(u"another application"_s));
        store.close();
        QCOMPARE(directoryFingerprint(m_directory->path()), before);
    }

    void newerSchemaIsRefusedAndLeftAlone()
    {
        {
            SqliteStore store(dbPath());
            QVERIFY(store.open().ok());
        }
        execOn(dbPath(), {u"INSERT INTO schema_migrations VALUES (99, 'from the future', 0)"_s});
        const QByteArray before = directoryFingerprint(m_directory->path());

        SqliteStore store(dbPath());
        const auto info = store.open();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().code, ErrorCode::Incompatible);
        QVERIFY2(info.error().message.contains(u"schema version 99"_s),
                 qPrintable(info.error().message));
        store.close();
        QCOMPARE(directoryFingerprint(m_directory->path()), before);
    }

    void jobsRunInOrderAndStopFinishesThem()
    {
        QList<int> order;
        QMutex mutex;
        SqlThread thread(u"QSQLITE"_s, [this](QSqlDatabase &database) -> Result<void> {
            database.setDatabaseName(dbPath());
            if (!database.open())
                return Error{ErrorCode::Io, database.lastError().text()};
            return {};
        });
        QList<WorkerFuture<Result<int>>> futures;
        for (int i = 0; i < 50; ++i) {
            futures.append(
                thread.submit<int>([i, &order, &mutex](QSqlDatabase &database) -> Result<int> {
                    QSqlQuery query(database);
                    if (!query.exec(u"SELECT %1"_s.arg(i)) || !query.next())
                        return Error{ErrorCode::Io, query.lastError().text()};
                    QMutexLocker locker(&mutex);
                    order.append(query.value(0).toInt());
                    return query.value(0).toInt();
                }));
        }
        thread.stop(); // must run all 50 first
        QCOMPARE(order.size(), 50);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(order.at(i), i);
            QVERIFY(futures.at(i).isFinished());
            QCOMPARE(*futures.at(i).result(), i);
        }
        // After stop, work is refused, not lost silently.
        const auto late = thread.submit<int>([](QSqlDatabase &) -> Result<int> { return 1; });
        QVERIFY(late.isFinished());
        QCOMPARE(late.result().error().code, ErrorCode::Unavailable);
    }

    void queueIsBounded()
    {
        QSemaphore release;
        SqlThread thread(
            u"QSQLITE"_s, [](QSqlDatabase &) -> Result<void> { return {}; }, 3);
        auto blocker = thread.submit<int>([&release](QSqlDatabase &) -> Result<int> {
            release.acquire();
            return 0;
        });
        auto second = thread.submit<int>([](QSqlDatabase &) -> Result<int> { return 2; });
        auto third = thread.submit<int>([](QSqlDatabase &) -> Result<int> { return 3; });
        auto overflow = thread.submit<int>([](QSqlDatabase &) -> Result<int> { return 4; });
        QVERIFY(overflow.isFinished());
        QCOMPARE(overflow.result().error().code, ErrorCode::Unavailable);
        QCOMPARE(thread.pendingJobs(), 3);
        release.release();
        QCOMPARE(*await(second), 2);
        QCOMPARE(*await(third), 3);
    }

    void writesWaitingTogetherCommitTogether()
    {
        const QString path = dbPath();
        SqlThread thread(u"QSQLITE"_s, [path](QSqlDatabase &database) -> Result<void> {
            database.setDatabaseName(path);
            if (!database.open())
                return Error{ErrorCode::Io, database.lastError().text()};
            QSqlQuery query(database);
            query.exec(u"PRAGMA journal_mode=WAL"_s);
            if (!query.exec(u"CREATE TABLE t (n INTEGER UNIQUE)"_s))
                return Error{ErrorCode::Io, query.lastError().text()};
            return {};
        });
        // Hold the thread so that the writes below queue up behind it.
        QSemaphore release;
        auto blocker = thread.submit<int>([&release](QSqlDatabase &) -> Result<int> {
            release.acquire();
            return 0;
        });
        QList<WorkerFuture<Result<int>>> writes;
        for (int i = 0; i < 100; ++i) {
            writes.append(thread.submitWrite<int>([i](QSqlDatabase &database) -> Result<int> {
                QSqlQuery query(database);
                // Job 50 inserts, then fails: its insert must vanish, the others stay.
                if (!query.exec(u"INSERT INTO t VALUES (%1)"_s.arg(i)))
                    return Error{ErrorCode::Io, query.lastError().text()};
                if (i == 50)
                    return Error{ErrorCode::Conflict, u"job 50 changes its mind"_s};
                return i;
            }));
        }
        const quint64 commitsBefore = thread.commits();
        release.release();
        for (auto &write : writes)
            write.waitForFinished();

        QCOMPARE(thread.commits() - commitsBefore, quint64(1)); // one transaction for all 100
        QCOMPARE(thread.committedWrites(), quint64(100));
        for (int i = 0; i < 100; ++i) {
            const Result<int> result = writes.at(i).result();
            if (i == 50) {
                QVERIFY(!result.ok());
                QCOMPARE(result.error().code, ErrorCode::Conflict);
            } else {
                QCOMPARE(*result, i);
            }
        }
        const auto count = thread.submit<int>([](QSqlDatabase &database) -> Result<int> {
            QSqlQuery query(database);
            query.exec(u"SELECT count(*), sum(n = 50) FROM t"_s);
            query.next();
            return query.value(0).toInt() * 1000 + query.value(1).toInt();
        });
        QCOMPARE(*await(count), 99 * 1000 + 0);
    }

    void writesWithoutSavepointShareTheFateOfTheirCommit()
    {
        // Jobs without a savepoint: a refusal is theirs alone; a store failure after writing
        // rolls the whole group commit back (and tells the connection's state so); results
        // reach their context in order, in one queued call per commit.
        struct Rollbacks final : ConnectionState
        {
            std::atomic<int> *count;
            explicit Rollbacks(std::atomic<int> *counter) : count(counter) { }
            void rolledBack() override { ++*count; }
        };
        std::atomic<int> rollbacks{0};
        const QString path = dbPath();
        SqlThread thread(
            u"QSQLITE"_s,
            [path](QSqlDatabase &database) -> Result<void> {
                database.setDatabaseName(path);
                if (!database.open())
                    return Error{ErrorCode::Io, database.lastError().text()};
                QSqlQuery(database).exec(u"CREATE TABLE t (n INTEGER)"_s);
                return {};
            },
            65536, 256,
            [&rollbacks](QSqlDatabase &) -> std::unique_ptr<ConnectionState> {
                return std::make_unique<Rollbacks>(&rollbacks);
            });
        QObject context;
        QList<std::pair<int, Result<int>>> delivered;
        QSemaphore release;
        // fail: 0 none, 1 a refusal before writing, 2 a store failure after writing.
        auto submitRound = [&](int first, int failing, int how) {
            auto blocker = thread.submit<int>([&release](QSqlDatabase &) -> Result<int> {
                release.acquire();
                return 0;
            });
            for (int i = first; i < first + 10; ++i) {
                thread.submitWrite<int>(
                    [i, failing, how](QSqlDatabase &database) -> Result<int> {
                        if (i == failing && how == 1)
                            return Error{ErrorCode::Forbidden, u"not you"_s};
                        QSqlQuery(database).exec(u"INSERT INTO t VALUES (%1)"_s.arg(i));
                        if (i == failing && how == 2)
                            return Error{ErrorCode::Io, u"disk full"_s};
                        return i;
                    },
                    &context,
                    [&delivered, i](const Result<int> &result) {
                        delivered.append({i, result});
                    },
                    WriteIsolation::None);
            }
            release.release();
        };
        auto count = [&thread] {
            return *await(thread.submit<int>([](QSqlDatabase &database) -> Result<int> {
                QSqlQuery query(database);
                query.exec(u"SELECT count(*) FROM t"_s);
                query.next();
                return query.value(0).toInt();
            }));
        };

        submitRound(0, 4, 1);
        QTRY_COMPARE(delivered.size(), 10);
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(delivered.at(i).first, i);
            if (i == 4)
                QCOMPARE(delivered.at(i).second.error().code, ErrorCode::Forbidden);
            else
                QCOMPARE(*delivered.at(i).second, i);
        }
        QCOMPARE(count(), 9);
        QCOMPARE(rollbacks.load(), 0);

        delivered.clear();
        submitRound(100, 105, 2);
        QTRY_COMPARE(delivered.size(), 10);
        for (const auto &[i, result] : std::as_const(delivered))
            QCOMPARE(result.error().code, ErrorCode::Unavailable); // all of it, or none
        QCOMPARE(count(), 9);
        QCOMPARE(rollbacks.load(), 1);

        // Nothing reaches a context that is gone.
        auto gone = std::make_unique<QObject>();
        bool called = false;
        auto blocker = thread.submit<int>([&release](QSqlDatabase &) -> Result<int> {
            release.acquire();
            return 0;
        });
        thread.submitWrite<int>([](QSqlDatabase &) -> Result<int> { return 1; }, gone.get(),
                                [&called](const Result<int> &) { called = true; });
        gone.reset();
        release.release();
        QCOMPARE(count(), 9);
        QCoreApplication::processEvents();
        QVERIFY(!called);
    }

    void readsAndWritesKeepSubmissionOrder()
    {
        const QString path = dbPath();
        SqlThread thread(u"QSQLITE"_s, [path](QSqlDatabase &database) -> Result<void> {
            database.setDatabaseName(path);
            database.open();
            QSqlQuery(database).exec(u"CREATE TABLE t (n INTEGER)"_s);
            return {};
        });
        auto write = [&thread](int n) {
            return thread.submitWrite<int>([n](QSqlDatabase &database) -> Result<int> {
                QSqlQuery(database).exec(u"INSERT INTO t VALUES (%1)"_s.arg(n));
                return n;
            });
        };
        auto read = [&thread] {
            return thread.submit<int>([](QSqlDatabase &database) -> Result<int> {
                QSqlQuery query(database);
                query.exec(u"SELECT count(*) FROM t"_s);
                query.next();
                return query.value(0).toInt();
            });
        };
        write(1);
        write(2);
        auto afterTwo = read();
        write(3);
        auto afterThree = read();
        QCOMPARE(*await(afterTwo), 2);
        QCOMPARE(*await(afterThree), 3);
    }

    void failedSetupFailsEveryJob()
    {
        SqlThread thread(u"QSQLITE"_s, [](QSqlDatabase &) -> Result<void> {
            return Error{ErrorCode::Io, u"disk on fire"_s};
        });
        const auto result
            = await(thread.submit<int>([](QSqlDatabase &) -> Result<int> { return 1; }));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().message, u"disk on fire"_s);
    }
};

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlite_store.moc"
