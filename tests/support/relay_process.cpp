#include "support/relay_process.h"

#include "support/http_helpers.h"
#include "support/test_paths.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <csignal>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace tidings::test {

using namespace Qt::StringLiterals;

namespace {

/// The admin URL of the test PostgreSQL server the `cluster` fixture started
/// (tests/cluster/services.sh), or empty when tests run on the embedded store.
QString testPostgresUrl()
{
    if (qEnvironmentVariableIsEmpty("TIDINGS_TEST_SERVICES"))
        return {};
    const QString url = RelayProcess::clusterService(u"postgres.url"_s);
    if (url.isEmpty())
        qFatal("TIDINGS_TEST_SERVICES is set but its postgres.url cannot be read");
    return url;
}

/// Runs `statement` on database `name` of the test server; returns the rows it changed
/// (a SELECT: the rows it found), and its first value in `first`.
int execOnPostgres(const QString &name, const QString &statement, QString *error,
                   QVariant *first = nullptr)
{
    QUrl url(testPostgresUrl());
    int changed = -1;
    const QString connection = u"relay-process-postgres"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, connection);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setDatabaseName(name);
        QSqlQuery query(db);
        if (!db.open())
            *error = db.lastError().text();
        else if (!query.exec(statement))
            *error = query.lastError().text();
        else
            changed = query.numRowsAffected();
        if (first && changed >= 0 && query.next())
            *first = query.value(0);
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return changed;
}

} // namespace

RelayProcess::RelayProcess(QString dataDirectory) : m_dataDirectory(std::move(dataDirectory))
{
    if (m_dataDirectory.isEmpty()) {
        m_temporaryDirectory = std::make_unique<QTemporaryDir>();
        m_dataDirectory = m_temporaryDirectory->filePath(u"data"_s);
    }
}

RelayProcess::~RelayProcess()
{
    if (isRunning() && stop() != 0)
        qWarning().noquote() << "relay did not stop cleanly:\n" << m_stderr;
}

bool RelayProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QUrl RelayProcess::httpUrl(const QString &path) const
{
    QUrl url;
    url.setScheme(m_tls ? u"https"_s : u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(m_port);
    url.setPath(path);
    return url;
}

QUrl RelayProcess::webSocketUrl() const
{
    QUrl url = httpUrl(u"/ws"_s);
    url.setScheme(m_tls ? u"wss"_s : u"ws"_s);
    return url;
}

QString RelayProcess::clusterService(const QString &name)
{
    const QString services = qEnvironmentVariable("TIDINGS_TEST_SERVICES");
    if (services.isEmpty())
        return {};
    QFile file(services + u'/' + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed();
}

QString RelayProcess::postgresDatabase() const
{
    // One database per data directory: a relay started again on it finds its store.
    const QByteArray digest = QCryptographicHash::hash(
        QFileInfo(m_dataDirectory).absoluteFilePath().toUtf8(), QCryptographicHash::Sha256);
    return u"t_"_s + QString::fromLatin1(digest.toHex().left(24));
}

QString RelayProcess::storeUrl()
{
    const QString admin = testPostgresUrl();
    if (admin.isEmpty())
        return {};
    const QString name = postgresDatabase();
    QString error;
    const int exists = execOnPostgres(
        u"postgres"_s, u"SELECT 1 FROM pg_database WHERE datname = '%1'"_s.arg(name), &error);
    if (exists < 0)
        qFatal("test PostgreSQL: %s", qPrintable(error));
    // numRowsAffected() of a SELECT is its row count on QPSQL.
    if (exists == 0 && execOnPostgres(u"postgres"_s, u"CREATE DATABASE "_s + name, &error) < 0)
        qFatal("test PostgreSQL: %s", qPrintable(error));
    QUrl url(admin);
    url.setPath(u'/' + name);
    return url.toString();
}

QStringList RelayProcess::adminArguments()
{
    QStringList arguments{u"--data-dir"_s, m_dataDirectory};
    if (const QString store = storeUrl(); !store.isEmpty())
        arguments << u"--store"_s << store;
    return arguments;
}

QVariant RelayProcess::queryStore(const QString &statement)
{
    QVariant value;
    if (!testPostgresUrl().isEmpty()) {
        execOnPostgres(postgresDatabase(), statement, &m_lastError, &value);
        return value;
    }
    const QString connection = u"relay-process-peek"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
        db.setDatabaseName(m_dataDirectory + u"/tidings.db"_s);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        QSqlQuery query(db);
        if (!db.open())
            m_lastError = db.lastError().text();
        else if (!query.exec(statement))
            m_lastError = query.lastError().text();
        else if (query.next())
            value = query.value(0);
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return value;
}

int RelayProcess::execOnStore(const QString &statement)
{
    if (isRunning()) {
        m_lastError = u"execOnStore() needs the relay stopped"_s;
        return -1;
    }
    if (!testPostgresUrl().isEmpty())
        return execOnPostgres(postgresDatabase(), statement, &m_lastError);
    int changed = -1;
    const QString connection = u"relay-process-store"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
        db.setDatabaseName(m_dataDirectory + u"/tidings.db"_s);
        QSqlQuery query(db);
        if (!db.open())
            m_lastError = db.lastError().text();
        else if (!query.exec(statement))
            m_lastError = query.lastError().text();
        else
            changed = query.numRowsAffected();
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return changed;
}

bool RelayProcess::fail(const QString &why)
{
    collectOutput();
    m_lastError = why + u"\n--- relay stderr ---\n"_s + QString::fromLocal8Bit(m_stderr);
    if (isRunning()) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    return false;
}

void RelayProcess::collectOutput()
{
    if (!m_process)
        return;
    m_stdout += m_process->readAllStandardOutput();
    m_stderr += m_process->readAllStandardError();
}

bool RelayProcess::start(const QStringList &extraArguments, int timeoutMs)
{
    Q_ASSERT(!isRunning());
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(m_environment);
#ifdef Q_OS_LINUX
    // A test that crashes (an assert, a sanitizer) takes its relay with it, rather than
    // leaving it running on the machine.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
    m_stdout.clear();
    m_stderr.clear();

    QStringList arguments{u"--data-dir"_s, m_dataDirectory, u"--listen"_s, u"127.0.0.1"_s};
    if (!extraArguments.contains(u"--port"_s))
        arguments << u"--port"_s << QString::number(m_port);
    // Cheap password hashes keep tests fast; tests of the real cost say so explicitly.
    if (!extraArguments.contains(u"--password-cost"_s))
        arguments << u"--password-cost"_s << u"minimum"_s;
    // Tests make many users and bursts from one address; tests of the limits set them.
    for (const QString &rate : {u"--sign-in-rate"_s, u"--message-rate"_s, u"--frame-rate"_s}) {
        if (!extraArguments.contains(rate))
            arguments << rate << u"1000000"_s;
    }
    // Most tests speak plaintext; those of encryption say `--e2e required` (or ask for the
    // store's default, which is that for a new store).
    if (!m_ownE2eDefault && !extraArguments.contains(u"--e2e"_s))
        arguments << u"--e2e"_s << u"optional"_s;
    // The `cluster` label runs the same tests on a PostgreSQL store.
    if (!extraArguments.contains(u"--store"_s)) {
        if (const QString store = storeUrl(); !store.isEmpty())
            arguments << u"--store"_s << store;
    }
    arguments += extraArguments;
    m_process->start(relayBinary(), arguments);
    if (!m_process->waitForStarted(timeoutMs))
        return fail(u"relay did not start: "_s + m_process->errorString());

    // The relay prints its listening line once the store is open and the port is bound.
    static const QRegularExpression listening(u"listening on \\S+:(\\d+) "_s);
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        collectOutput();
        const auto match = listening.match(QString::fromLocal8Bit(m_stdout));
        if (match.hasMatch()) {
            m_port = match.captured(1).toUShort();
            break;
        }
        if (m_process->state() == QProcess::NotRunning)
            return fail(u"relay exited with code %1 before listening"_s.arg(m_process->exitCode()));
        if (deadline.hasExpired())
            return fail(u"relay did not listen within %1 ms"_s.arg(timeoutMs));
        m_process->waitForReadyRead(
            static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    }

    const HttpResult ready
        = httpGet(httpUrl(u"/readyz"_s),
                  static_cast<int>(std::max<qint64>(1000, deadline.remainingTime())), m_tls);
    if (ready.status != 200)
        return fail(u"relay is listening but /readyz answered %1"_s.arg(ready.status));
    return true;
}

int RelayProcess::stop(int timeoutMs)
{
    if (!m_process)
        return -1;
    if (isRunning()) {
        m_process->terminate(); // SIGTERM
        if (!m_process->waitForFinished(timeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(5000);
            collectOutput();
            return -1;
        }
    }
    collectOutput();
    const int code = m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    if (code != 0) // say why: a sanitizer report, a crash, an error at shutdown
        qWarning().noquote() << "relay exited with" << code << "\n--- relay stderr ---\n"
                             << QString::fromLocal8Bit(m_stderr).right(20000);
    return code;
}

int RelayProcess::sendSignal(int signalNumber, int timeoutMs)
{
    if (!isRunning())
        return -1;
    ::kill(static_cast<pid_t>(m_process->processId()), signalNumber);
    if (!m_process->waitForFinished(timeoutMs))
        return -1;
    collectOutput();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

void RelayProcess::kill()
{
    if (!isRunning())
        return;
    m_process->kill(); // SIGKILL
    m_process->waitForFinished(10000);
    collectOutput();
}

RelayProcess::Exit RelayProcess::runToExit(const QStringList &arguments, int timeoutMs,
                                           const QProcessEnvironment &environment,
                                           const QByteArray &standardInput)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(relayBinary(), arguments);
    if (process.waitForStarted(timeoutMs)) {
        process.write(standardInput);
        process.closeWriteChannel();
    }
    Exit exit;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        exit.standardError = "(killed after timeout)\n" + process.readAllStandardError();
        return exit;
    }
    return exitOf(process);
}

RelayProcess::Exit RelayProcess::exitOf(QProcess &process)
{
    Exit exit;
    exit.crashed = process.exitStatus() != QProcess::NormalExit;
    exit.exitCode = process.exitCode();
    exit.standardOutput = process.readAllStandardOutput();
    exit.standardError = process.readAllStandardError();
    return exit;
}

qint64 RelayProcess::processId() const
{
    return isRunning() ? m_process->processId() : 0;
}

} // namespace tidings::test
