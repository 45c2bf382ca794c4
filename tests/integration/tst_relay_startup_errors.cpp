// Bad input at startup: each case prints one clear line, exits non-zero and leaves the
// data directory exactly as it was.
#include "support/file_helpers.h"
#include "support/relay_process.h"

#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

// The relay's own error line, without sanitizer or log noise.
QList<QByteArray> errorLines(const QByteArray &standardError)
{
    QList<QByteArray> lines;
    const auto all = standardError.split('\n');
    for (const QByteArray &line : all) {
        if (line.startsWith("tidings-relay: error: "))
            lines.append(line);
    }
    return lines;
}

} // namespace

class TestRelayStartupErrors : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_directory;
    QString dataDir() const { return m_directory->filePath(u"data"_s); }

    void expectFailure(const QStringList &arguments, int exitCode, const QString &mentions)
    {
        const auto exit = RelayProcess::runToExit(arguments);
        QVERIFY2(!exit.crashed, exit.standardError.constData());
        QCOMPARE(exit.exitCode, exitCode);
        const auto lines = errorLines(exit.standardError);
        QVERIFY2(lines.size() == 1, exit.standardError.constData());
        QVERIFY2(QString::fromUtf8(lines.first()).contains(mentions), lines.first().constData());
    }

private Q_SLOTS:
    void init() { m_directory = std::make_unique<QTemporaryDir>(); }

    void helpAndVersion()
    {
        auto exit = RelayProcess::runToExit({u"--help"_s});
        QCOMPARE(exit.exitCode, 0);
        QVERIFY(exit.standardOutput.contains("--data-dir"));
        QVERIFY(exit.standardOutput.contains("--port"));
        exit = RelayProcess::runToExit({u"--version"_s});
        QCOMPARE(exit.exitCode, 0);
        QVERIFY(exit.standardOutput.contains(TIDINGS_VERSION));
    }

    void unknownFlag()
    {
        expectFailure({u"--data-dir"_s, dataDir(), u"--frobnicate"_s}, 2, u"frobnicate"_s);
        QVERIFY(!QFileInfo::exists(dataDir())); // nothing was created
    }

    void unexpectedArgument()
    {
        expectFailure({u"--data-dir"_s, dataDir(), u"serve-now"_s}, 2, u"serve-now"_s);
    }

    void invalidSettingFromEnvironment()
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"TIDINGS_PORT"_s, u"eighty"_s);
        const auto exit = RelayProcess::runToExit({u"--data-dir"_s, dataDir()}, 30000, environment);
        QCOMPARE(exit.exitCode, 2);
        const auto lines = errorLines(exit.standardError);
        QCOMPARE(lines.size(), 1);
        QVERIFY(lines.first().contains("TIDINGS_PORT"));
    }

    void portInUse()
    {
        QTcpServer occupier;
        QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
        expectFailure(
            {u"--data-dir"_s, dataDir(), u"--port"_s, QString::number(occupier.serverPort())}, 1,
            u"cannot listen"_s);
    }

    void unwritableDataDirectory()
    {
        // A path below a regular file cannot be created, whoever runs the test (even root).
        QFile file(m_directory->filePath(u"not-a-directory"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        expectFailure({u"--data-dir"_s, m_directory->filePath(u"not-a-directory/data"_s),
                       u"--port"_s, u"0"_s},
                      1, u"cannot create data directory"_s);
    }

    void dataDirectoryInUse()
    {
        RelayProcess first(dataDir());
        QVERIFY2(first.start(), qPrintable(first.lastError()));
        expectFailure({u"--data-dir"_s, dataDir(), u"--port"_s, u"0"_s}, 1,
                      u"in use by another relay"_s);
        QCOMPARE(first.stop(), 0);
    }

    void corruptDatabase()
    {
        QDir().mkpath(dataDir());
        QFile file(dataDir() + u"/tidings.db"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, '\x5a'));
        file.close();
        const QByteArray before = directoryFingerprint(dataDir());
        expectFailure({u"--data-dir"_s, dataDir(), u"--port"_s, u"0"_s}, 1,
                      u"not a readable SQLite database"_s);
        QCOMPARE(directoryFingerprint(dataDir()), before);
    }

    void newerSchema()
    {
        {
            RelayProcess relay(dataDir());
            QVERIFY2(relay.start(), qPrintable(relay.lastError()));
            QCOMPARE(relay.stop(), 0);
        }
        {
            QSqlDatabase database = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"bump"_s);
            database.setDatabaseName(dataDir() + u"/tidings.db"_s);
            QVERIFY(database.open());
            QSqlQuery query(database);
            QVERIFY2(query.exec(u"INSERT INTO schema_migrations VALUES (1000, 'future', 0)"_s),
                     qPrintable(query.lastError().text()));
            database.close();
        }
        QSqlDatabase::removeDatabase(u"bump"_s);
        const QByteArray before = directoryFingerprint(dataDir());
        expectFailure({u"--data-dir"_s, dataDir(), u"--port"_s, u"0"_s}, 1,
                      u"newer than this relay supports"_s);
        QCOMPARE(directoryFingerprint(dataDir()), before);
    }

    void tlsFilesMissing()
    {
        expectFailure({u"--data-dir"_s, dataDir(), u"--port"_s, u"0"_s, u"--tls-cert"_s,
                       m_directory->filePath(u"cert.pem"_s), u"--tls-key"_s,
                       m_directory->filePath(u"key.pem"_s)},
                      1, u"cannot read TLS certificate"_s);
    }
};

QTEST_GUILESS_MAIN(TestRelayStartupErrors)
#include "tst_relay_startup_errors.moc"
