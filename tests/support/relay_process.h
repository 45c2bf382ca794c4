#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace tidings::test {

/// The real tidings-relay binary as a child process, for integration, UI and fault tests.
///
/// start() runs it on port 0 with a temporary data directory (or the one given) and the
/// cheapest password hashing (unless the arguments say otherwise), waits
/// until it prints its listening line and answers GET /readyz with 200 — no sleeping.
/// stop() ends it the way an admin would (SIGTERM) and returns its exit code; kill() is
/// SIGKILL; start() again reuses the same data directory and, by default, the same port.
class RelayProcess
{
public:
    /// Empty dataDirectory: a fresh temporary one, removed with this object.
    explicit RelayProcess(QString dataDirectory = {});
    ~RelayProcess();

    RelayProcess(const RelayProcess &) = delete;
    RelayProcess &operator=(const RelayProcess &) = delete;

    /// Starts the relay with `extraArguments` and waits until it is ready. On a restart the
    /// previous port is asked for again unless `extraArguments` names one. Returns false
    /// (with the reason in lastError()) if it exits or is not ready in time.
    bool start(const QStringList &extraArguments = {}, int timeoutMs = 30000);

    /// SIGTERM, then waits. Returns the exit code, or -1 if it crashed or did not exit.
    int stop(int timeoutMs = 15000);

    /// SIGKILL, then waits: the crash every fault test needs.
    void kill();

    /// Sends `signalNumber` (e.g. SIGINT, as Ctrl+C does) and waits. Returns the exit code,
    /// or -1 if it crashed or did not exit.
    int sendSignal(int signalNumber, int timeoutMs = 15000);

    bool isRunning() const;
    quint16 port() const { return m_port; }
    QString dataDirectory() const { return m_dataDirectory; }
    /// Runs one SQL statement on the store while the relay is stopped (to make rows look
    /// older, as if time had passed). Returns the rows it changed, or -1 with lastError().
    int execOnStore(const QString &statement);
    /// The first value a query finds in the store (read-only; the relay may be running),
    /// or a null QVariant with lastError().
    QVariant queryStore(const QString &statement);
    /// With TIDINGS_TEST_SERVICES set (the `cluster` label), the relay's store is a database
    /// of its own on the test PostgreSQL server, made on first use: its URL (else empty).
    QString storeUrl();
    /// A line the `cluster` fixture wrote in its directory (TIDINGS_TEST_SERVICES), e.g.
    /// "redis.url"; empty when there is none.
    static QString clusterService(const QString &file);
    /// What an admin command needs to reach this relay's store: --data-dir, and --store
    /// when it is on PostgreSQL.
    QStringList adminArguments();
    /// The running relay's process id (0 when not running).
    qint64 processId() const;
    QUrl httpUrl(const QString &path = {}) const;
    QUrl webSocketUrl() const;
    QString lastError() const { return m_lastError; }
    QByteArray standardError() const { return m_stderr; }

    /// Environment for the next start (inherits the test's by default).
    QProcessEnvironment &environment() { return m_environment; }
    void setTls(bool on) { m_tls = on; }
    /// By default the relay runs with `--e2e optional` (unless the arguments name `--e2e`),
    /// so tests of plaintext behaviour keep working against a relay whose own default is
    /// `required`; with this on, no `--e2e` is added and the store's default applies.
    void setOwnE2eDefault(bool on) { m_ownE2eDefault = on; }

    struct Exit
    {
        int exitCode = -1;
        bool crashed = true;
        QByteArray standardOutput;
        QByteArray standardError;
    };
    /// Runs the relay binary with exactly `arguments` until it exits by itself, for tests of
    /// what it does with bad input. Kills it after `timeoutMs`.
    /// What `process`, which has exited by itself, ended with and wrote.
    static Exit exitOf(QProcess &process);
    static Exit runToExit(const QStringList &arguments, int timeoutMs = 30000,
                          const QProcessEnvironment &environment
                          = QProcessEnvironment::systemEnvironment(),
                          const QByteArray &standardInput = {});

private:
    bool fail(const QString &why);
    QString postgresDatabase() const;
    void collectOutput();

    std::unique_ptr<QTemporaryDir> m_temporaryDirectory;
    QString m_dataDirectory;
    QProcessEnvironment m_environment = QProcessEnvironment::systemEnvironment();
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_lastError;
    quint16 m_port = 0;
    bool m_tls = false;
    bool m_ownE2eDefault = false;
};

} // namespace tidings::test
