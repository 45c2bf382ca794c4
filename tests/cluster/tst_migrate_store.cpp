// `tidings-relay migrate-store` (docs/operations.md, "Moving an embedded relay into a
// cluster"): what a real embedded relay stored through the protocol — accounts, sessions,
// chats and everything done to their messages, media, push targets and jobs — is moved into
// PostgreSQL and the S3 stand-in, every table row for row, and a relay on the cluster's
// settings serves it as before. A failed copy leaves the target without rows; a second copy
// into a store that holds data is refused; the data directory is never changed.
#include "crypto/sealed_box.h"
#include "support/file_helpers.h"
#include "support/http_helpers.h"
#include "support/protocol_client.h"
#include "support/relay_process.h"
#include "support/s3_standin_process.h"
#include "support/test_account.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace tidings::test;

namespace {

using Headers = tidings::test::TestAccount::Headers;
using Account = tidings::test::TestAccount;

/// Every file under `directory` but the lock and SQLite's -wal/-shm (a reader may make
/// empty ones): its path and digest.
QMap<QString, QString> filesOf(const QString &directory)
{
    QMap<QString, QString> files;
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.endsWith(u"-wal"_s) || path.endsWith(u"-shm"_s) || path.endsWith(u".lock"_s))
            continue;
        files.insert(path, fileSha256(path));
    }
    return files;
}

/// A store's contents: each table's columns (SQLite's order) and its rows as text, sorted.
struct StoreRows
{
    QMap<QString, QStringList> columns;
    QMap<QString, QStringList> rows;
};

QString cellText(const QVariant &value)
{
    if (value.isNull())
        return u"NULL"_s;
    if (value.typeId() == QMetaType::QByteArray)
        return u"x'"_s + QString::fromLatin1(value.toByteArray().toHex()) + u'\'';
    return value.toString();
}

bool readRows(QSqlDatabase &db, const QString &statement, int columns, QStringList *rows,
              QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(statement)) {
        *error = statement + u": "_s + query.lastError().text();
        return false;
    }
    while (query.next()) {
        QStringList cells;
        for (int i = 0; i < columns; ++i)
            cells.append(cellText(query.value(i)));
        rows->append(cells.join(u" | "_s));
    }
    rows->sort();
    return true;
}

/// What the selects compare, per table. The target's own instance id stays its own; SQLite
/// leaves conversations.last_seq behind its log (the relay reads the larger of the two), so
/// that column is compared as the relay reads it.
QString selectFor(const QString &table, const QStringList &columns, bool sqlite)
{
    QStringList expressions = columns;
    if (table == u"conversations" && sqlite) {
        expressions.replace(columns.indexOf(u"last_seq"_s),
                            u"MAX(last_seq, IFNULL((SELECT MAX(e.seq) FROM events e "
                            "WHERE e.conversation_id = conversations.id), 0))"_s);
    }
    QString statement = u"SELECT %1 FROM %2"_s.arg(expressions.join(u", "_s), table);
    if (table == u"relay_meta")
        statement += u" WHERE key <> 'instance_id'"_s;
    return statement;
}

StoreRows sqliteRows(const QString &path, QString *error)
{
    StoreRows store;
    const QString connection = u"migrate-test-sqlite"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        QStringList tables;
        if (!db.open()
            || !readRows(db,
                         u"SELECT name FROM sqlite_master WHERE type = 'table' AND "
                         "name NOT LIKE 'sqlite%' AND name <> 'schema_migrations'"_s,
                         1, &tables, error)) {
            if (error->isEmpty())
                *error = db.lastError().text();
        }
        for (const QString &table : std::as_const(tables)) {
            QStringList columns;
            QSqlQuery info(db);
            info.exec(u"PRAGMA table_info(%1)"_s.arg(table));
            while (info.next())
                columns.append(info.value(1).toString());
            store.columns.insert(table, columns);
            if (!readRows(db, selectFor(table, columns, true), columns.size(), &store.rows[table],
                          error))
                break;
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return store;
}

/// The same tables and columns read from the PostgreSQL store at `url`.
StoreRows postgresRows(const QString &url, const QMap<QString, QStringList> &columns,
                       QString *error)
{
    StoreRows store;
    store.columns = columns;
    const QUrl location(url);
    const QString connection = u"migrate-test-postgres"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, connection);
        db.setHostName(location.host());
        db.setPort(location.port(5432));
        db.setUserName(location.userName());
        db.setDatabaseName(location.path().mid(1));
        if (!db.open())
            *error = db.lastError().text();
        for (auto it = columns.cbegin(); error->isEmpty() && it != columns.cend(); ++it)
            readRows(db, selectFor(it.key(), it.value(), false), it.value().size(),
                     &store.rows[it.key()], error);
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return store;
}

} // namespace

class TestMigrateStore : public QObject
{
    Q_OBJECT

    static bool ok(const QJsonObject &reply) { return ProtocolClient::isOk(reply); }

    /// A change to the log (send, edit, react, delete): its seq, or 0 with a warning.
    static qint64 logged(ProtocolClient &client, const QString &type, const QJsonObject &fields)
    {
        const QJsonObject reply = client.request(type, fields);
        if (!ok(reply)) {
            qWarning() << type << reply;
            return 0;
        }
        return reply.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
    }

    static qint64 conversationOf(const QJsonObject &reply)
    {
        return reply.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();
    }

    /// Uploads `bytes` as one file of `owner`'s; completes it unless `sendOnly` bytes are
    /// to be sent (then the upload stays unfinished). Returns the media id.
    static QString upload(RelayProcess &relay, const Account &owner, const QByteArray &bytes,
                          qsizetype sendOnly = -1)
    {
        const QJsonObject fields{{u"size"_s, bytes.size()},
                                 {u"type"_s, u"application/octet-stream"_s},
                                 {u"sha256"_s, sha256Hex(bytes)},
                                 {u"name"_s, u"notes.bin"_s}};
        const HttpResult created = httpRequest("POST", relay.httpUrl(u"/v1/media"_s),
                                               owner.auth({{"Content-Type", "application/json"}}),
                                               QJsonDocument(fields).toJson());
        const QString id = created.json().value(u"id"_s).toString();
        if (created.status != 201)
            return {};
        const qsizetype sent = sendOnly < 0 ? bytes.size() : sendOnly;
        if (httpRequest("PATCH", relay.httpUrl(u"/v1/media/"_s + id),
                        owner.auth({{"Upload-Offset", "0"}}), bytes.left(sent))
                .status
            != 204)
            return {};
        if (sendOnly < 0
            && httpRequest("POST", relay.httpUrl(u"/v1/media/%1/complete"_s.arg(id)), owner.auth())
                    .status
                != 200)
            return {};
        return id;
    }

    RelayProcess::Exit migrateStore(const QString &dataDirectory, const QStringList &more)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"TIDINGS_S3_ACCESS_KEY_ID"_s, QString::fromUtf8(m_keys.accessKey));
        environment.insert(u"TIDINGS_S3_SECRET_ACCESS_KEY"_s, QString::fromUtf8(m_keys.secretKey));
        // Small pieces: a file of several objects on S3.
        return RelayProcess::runToExit(QStringList{u"migrate-store"_s, u"--data-dir"_s,
                                                   dataDirectory, u"--media-chunk-bytes"_s,
                                                   u"65536"_s}
                                           + more,
                                       180000, environment);
    }

    QString mediaUrl() const
    {
        return u"s3://media/moved/in?endpoint=%1&region=us-east-1"_s.arg(m_s3->endpoint());
    }

    /// The push settings of both relays: UnifiedPush to loopback, where nothing listens.
    static QStringList pushArguments(int coalesceMs)
    {
        return {u"--push-unifiedpush-endpoints"_s, u"http://127.0.0.1:"_s,
                u"--push-coalesce-ms"_s,           QString::number(coalesceMs),
                u"--push-max-attempts"_s,          u"1"_s};
    }

    static QStringList embedded(int coalesceMs)
    {
        return QStringList{u"--store"_s, QString()} + pushArguments(coalesceMs);
    }

    QStringList cluster(RelayProcess &node) const
    {
        return QStringList{u"--store"_s, node.storeUrl(), u"--bus"_s,
                           m_bus,        u"--media"_s,    mediaUrl()}
        + pushArguments(3600 * 1000);
    }

    S3Credentials m_keys{"TIDINGSMIGRATE", "secret of the migrate-store test", "us-east-1"};
    std::unique_ptr<S3StandInProcess> m_s3;
    QString m_bus;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_bus = RelayProcess::clusterService(u"redis.url"_s);
        if (m_bus.isEmpty())
            QSKIP("the cluster fixture's servers are not running (ctest -L cluster starts them)");
        m_s3 = std::make_unique<S3StandInProcess>(QStringLiteral(TIDINGS_S3_STANDIN_BINARY));
        QVERIFY2(m_s3->start({m_keys, u"media"_s}), qPrintable(m_s3->lastError()));
    }

    void movesAnEmbeddedRelayIntoACluster()
    {
        // 1. An embedded relay, used: two accounts more than a chat needs, a 1:1 and a group
        // with everything the protocol does to messages, files, a block, a report, push.
        RelayProcess source;
        QVERIFY2(source.start(embedded(0)), qPrintable(source.lastError()));
        Account alice = Account::signUp(source.webSocketUrl(), u"alice"_s);
        Account bob = Account::signUp(source.webSocketUrl(), u"bob"_s);
        Account carol = Account::signUp(source.webSocketUrl(), u"carol"_s);
        Account dave = Account::signUp(source.webSocketUrl(), u"dave"_s);
        QVERIFY(alice.id && bob.id && carol.id && dave.id);
        QVERIFY(ok(bob.client->request(u"profile.update"_s,
                                       {{u"display_name"_s, u"Bob B."_s},
                                        {u"hide_last_seen"_s, true},
                                        {u"group_adds"_s, u"contacts"_s}})));

        const qint64 direct
            = conversationOf(alice.client->request(u"direct.open"_s, {{u"user"_s, bob.id}}));
        QVERIFY(direct > 0);
        const qint64 hello = logged(*alice.client, u"message.send"_s,
                                    {{u"conversation"_s, direct},
                                     {u"client_id"_s, u"d1"_s},
                                     {u"text"_s, u"Hello Bob, ünïcödé and 'quotes' \\ too"_s}});
        const qint64 answer = logged(*bob.client, u"message.send"_s,
                                     {{u"conversation"_s, direct},
                                      {u"client_id"_s, u"d2"_s},
                                      {u"text"_s, u"Hi!"_s},
                                      {u"reply_to"_s, hello}});
        const qint64 oops = logged(
            *bob.client, u"message.send"_s,
            {{u"conversation"_s, direct}, {u"client_id"_s, u"d3"_s}, {u"text"_s, u"wrong chat"_s}});
        QVERIFY(hello && answer && oops);
        QVERIFY(logged(*alice.client, u"message.edit"_s,
                       {{u"conversation"_s, direct},
                        {u"client_id"_s, u"d4"_s},
                        {u"seq"_s, hello},
                        {u"text"_s, u"Hello Bob (edited)"_s}}));
        QVERIFY(logged(*alice.client, u"message.react"_s,
                       {{u"conversation"_s, direct},
                        {u"client_id"_s, u"d5"_s},
                        {u"seq"_s, answer},
                        {u"emoji"_s, u"👍"_s}}));
        QVERIFY(logged(*bob.client, u"message.delete"_s,
                       {{u"conversation"_s, direct}, {u"client_id"_s, u"d6"_s}, {u"seq"_s, oops}}));
        QVERIFY(ok(bob.client->request(u"receipt"_s,
                                       {{u"conversation"_s, direct}, {u"read_seq"_s, answer}})));

        // Bob takes groups only from contacts: Alice has written to him.
        const QJsonObject made = alice.client->request(
            u"group.create"_s,
            {{u"title"_s, u"Book club"_s}, {u"members"_s, QJsonArray{bob.id, carol.id, dave.id}}});
        QVERIFY2(ok(made), qPrintable(made.value(u"message"_s).toString()));
        const qint64 group = conversationOf(made);
        QVERIFY(ok(alice.client->request(u"group.rename"_s,
                                         {{u"conversation"_s, group}, {u"title"_s, u"Books"_s}})));
        QVERIFY(ok(alice.client->request(
            u"group.set_role"_s,
            {{u"conversation"_s, group}, {u"user"_s, carol.id}, {u"role"_s, u"admin"_s}})));
        const QByteArray file = randomBytes(200 * 1024 + 123, 46);
        const QString fileId = upload(source, alice, file);
        QVERIFY(!fileId.isEmpty());
        const qint64 withFile
            = logged(*alice.client, u"message.send"_s,
                     {{u"conversation"_s, group},
                      {u"client_id"_s, u"g1"_s},
                      {u"text"_s, u"the chapter"_s},
                      {u"attachments"_s, QJsonArray{QJsonObject{{u"media"_s, fileId}}}}});
        QVERIFY(withFile);
        QVERIFY(
            logged(*carol.client, u"message.send"_s,
                   {{u"conversation"_s, group}, {u"client_id"_s, u"g2"_s}, {u"text"_s, u"ok"_s}}));
        QVERIFY(ok(dave.client->request(u"group.leave"_s, {{u"conversation"_s, group}})));
        QVERIFY(ok(carol.client->request(
            u"receipt"_s, {{u"conversation"_s, group}, {u"delivered_seq"_s, withFile + 1}})));
        QVERIFY(ok(dave.client->request(u"user.block"_s, {{u"user"_s, bob.id}})));
        QVERIFY(ok(carol.client->request(
            u"report"_s,
            {{u"conversation"_s, group}, {u"seq"_s, withFile}, {u"reason"_s, u"spoilers"_s}})));
        // A file still being uploaded: half its bytes.
        const QByteArray unfinished = randomBytes(150 * 1024, 47);
        const QString unfinishedId = upload(source, carol, unfinished, 100 * 1024);
        QVERIFY(!unfinishedId.isEmpty());
        // A signed link: it must still work once the cluster serves the file.
        const HttpResult link
            = httpRequest("POST", source.httpUrl(u"/v1/media/%1/link"_s.arg(fileId)), alice.auth());
        QCOMPARE(link.status, 200);
        const QUrl signedLink
            = source.httpUrl().resolved(QUrl(link.json().value(u"url"_s).toString()));

        // Bob's phone takes pushes at an address where nothing listens: the first push is
        // given up on (a dead letter); after a restart that waits an hour, one stays queued.
        const tidings::crypto::BoxKeyPair keys = tidings::crypto::newBoxKeyPair();
        const QJsonObject registered = bob.client->request(
            u"push.register"_s,
            {{u"provider"_s, u"unifiedpush"_s},
             {u"address"_s, u"http://127.0.0.1:1/up-bob"_s},
             {u"device_key"_s, QString::fromLatin1(keys.publicKey.toBase64())}});
        QVERIFY2(ok(registered), qPrintable(registered.value(u"message"_s).toString()));
        bob.client->close();
        QVERIFY(
            logged(*alice.client, u"message.send"_s,
                   {{u"conversation"_s, direct}, {u"client_id"_s, u"d7"_s}, {u"text"_s, u"?"_s}}));
        QTRY_VERIFY_WITH_TIMEOUT(
            httpGet(source.httpUrl(u"/metrics"_s))
                .body.contains("\ntidings_push_dead_lettered_total{provider=\"unifiedpush\"} 1\n"),
            20000);

        // The app's attempt while the relay runs: refused, the relay's lock says why.
        RelayProcess target;
        const QString targetStore = target.storeUrl();
        const auto whileRunning = migrateStore(source.dataDirectory(),
                                               {u"--to"_s, targetStore, u"--media"_s, mediaUrl()});
        QCOMPARE(whileRunning.exitCode, 1);
        QVERIFY2(whileRunning.standardError.contains("in use by another relay"),
                 whileRunning.standardError.constData());

        QCOMPARE(source.stop(), 0);
        QVERIFY2(source.start(embedded(3600 * 1000)), qPrintable(source.lastError()));
        QVERIFY(alice.client->signIn(source.webSocketUrl(), u"alice"_s) == alice.id);
        const qint64 queued = logged(*alice.client, u"message.send"_s,
                                     {{u"conversation"_s, direct},
                                      {u"client_id"_s, u"d8"_s},
                                      {u"text"_s, u"still there?"_s}});
        QVERIFY(queued);

        // What the members see, to compare with the cluster's answers.
        const QList<QJsonObject> directBefore = alice.client->wholeHistory(direct);
        const QList<QJsonObject> groupBefore = alice.client->wholeHistory(group);
        QVERIFY(dave.client->signIn(source.webSocketUrl(), u"dave"_s) == dave.id);
        const QList<QJsonObject> daveGroupBefore = dave.client->wholeHistory(group);
        QJsonObject daveListBefore = dave.client->request(u"conversations.list"_s);
        daveListBefore.remove(u"id"_s); // the request's
        QCOMPARE(directBefore.last().value(u"seq"_s).toInteger(), queued);
        QCOMPARE(source.stop(), 0);

        const QString sqlitePath = source.dataDirectory() + u"/tidings.db"_s;
        // The key directory: Alice's identity, Bob's device on his session with its prekeys and
        // inbox (the test's own connection writes them as the e2e requests would).
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"key-directory"_s);
            db.setDatabaseName(sqlitePath);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(u"PRAGMA foreign_keys=ON"_s));
            for (
                const QString &statement : {
                    u"INSERT INTO identities (user_id, identity_key, list, version, updated_at) "
                    "SELECT id, randomblob(32), randomblob(100), 4294967296, 1 FROM users "
                    "WHERE username IN ('alice', 'bob')"_s,
                    u"INSERT INTO devices (user_id, device_id, session_id, key, certificate, "
                    u"name, "
                    "created_at, last_seen_at) SELECT user_id, 4294967295, max(id), "
                    "randomblob(32), randomblob(64), 'Bob''s phone', 2, 3 FROM sessions "
                    "WHERE user_id = %1 GROUP BY user_id"_s.arg(bob.id),
                    u"INSERT INTO signed_prekeys (user_id, device_id, key_id, key, signature, "
                    "created_at) VALUES (%1, 4294967295, 7, randomblob(32), randomblob(64), 4)"_s
                        .arg(bob.id),
                    u"INSERT INTO one_time_prekeys (user_id, device_id, key_id, key) VALUES "
                    "(%1, 4294967295, 0, randomblob(32)), (%1, 4294967295, 1, randomblob(32))"_s
                        .arg(bob.id),
                    // And his device inbox: a key message waiting, a send remembered.
                    u"UPDATE devices SET inbox_seq = 5, inbox_gone = 4 WHERE user_id = %1"_s.arg(
                        bob.id),
                    u"INSERT INTO inbox (user_id, device_id, seq, sender_id, sender_device, "
                    "body, created_at) VALUES (%1, 4294967295, 5, %2, 9, randomblob(300), 5)"_s
                        .arg(bob.id)
                        .arg(alice.id),
                    u"INSERT INTO inbox_sends (user_id, device_id, client_id, result, "
                    "created_at) VALUES (%1, 4294967295, 'k-1', CAST('{\"stored\":1}' AS BLOB), 6)"_s
                        .arg(bob.id),
                    // And an offer to link a new device, from his.
                    u"INSERT INTO link_offers (id, user_id, offer_session, offer_device, "
                    "ephemeral, answer_session, created_at, expires_at) SELECT "
                    "'0123456789abcdef0123456789abcdef', user_id, session_id, device_id, "
                    "randomblob(32), NULL, 7, 8 FROM devices WHERE user_id = %1"_s.arg(bob.id),
                }) {
                QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
                QVERIFY(query.numRowsAffected() > 0);
            }
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"key-directory"_s);
        const QMap<QString, QString> sourceFiles = filesOf(source.dataDirectory());
        QVERIFY(sourceFiles.contains(sqlitePath));
        QString error;
        const StoreRows before = sqliteRows(sqlitePath, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // Every table holds rows, so every table's copy is checked below.
        QVERIFY(before.rows.size() >= 17);
        for (auto it = before.rows.cbegin(); it != before.rows.cend(); ++it)
            QVERIFY2(!it.value().isEmpty(), qPrintable(u"table %1 is empty"_s.arg(it.key())));

        // 2. Refusals that change nothing: no --to; media files but nowhere to put them.
        const auto noTarget = migrateStore(source.dataDirectory(), {});
        QCOMPARE(noTarget.exitCode, 2);
        QVERIFY(noTarget.standardError.contains("needs --to"));
        const auto noMedia = migrateStore(source.dataDirectory(), {u"--to"_s, targetStore});
        QCOMPARE(noMedia.exitCode, 1);
        QVERIFY2(noMedia.standardError.contains("no media target"),
                 noMedia.standardError.constData());
        QCOMPARE(target
                     .queryStore(u"SELECT count(*) FROM pg_tables WHERE schemaname = "
                                 "current_schema()"_s)
                     .toInt(),
                 0);

        // 3. A copy that fails at its last table (a trigger refuses signed prekeys, after every
        // other table went in): rolled back whole, the target holds no row.
        const auto migrated = RelayProcess::runToExit(target.adminArguments() << u"migrate"_s);
        QCOMPARE(migrated.exitCode, 0);
        QVERIFY(
            target.execOnStore(u"CREATE FUNCTION refuse_copy() RETURNS trigger LANGUAGE plpgsql "
                               "AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"_s)
            >= 0);
        QVERIFY(target.execOnStore(u"CREATE TRIGGER refuse_copy BEFORE INSERT ON signed_prekeys "
                                   "FOR EACH ROW EXECUTE FUNCTION refuse_copy()"_s)
                >= 0);
        const QStringList toCluster{u"--to"_s, targetStore, u"--media"_s, mediaUrl()};
        const auto failed = migrateStore(source.dataDirectory(), toCluster);
        QCOMPARE(failed.exitCode, 1);
        QVERIFY2(failed.standardError.contains("rolled back")
                     && failed.standardError.contains("injected failure"),
                 failed.standardError.constData());
        QVERIFY2(failed.standardOutput.contains("users: 4 rows"),
                 failed.standardOutput.constData());
        for (const QString &table : before.rows.keys()) {
            // The target's own instance id and e2e default.
            const int expected = table == u"relay_meta" ? 2 : 0;
            QCOMPARE(target.queryStore(u"SELECT count(*) FROM "_s + table).toInt(), expected);
        }
        QVERIFY(target.execOnStore(u"DROP TRIGGER refuse_copy ON signed_prekeys"_s) >= 0);

        // 4. Run again: everything, every table row for row.
        const auto copied = migrateStore(source.dataDirectory(), toCluster);
        QVERIFY2(copied.exitCode == 0,
                 QByteArray(copied.standardOutput + copied.standardError).constData());
        QVERIFY2(copied.standardOutput.contains("committed"), copied.standardOutput.constData());
        const QRegularExpression mediaLine(u"media files +2 \\((\\d+) bytes\\)"_s);
        const auto mediaSummary = mediaLine.match(QString::fromUtf8(copied.standardOutput));
        QVERIFY2(mediaSummary.hasMatch(), copied.standardOutput.constData());
        QCOMPARE(mediaSummary.captured(1).toLongLong(), file.size() + 100 * 1024);
        const StoreRows after = postgresRows(targetStore, before.columns, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (auto it = before.rows.cbegin(); it != before.rows.cend(); ++it) {
            const QStringList copiedRows = after.rows.value(it.key());
            if (copiedRows != it.value())
                qWarning().noquote()
                    << it.key() << "\nSQLite:    " << it.value() << "\nPostgreSQL:" << copiedRows;
            QCOMPARE(copiedRows, it.value());
        }
        QCOMPARE(
            target.queryStore(u"SELECT last_seq FROM conversations WHERE id = %1"_s.arg(direct))
                .toLongLong(),
            queued);
        QCOMPARE(filesOf(source.dataDirectory()), sourceFiles);

        // 5. A relay on the cluster's settings serves it all.
        target.environment().insert(u"TIDINGS_S3_ACCESS_KEY_ID"_s,
                                    QString::fromUtf8(m_keys.accessKey));
        target.environment().insert(u"TIDINGS_S3_SECRET_ACCESS_KEY"_s,
                                    QString::fromUtf8(m_keys.secretKey));
        QVERIFY2(target.start(cluster(target)), qPrintable(target.lastError()));

        // While Bob is away, a message joins the push job that was waiting.
        Account alice2;
        alice2.token = alice.token;
        QCOMPARE(alice2.client->signIn(target.webSocketUrl(), u"alice"_s), alice.id);
        const qint64 next = logged(*alice2.client, u"message.send"_s,
                                   {{u"conversation"_s, direct},
                                    {u"client_id"_s, u"c1"_s},
                                    {u"text"_s, u"on the cluster"_s}});
        QCOMPARE(next, queued + 1);
        QCOMPARE(target.queryStore(u"SELECT count FROM push_jobs"_s).toInt(), 2);

        // Bob's device resumes with its old token; the others sign in with their passwords.
        Account bob2;
        QVERIFY(bob2.client->open(target.webSocketUrl()));
        QVERIFY(bob2.client->hello());
        const QJsonObject resumed = bob2.client->request(u"auth"_s, {{u"token"_s, bob.token}});
        QVERIFY2(ok(resumed), qPrintable(resumed.value(u"message"_s).toString()));
        QCOMPARE(resumed.value(u"user"_s).toObject().value(u"id"_s).toInteger(), bob.id);
        QCOMPARE(resumed.value(u"user"_s).toObject().value(u"display_name"_s).toString(),
                 u"Bob B."_s);
        bob2.token = bob.token;
        Account dave2;
        QCOMPARE(dave2.client->signIn(target.webSocketUrl(), u"dave"_s), dave.id);

        // The same history, seq for seq, for a member and a former member.
        QList<QJsonObject> directAfter = alice2.client->wholeHistory(direct);
        QCOMPARE(directAfter.size(), directBefore.size() + 1);
        directAfter.removeLast();
        QCOMPARE(directAfter, directBefore);
        QCOMPARE(alice2.client->wholeHistory(group), groupBefore);
        QCOMPARE(dave2.client->wholeHistory(group), daveGroupBefore);
        QJsonObject daveListAfter = dave2.client->request(u"conversations.list"_s);
        daveListAfter.remove(u"id"_s); // the request's
        QCOMPARE(daveListAfter, daveListBefore);
        // Blocks held: Dave still cannot write to Bob.
        QCOMPARE(ProtocolClient::errorCode(
                     dave2.client->request(u"direct.open"_s, {{u"user"_s, bob.id}})),
                 u"forbidden"_s);

        // The file, byte for byte, from S3: with a token, and through the old signed link.
        const HttpResult downloaded
            = httpRequest("GET", target.httpUrl(u"/v1/media/"_s + fileId), bob2.auth());
        QCOMPARE(downloaded.status, 200);
        QVERIFY(downloaded.body == file);
        QCOMPARE(downloaded.header("ETag"), '"' + sha256Hex(file).toLatin1() + '"');
        QUrl linkOnCluster = signedLink;
        linkOnCluster.setPort(target.port());
        const HttpResult linked = httpGet(linkOnCluster);
        QCOMPARE(linked.status, 200);
        QVERIFY(linked.body == file);
        // The unfinished upload goes on where it stood.
        Account carol2;
        QCOMPARE(carol2.client->signIn(target.webSocketUrl(), u"carol"_s), carol.id);
        carol2.token = carol.token;
        const HttpResult standing = httpRequest(
            "GET", target.httpUrl(u"/v1/media/%1/upload"_s.arg(unfinishedId)), carol2.auth());
        QCOMPARE(standing.status, 200);
        QCOMPARE(standing.header("Upload-Offset"), QByteArray::number(100 * 1024));
        QCOMPARE(httpRequest("PATCH", target.httpUrl(u"/v1/media/"_s + unfinishedId),
                             carol2.auth({{"Upload-Offset", QByteArray::number(100 * 1024)}}),
                             unfinished.mid(100 * 1024))
                     .status,
                 204);
        QCOMPARE(httpRequest("POST", target.httpUrl(u"/v1/media/%1/complete"_s.arg(unfinishedId)),
                             carol2.auth())
                     .status,
                 200);

        // New rows take ids after the copied ones; the group's log goes on.
        Account erin = Account::signUp(target.webSocketUrl(), u"erin"_s);
        QCOMPARE(erin.id, dave.id + 1);
        const qint64 erinsChat
            = conversationOf(erin.client->request(u"direct.open"_s, {{u"user"_s, alice.id}}));
        QCOMPARE(erinsChat, std::max(direct, group) + 1);
        QCOMPARE(
            logged(*carol2.client, u"message.send"_s,
                   {{u"conversation"_s, group}, {u"client_id"_s, u"c2"_s}, {u"text"_s, u"back"_s}}),
            groupBefore.last().value(u"seq"_s).toInteger() + 1);

        // 6. Again into the store that now holds data: refused, nothing changes.
        const qint64 events = target.queryStore(u"SELECT count(*) FROM events"_s).toLongLong();
        const QStringList objects = m_s3->keys(u"media"_s);
        const auto again = migrateStore(source.dataDirectory(), toCluster);
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.standardError.contains("already holds data"),
                 again.standardError.constData());
        QCOMPARE(target.queryStore(u"SELECT count(*) FROM events"_s).toLongLong(), events);
        QCOMPARE(target.queryStore(u"SELECT count(*) FROM users"_s).toInt(), 5);
        QCOMPARE(m_s3->keys(u"media"_s), objects);
        QCOMPARE(filesOf(source.dataDirectory()), sourceFiles);
    }

    void refusesASourceAtAnOlderSchema()
    {
        RelayProcess source;
        QVERIFY2(source.start(embedded(0)), qPrintable(source.lastError()));
        Account frank = Account::signUp(source.webSocketUrl(), u"frank"_s);
        QVERIFY(frank.id);
        QCOMPARE(source.stop(), 0);
        // As if written by the relay before its newest version (the test's own connection).
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"older"_s);
            db.setDatabaseName(source.dataDirectory() + u"/tidings.db"_s);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(u"DELETE FROM schema_migrations WHERE version = "
                               "(SELECT max(version) FROM schema_migrations)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"older"_s);

        RelayProcess target;
        const auto refused = migrateStore(source.dataDirectory(),
                                          {u"--to"_s, target.storeUrl(), u"--media"_s, mediaUrl()});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.standardError.contains("older than this relay's")
                     && refused.standardError.contains("migrate"),
                 refused.standardError.constData());
        // Refused before the target was touched.
        QCOMPARE(target
                     .queryStore(u"SELECT count(*) FROM pg_tables WHERE schemaname = "
                                 "current_schema()"_s)
                     .toInt(),
                 0);
    }
};

QTEST_GUILESS_MAIN(TestMigrateStore)
#include "tst_migrate_store.moc"
