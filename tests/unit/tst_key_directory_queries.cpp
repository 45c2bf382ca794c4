// The key directory's queries (identities, devices, prekeys) and the device inbox's on a real
// store, through the
// store's threads: a SQLite file; or, with TIDINGS_TEST_SERVICES set (the `cluster` fixture's
// servers), a PostgreSQL database of its own per test function.
#include "sql/migrations.h"
#include "store/account_queries.h"
#include "store/device_inbox_queries.h"
#include "store/device_link_queries.h"
#include "store/key_directory_queries.h"
#include "store/postgres_store.h"
#include "store/sql_helpers.h"
#include "store/sqlite_store.h"
#include "support/await.h"

#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <memory>

using namespace tidings;
using namespace tidings::relay;
using namespace tidings::test;
using namespace Qt::StringLiterals;

/// The queries under test (plain `sql` would also name tidings::sql).
namespace queries = tidings::relay::sql;

namespace {

using queries::DeviceRecord;
using queries::IdentityRecord;
using queries::OneTimePrekeyRecord;
using queries::PrekeyBundleRecord;
using queries::PrekeyCount;
using queries::SignedPrekeyRecord;
using Sessions = QList<qint64>;
using DeviceKey = std::pair<UserId, quint32>;

/// The test PostgreSQL server's admin URL, or empty: the tests run on SQLite.
QString postgresUrl()
{
    const QString services = qEnvironmentVariable("TIDINGS_TEST_SERVICES");
    if (services.isEmpty())
        return {};
    QFile file(services + u"/postgres.url"_s);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("TIDINGS_TEST_SERVICES is set but its postgres.url cannot be read");
    return QString::fromUtf8(file.readAll()).trimmed();
}

/// Runs `statement` on the test server's `postgres` database.
bool onPostgresServer(const QString &statement, QString *error)
{
    const QUrl url(postgresUrl());
    const QString connection = u"key-directory-admin"_s;
    bool done = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, connection);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setDatabaseName(url.path().mid(1));
        QSqlQuery query(db);
        if (!db.open())
            *error = db.lastError().text();
        else if (!query.exec(statement))
            *error = query.lastError().text();
        else
            done = true;
    }
    QSqlDatabase::removeDatabase(connection);
    return done;
}

QByteArray key(char fill)
{
    return QByteArray(32, fill);
}

IdentityRecord identity(UserId user, char fill, qint64 version)
{
    return IdentityRecord{user, key(fill), "list v" + QByteArray::number(version), version};
}

SignedPrekeyRecord signedPrekey(quint32 id)
{
    return SignedPrekeyRecord{id, key(char('0' + id % 10)), "signature " + QByteArray::number(id),
                              0};
}

QList<OneTimePrekeyRecord> oneTimePrekeys(quint32 first, int count)
{
    QList<OneTimePrekeyRecord> prekeys;
    for (int i = 0; i < count; ++i)
        prekeys.append(OneTimePrekeyRecord{first + quint32(i), key(char('a' + i % 26))});
    return prekeys;
}

} // namespace

class TestKeyDirectoryQueries : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    std::unique_ptr<Store> m_store;
    StoreLocation m_location;
    QString m_postgresDatabase;
    int m_digests = 0;

    template<typename T> Result<T> write(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(m_store->write<T>(std::move(job)));
    }
    template<typename T> Result<T> read(std::function<Result<T>(QSqlDatabase &)> job)
    {
        return await(m_store->read<T>(std::move(job)));
    }

    UserId addUser(const QString &name)
    {
        auto user = write<UserRecord>(
            [name](QSqlDatabase &db) { return queries::insertUser(db, name, name, "$hash$"); });
        if (!user)
            qFatal("addUser: %s", qPrintable(user.error().message));
        return user->id;
    }
    qint64 addSession(UserId user)
    {
        const QByteArray digest = "digest " + QByteArray::number(++m_digests);
        auto session = write<SessionRecord>(
            [&](QSqlDatabase &db) { return queries::insertSession(db, user, digest, {}); });
        if (!session)
            qFatal("addSession: %s", qPrintable(session.error().message));
        return session->id;
    }

    Result<Sessions> publish(const IdentityRecord &published, bool reset = false,
                             qint64 keepSession = 0)
    {
        return write<Sessions>([=](QSqlDatabase &db) {
            return queries::publishIdentity(db, published, reset, keepSession);
        });
    }
    Result<DeviceRecord> registerDevice(UserId user, quint32 id, qint64 session,
                                        const QString &name = u"laptop"_s)
    {
        const DeviceRecord device{user,          id,   session, key(char('k' + id % 8)),
                                  "certificate", name, 0,       0};
        return write<DeviceRecord>(
            [device](QSqlDatabase &db) { return queries::registerDevice(db, device); });
    }
    Result<int> upload(UserId user, quint32 device,
                       const std::optional<SignedPrekeyRecord> &signed_,
                       const QList<OneTimePrekeyRecord> &oneTime)
    {
        return write<int>([=](QSqlDatabase &db) {
            return queries::storePrekeys(db, user, device, signed_, oneTime);
        });
    }
    Result<QList<PrekeyBundleRecord>> claim(const QList<DeviceKey> &devices)
    {
        return write<QList<PrekeyBundleRecord>>(
            [devices](QSqlDatabase &db) { return queries::claimPrekeys(db, devices); });
    }
    Result<PrekeyCount> countOf(UserId user, quint32 device)
    {
        return read<PrekeyCount>(
            [=](QSqlDatabase &db) { return queries::prekeyCount(db, user, device); });
    }
    /// A published user with a registered device: its session.
    qint64 userWithDevice(UserId user, quint32 device)
    {
        if (auto published = read<QList<IdentityRecord>>(
                [user](QSqlDatabase &db) { return queries::identitiesOf(db, {user}); });
            !published || published->isEmpty()) {
            if (!publish(identity(user, 'I', 1)))
                qFatal("userWithDevice: cannot publish");
        }
        const qint64 session = addSession(user);
        if (!registerDevice(user, device, session))
            qFatal("userWithDevice: cannot register");
        return session;
    }
    /// The value of a one-value statement (a count), run on the reader.
    qint64 single(const QString &statement, const QVariantList &values = {})
    {
        auto value = read<qint64>([&](QSqlDatabase &db) -> Result<qint64> {
            auto query = queries::run(db, statement, values);
            if (!query)
                return query.error();
            if (!query->next())
                return Error{ErrorCode::Io, u"no row"_s};
            return query->value(0).toLongLong();
        });
        if (!value)
            qFatal("single: %s", qPrintable(value.error().message));
        return *value;
    }
    qint64 rowsOf(const QString &table, UserId user)
    {
        return single(u"SELECT count(*) FROM %1 WHERE user_id = ?"_s.arg(table), {user});
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_directory = std::make_unique<QTemporaryDir>();
        StoreLocation &location = m_location;
        location = StoreLocation();
        location.sqlitePath = m_directory->filePath(u"t.db"_s);
        location.syncFull = false;
        if (const QString admin = postgresUrl(); !admin.isEmpty()) {
            m_postgresDatabase = u"kd_"_s + QUuid::createUuid().toString(QUuid::Id128).left(20);
            QString error;
            QVERIFY2(onPostgresServer(u"CREATE DATABASE "_s + m_postgresDatabase, &error),
                     qPrintable(error));
            QUrl url(admin);
            url.setPath(u'/' + m_postgresDatabase);
            location.url = url.toString();
        }
        auto opened = openStore(location);
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().message));
        QCOMPARE(opened->second.schemaVersion, 11);
        m_store = std::move(opened->first);
    }

    void cleanup()
    {
        m_store.reset();
        if (!m_postgresDatabase.isEmpty()) {
            QString error;
            QVERIFY2(onPostgresServer(u"DROP DATABASE "_s + m_postgresDatabase, &error),
                     qPrintable(error));
            m_postgresDatabase.clear();
        }
    }

    void identitiesArePublishedWithRisingVersions()
    {
        const UserId alice = addUser(u"alice"_s);
        const UserId bob = addUser(u"bob"_s);
        const auto first = publish(identity(alice, 'A', 3));
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().message));
        QVERIFY(first->isEmpty());

        const auto found = read<QList<IdentityRecord>>([=](QSqlDatabase &db) {
            return queries::identitiesOf(db, {bob, alice, alice, 9999});
        });
        QVERIFY(found.ok());
        QCOMPARE(found->size(), 1); // Bob and user 9999 have none; Alice once
        QCOMPARE(found->at(0).user, alice);
        QCOMPARE(found->at(0).identityKey, key('A'));
        QCOMPARE(found->at(0).list, QByteArray("list v3"));
        QCOMPARE(found->at(0).version, 3);

        // Not above the stored version: refused, whatever the list says.
        for (const qint64 version : {3, 2}) {
            const auto stale = publish(identity(alice, 'A', version));
            QCOMPARE(stale.error().code, ErrorCode::Conflict);
            QVERIFY2(stale.error().message.contains(u"version"_s),
                     qPrintable(stale.error().message));
        }
        const auto next = publish(identity(alice, 'A', 7));
        QVERIFY(next.ok());
        QVERIFY(next->isEmpty());
        // Another identity key needs a reset.
        const auto other = publish(identity(alice, 'B', 8));
        QCOMPARE(other.error().code, ErrorCode::Conflict);
        QVERIFY2(other.error().message.contains(u"reset"_s), qPrintable(other.error().message));

        const auto now = read<QList<IdentityRecord>>(
            [=](QSqlDatabase &db) { return queries::identitiesOf(db, {alice}); });
        QCOMPARE(now->size(), 1);
        QCOMPARE(now->at(0).identityKey, key('A'));
        QCOMPARE(now->at(0).version, 7);
        QCOMPARE(now->at(0).list, QByteArray("list v7"));
        QVERIFY(single(u"SELECT updated_at FROM identities WHERE user_id = ?"_s, {alice}) > 0);
        QVERIFY(read<QList<IdentityRecord>>([](QSqlDatabase &db) {
                    return queries::identitiesOf(db, {});
                })->isEmpty());
    }

    void aResetReplacesTheIdentityAndDeletesEveryDevice()
    {
        const UserId alice = addUser(u"alice"_s);
        const UserId bob = addUser(u"bob"_s);
        QVERIFY(publish(identity(alice, 'A', 1)).ok());
        const qint64 laptop = userWithDevice(alice, 1);
        const qint64 phone = userWithDevice(alice, 2);
        const qint64 tablet = userWithDevice(alice, 3);
        const qint64 signedOut = addSession(alice); // a session without a device
        const qint64 bobs = userWithDevice(bob, 1);
        for (const quint32 device : {1u, 2u, 3u})
            QVERIFY(upload(alice, device, signedPrekey(10), oneTimePrekeys(1, 5)).ok());
        QVERIFY(upload(bob, 1, signedPrekey(10), oneTimePrekeys(1, 5)).ok());

        // With the same key a reset changes nothing but the list.
        const auto same = publish(identity(alice, 'A', 2), true, laptop);
        QVERIFY(same.ok());
        QVERIFY(same->isEmpty());
        QCOMPARE(rowsOf(u"devices"_s, alice), 3);
        // A new key with a version not above: refused, the devices stay.
        const auto stale = publish(identity(alice, 'B', 2), true, laptop);
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        QCOMPARE(rowsOf(u"devices"_s, alice), 3);

        const auto reset = publish(identity(alice, 'B', 3), true, laptop);
        QVERIFY2(reset.ok(), reset.ok() ? "" : qPrintable(reset.error().message));
        QList<qint64> expected{phone, tablet};
        std::sort(expected.begin(), expected.end());
        QCOMPARE(*reset, expected); // not the kept one, nor the one without a device
        Q_UNUSED(signedOut);
        for (const QString &table : {u"devices"_s, u"signed_prekeys"_s, u"one_time_prekeys"_s})
            QCOMPARE(rowsOf(table, alice), 0);
        const auto replaced = read<QList<IdentityRecord>>(
            [=](QSqlDatabase &db) { return queries::identitiesOf(db, {alice}); });
        QCOMPARE(replaced->at(0).identityKey, key('B'));
        QCOMPARE(replaced->at(0).version, 3);
        // The sessions themselves are the caller's to end; Bob is untouched.
        QCOMPARE(rowsOf(u"sessions"_s, alice), 4);
        QCOMPARE(rowsOf(u"devices"_s, bob), 1);
        QCOMPARE(rowsOf(u"one_time_prekeys"_s, bob), 5);
        QVERIFY(read<std::optional<DeviceRecord>>([=](QSqlDatabase &db) {
                    return queries::deviceOfSession(db, bobs);
                })->has_value());
        // The kept session registers again under the new identity.
        QVERIFY(registerDevice(alice, 1, laptop).ok());
    }

    void devicesRegisterOncePerSessionAndId()
    {
        const UserId alice = addUser(u"alice"_s);
        const UserId bob = addUser(u"bob"_s);
        const qint64 laptop = addSession(alice);
        const qint64 phone = addSession(alice);

        const auto early = registerDevice(alice, 7, laptop);
        QCOMPARE(early.error().code, ErrorCode::NotFound); // no identity published yet
        QVERIFY(publish(identity(alice, 'A', 1)).ok());
        QCOMPARE(registerDevice(alice, 0, laptop).error().code, ErrorCode::BadRequest);

        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const auto registered = registerDevice(alice, 4000000000u, laptop, u"Alice's laptop"_s);
        QVERIFY2(registered.ok(), registered.ok() ? "" : qPrintable(registered.error().message));
        QCOMPARE(registered->user, alice);
        QCOMPARE(registered->id, 4000000000u); // a u32 past the signed range
        QCOMPARE(registered->sessionId, laptop);
        QCOMPARE(registered->key, key(char('k' + 4000000000u % 8)));
        QCOMPARE(registered->certificate, QByteArray("certificate"));
        QCOMPARE(registered->name, u"Alice's laptop"_s);
        QVERIFY(registered->createdAt >= before);
        QCOMPARE(registered->lastSeenAt, registered->createdAt);

        // This session has one already; the id is another session's.
        const auto second = registerDevice(alice, 8, laptop);
        QCOMPARE(second.error().code, ErrorCode::Conflict);
        QVERIFY2(second.error().message.contains(u"session"_s), qPrintable(second.error().message));
        const auto taken = registerDevice(alice, 4000000000u, phone);
        QCOMPARE(taken.error().code, ErrorCode::Conflict);
        QVERIFY2(taken.error().message.contains(u"taken"_s), qPrintable(taken.error().message));
        // Another user may use the same id.
        QVERIFY(publish(identity(bob, 'B', 1)).ok());
        QVERIFY(registerDevice(bob, 4000000000u, addSession(bob)).ok());
        const auto unnamed = registerDevice(alice, 8, phone, QString());
        QVERIFY(unnamed.ok());
        QCOMPARE(unnamed->name, QString());

        const auto mine = read<std::optional<DeviceRecord>>(
            [=](QSqlDatabase &db) { return queries::deviceOfSession(db, laptop); });
        QVERIFY(mine.ok() && mine->has_value());
        QCOMPARE((*mine)->id, 4000000000u);
        QCOMPARE((*mine)->name, u"Alice's laptop"_s);
        QCOMPARE((*mine)->createdAt, registered->createdAt);
        const qint64 bare = addSession(alice);
        QVERIFY(!read<std::optional<DeviceRecord>>([=](QSqlDatabase &db) {
                     return queries::deviceOfSession(db, bare);
                 })->has_value());

        const auto all = read<QList<DeviceRecord>>([=](QSqlDatabase &db) {
            return queries::devicesOf(db, {bob, alice, bob});
        });
        QVERIFY(all.ok());
        QList<DeviceKey> listed;
        for (const DeviceRecord &device : *all)
            listed.append({device.user, device.id});
        QCOMPARE(listed, (QList<DeviceKey>{{alice, 8}, {alice, 4000000000u}, {bob, 4000000000u}}));
    }

    void aUserHasAtMostAHundredDevices()
    {
        const UserId alice = addUser(u"alice"_s);
        QVERIFY(publish(identity(alice, 'A', 1)).ok());
        for (quint32 id = 1; id <= queries::kMaxDevicesPerUser; ++id)
            QVERIFY(registerDevice(alice, id, addSession(alice)).ok());
        const qint64 oneMore = addSession(alice);
        QCOMPARE(registerDevice(alice, 1000, oneMore).error().code, ErrorCode::TooLarge);
        // One gone, one may come.
        QVERIFY(write<DeviceRecord>([=](QSqlDatabase &db) {
                    return queries::removeDevice(db, alice, 50);
                }).ok());
        QVERIFY(registerDevice(alice, 1000, oneMore).ok());
    }

    void removingADeviceTakesItsPrekeys()
    {
        const UserId alice = addUser(u"alice"_s);
        const qint64 phone = userWithDevice(alice, 2);
        const qint64 laptop = userWithDevice(alice, 3);
        QVERIFY(upload(alice, 2, signedPrekey(1), oneTimePrekeys(1, 10)).ok());
        QVERIFY(upload(alice, 3, signedPrekey(1), oneTimePrekeys(1, 10)).ok());

        const auto nothing = write<DeviceRecord>(
            [=](QSqlDatabase &db) { return queries::removeDevice(db, alice, 9); });
        QCOMPARE(nothing.error().code, ErrorCode::NotFound);
        const auto removed = write<DeviceRecord>(
            [=](QSqlDatabase &db) { return queries::removeDevice(db, alice, 2); });
        QVERIFY(removed.ok());
        QCOMPARE(removed->id, 2u);
        QCOMPARE(removed->sessionId, phone);
        QVERIFY(!read<std::optional<DeviceRecord>>([=](QSqlDatabase &db) {
                     return queries::deviceOfSession(db, phone);
                 })->has_value());
        QCOMPARE(single(u"SELECT count(*) FROM one_time_prekeys WHERE device_id = 2"_s), 0);
        QCOMPARE(single(u"SELECT count(*) FROM signed_prekeys WHERE device_id = 2"_s), 0);
        QCOMPARE(countOf(alice, 3)->count, 10);
        QCOMPARE(countOf(alice, 2).error().code, ErrorCode::NotFound);
        QCOMPARE(write<DeviceRecord>(
                     [=](QSqlDatabase &db) { return queries::removeDevice(db, alice, 2); })
                     .error()
                     .code,
                 ErrorCode::NotFound);
        // The session stays (the caller ends it) and may register again.
        QCOMPARE(rowsOf(u"sessions"_s, alice), 2);
        QVERIFY(registerDevice(alice, 2, phone).ok());
        Q_UNUSED(laptop);
    }

    void prekeysAreStoredAndCounted()
    {
        const UserId alice = addUser(u"alice"_s);
        userWithDevice(alice, 5);
        QCOMPARE(upload(alice, 6, signedPrekey(1), {}).error().code, ErrorCode::NotFound);
        QCOMPARE(countOf(alice, 6).error().code, ErrorCode::NotFound);
        // Nothing uploaded yet.
        const auto empty = countOf(alice, 5);
        QVERIFY(empty.ok());
        QCOMPARE(empty->count, 0);
        QCOMPARE(empty->signedPrekeyId, 0u);
        QCOMPARE(empty->signedPrekeyAt, 0);

        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const auto stored = upload(alice, 5, signedPrekey(4294967295u), oneTimePrekeys(1, 100));
        QVERIFY2(stored.ok(), stored.ok() ? "" : qPrintable(stored.error().message));
        QCOMPARE(*stored, 100);
        const auto counted = countOf(alice, 5);
        QCOMPARE(counted->count, 100);
        QCOMPARE(counted->signedPrekeyId, 4294967295u);
        QVERIFY(counted->signedPrekeyAt >= before);

        // Only one-time prekeys: the signed one stays; only a signed one: the count stays.
        QCOMPARE(*upload(alice, 5, std::nullopt, oneTimePrekeys(4000000000u, 3)), 103);
        QCOMPARE(countOf(alice, 5)->signedPrekeyId, 4294967295u);
        QCOMPARE(*upload(alice, 5, signedPrekey(8), {}), 103);
        QCOMPARE(countOf(alice, 5)->signedPrekeyId, 8u);
        QCOMPARE(rowsOf(u"signed_prekeys"_s, alice), 1); // replaced, not added
        QCOMPARE(single(u"SELECT key_id FROM signed_prekeys WHERE user_id = ?"_s, {alice}), 8);
    }

    void refusedUploadsWriteNothing()
    {
        const UserId alice = addUser(u"alice"_s);
        userWithDevice(alice, 5);
        QVERIFY(upload(alice, 5, signedPrekey(1), oneTimePrekeys(1, 10)).ok());

        // Each refusal, in a job that goes on and commits: nothing of the refused upload is
        // there (a job may run without a savepoint of its own).
        const QList<std::pair<QList<OneTimePrekeyRecord>, ErrorCode>> refusals{
            {oneTimePrekeys(10, 2), ErrorCode::Conflict}, // id 10 is stored
            {oneTimePrekeys(11, 1) + oneTimePrekeys(11, 1), ErrorCode::Conflict}, // twice
            {oneTimePrekeys(100, queries::kMaxOneTimePrekeys - 9), ErrorCode::TooLarge},
        };
        for (const auto &refusal : refusals) {
            const QList<OneTimePrekeyRecord> oneTime = refusal.first;
            const auto outcome = write<std::pair<ErrorCode, PrekeyCount>>(
                [=](QSqlDatabase &db) -> Result<std::pair<ErrorCode, PrekeyCount>> {
                    const auto refused
                        = queries::storePrekeys(db, alice, 5, signedPrekey(2), oneTime);
                    if (refused)
                        return Error{ErrorCode::Internal, u"stored"_s};
                    auto count = queries::prekeyCount(db, alice, 5);
                    if (!count)
                        return count.error();
                    return std::pair(refused.error().code, *count);
                });
            QVERIFY2(outcome.ok(), outcome.ok() ? "" : qPrintable(outcome.error().message));
            QCOMPARE(outcome->first, refusal.second);
            QCOMPARE(outcome->second.count, 10);
            QCOMPARE(outcome->second.signedPrekeyId, 1u);
        }
        // Up to the limit exactly is fine.
        QCOMPARE(
            *upload(alice, 5, std::nullopt, oneTimePrekeys(100, queries::kMaxOneTimePrekeys - 10)),
            queries::kMaxOneTimePrekeys);
        QCOMPARE(upload(alice, 5, std::nullopt, oneTimePrekeys(5000, 1)).error().code,
                 ErrorCode::TooLarge);
        // A conflict found among many stored ones.
        QCOMPARE(upload(alice, 5, std::nullopt, {OneTimePrekeyRecord{999, key('z')}}).error().code,
                 ErrorCode::Conflict);
    }

    void aClaimHandsEachOneTimePrekeyOutOnce()
    {
        const UserId alice = addUser(u"alice"_s);
        const UserId bob = addUser(u"bob"_s);
        const qint64 alicesPhone = userWithDevice(alice, 1);
        userWithDevice(alice, 2); // no prekeys uploaded: left out
        userWithDevice(bob, 9);
        QVERIFY(upload(alice, 1, signedPrekey(3),
                       {OneTimePrekeyRecord{7, key('7')}, OneTimePrekeyRecord{3, key('3')},
                        OneTimePrekeyRecord{5, key('5')}})
                    .ok());
        QVERIFY(upload(bob, 9, signedPrekey(4), oneTimePrekeys(100, 2)).ok());

        // In the order asked, once each; unknown and signed-prekey-less devices left out.
        const auto first
            = claim({{bob, 9}, {alice, 1}, {alice, 2}, {alice, 77}, {4242, 1}, {bob, 9}});
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().message));
        QCOMPARE(first->size(), 2);
        const PrekeyBundleRecord &bobs = first->at(0);
        QCOMPARE(bobs.device.user, bob);
        QCOMPARE(bobs.device.id, 9u);
        QCOMPARE(bobs.signedPrekey.id, 4u);
        QCOMPARE(bobs.oneTime->id, 100u);
        const PrekeyBundleRecord &alices = first->at(1);
        QCOMPARE(alices.device.user, alice);
        QCOMPARE(alices.device.sessionId, alicesPhone);
        QCOMPARE(alices.device.key, key(char('k' + 1)));
        QCOMPARE(alices.device.certificate, QByteArray("certificate"));
        QCOMPARE(alices.signedPrekey.id, 3u);
        QCOMPARE(alices.signedPrekey.key, signedPrekey(3).key);
        QCOMPARE(alices.signedPrekey.signature, signedPrekey(3).signature);
        QVERIFY(alices.signedPrekey.createdAt > 0);
        QVERIFY(alices.oneTime.has_value());
        QCOMPARE(alices.oneTime->id, 3u); // the lowest
        QCOMPARE(alices.oneTime->key, key('3'));

        // Each handed out once, then bundles without one.
        QList<quint32> handedOut{alices.oneTime->id};
        for (int round = 0; round < 3; ++round) {
            const auto next = claim({{alice, 1}});
            QCOMPARE(next->size(), 1);
            if (next->at(0).oneTime)
                handedOut.append(next->at(0).oneTime->id);
            else
                QCOMPARE(round, 2);
        }
        QCOMPARE(handedOut, (QList<quint32>{3, 5, 7}));
        QCOMPARE(countOf(alice, 1)->count, 0);
        QCOMPARE(countOf(bob, 9)->count, 1);
        // A claim of nothing.
        QVERIFY(claim({})->isEmpty());
    }

    void endingASessionDeletesItsDeviceAndPrekeys()
    {
        const UserId alice = addUser(u"alice"_s);
        const qint64 phone = userWithDevice(alice, 1);
        const qint64 laptop = userWithDevice(alice, 2);
        QVERIFY(upload(alice, 1, signedPrekey(1), oneTimePrekeys(1, 20)).ok());
        QVERIFY(upload(alice, 2, signedPrekey(1), oneTimePrekeys(1, 20)).ok());

        QVERIFY(write<bool>([=](QSqlDatabase &db) -> Result<bool> {
                    if (auto deleted = queries::deleteSession(db, phone); !deleted)
                        return deleted.error();
                    return true;
                }).ok());
        QCOMPARE(rowsOf(u"devices"_s, alice), 1);
        QCOMPARE(single(u"SELECT count(*) FROM signed_prekeys WHERE device_id = 1"_s), 0);
        QCOMPARE(single(u"SELECT count(*) FROM one_time_prekeys WHERE device_id = 1"_s), 0);
        QCOMPARE(rowsOf(u"one_time_prekeys"_s, alice), 20);
        // Sessions ended by disabling the account go the same way, devices and all.
        QVERIFY(write<UserRecord>([](QSqlDatabase &db) {
                    return queries::setDisabled(db, u"alice"_s, true);
                }).ok());
        for (const QString &table : {u"devices"_s, u"signed_prekeys"_s, u"one_time_prekeys"_s})
            QCOMPARE(rowsOf(table, alice), 0);
        QCOMPARE(rowsOf(u"identities"_s, alice), 1); // the identity is the user's, not a session's
        Q_UNUSED(laptop);
    }

    void deletingAUserDeletesItAll()
    {
        const UserId alice = addUser(u"alice"_s);
        const UserId bob = addUser(u"bob"_s);
        userWithDevice(alice, 1);
        userWithDevice(bob, 1);
        QVERIFY(upload(alice, 1, signedPrekey(1), oneTimePrekeys(1, 5)).ok());
        QVERIFY(upload(bob, 1, signedPrekey(1), oneTimePrekeys(1, 5)).ok());
        const auto deleted = write<bool>([=](QSqlDatabase &db) -> Result<bool> {
            auto query = queries::run(db, u"DELETE FROM users WHERE id = ?"_s, {alice});
            if (!query)
                return query.error();
            return true;
        });
        QVERIFY2(deleted.ok(), deleted.ok() ? "" : qPrintable(deleted.error().message));
        for (const QString &table : {u"identities"_s, u"sessions"_s, u"devices"_s,
                                     u"signed_prekeys"_s, u"one_time_prekeys"_s}) {
            QCOMPARE(rowsOf(table, alice), 0);
            QCOMPARE(rowsOf(table, bob), 1 + (table == u"one_time_prekeys" ? 4 : 0));
        }
    }

    void longListsGoInChunks()
    {
        // 600 users, each with an identity and a device: more than one IN (…) list's worth.
        constexpr int kUsers = 600;
        const auto made = write<QList<UserId>>([](QSqlDatabase &db) -> Result<QList<UserId>> {
            QList<UserId> users;
            for (int i = 0; i < kUsers; ++i) {
                auto user = queries::insertUser(db, u"user%1"_s.arg(i), u"U"_s, "h");
                if (!user)
                    return user.error();
                auto session
                    = queries::insertSession(db, user->id, "many " + QByteArray::number(i), {});
                if (!session)
                    return session.error();
                if (auto published
                    = queries::publishIdentity(db, identity(user->id, 'I', i + 1), false, 0);
                    !published)
                    return published.error();
                const quint32 id = quint32(kUsers - i);
                if (auto device = queries::registerDevice(
                        db, DeviceRecord{user->id, id, session->id, key('D'), "c", {}, 0, 0});
                    !device)
                    return device.error();
                if (auto stored = queries::storePrekeys(db, user->id, id, signedPrekey(1),
                                                        oneTimePrekeys(1, 1));
                    !stored)
                    return stored.error();
                users.append(user->id);
            }
            return users;
        });
        QVERIFY2(made.ok(), made.ok() ? "" : qPrintable(made.error().message));
        QList<UserId> asked = *made;
        std::reverse(asked.begin(), asked.end());
        asked += made->mid(0, 50); // repeats
        asked.append(999999); // nobody

        const auto identities = read<QList<IdentityRecord>>(
            [=](QSqlDatabase &db) { return queries::identitiesOf(db, asked); });
        QVERIFY(identities.ok());
        QCOMPARE(identities->size(), kUsers);
        for (int i = 0; i < kUsers; ++i) {
            QCOMPARE(identities->at(i).user, made->at(i));
            QCOMPARE(identities->at(i).version, i + 1);
        }
        const auto devices = read<QList<DeviceRecord>>(
            [=](QSqlDatabase &db) { return queries::devicesOf(db, asked); });
        QVERIFY(devices.ok());
        QCOMPARE(devices->size(), kUsers);
        for (int i = 0; i < kUsers; ++i) {
            QCOMPARE(devices->at(i).user, made->at(i));
            QCOMPARE(devices->at(i).id, quint32(kUsers - i));
        }

        QList<DeviceKey> claimed;
        for (int i = 0; i < kUsers; ++i)
            claimed.append({made->at(i), quint32(kUsers - i)});
        const auto bundles = claim(claimed);
        QVERIFY(bundles.ok());
        QCOMPARE(bundles->size(), kUsers);
        for (int i = 0; i < kUsers; ++i) {
            QCOMPARE(bundles->at(i).device.user, made->at(i));
            QVERIFY(bundles->at(i).oneTime.has_value());
        }
        QCOMPARE(single(u"SELECT count(*) FROM one_time_prekeys"_s), 0);
    }

    // The device inbox (store/device_inbox_queries.h). Alice writes to her own devices: the
    // audience rules are the integration test's (tst_device_inbox).

    void aFullInboxRefusesUntilAnAckMakesRoom()
    {
        const UserId alice = addUser(u"alice"_s);
        userWithDevice(alice, 1);
        userWithDevice(alice, 2);
        // 9,999 waiting, as if sent: one more fits.
        QVERIFY(write<bool>([=](QSqlDatabase &db) -> Result<bool> {
                    auto set = queries::run(
                        db, u"UPDATE devices SET inbox_seq = 9999 WHERE device_id = 2"_s);
                    if (!set)
                        return set.error();
                    return true;
                }).ok());
        const queries::DeviceKey from{alice, 1}, to{alice, 2};
        auto send = [&](const QByteArray &body) {
            return write<QList<queries::InboxOutcome>>([=](QSqlDatabase &db) {
                return queries::sendToInbox(db, from, {{to, body}, {{alice, 3}, body}}, 1000);
            });
        };
        const auto first = send("last that fits");
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().message));
        QCOMPARE(first->at(0).kind, queries::InboxOutcome::Stored);
        QCOMPARE(first->at(0).seq, queries::kMaxInboxRows);
        QCOMPARE(first->at(1).kind, queries::InboxOutcome::NotRegistered);
        QCOMPARE(send("one too many")->at(0).kind, queries::InboxOutcome::Full);
        QCOMPARE(rowsOf(u"inbox"_s, alice), 1);

        const auto acked = write<qint64>(
            [=](QSqlDatabase &db) { return queries::ackInbox(db, to, queries::kMaxInboxRows); });
        QCOMPARE(*acked, 1);
        const auto after = send("room again");
        QCOMPARE(after->at(0).kind, queries::InboxOutcome::Stored);
        QCOMPARE(after->at(0).seq, queries::kMaxInboxRows + 1);
    }

    void aFetchStopsAtAMegabyteOfBodies()
    {
        const UserId alice = addUser(u"alice"_s);
        userWithDevice(alice, 1);
        userWithDevice(alice, 2);
        const QByteArray body(64 * 1024, 'b');
        for (int i = 0; i < 20; ++i) {
            QVERIFY(write<QList<queries::InboxOutcome>>([=](QSqlDatabase &db) {
                        return queries::sendToInbox(db, {alice, 1}, {{{alice, 2}, body}}, 1000);
                    }).ok());
        }
        const auto page = read<queries::InboxFetched>([=](QSqlDatabase &db) {
            return queries::fetchInbox(db, {alice, 2}, 0, 100);
        });
        QCOMPARE(page->rows.size(), qsizetype(queries::kMaxInboxPageBytes / body.size()));
        QVERIFY(page->more);
        const auto rest = read<queries::InboxFetched>([=](QSqlDatabase &db) {
            return queries::fetchInbox(db, {alice, 2}, page->rows.last().seq, 100);
        });
        QCOMPARE(rest->rows.size(), 20 - page->rows.size());
        QVERIFY(!rest->more);
    }

    void aSendIsRememberedOncePerDeviceAndClientId()
    {
        const UserId alice = addUser(u"alice"_s);
        userWithDevice(alice, 1);
        userWithDevice(alice, 2);
        auto remember = [&](quint32 device, const QByteArray &result) {
            return write<bool>([=](QSqlDatabase &db) -> Result<bool> {
                if (auto kept = queries::rememberInboxSend(db, {alice, device}, u"c1"_s, result);
                    !kept)
                    return kept.error();
                return true;
            });
        };
        auto recall = [&](quint32 device) {
            return read<std::optional<QByteArray>>([=](QSqlDatabase &db) {
                return queries::inboxSendResult(db, {alice, device}, u"c1"_s);
            });
        };
        QVERIFY(!*recall(1));
        QVERIFY(remember(1, "first").ok());
        QCOMPARE(remember(1, "second").error().code, ErrorCode::Conflict);
        QVERIFY(remember(2, "the other device's").ok());
        QCOMPARE(**recall(1), QByteArray("first"));
        QCOMPARE(**recall(2), QByteArray("the other device's"));
    }

    void aDeviceTakesItsInboxAndItsSendsWithIt()
    {
        const UserId alice = addUser(u"alice"_s);
        userWithDevice(alice, 1);
        userWithDevice(alice, 2);
        const auto sent = write<QList<queries::InboxOutcome>>([=](QSqlDatabase &db) {
            return queries::sendToInbox(db, {alice, 1}, {{{alice, 2}, "to 2"}}, 1000);
        });
        QVERIFY(sent.ok());
        QVERIFY(write<bool>([=](QSqlDatabase &db) -> Result<bool> {
                    if (auto kept = queries::rememberInboxSend(db, {alice, 2}, u"c"_s, "r"); !kept)
                        return kept.error();
                    return true;
                }).ok());
        QCOMPARE(rowsOf(u"inbox"_s, alice), 1);
        QVERIFY(write<DeviceRecord>([=](QSqlDatabase &db) {
                    return queries::removeDevice(db, alice, 2);
                }).ok());
        QCOMPARE(rowsOf(u"inbox"_s, alice), 0);
        QCOMPARE(rowsOf(u"inbox_sends"_s, alice), 0);
    }

    void retentionDeletesOldRowsAndCountsThemGone()
    {
        const UserId alice = addUser(u"alice"_s);
        userWithDevice(alice, 1);
        userWithDevice(alice, 2);
        for (const qint64 at : {100, 200, 300, 5000}) {
            QVERIFY(write<QList<queries::InboxOutcome>>([=](QSqlDatabase &db) {
                        return queries::sendToInbox(db, {alice, 1}, {{{alice, 2}, "x"}}, at);
                    }).ok());
        }
        // Two old rows a batch: the first batch is full, the second finds the last old one.
        const auto first = write<qint64>(
            [](QSqlDatabase &db) { return queries::expireInbox(db, 1000, 1000, 2); });
        QCOMPARE(*first, 2);
        const auto second = write<qint64>(
            [](QSqlDatabase &db) { return queries::expireInbox(db, 1000, 1000, 2); });
        QCOMPARE(*second, 1);
        const auto left = read<queries::InboxFetched>([=](QSqlDatabase &db) {
            return queries::fetchInbox(db, {alice, 2}, 0, 10);
        });
        QCOMPARE(left->rows.size(), 1);
        QCOMPARE(left->rows.at(0).seq, 4);
        QCOMPARE(left->rows.at(0).createdAt, 5000);
        QCOMPARE(left->rows.at(0).from.device, 1u);
        // The expired rows count as gone: the waiting count is one.
        QCOMPARE(single(u"SELECT inbox_seq - inbox_gone FROM devices WHERE device_id = 2"_s), 1);
    }

    // Link offers (store/device_link_queries.h): the turns are the integration test's
    // (tst_device_link); here, time.

    void aLinkOfferLapsesAfterTenMinutes()
    {
        const UserId alice = addUser(u"alice"_s);
        const qint64 offering = userWithDevice(alice, 1);
        const qint64 fresh = addSession(alice);
        const qint64 at = 1'000'000;
        const auto put = write<queries::PutOffer>([=](QSqlDatabase &db) {
            return queries::putLinkOffer(db, alice, offering, 1, key('E'), at);
        });
        QVERIFY2(put.ok(), put.ok() ? "" : qPrintable(put.error().message));
        QCOMPARE(put->offer.expiresAt, at + queries::kLinkOfferLifetimeMs);
        QCOMPARE(put->offer.id.size(), 32);
        auto findAt = [&](qint64 now) {
            return read<std::optional<queries::LinkOfferRecord>>(
                [=](QSqlDatabase &db) { return queries::findLinkOffer(db, alice, now); });
        };
        QCOMPARE((*findAt(at + queries::kLinkOfferLifetimeMs - 1))->id, put->offer.id);
        QVERIFY(!*findAt(at + queries::kLinkOfferLifetimeMs));
        const auto late = write<queries::LinkOfferRecord>([=](QSqlDatabase &db) {
            return queries::answerLinkOffer(db, alice, put->offer.id, fresh,
                                            at + queries::kLinkOfferLifetimeMs);
        });
        QCOMPARE(late.error().code, ErrorCode::NotFound);

        // Upkeep deletes what lapsed, and only that.
        QCOMPARE(*write<qint64>([=](QSqlDatabase &db) {
            return queries::expireLinkOffers(db, at + queries::kLinkOfferLifetimeMs - 1);
        }),
                 0);
        QCOMPARE(rowsOf(u"link_offers"_s, alice), 1);
        QCOMPARE(*write<qint64>([=](QSqlDatabase &db) {
            return queries::expireLinkOffers(db, at + queries::kLinkOfferLifetimeMs);
        }),
                 1);
        QCOMPARE(rowsOf(u"link_offers"_s, alice), 0);
    }

    void migrationEightKeepsAVersionSevenStore()
    {
        // A store at version 7, with a user and a session, made by the test's own connection.
        m_store.reset();
        StoreLocation location = m_location;
        const bool postgres = !location.url.isEmpty();
        if (postgres) {
            QString error;
            QVERIFY2(onPostgresServer(u"DROP DATABASE "_s + m_postgresDatabase, &error),
                     qPrintable(error));
            QVERIFY2(onPostgresServer(u"CREATE DATABASE "_s + m_postgresDatabase, &error),
                     qPrintable(error));
        } else {
            location.sqlitePath = m_directory->filePath(u"v7.db"_s);
        }
        {
            QSqlDatabase database
                = QSqlDatabase::addDatabase(postgres ? u"QPSQL"_s : u"QSQLITE"_s, u"v7"_s);
            if (postgres) {
                const QUrl url(location.url);
                database.setHostName(url.host());
                database.setPort(url.port(5432));
                database.setUserName(url.userName());
                database.setDatabaseName(url.path().mid(1));
            } else {
                database.setDatabaseName(location.sqlitePath);
            }
            QVERIFY2(database.open(), qPrintable(database.lastError().text()));
            if (!postgres) {
                QSqlQuery(database).exec(u"PRAGMA foreign_keys=ON"_s);
                QSqlQuery(database).exec(
                    u"PRAGMA application_id=%1"_s.arg(SqliteStore::kApplicationId));
            }
            const auto migrations = postgres ? postgresMigrations() : sqliteMigrations();
            const auto v7 = applyMigrations(
                database,
                migrations.first(std::size_t(std::count_if(
                    migrations.begin(), migrations.end(),
                    [](const Migration &migration) { return migration.version <= 7; }))));
            QVERIFY2(v7.ok(), v7.ok() ? "" : qPrintable(v7.error().message));
            QCOMPARE(*v7, 7);
            {
                QSqlQuery query(database);
                QVERIFY2(
                    query.exec(u"INSERT INTO users (id, username, display_name, password_hash, "
                               "created_at) VALUES (1, 'ann', 'Ann', 'x', 0)"_s),
                    qPrintable(query.lastError().text()));
                QVERIFY(
                    query.prepare(u"INSERT INTO sessions (id, user_id, token_digest, created_at, "
                                  "last_used_at) VALUES (10, 1, ?, 0, 0)"_s));
                query.addBindValue(QByteArray("\x01"));
                QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
            }
            database.close();
        }
        QSqlDatabase::removeDatabase(u"v7"_s);

        auto opened = openStore(location);
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().message));
        QCOMPARE(opened->second.schemaVersion, 11);
        m_store = std::move(opened->first);
        QVERIFY(publish(identity(1, 'A', 1)).ok());
        QVERIFY(registerDevice(1, 1, 10).ok());
        QCOMPARE(rowsOf(u"devices"_s, 1), 1);
        // The old session, gone, takes its new device with it.
        QVERIFY(write<bool>([](QSqlDatabase &db) -> Result<bool> {
                    if (auto deleted = queries::deleteSession(db, 10); !deleted)
                        return deleted.error();
                    return true;
                }).ok());
        QCOMPARE(rowsOf(u"devices"_s, 1), 0);
    }
};

QTEST_GUILESS_MAIN(TestKeyDirectoryQueries)
#include "tst_key_directory_queries.moc"
