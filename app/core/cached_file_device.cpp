#include "core/cached_file_device.h"

#include <QFileInfo>

#include <algorithm>
#include <cstring>

namespace tidings::app {

using namespace Qt::StringLiterals;

CachedFileDevice::CachedFileDevice(CachedFile file, QObject *parent)
    : QIODevice(parent), m_file(std::move(file)), m_source(m_file.path)
{ }

CachedFileDevice::~CachedFileDevice()
{
    dropChunk();
}

bool CachedFileDevice::open(OpenMode mode)
{
    if ((mode & QIODevice::ReadWrite) != QIODevice::ReadOnly) {
        setErrorString(u"a cached file is read only"_s);
        return false;
    }
    if (!m_source.open(QIODevice::ReadOnly)) {
        setErrorString(m_source.errorString());
        return false;
    }
    if (m_file.isSealed()) {
        const QByteArray header = m_source.read(e2e::kCacheHeaderBytes);
        auto reader = e2e::CacheFileReader::open(*m_file.key, header, m_source.size());
        if (!reader) {
            setErrorString(reader.error().message);
            m_source.close();
            return false;
        }
        m_reader = *reader;
        // The last chunk authenticates now, final flag and all: a file cut or extended is
        // refused here, before a player or "Save as…" reads anything (an empty file's one
        // chunk is its last; a reader never sees a size nothing would confirm).
        if (!loadChunk(m_reader->chunkCount() - 1)) {
            m_source.close();
            m_reader.reset();
            return false;
        }
    }
    // Unbuffered: plaintext stays in the one chunk kept here, not in QIODevice's buffer too.
    return QIODevice::open(mode | QIODevice::Unbuffered);
}

void CachedFileDevice::close()
{
    QIODevice::close();
    m_source.close();
    m_reader.reset();
    dropChunk();
}

qint64 CachedFileDevice::size() const
{
    if (m_reader)
        return m_reader->plaintextSize();
    return m_source.isOpen() ? m_source.size() : QFileInfo(m_file.path).size();
}

void CachedFileDevice::dropChunk()
{
    e2e::wipe(m_plaintext);
    m_chunk = -1;
}

bool CachedFileDevice::loadChunk(qint64 chunk)
{
    if (chunk == m_chunk)
        return true;
    dropChunk();
    const qint64 length = m_reader->sealedChunkSize(chunk);
    if (!m_source.seek(e2e::cacheChunkOffset(chunk))) {
        setErrorString(m_source.errorString());
        return false;
    }
    const QByteArray sealed = m_source.read(length);
    auto opened = m_reader->openChunk(chunk, sealed);
    if (!opened) {
        setErrorString(opened.error().message);
        return false;
    }
    m_plaintext = std::move(*opened);
    m_chunk = chunk;
    return true;
}

qint64 CachedFileDevice::readData(char *data, qint64 maxSize)
{
    if (!m_reader) {
        if (!m_source.seek(pos()))
            return -1;
        return m_source.read(data, maxSize);
    }
    qint64 done = 0;
    qint64 at = pos();
    const qint64 end = m_reader->plaintextSize();
    while (done < maxSize && at < end) {
        const qint64 chunk = e2e::cacheChunkIndex(at);
        if (!loadChunk(chunk))
            return done > 0 ? done : -1;
        const qint64 inChunk = at - chunk * e2e::kCacheChunkBytes;
        const qint64 count = std::min(maxSize - done, qint64(m_plaintext.size()) - inChunk);
        if (count <= 0)
            break;
        std::memcpy(data + done, m_plaintext.constData() + inChunk, size_t(count));
        done += count;
        at += count;
    }
    return done;
}

qint64 CachedFileDevice::writeData(const char *, qint64)
{
    return -1;
}

} // namespace tidings::app
