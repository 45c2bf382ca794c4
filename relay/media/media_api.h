#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace tidings::relay {

class HttpConnection;
class MediaFiles;
class Store;
struct BlobDigest;
using UserId = qint64;
namespace sql {
struct MediaRecord;
struct NewUpload;
} // namespace sql

struct MediaOptions
{
    qint64 maxFileBytes = qint64(100) * 1024 * 1024;
    qint64 quotaBytes = 0; ///< per user; 0: none
    qint64 maxTotalBytes = 0; ///< all users; 0: none
    qint64 minFreeBytes = 0; ///< free disk an upload must leave
    int maxUnfinished = 32; ///< uploads a user has begun and not finished
    qint64 maxChunkBytes = qint64(8) * 1024 * 1024;
    QStringList allowedTypes{QStringLiteral("*")};
    qint64 unsentExpiryMs = qint64(24) * 3600 * 1000;
    qint64 linkLifetimeMs = qint64(3600) * 1000;
};

/// The media HTTP API (docs/protocol.md, "Media"): creating an upload, sending it in chunks
/// at an offset, completing it (size, SHA-256 and type checked), downloading with Range,
/// signed links, and collecting media no message refers to. Every request is authorized by
/// a session token or a signed link; every byte goes through MediaFiles, every row through
/// the Store, so no event loop waits on either.
class MediaApi : public QObject
{
    Q_OBJECT

public:
    MediaApi(Store &store, MediaFiles &files, MediaOptions options, QByteArray linkKey,
             QObject *parent = nullptr);
    ~MediaApi() override;

    /// Where the API lives: requests for this path and under it are its.
    static QByteArray path();

    /// Serves one request of `connection` for path() or under it.
    void handle(HttpConnection &connection);

    /// Deletes media no message refers to any more, and uploads never sent in time. Runs
    /// one batch after another until nothing is left; calls `done` at the end.
    void sweep(std::function<void()> done = {});

private:
    struct Upload;
    struct Busy;
    class Claim;
    using Next = std::function<void(UserId)>;
    using Found = std::function<void(const sql::MediaRecord &)>;

    void authorize(HttpConnection &connection, const QString &mediaId, bool linkAllowed, Next next);
    /// Authorizes the request by token and finds the caller's own upload `id`; else 404.
    void ownUpload(HttpConnection &connection, const QString &id, Found next);
    void create(HttpConnection &connection);
    void createUpload(HttpConnection &connection, const sql::NewUpload &upload);
    void status(HttpConnection &connection, const QString &id);
    void append(HttpConnection &connection, const QString &id);
    void receiveChunk(HttpConnection &connection, std::shared_ptr<Upload> upload);
    void complete(HttpConnection &connection, const QString &id);
    void finishUpload(HttpConnection &connection, const sql::MediaRecord &record,
                      const Result<BlobDigest> &digest, std::shared_ptr<Claim> busy);
    void cancel(HttpConnection &connection, const QString &id);
    void download(HttpConnection &connection, const QString &id);
    void serve(HttpConnection &connection, const sql::MediaRecord &record);
    void link(HttpConnection &connection, const QString &id);
    void sweepBatch(std::shared_ptr<std::function<void()>> done);

    /// Marks `id` busy (one upload request at a time): an empty pointer when it already
    /// is, else a claim that frees it when released or when its last copy goes, on whatever
    /// thread. A request releases its claim before it answers: the client's next request may
    /// come at once, on another connection.
    std::shared_ptr<Claim> claim(const QString &id);
    QByteArray signLink(const QString &id, UserId user, qint64 expiresAt) const;

    Store &m_store;
    MediaFiles &m_files;
    const MediaOptions m_options;
    const QByteArray m_linkKey;
    std::shared_ptr<Busy> m_busy;
    bool m_sweeping = false;
};

} // namespace tidings::relay
