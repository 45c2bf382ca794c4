#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace tidings::test {

/// A loopback port nobody listens on now, in [20000, 32768): below the ephemeral range, so
/// no outgoing connection of this machine takes it meanwhile (QT-NOTES 11). 0: none found.
quint16 freeLoopbackPort();

/// A real redis-server as a child process, for the bus and cluster tests.
///
/// It listens on 127.0.0.1 at a port below 32768 (QT-NOTES: ephemeral ports start there)
/// picked free when this object is made, keeps nothing on disk (`--save "" --appendonly
/// no`, in a temporary directory) and is SIGKILLed if the test dies. start() waits until it
/// is ready and answers PING; start() again after stop() or kill() uses the same port.
class RedisProcess
{
public:
    RedisProcess();
    ~RedisProcess();

    RedisProcess(const RedisProcess &) = delete;
    RedisProcess &operator=(const RedisProcess &) = delete;

    /// The redis-server on PATH, or empty when it is not installed (tests QSKIP then).
    static QString serverBinary();

    /// Starts it with `extraArguments` (e.g. {"--requirepass", "secret"}) and waits until it
    /// answers PING. Returns false, with the reason in lastError(), when it does not.
    bool start(const QStringList &extraArguments = {}, int timeoutMs = 30000);
    /// SIGTERM (after SIGCONT when suspended), then waits. Returns the exit code, or -1.
    int stop(int timeoutMs = 15000);
    /// SIGKILL, then waits: a crash.
    void kill();
    /// SIGSTOP: it keeps its sockets (and the kernel keeps accepting connections for it)
    /// but answers nothing, as a hung server does. resume() is SIGCONT.
    void suspend();
    void resume();

    bool isRunning() const;
    quint16 port() const { return m_port; }
    /// redis://127.0.0.1:port (add a password or database as a test needs).
    QString url() const;
    QString lastError() const { return m_lastError; }
    /// What it printed so far (its log).
    QByteArray output() const { return m_output; }

private:
    bool startOnce(const QStringList &extraArguments, int timeoutMs);
    bool fail(const QString &why);
    bool answersPing(const QString &password, int timeoutMs);

    QTemporaryDir m_directory;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    QString m_lastError;
    quint16 m_port = 0;
    bool m_suspended = false;
    bool m_everStarted = false;
};

} // namespace tidings::test
