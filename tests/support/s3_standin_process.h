#pragma once

#include "support/s3_signature.h"

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace tidings::test {

/// tidings-s3-standin as a child process with a fresh temporary directory: start() waits for
/// its listening line (no sleeping), kill() is SIGKILL, pause() and resume() are SIGSTOP and
/// SIGCONT (a server that takes connections and never answers).
class S3StandInProcess
{
public:
    struct Settings
    {
        S3Credentials credentials;
        QString bucket = QStringLiteral("media");
        int maxKeysPerPage = 1000;
        bool ignoreRangeEnds = false; ///< see S3StandIn::Options
    };

    /// `binary`: the stand-in's path (tests get it from the build, TIDINGS_S3_STANDIN_BINARY).
    explicit S3StandInProcess(QString binary);
    ~S3StandInProcess();

    S3StandInProcess(const S3StandInProcess &) = delete;
    S3StandInProcess &operator=(const S3StandInProcess &) = delete;

    bool start(const Settings &settings, int timeoutMs = 30000);
    void kill();
    bool pause();
    bool resume();

    quint16 port() const { return m_port; }
    /// "http://127.0.0.1:<port>"
    QString endpoint() const;
    QString directory() const { return m_directory.path(); }
    /// The keys of the objects the stand-in holds in `bucket`, sorted, read off its directory.
    QStringList keys(const QString &bucket) const;
    QString lastError() const { return m_lastError; }
    /// What it wrote on stderr so far (one line per request), from every start.
    QByteArray log() const;

private:
    QString m_binary;
    QTemporaryDir m_directory;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_lastError;
};

} // namespace tidings::test
