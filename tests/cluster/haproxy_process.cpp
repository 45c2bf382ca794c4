#include "haproxy_process.h"

#include "support/http_helpers.h"
#include "support/redis_process.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QtTest>

#include <csignal>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace tidings::test {

using namespace Qt::StringLiterals;

HaproxyProcess::HaproxyProcess(QString configTemplate) : m_template(std::move(configTemplate)) { }

HaproxyProcess::~HaproxyProcess()
{
    stop();
}

QString HaproxyProcess::binary()
{
    QString found = QStandardPaths::findExecutable(u"haproxy"_s);
    if (found.isEmpty()) // Debian installs it in sbin, which a user's PATH may lack
        found = QStandardPaths::findExecutable(u"haproxy"_s, {u"/usr/sbin"_s, u"/sbin"_s});
    return found;
}

QUrl HaproxyProcess::httpUrl(const QString &path) const
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(m_port);
    url.setPath(path);
    return url;
}

QUrl HaproxyProcess::webSocketUrl() const
{
    QUrl url = httpUrl(u"/ws"_s);
    url.setScheme(u"ws"_s);
    return url;
}

QByteArray HaproxyProcess::output() const
{
    if (m_process)
        m_output += m_process->readAll();
    return m_output;
}

bool HaproxyProcess::start(const QList<quint16> &nodePorts, int timeoutMs)
{
    // Someone may take a port between picking and binding it: try others.
    for (int attempt = 1; attempt <= 5; ++attempt) {
        if (startOnce(nodePorts, timeoutMs))
            return true;
        if (!m_lastError.contains(u"cannot bind"_s, Qt::CaseInsensitive))
            return false;
    }
    return false;
}

bool HaproxyProcess::startOnce(const QList<quint16> &nodePorts, int timeoutMs)
{
    stop();
    m_output.clear();
    QFile source(m_template);
    if (!source.open(QIODevice::ReadOnly)) {
        m_lastError = u"cannot read %1"_s.arg(m_template);
        return false;
    }
    m_port = freeLoopbackPort();
    m_statsPort = freeLoopbackPort();
    if (m_port == 0 || m_statsPort == 0 || m_port == m_statsPort || !m_directory.isValid()) {
        m_lastError = u"no free ports or temporary directory"_s;
        return false;
    }
    QByteArray servers;
    QStringList names;
    for (qsizetype i = 0; i < nodePorts.size(); ++i) {
        names << u"node%1"_s.arg(i + 1);
        servers += "    server node" + QByteArray::number(i + 1)
            + " 127.0.0.1:" + QByteArray::number(nodePorts.at(i)) + " check\n";
    }
    QByteArray config = source.readAll();
    config.replace("@BIND@", QByteArray("127.0.0.1:" + QByteArray::number(m_port)))
        .replace("@STATS_BIND@", QByteArray("127.0.0.1:" + QByteArray::number(m_statsPort)))
        .replace("@SERVERS@\n", servers);
    const QString path = m_directory.filePath(u"haproxy.cfg"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(config) < 0) {
        m_lastError = u"cannot write %1"_s.arg(path);
        return false;
    }
    file.close();

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
#ifdef Q_OS_LINUX
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
    m_process->start(binary(), {u"-f"_s, path, u"-db"_s});
    if (!m_process->waitForStarted(timeoutMs)) {
        m_lastError = u"haproxy did not start: "_s + m_process->errorString();
        return false;
    }
    const QDeadlineTimer deadline(timeoutMs);
    while (nodeStates().isEmpty()) {
        if (m_process->state() == QProcess::NotRunning) {
            m_lastError = u"haproxy exited with code %1:\n%2"_s.arg(m_process->exitCode())
                              .arg(QString::fromLocal8Bit(output()));
            return false;
        }
        if (deadline.hasExpired()) {
            m_lastError
                = u"haproxy's stats page did not answer:\n"_s + QString::fromLocal8Bit(output());
            stop();
            return false;
        }
        QTest::qWait(50);
    }
    if (!waitForStates(names, u"UP"_s, int(std::max<qint64>(1, deadline.remainingTime())))) {
        m_lastError = u"the nodes did not come UP behind haproxy: %1"_s.arg(
            QStringList(nodeStates().values()).join(u", "_s));
        return false;
    }
    return true;
}

void HaproxyProcess::stop()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->terminate();
    if (!m_process->waitForFinished(5000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_output += m_process->readAll();
}

QHash<QString, QString> HaproxyProcess::nodeStates() const
{
    if (m_statsPort == 0)
        return {};
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(m_statsPort);
    url.setPath(u"/;csv"_s);
    const HttpResult page = httpGet(url, 2000);
    if (page.status != 200)
        return {};
    // "# pxname,svname,…,status,…" then one line per proxy and server.
    const QList<QByteArray> lines = page.body.split('\n');
    if (lines.isEmpty() || !lines.first().startsWith("# "))
        return {};
    const QList<QByteArray> columns = lines.first().mid(2).split(',');
    const qsizetype proxyColumn = columns.indexOf("pxname");
    const qsizetype nameColumn = columns.indexOf("svname");
    const qsizetype statusColumn = columns.indexOf("status");
    QHash<QString, QString> states;
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.split(',');
        if (fields.size() <= std::max({proxyColumn, nameColumn, statusColumn})
            || fields.at(proxyColumn) != "relays" || !fields.at(nameColumn).startsWith("node"))
            continue;
        states.insert(QString::fromLatin1(fields.at(nameColumn)),
                      QString::fromLatin1(fields.at(statusColumn)));
    }
    return states;
}

bool HaproxyProcess::waitForStates(const QStringList &nodes, const QString &state,
                                   int timeoutMs) const
{
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        const QHash<QString, QString> states = nodeStates();
        if (std::all_of(nodes.cbegin(), nodes.cend(),
                        [&](const QString &node) { return states.value(node) == state; }))
            return true;
        if (deadline.hasExpired())
            return false;
        QTest::qWait(100);
    }
}

} // namespace tidings::test
