#include "support/relay_process.h"

#include "support/http_helpers.h"
#include "support/test_paths.h"

#include <QDeadlineTimer>
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

int RelayProcess::execOnStore(const QString &statement)
{
    if (isRunning()) {
        m_lastError = u"execOnStore() needs the relay stopped"_s;
        return -1;
    }
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
