#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

namespace tidings::relay {

/// What digest() finds in a blob.
struct BlobDigest
{
    qint64 size = 0;
    QByteArray sha256; ///< lower-case hex
    QByteArray head; ///< the first bytes, for sniffing the type
};

/// Where media bytes live, by the relay's own media id (never a name a client chose). The
/// calls block: MediaFiles runs them off the event loops. Calls for different ids may run
/// at once; the media API never runs two for the same id at once, except reads.
class BlobStore
{
public:
    virtual ~BlobStore() = default;

    /// Bytes stored under `id` so far; 0 when there are none.
    virtual Result<qint64> size(const QString &id) = 0;
    /// Writes `data` at `offset`, which must be the current size (Conflict otherwise).
    /// With `sync`, the bytes are on the disk when it returns. Returns the new size.
    virtual Result<qint64> append(const QString &id, qint64 offset, QByteArrayView data, bool sync)
        = 0;
    /// At most `maxBytes` from `offset` (fewer at the end).
    virtual Result<QByteArray> read(const QString &id, qint64 offset, qint64 maxBytes) = 0;
    virtual Result<BlobDigest> digest(const QString &id, qsizetype headBytes) = 0;
    /// Removes the blob; no error when there is none.
    virtual Result<void> remove(const QString &id) = 0;
    /// Bytes that may still be stored.
    virtual Result<qint64> freeBytes() = 0;
};

/// Blobs as files in a directory: <dir>/<first two hex digits>/<id>.
class LocalBlobStore final : public BlobStore
{
public:
    /// Creates the directory if needed.
    static Result<std::unique_ptr<LocalBlobStore>> open(const QString &directory);

    Result<qint64> size(const QString &id) override;
    Result<qint64> append(const QString &id, qint64 offset, QByteArrayView data,
                          bool sync) override;
    Result<QByteArray> read(const QString &id, qint64 offset, qint64 maxBytes) override;
    Result<BlobDigest> digest(const QString &id, qsizetype headBytes) override;
    Result<void> remove(const QString &id) override;
    Result<qint64> freeBytes() override;

private:
    explicit LocalBlobStore(QString directory) : m_directory(std::move(directory)) { }
    QString path(const QString &id) const;

    QString m_directory;
};

/// A new media id (see sql::isMediaId): 128 random bits.
QString newMediaId();

} // namespace tidings::relay
