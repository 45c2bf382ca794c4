#include "support/s3_standin_process.h"

#include "support/s3_standin.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <signal.h>
#endif

namespace tidings::test {

using namespace Qt::StringLiterals;

S3StandInProcess::S3StandInProcess(QString binary) : m_binary(std::move(binary)) { }

S3StandInProcess::~S3StandInProcess()
{
    resume();
    kill();
}

bool S3StandInProcess::start(const Settings &settings, int timeoutMs)
{
    kill();
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(m_binary);
    m_process->setArguments({u"--directory"_s, m_directory.path(), u"--access-key"_s,
                             QString::fromUtf8(settings.credentials.accessKey), u"--secret-key"_s,
                             QString::fromUtf8(settings.credentials.secretKey), u"--region"_s,
                             QString::fromUtf8(settings.credentials.region), u"--bucket"_s,
                             settings.bucket, u"--max-keys-per-page"_s,
                             QString::number(settings.maxKeysPerPage), u"--log"_s});
    if (settings.ignoreRangeEnds)
        m_process->setArguments(m_process->arguments() << u"--ignore-range-ends"_s);
    // A file, not a pipe: a pipe nobody reads would stop the stand-in once full.
    m_process->setStandardErrorFile(m_directory.filePath(u"standin.log"_s), QIODevice::Append);
    m_process->start();
    if (!m_process->waitForStarted(timeoutMs)) {
        m_lastError = u"cannot start %1: %2"_s.arg(m_binary, m_process->errorString());
        return false;
    }
    static const QRegularExpression listening(u"listening on 127\\.0\\.0\\.1:(\\d+)"_s);
    QByteArray output;
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        output += m_process->readAllStandardOutput();
        const auto match = listening.match(QString::fromLatin1(output));
        if (match.hasMatch()) {
            m_port = match.captured(1).toUShort();
            return true;
        }
        if (m_process->state() != QProcess::Running) {
            m_lastError = u"the stand-in exited: %1"_s.arg(QString::fromUtf8(output));
            return false;
        }
        m_process->waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())));
    }
    m_lastError = u"the stand-in did not say it was listening"_s;
    return false;
}

void S3StandInProcess::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
    m_process.reset();
}

bool S3StandInProcess::pause()
{
#ifdef Q_OS_UNIX
    return m_process && ::kill(pid_t(m_process->processId()), SIGSTOP) == 0;
#else
    return false;
#endif
}

bool S3StandInProcess::resume()
{
#ifdef Q_OS_UNIX
    return m_process && ::kill(pid_t(m_process->processId()), SIGCONT) == 0;
#else
    return false;
#endif
}

QString S3StandInProcess::endpoint() const
{
    return u"http://127.0.0.1:%1"_s.arg(m_port);
}

QStringList S3StandInProcess::keys(const QString &bucket) const
{
    QStringList keys;
    const QStringList files = QDir(m_directory.filePath(bucket)).entryList(QDir::Files);
    for (const QString &file : files)
        keys.append(S3StandIn::keyOfFileName(file));
    std::sort(keys.begin(), keys.end());
    return keys;
}

QByteArray S3StandInProcess::log() const
{
    QFile file(m_directory.filePath(u"standin.log"_s));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace tidings::test
