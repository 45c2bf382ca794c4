#pragma once

#include <QHash>
#include <QList>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace tidings::test {

/// HAProxy in front of relay nodes, as a child process: the configuration tools/cluster
/// uses (tools/cluster-haproxy.cfg), written into a temporary directory with free loopback
/// ports below 32768, run with `haproxy -f FILE -db` and SIGKILLed with the test.
///
/// start() waits until the stats page answers and every node is UP (health checks on
/// /readyz), so a test begins with the whole cluster in service. Nodes are named node1,
/// node2, … in the order given.
class HaproxyProcess
{
public:
    /// `configTemplate`: the path of tools/cluster-haproxy.cfg.
    explicit HaproxyProcess(QString configTemplate);
    ~HaproxyProcess();

    HaproxyProcess(const HaproxyProcess &) = delete;
    HaproxyProcess &operator=(const HaproxyProcess &) = delete;

    /// haproxy on PATH, or empty when it is not installed (tests QSKIP then).
    static QString binary();

    bool start(const QList<quint16> &nodePorts, int timeoutMs = 30000);
    /// SIGTERM, then waits (SIGKILL after 5 s).
    void stop();

    quint16 port() const { return m_port; }
    QUrl webSocketUrl() const;
    QUrl httpUrl(const QString &path = {}) const;
    /// Each node's state as the stats page gives it ("UP", "DOWN", "UP 1/2", …) by name;
    /// empty when the page did not answer.
    QHash<QString, QString> nodeStates() const;
    /// Waits until every node named has `state` (checked a few times a second).
    bool waitForStates(const QStringList &nodes, const QString &state, int timeoutMs) const;
    QString lastError() const { return m_lastError; }
    QByteArray output() const;

private:
    bool startOnce(const QList<quint16> &nodePorts, int timeoutMs);

    QString m_template;
    QTemporaryDir m_directory;
    std::unique_ptr<QProcess> m_process;
    mutable QByteArray m_output;
    quint16 m_port = 0;
    quint16 m_statsPort = 0;
    QString m_lastError;
};

} // namespace tidings::test
