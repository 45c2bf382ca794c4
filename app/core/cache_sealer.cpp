#include "core/cache_sealer.h"

#include "e2e/store_crypto.h"

namespace tidings::app {

using namespace Qt::StringLiterals;

CacheSealer::CacheSealer(QString partPath) : m_partPath(std::move(partPath))
{
    QIODevice::open(QIODevice::WriteOnly | QIODevice::Unbuffered);
}

CacheSealer::~CacheSealer() = default;

bool CacheSealer::restart()
{
    const QMutexLocker lock(&m_mutex);
    m_file.close();
    m_file.setFileName(m_partPath);
    m_writer = std::make_unique<e2e::CacheFileWriter>();
    m_hash.reset();
    m_received = 0;
    m_finished.reset();
    // Unbuffered: what is sealed is in the file at once, nothing waits in memory to flush.
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        setErrorString(u"cannot write %1: %2"_s.arg(m_partPath, m_file.errorString()));
        m_writer.reset();
        return false;
    }
    return true;
}

qint64 CacheSealer::received() const
{
    const QMutexLocker lock(&m_mutex);
    return m_received;
}

bool CacheSealer::append(qint64 position, QByteArrayView plaintext)
{
    const QMutexLocker lock(&m_mutex);
    if (position != m_received)
        return false;
    return appendLocked(plaintext);
}

bool CacheSealer::appendLocked(QByteArrayView plaintext)
{
    if (!m_writer || m_finished)
        return false;
    const QByteArray sealed = m_writer->write(plaintext);
    if (!sealed.isEmpty() && m_file.write(sealed) != sealed.size()) {
        setErrorString(u"cannot write %1: %2"_s.arg(m_partPath, m_file.errorString()));
        return false;
    }
    m_hash.addData(plaintext);
    m_received += plaintext.size();
    return true;
}

Result<e2e::SecretKey> CacheSealer::finish(const QString &path, const QString &sha256)
{
    const QMutexLocker lock(&m_mutex);
    if (m_finished)
        return *m_finished;
    const auto done = [this](Result<e2e::SecretKey> outcome) {
        m_writer.reset();
        m_finished = outcome;
        return outcome;
    };
    if (!m_writer)
        return done(Error{ErrorCode::Io, u"nothing was sealed into %1"_s.arg(m_partPath)});
    const QByteArray last = m_writer->finish();
    const bool written = m_file.write(last) == last.size() && m_file.flush();
    m_file.close();
    if (!written) {
        QFile::remove(m_partPath);
        return done(Error{ErrorCode::Io, u"cannot write %1"_s.arg(m_partPath)});
    }
    if (!sha256.isEmpty() && QString::fromLatin1(m_hash.result().toHex()) != sha256) {
        QFile::remove(m_partPath);
        return done(Error{ErrorCode::Corrupt, u"the file's SHA-256 differs"_s});
    }
    const e2e::SecretKey key = m_writer->fileKey();
    QFile::remove(path);
    if (!QFile::rename(m_partPath, path)) {
        QFile::remove(m_partPath);
        return done(Error{ErrorCode::Io, u"cannot keep %1"_s.arg(path)});
    }
    return done(key);
}

qint64 CacheSealer::readData(char *, qint64)
{
    return -1; // write-only
}

qint64 CacheSealer::writeData(const char *data, qint64 size)
{
    const QMutexLocker lock(&m_mutex);
    return appendLocked(QByteArrayView(data, size)) ? size : -1;
}

} // namespace tidings::app
