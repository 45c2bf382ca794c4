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
    /// End-to-end encryption is on: an encrypted file (application/octet-stream, no name)
    /// passes allowedTypes, which the relay cannot check it against.
    bool encryptedFiles = false;
    /// The relay takes only encrypted files (e2e required): EncryptionRequired for others.
    bool encryptedOnly = false;
    qint64 unsentExpiryMs = qint64(24) * 3600 * 1000;
    qint64 linkLifetimeMs = qint64(3600) * 1000;
    qint64 sessionIdleMs = 0; ///< sessions unused this long are expired; 0: never
};

/// What POST /v1/media declares about the file to come.
struct UploadDescription
{
    qint64 size = 0;
    QString type; ///< canonical, and one the options allow
    QString sha256; ///< lower-case hex
    QString name; ///< cleaned (protocol::cleanFileName)
};

/// Reads the JSON body of POST /v1/media under `options` (file size, allowed types).
/// Anything else is an Error with the code to answer.
Result<UploadDescription> readUploadDescription(const QByteArray &json,
                                                const MediaOptions &options);

/// The bytes of a file a Range header asks for: one range; anything else is the whole file.
struct ByteRange
{
    int status = 200; ///< 200 the whole file, 206 [first, last], 416 not satisfiable
    qint64 first = 0;
    qint64 last = -1; ///< inclusive
};

ByteRange byteRange(const QByteArray &rangeHeader, qint64 size);

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
    /// Runs with the caller's user and session (the token's, or the one that made the link).
    using Next = std::function<void(UserId, qint64 session)>;
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
    QByteArray signLink(const QString &id, qint64 session, qint64 expiresAt) const;

    Store &m_store;
    MediaFiles &m_files;
    const MediaOptions m_options;
    const QByteArray m_linkKey;
    std::shared_ptr<Busy> m_busy;
    bool m_sweeping = false;
};

} // namespace tidings::relay
