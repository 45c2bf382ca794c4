#pragma once

#include "e2e/secret.h"
#include "util/result.h"

#include <QCryptographicHash>
#include <QFile>
#include <QIODevice>
#include <QMutex>
#include <QString>

#include <memory>
#include <optional>

namespace tidings::e2e {
class CacheFileWriter;
}

namespace tidings::app {

/// A file of the media cache written sealed (docs/encryption.md, section 8) as its plaintext
/// arrives: every byte goes through an e2e::CacheFileWriter, under a new random key, into a
/// partial file, and its SHA-256 is taken on the way, so no plaintext reaches the disk and
/// the whole is checked before it is kept. A write-only, sequential device (what
/// e2e::decryptFile writes into); a download's requests append() at their own position.
///
/// One user at a time, but it may be handed between threads (a download's requests write on
/// the transfer loop, its check finishes on a pool): every call locks.
class CacheSealer : public QIODevice
{
public:
    /// Writes into `partPath` (created or emptied by restart()).
    explicit CacheSealer(QString partPath);
    ~CacheSealer() override;

    /// Starts anew: the partial file emptied, a new key, nothing received. False (with
    /// errorString()) when the file cannot be written.
    bool restart();
    /// Plaintext bytes taken since restart().
    qint64 received() const;
    /// Appends `plaintext` if it starts at byte `position` of the file (what received()
    /// says), else refuses it: a request that went stale meanwhile writes nothing. False
    /// too when the file cannot be written (errorString()) or the sealer has finished.
    bool append(qint64 position, QByteArrayView plaintext);

    /// Seals the last chunk and, when the plaintext's SHA-256 (hex) is `sha256` (or that is
    /// empty), moves the partial file to `path` (replacing what was there): the file's key.
    /// Corrupt when the hash differs (the partial file is removed), Io when it cannot be
    /// written or moved. Called again, it answers the same without doing anything.
    Result<e2e::SecretKey> finish(const QString &path, const QString &sha256);

    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    bool appendLocked(QByteArrayView plaintext);

    mutable QMutex m_mutex;
    const QString m_partPath;
    QFile m_file;
    std::unique_ptr<e2e::CacheFileWriter> m_writer;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_received = 0;
    std::optional<Result<e2e::SecretKey>> m_finished;
};

} // namespace tidings::app
