// Where session tokens are kept: the OS keychain (a real GNOME keyring on a private D-Bus
// session, see tests/support/with-keyring.sh), a keychain that hangs, no keychain at all,
// and the plainly-labelled owner-only file the user may choose instead.
#include "core/token_store.h"
#include "support/client_helpers.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr QFile::Permissions kOwnerOnly = QFile::ReadOwner | QFile::WriteOwner;

QFile::Permissions ownerGroupOther(const QString &path)
{
    // The User* bits mirror one of the others; compare only what the mode says.
    return QFileInfo(path).permissions() & ~(QFile::ReadUser | QFile::WriteUser | QFile::ExeUser);
}

TokenStore::Options options(const QString &service, const QString &directory = {},
                            std::chrono::milliseconds timeout = 10s)
{
    TokenStore::Options made;
    made.service = service;
    made.directory = directory;
    made.timeout = timeout;
    return made;
}

bool inNoKeychainRun()
{
    return qEnvironmentVariableIsSet("TIDINGS_TEST_NO_KEYCHAIN");
}

} // namespace

class TestTokenStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plainFileIsLabelledAndOwnerOnly()
    {
        QTemporaryDir scratch;
        const QString directory = scratch.filePath(u"config/tidings"_s);
        TokenStore tokens(TokenStore::Backend::PlainFile, {.directory = directory});
        const QString alice = TokenStore::accountKey(u"alice"_s, u"chat.example.org:8420"_s);
        const QString bob = TokenStore::accountKey(u"bob"_s, u"127.0.0.1:8420"_s);

        QCOMPARE(await(tokens.load(alice)).value(), QString()); // nothing yet, no error
        QVERIFY(!QFileInfo::exists(tokens.plainFilePath()));
        QVERIFY(await(tokens.save(alice, u"token-a"_s)).ok());
        QVERIFY(await(tokens.save(bob, u"token-b"_s)).ok());

        QCOMPARE(ownerGroupOther(tokens.plainFilePath()), kOwnerOnly);
        QCOMPARE(ownerGroupOther(directory), kOwnerOnly | QFile::ExeOwner);
        QVERIFY(QFileInfo(tokens.plainFilePath()).fileName().contains(u"NOT-ENCRYPTED"_s));
        QFile file(tokens.plainFilePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        QVERIFY(content.contains("plain text"));
        QVERIFY(content.contains("token-a"));
        QVERIFY(!QFileInfo::exists(tokens.plainFilePath() + u".new"_s));

        // Another run of the app finds them.
        TokenStore later(TokenStore::Backend::PlainFile, {.directory = directory});
        QCOMPARE(await(later.load(alice)).value(), u"token-a"_s);
        QCOMPARE(await(later.load(bob)).value(), u"token-b"_s);
        QVERIFY(await(later.save(alice, u"token-a2"_s)).ok());
        QCOMPARE(await(later.load(alice)).value(), u"token-a2"_s);

        // Forgetting one keeps the other; forgetting the last removes the file.
        QVERIFY(await(later.remove(alice)).ok());
        QCOMPARE(await(later.load(alice)).value(), QString());
        QCOMPARE(await(later.load(bob)).value(), u"token-b"_s);
        QVERIFY(await(later.remove(alice)).ok()); // again: nothing to do, no error
        QVERIFY(await(later.save(bob, QString())).ok());
        QVERIFY(!QFileInfo::exists(tokens.plainFilePath()));
    }

    void plainFileWithHostileContent()
    {
        QTemporaryDir scratch;
        TokenStore tokens(TokenStore::Backend::PlainFile, {.directory = scratch.path()});
        const QString path = tokens.plainFilePath();
        const auto writeFile = [](const QString &to, const QByteArray &bytes) {
            QFile file(to);
            return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
                && file.write(bytes) == bytes.size();
        };

        // Damaged: a clear error on load; signing in again replaces it.
        QVERIFY(writeFile(path, "{\"tokens\": [1, 2"));
        auto damaged = await(tokens.load(u"a@h:1"_s));
        QVERIFY(!damaged.ok());
        QCOMPARE(damaged.error().code, ErrorCode::Corrupt);
        QVERIFY(await(tokens.save(u"a@h:1"_s, u"fresh"_s)).ok());
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).value(), u"fresh"_s);

        // Wrong types inside.
        QVERIFY(writeFile(path, R"({"tokens": "all of them"})"));
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).error().code, ErrorCode::Corrupt);
        QVERIFY(writeFile(path, R"({"tokens": {"a@h:1": 42}})"));
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).value(), QString());

        // Huge: not read into memory.
        QVERIFY(writeFile(path, QByteArray(2 << 20, ' ')));
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).error().code, ErrorCode::Corrupt);

        // Opened up by someone: closed again before use.
        QVERIFY(writeFile(path, R"({"tokens": {"a@h:1": "kept"}})"));
        QVERIFY(QFile::setPermissions(path, kOwnerOnly | QFile::ReadGroup | QFile::ReadOther));
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).value(), u"kept"_s);
        QCOMPARE(ownerGroupOther(path), kOwnerOnly);

        // A symlink planted in its place is neither read nor written through.
        QVERIFY(QFile::remove(path));
        const QString elsewhere = scratch.filePath(u"victim.txt"_s);
        QVERIFY(writeFile(elsewhere, "do not touch"));
        QVERIFY(QFile::link(elsewhere, path));
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).error().code, ErrorCode::Corrupt);
        QVERIFY(await(tokens.save(u"a@h:1"_s, u"secret"_s)).ok());
        QFile victim(elsewhere);
        QVERIFY(victim.open(QIODevice::ReadOnly));
        QCOMPARE(victim.readAll(), QByteArray("do not touch"));
        QVERIFY(!QFileInfo(path).isSymLink());
        QCOMPARE(ownerGroupOther(path), kOwnerOnly);
    }

    void memoryLastsAsLongAsTheProcess()
    {
        TokenStore tokens(TokenStore::Backend::Memory, {});
        QVERIFY(await(tokens.save(u"a@h:1"_s, u"t"_s)).ok());
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).value(), u"t"_s);
        TokenStore nextRun(TokenStore::Backend::Memory, {});
        QCOMPARE(await(nextRun.load(u"a@h:1"_s)).value(), QString());
        QVERIFY(await(tokens.remove(u"a@h:1"_s)).ok());
        QCOMPARE(await(tokens.load(u"a@h:1"_s)).value(), QString());
    }

    void keychainKeepsTokens()
    {
        if (inNoKeychainRun())
            QSKIP("this run has no keychain");
        TokenStore tokens(TokenStore::Backend::Keychain, options(u"Tidings test"_s));
        const auto probe = await(tokens.probeKeychain());
        QVERIFY2(probe.ok(), qPrintable(probe.ok() ? QString() : probe.error().message));

        const QString account = TokenStore::accountKey(u"alice"_s, u"127.0.0.1:8420"_s);
        QCOMPARE(await(tokens.load(account)).value(), QString());
        QVERIFY(await(tokens.save(account, u"secret-token"_s)).ok());
        TokenStore nextRun(TokenStore::Backend::Keychain, options(u"Tidings test"_s));
        QCOMPARE(await(nextRun.load(account)).value(), u"secret-token"_s);
        // Filed under the service: another service does not see it.
        TokenStore otherApp(TokenStore::Backend::Keychain, options(u"Other"_s));
        QCOMPARE(await(otherApp.load(account)).value(), QString());

        QVERIFY(await(nextRun.remove(account)).ok());
        QCOMPARE(await(tokens.load(account)).value(), QString());
        QVERIFY(await(tokens.remove(account)).ok()); // nothing there: fine
    }

    void aHungKeychainIsCutOff()
    {
        if (inNoKeychainRun())
            QSKIP("this run has no keychain");
        // Freeze the real keyring daemon: every call to it now waits forever.
        const auto pid
            = QDBusConnection::sessionBus().interface()->servicePid(u"org.freedesktop.secrets"_s);
        QVERIFY2(pid.isValid() && pid.value() > 0, "no secret service on this session bus");
        QCOMPARE(::kill(static_cast<pid_t>(pid.value()), SIGSTOP), 0);
        auto resume = qScopeGuard([&] { ::kill(static_cast<pid_t>(pid.value()), SIGCONT); });

        TokenStore tokens(TokenStore::Backend::Keychain, options(u"Tidings test"_s, {}, 700ms));
        const auto probe = await(tokens.probeKeychain());
        QVERIFY(!probe.ok());
        QCOMPARE(probe.error().code, ErrorCode::Unavailable);
        QVERIFY2(probe.error().message.contains(u"did not answer"_s),
                 qPrintable(probe.error().message));
        const auto saved = await(tokens.save(u"a@h:1"_s, u"t"_s));
        QVERIFY(!saved.ok());
        QCOMPARE(saved.error().code, ErrorCode::Unavailable);

        // Thawed, it works again, and the abandoned calls finish harmlessly.
        resume.dismiss();
        QCOMPARE(::kill(static_cast<pid_t>(pid.value()), SIGCONT), 0);
        TokenStore again(TokenStore::Backend::Keychain, options(u"Tidings test"_s));
        QTRY_VERIFY_WITH_TIMEOUT(await(again.probeKeychain()).ok(), 20000);
        QVERIFY(await(again.remove(u"a@h:1"_s)).ok());
    }

    void noKeychainIsSaid()
    {
        if (!inNoKeychainRun())
            QSKIP("run by tst_token_store_no_keychain, on no D-Bus session at all");
        QTemporaryDir scratch;
        TokenStore tokens(TokenStore::Backend::Keychain, options(u"Tidings"_s, scratch.path(), 5s));
        const auto probe = await(tokens.probeKeychain());
        QVERIFY(!probe.ok());
        QCOMPARE(probe.error().code, ErrorCode::Unavailable);
        QVERIFY(!probe.error().message.isEmpty());
        qInfo("what the user is told: %s", qPrintable(probe.error().message));
        // Nothing is written anywhere instead.
        QVERIFY(!await(tokens.save(u"a@h:1"_s, u"t"_s)).ok());
        QVERIFY(QDir(scratch.path()).isEmpty());
        QVERIFY(!QFileInfo::exists(tokens.plainFilePath()));
    }
};

QTEST_GUILESS_MAIN(TestTokenStore)
#include "tst_token_store.moc"
