#include "support/redis_process.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

#include <csignal>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace tidings::test {

using namespace Qt::StringLiterals;

quint16 freeLoopbackPort()
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto port = static_cast<quint16>(QRandomGenerator::global()->bounded(20000, 32768));
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, port))
            return port;
    }
    return 0;
}

RedisProcess::RedisProcess() : m_port(freeLoopbackPort()) { }

RedisProcess::~RedisProcess()
{
    kill();
}

QString RedisProcess::serverBinary()
{
    return QStandardPaths::findExecutable(u"redis-server"_s);
}

bool RedisProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QString RedisProcess::url() const
{
    return u"redis://127.0.0.1:%1"_s.arg(m_port);
}

bool RedisProcess::fail(const QString &why)
{
    if (m_process)
        m_output += m_process->readAll();
    m_lastError = why + u"\n--- redis-server output ---\n"_s + QString::fromLocal8Bit(m_output);
    kill();
    return false;
}

bool RedisProcess::start(const QStringList &extraArguments, int timeoutMs)
{
    // Someone may have taken the port since it was picked; before the first start another one
    // will do (after that the port is the point).
    for (int attempt = 1;; ++attempt) {
        if (startOnce(extraArguments, timeoutMs))
            return m_everStarted = true;
        if (m_everStarted || attempt == 5 || !m_output.contains("Address already in use"))
            return false;
        m_port = freeLoopbackPort();
    }
}

bool RedisProcess::startOnce(const QStringList &extraArguments, int timeoutMs)
{
    Q_ASSERT(!isRunning());
    const QString binary = serverBinary();
    if (binary.isEmpty())
        return fail(u"redis-server is not installed"_s);
    if (m_port == 0 || !m_directory.isValid())
        return fail(u"no free port or temporary directory"_s);

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
#ifdef Q_OS_LINUX
    // A test that crashes takes its Redis with it.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
    QStringList arguments{u"--port"_s,       QString::number(m_port),
                          u"--bind"_s,       u"127.0.0.1"_s,
                          u"--save"_s,       u""_s,
                          u"--appendonly"_s, u"no"_s,
                          u"--dir"_s,        m_directory.path(),
                          u"--daemonize"_s,  u"no"_s};
    arguments += extraArguments;
    m_output.clear();
    m_suspended = false;
    m_process->start(binary, arguments);
    if (!m_process->waitForStarted(timeoutMs))
        return fail(u"redis-server did not start: "_s + m_process->errorString());

    // It logs this line once it listens.
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_output.contains("Ready to accept connections")) {
        m_output += m_process->readAll();
        if (m_output.contains("Ready to accept connections"))
            break;
        if (m_process->state() == QProcess::NotRunning)
            return fail(u"redis-server exited with code %1"_s.arg(m_process->exitCode()));
        if (deadline.hasExpired())
            return fail(u"redis-server was not ready within %1 ms"_s.arg(timeoutMs));
        m_process->waitForReadyRead(
            static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    }

    const qsizetype requirePass = extraArguments.indexOf(u"--requirepass"_s);
    const QString password = requirePass >= 0 && requirePass + 1 < extraArguments.size()
        ? extraArguments.at(requirePass + 1)
        : QString();
    if (!answersPing(password, static_cast<int>(std::max<qint64>(1000, deadline.remainingTime()))))
        return fail(u"redis-server is ready but does not answer PING"_s);
    return true;
}

bool RedisProcess::answersPing(const QString &password, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    QByteArray expected = "+PONG\r\n";
    if (!password.isEmpty()) {
        const QByteArray secret = password.toUtf8();
        socket.write("*2\r\n$4\r\nAUTH\r\n$" + QByteArray::number(secret.size()) + "\r\n" + secret
                     + "\r\n");
        expected.prepend("+OK\r\n");
    }
    socket.write("PING\r\n");
    const QDeadlineTimer deadline(timeoutMs);
    QByteArray answer;
    while (answer.size() < expected.size() && !deadline.hasExpired()) {
        if (!socket.waitForReadyRead(
                static_cast<int>(std::max<qint64>(1, deadline.remainingTime()))))
            break;
        answer += socket.readAll();
    }
    return answer == expected;
}

int RedisProcess::stop(int timeoutMs)
{
    if (!isRunning())
        return -1;
    resume(); // a stopped process would not act on SIGTERM
    m_process->terminate();
    if (!m_process->waitForFinished(timeoutMs)) {
        kill();
        return -1;
    }
    m_output += m_process->readAll();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

void RedisProcess::kill()
{
    if (!isRunning())
        return;
    m_process->kill(); // SIGKILL ends a stopped process too
    m_process->waitForFinished(10000);
    m_output += m_process->readAll();
    m_suspended = false;
}

void RedisProcess::suspend()
{
    if (!isRunning() || m_suspended)
        return;
    ::kill(static_cast<pid_t>(m_process->processId()), SIGSTOP);
    m_suspended = true;
}

void RedisProcess::resume()
{
    if (!isRunning() || !m_suspended)
        return;
    ::kill(static_cast<pid_t>(m_process->processId()), SIGCONT);
    m_suspended = false;
}

} // namespace tidings::test
