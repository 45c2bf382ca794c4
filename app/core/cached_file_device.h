#pragma once

#include "core/cached_file.h"
#include "e2e/store_crypto.h"

#include <QFile>
#include <QIODevice>

#include <optional>

namespace tidings::app {

/// The plaintext of a sealed file of the media cache (docs/encryption.md, section 8) as a
/// read-only, random-access device: each read opens the chunk it falls in (and keeps that
/// one, so a player's small reads cost one decryption per chunk), so a player seeks
/// anywhere without the whole being decrypted. A chunk that does not open fails the read
/// (errorString() says why). What open() reads is the header; size() is the plaintext's.
/// A plaintext CachedFile reads through as it is.
class CachedFileDevice : public QIODevice
{
public:
    explicit CachedFileDevice(CachedFile file, QObject *parent = nullptr);
    ~CachedFileDevice() override;

    /// ReadOnly only. False (errorString()) when the file cannot be read or its header
    /// does not open.
    bool open(OpenMode mode) override;
    void close() override;
    bool isSequential() const override { return false; }
    qint64 size() const override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    bool loadChunk(qint64 chunk);
    void dropChunk();

    const CachedFile m_file;
    QFile m_source;
    std::optional<e2e::CacheFileReader> m_reader;
    qint64 m_chunk = -1; ///< the chunk in m_plaintext
    QByteArray m_plaintext;
};

} // namespace tidings::app
