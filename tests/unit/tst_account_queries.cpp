// Account and session queries on a real SQLite store, through the store's threads.
#include "store/account_queries.h"
#include "store/sqlite_store.h"
#include "support/await.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestAccountQueries : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    std::unique_ptr<SqliteStore> m_store;

    template<typename T> Result<T> write(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(m_store->write<T>(std::move(job)));
    }
    template<typename T> Result<T> read(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(m_store->read<T>(std::move(job)));
    }
    UserRecord addUser(const QString &name)
    {
        auto user = write<UserRecord>([name](QSqlDatabase &db) {
            return sql::insertUser(db, name, name.toUpper(), "$hash$");
        });
        if (!user)
            qFatal("addUser: %s", qPrintable(user.error().message));
        return *user;
    }

private Q_SLOTS:
    void init()
    {
        m_directory = std::make_unique<QTemporaryDir>();
        m_store = std::make_unique<SqliteStore>(m_directory->filePath(u"t.db"_s));
        QVERIFY(m_store->open().ok());
    }
    void cleanup() { m_store.reset(); }

    void usersAreUniqueByUsername()
    {
        const UserRecord alice = addUser(u"alice"_s);
        QVERIFY(alice.id > 0);
        QCOMPARE(alice.displayName, u"ALICE"_s);
        QVERIFY(alice.createdAt > 0);
        const auto again = write<UserRecord>(
            [](QSqlDatabase &db) { return sql::insertUser(db, u"alice"_s, u"x"_s, "h"); });
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, ErrorCode::Conflict);

        const auto credentials = read<Credentials>(
            [](QSqlDatabase &db) { return sql::credentialsByUsername(db, u"alice"_s); });
        QVERIFY(credentials.ok());
        QCOMPARE(credentials->user.id, alice.id);
        QCOMPARE(credentials->passwordHash, QByteArray("$hash$"));
        const auto nobody = read<Credentials>(
            [](QSqlDatabase &db) { return sql::credentialsByUsername(db, u"nobody"_s); });
        QCOMPARE(nobody.error().code, ErrorCode::NotFound);
    }

    void sessionsAuthenticateByDigestOnly()
    {
        const UserRecord alice = addUser(u"alice"_s);
        const auto session = write<SessionRecord>([&](QSqlDatabase &db) {
            return sql::insertSession(db, alice.id, QByteArray(32, 'a'), u"laptop"_s);
        });
        QVERIFY(session.ok());
        QCOMPARE(session->device, u"laptop"_s);

        const auto authenticated = write<AuthenticatedSession>(
            [](QSqlDatabase &db) { return sql::authenticate(db, QByteArray(32, 'a')); });
        QVERIFY(authenticated.ok());
        QCOMPARE(authenticated->user.id, alice.id);
        QCOMPARE(authenticated->session.id, session->id);

        const auto wrong = write<AuthenticatedSession>(
            [](QSqlDatabase &db) { return sql::authenticate(db, QByteArray(32, 'b')); });
        QCOMPARE(wrong.error().code, ErrorCode::Unauthorized);
    }

    void disablingEndsEverySession()
    {
        const UserRecord alice = addUser(u"alice"_s);
        const auto inserted = write<SessionRecord>(
            [&](QSqlDatabase &db) { return sql::insertSession(db, alice.id, "d1", {}); });
        QVERIFY2(inserted.ok(), inserted.ok() ? "" : qPrintable(inserted.error().message));

        const auto disabled = write<UserRecord>(
            [](QSqlDatabase &db) { return sql::setDisabled(db, u"alice"_s, true); });
        QVERIFY(disabled.ok());
        QVERIFY(disabled->disabled);
        QCOMPARE(write<AuthenticatedSession>(
                     [](QSqlDatabase &db) { return sql::authenticate(db, "d1"); })
                     .error()
                     .code,
                 ErrorCode::Unauthorized);
        QCOMPARE(write<UserRecord>(
                     [](QSqlDatabase &db) { return sql::setDisabled(db, u"nobody"_s, true); })
                     .error()
                     .code,
                 ErrorCode::NotFound);
    }

    void aDisabledUsersNewSessionIsForbidden()
    {
        const UserRecord alice = addUser(u"alice"_s);
        QVERIFY(write<UserRecord>([](QSqlDatabase &db) {
                    return sql::setDisabled(db, u"alice"_s, true);
                }).ok());
        QVERIFY(write<SessionRecord>([&](QSqlDatabase &db) {
                    return sql::insertSession(db, alice.id, "d2", {});
                }).ok());
        QCOMPARE(write<AuthenticatedSession>(
                     [](QSqlDatabase &db) { return sql::authenticate(db, "d2"); })
                     .error()
                     .code,
                 ErrorCode::Forbidden);
    }

    void unusedSessionsExpire()
    {
        const UserRecord alice = addUser(u"alice"_s);
        QList<qint64> ids;
        for (const char *digest : {"e1", "e2", "e3"}) {
            ids.append(write<SessionRecord>([&](QSqlDatabase &db) {
                           return sql::insertSession(db, alice.id, digest, {});
                       })->id);
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 later = now + 1000000; // as if the clock had moved on past the idle time
        // e2 was in use meanwhile.
        QVERIFY(write<bool>([&](QSqlDatabase &db) -> Result<bool> {
                    if (auto touched = sql::touchSessions(db, {ids[1]}, later + 10); !touched)
                        return touched.error();
                    return true;
                }).ok());
        // A token unused since before the cutoff is refused and deleted; 0 means no expiry.
        QVERIFY(write<AuthenticatedSession>([](QSqlDatabase &db) {
                    return sql::authenticate(db, "e3", 0);
                }).ok());
        const auto expired = write<AuthenticatedSession>(
            [later](QSqlDatabase &db) { return sql::authenticate(db, "e1", later); });
        QCOMPARE(expired.error().code, ErrorCode::Unauthorized);
        QVERIFY(expired.error().message.contains(u"expired"_s));
        const auto byToken = read<sql::LiveSession>(
            [later](QSqlDatabase &db) { return sql::sessionUser(db, "e2", later); });
        QCOMPARE(byToken.value().user, alice.id);
        QCOMPARE(byToken.value().session, ids[1]);
        const auto byId = read<sql::LiveSession>(
            [&](QSqlDatabase &db) { return sql::sessionOwner(db, ids[1], later); });
        QCOMPARE(byId.value().user, alice.id);
        QCOMPARE(read<sql::LiveSession>(
                     [later](QSqlDatabase &db) { return sql::sessionUser(db, "e3", later); })
                     .error()
                     .code,
                 ErrorCode::Unauthorized);
        // The sweep deletes e3 (e1 is gone already) and keeps e2.
        const auto swept
            = write<int>([later](QSqlDatabase &db) { return sql::expireSessions(db, later); });
        QVERIFY(swept.ok() && *swept >= 1); // other tests' sessions are as old
        const auto left = read<QList<SessionRecord>>(
            [&](QSqlDatabase &db) { return sql::sessionsOf(db, alice.id); });
        QCOMPARE(left->size(), 1);
        QCOMPARE(left->first().id, ids[1]);
    }

    void revokingOtherSessionsKeepsThisOne()
    {
        const UserRecord alice = addUser(u"alice"_s);
        const UserRecord bob = addUser(u"bob"_s);
        QList<qint64> ids;
        for (const char *digest : {"s1", "s2", "s3"}) {
            ids.append(write<SessionRecord>([&](QSqlDatabase &db) {
                           return sql::insertSession(db, alice.id, digest, {});
                       })->id);
        }
        QVERIFY(write<SessionRecord>([&](QSqlDatabase &db) {
                    return sql::insertSession(db, bob.id, "b1", {});
                }).ok());

        const auto ended = write<QList<qint64>>(
            [&](QSqlDatabase &db) { return sql::deleteOtherSessions(db, alice.id, ids[1]); });
        QVERIFY(ended.ok());
        QCOMPARE(QSet<qint64>(ended->begin(), ended->end()), (QSet<qint64>{ids[0], ids[2]}));
        const auto left = read<QList<SessionRecord>>(
            [&](QSqlDatabase &db) { return sql::sessionsOf(db, alice.id); });
        QCOMPARE(left->size(), 1);
        QCOMPARE(left->first().id, ids[1]);
        // Bob is untouched.
        QCOMPARE(read<QList<SessionRecord>>([&](QSqlDatabase &db) {
                     return sql::sessionsOf(db, bob.id);
                 })->size(),
                 1);
    }

    void searchByPrefix()
    {
        for (const QString &name : {u"anna"_s, u"annabel"_s, u"annie"_s, u"bob"_s, u"ann"_s})
            addUser(name);
        QVERIFY(write<UserRecord>([](QSqlDatabase &db) {
                    return sql::setDisabled(db, u"annie"_s, true);
                }).ok());
        const auto found = read<QList<UserRecord>>(
            [](QSqlDatabase &db) { return sql::searchUsers(db, u"ann"_s, 10); });
        QStringList names;
        for (const UserRecord &user : *found)
            names.append(user.username);
        QCOMPARE(names, (QStringList{u"ann"_s, u"anna"_s, u"annabel"_s}));
        QCOMPARE(read<QList<UserRecord>>([](QSqlDatabase &db) {
                     return sql::searchUsers(db, u"ann"_s, 2);
                 })->size(),
                 2);
    }

    void profileAndLastSeen()
    {
        const UserRecord alice = addUser(u"alice"_s);
        auto updated = write<UserRecord>([&](QSqlDatabase &db) {
            return sql::updateProfile(db, alice.id, u"Alice L."_s, true);
        });
        QCOMPARE(updated->displayName, u"Alice L."_s);
        QVERIFY(updated->hideLastSeen);
        updated = write<UserRecord>([&](QSqlDatabase &db) {
            return sql::updateProfile(db, alice.id, std::nullopt, false);
        });
        QCOMPARE(updated->displayName, u"Alice L."_s);
        QVERIFY(!updated->hideLastSeen);

        // last seen never goes back in time.
        QVERIFY(write<bool>([&](QSqlDatabase &db) -> Result<bool> {
                    if (auto r = sql::setLastSeen(db, alice.id, 5000); !r)
                        return r.error();
                    if (auto r = sql::setLastSeen(db, alice.id, 3000); !r)
                        return r.error();
                    return true;
                }).ok());
        QCOMPARE(read<UserRecord>([&](QSqlDatabase &db) {
                     return sql::userById(db, alice.id);
                 })->lastSeenAt,
                 5000);
    }
};

QTEST_GUILESS_MAIN(TestAccountQueries)
#include "tst_account_queries.moc"
