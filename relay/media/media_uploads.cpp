#include "media/media_api.h"

#include "gateway/http_connection.h"
#include "media/content_type.h"
#include "media/media_api_p.h"
#include "media/media_files.h"
#include "protocol/file_names.h"
#include "protocol/messages/http_messages.h"
#include "store/media_queries.h"
#include "store/store.h"

#include <QJsonObject>
#include <QMutex>

// The upload side of MediaApi: creating an upload, its chunks, completing and cancelling it.
namespace tidings::relay {

using namespace Qt::StringLiterals;
using namespace media;

namespace {

constexpr qint64 kMaxJsonBody = 64 * 1024;

/// Reads the whole (small) body, then calls `done` with it.
void readWhole(HttpConnection &connection, std::function<void(QByteArray)> done,
               std::shared_ptr<QByteArray> received = std::make_shared<QByteArray>())
{
    if (connection.bodyRemaining() == 0)
        return done(*received);
    connection.pullBody(connection.bodyRemaining(),
                        [&connection, done = std::move(done), received](QByteArray bytes) mutable {
                            received->append(bytes);
                            readWhole(connection, std::move(done), received);
                        });
}

/// A display name from whatever the client sent: no directories, no control characters.
bool isSha256Hex(const QString &text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](QChar c) {
               return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
           });
}

} // namespace

Result<UploadDescription> readUploadDescription(const QByteArray &json, const MediaOptions &options)
{
    const auto described = protocol::messages::decodeBody<protocol::messages::NewUpload>(json);
    if (!described)
        return described.error();
    if (described->size > options.maxFileBytes)
        return Error{ErrorCode::TooLarge,
                     u"files on this relay have at most %1 bytes"_s.arg(options.maxFileBytes)};
    const auto type = media::canonicalType(described->type);
    if (!type)
        return type.error();
    // What an app that encrypts uploads: its bytes say nothing, its name is in the message.
    const bool encrypted
        = *type == u"application/octet-stream" && described->name.trimmed().isEmpty();
    if (options.encryptedOnly && !encrypted)
        return Error{ErrorCode::EncryptionRequired,
                     u"this relay takes only end-to-end encrypted files: type "
                     "application/octet-stream and no name"_s};
    if (!(encrypted && options.encryptedFiles) && !media::typeAllowed(*type, options.allowedTypes))
        return Error{ErrorCode::Unsupported, u"this relay does not accept %1 files"_s.arg(*type)};
    const QString sha256 = described->sha256.toLower();
    if (!isSha256Hex(sha256))
        return Error{ErrorCode::BadRequest, u"field 'sha256' must be the file's SHA-256 in hex"_s};
    return UploadDescription{described->size, *type, sha256,
                             protocol::cleanFileName(described->name, 255)};
}

class MediaApi::Claim
{
public:
    Claim(std::shared_ptr<Busy> busy, QString id) : m_busy(std::move(busy)), m_id(std::move(id)) { }
    ~Claim() { release(); }
    Q_DISABLE_COPY_MOVE(Claim)

    void release()
    {
        const QMutexLocker lock(&m_busy->mutex);
        if (!m_released)
            m_busy->ids.remove(m_id);
        m_released = true;
    }

private:
    const std::shared_ptr<Busy> m_busy;
    const QString m_id;
    bool m_released = false; ///< under m_busy->mutex
};

struct MediaApi::Upload
{
    QString id;
    qint64 offset = 0;
    std::shared_ptr<Claim> busy;
};

void MediaApi::create(HttpConnection &connection)
{
    const qint64 length = connection.request().contentLength;
    if (length > kMaxJsonBody)
        return fail(connection, {ErrorCode::TooLarge, u"the description is too long"_s});
    if (length == 0)
        return fail(connection,
                    {ErrorCode::BadRequest, u"send a JSON object with size, type and sha256"_s});
    authorize(connection, {}, false, [this, &connection](UserId user, qint64) {
        readWhole(connection, [this, &connection, user](const QByteArray &body) {
            const auto description = readUploadDescription(body, m_options);
            if (!description)
                return fail(connection, description.error());
            const sql::NewUpload upload{newMediaId(),        user,
                                        description->size,   description->type,
                                        description->sha256, description->name};
            m_files.run<qint64>([](BlobStore &blobs) { return blobs.freeBytes(); })
                .then(&connection, [this, &connection, upload](const Result<qint64> &free) {
                    if (free && *free - upload.size < m_options.minFreeBytes)
                        return fail(connection,
                                    {ErrorCode::Unavailable,
                                     u"the relay has no room for more files now"_s});
                    createUpload(connection, upload);
                });
        });
    });
}

void MediaApi::createUpload(HttpConnection &connection, const sql::NewUpload &upload)
{
    sql::MediaLimits limits{m_options.quotaBytes, m_options.maxTotalBytes, m_options.maxUnfinished};
    m_store
        .write<sql::MediaRecord>(
            [upload, limits](QSqlDatabase &db) { return sql::createUpload(db, upload, limits); })
        .then(&connection, [this, &connection](const Result<sql::MediaRecord> &record) {
            if (!record)
                return fail(connection, record.error());
            auto created = describe(*record);
            created.offset = 0;
            created.chunkBytes = m_options.maxChunkBytes;
            ok(connection, 201, created.encode(),
               {{"Location", kPrefix + '/' + record->id.toLatin1()}, {"Upload-Offset", "0"}});
        });
}

void MediaApi::status(HttpConnection &connection, const QString &id)
{
    ownUpload(connection, id, [this, &connection, id](const sql::MediaRecord &media) {
        m_files.run<qint64>([id](BlobStore &blobs) { return blobs.size(id); })
            .then(&connection, [&connection, media](const Result<qint64> &offset) {
                if (!offset)
                    return fail(connection, offset.error());
                auto status = describe(media);
                status.offset = *offset;
                ok(connection, 200, status.encode(),
                   {{"Upload-Offset", QByteArray::number(*offset)}});
            });
    });
}

void MediaApi::ownUpload(HttpConnection &connection, const QString &id, Found next)
{
    authorize(connection, id, false, [this, &connection, id, next](UserId user, qint64) {
        m_store.read<sql::MediaRecord>([id](QSqlDatabase &db) { return sql::mediaById(db, id); })
            .then(&connection, [&connection, user, next](const Result<sql::MediaRecord> &record) {
                // Someone else's upload is answered as a missing one.
                if (!record || record->ownerId != user)
                    return fail(connection, {ErrorCode::NotFound, u"no such media"_s});
                next(*record);
            });
    });
}

void MediaApi::append(HttpConnection &connection, const QString &id)
{
    bool offsetOk = false;
    const qint64 offset = connection.request().header("upload-offset").toLongLong(&offsetOk);
    if (!offsetOk || offset < 0)
        return fail(
            connection,
            {ErrorCode::BadRequest, u"send 'Upload-Offset: <bytes>', where this chunk starts"_s});
    const qint64 length = connection.request().contentLength;
    if (length > m_options.maxChunkBytes)
        return fail(connection,
                    {ErrorCode::TooLarge,
                     u"an upload request carries at most %1 bytes"_s.arg(m_options.maxChunkBytes)});
    ownUpload(
        connection, id, [this, &connection, id, offset, length](const sql::MediaRecord &found) {
            if (found.state != sql::MediaState::Uploading)
                return fail(connection, {ErrorCode::Conflict, u"this upload is complete"_s});
            if (offset + length > found.size)
                return fail(connection,
                            {ErrorCode::TooLarge,
                             u"this upload was declared with %1 bytes"_s.arg(found.size)});
            auto busy = claim(id);
            if (!busy)
                return fail(
                    connection,
                    {ErrorCode::Conflict, u"another request is uploading this media now"_s});
            m_files.run<qint64>([id](BlobStore &blobs) { return blobs.size(id); })
                .then(&connection,
                      [this, &connection, id, offset, length, busy](const Result<qint64> &current) {
                          if (!current || *current != offset || length == 0)
                              busy->release(); // answered now
                          if (!current)
                              return fail(connection, current.error());
                          if (*current != offset) {
                              return fail(connection,
                                          {ErrorCode::Conflict,
                                           u"the upload stands at %1 bytes"_s.arg(*current)},
                                          {{"Upload-Offset", QByteArray::number(*current)}});
                          }
                          if (length == 0)
                              return connection.respond(
                                  {204, {{"Upload-Offset", QByteArray::number(offset)}}});
                          receiveChunk(connection,
                                       std::make_shared<Upload>(Upload{id, offset, busy}));
                      });
        });
}

void MediaApi::receiveChunk(HttpConnection &connection, std::shared_ptr<Upload> upload)
{
    connection.pullBody(kPieceBytes, [this, &connection, upload](QByteArray bytes) {
        // The last piece is synced before the answer: an offset acknowledged is on disk.
        const bool last = connection.bodyRemaining() == 0;
        m_files
            .run<qint64>([id = upload->id, offset = upload->offset, bytes = std::move(bytes), last,
                          busy = upload->busy](BlobStore &blobs) {
                return blobs.append(id, offset, bytes, last);
            })
            .then(&connection, [this, &connection, upload, last](const Result<qint64> &reached) {
                if (!reached || last)
                    upload->busy->release(); // answered now
                if (!reached)
                    return fail(connection, reached.error());
                upload->offset = *reached;
                if (last)
                    return connection.respond(
                        {204, {{"Upload-Offset", QByteArray::number(upload->offset)}}});
                receiveChunk(connection, upload);
            });
    });
}

void MediaApi::complete(HttpConnection &connection, const QString &id)
{
    ownUpload(connection, id, [this, &connection, id](const sql::MediaRecord &found) {
        if (found.state == sql::MediaState::Complete)
            return ok(connection, 200, describe(found).encode());
        auto busy = claim(id);
        if (!busy)
            return fail(connection,
                        {ErrorCode::Conflict, u"another request is uploading this media now"_s});
        const sql::MediaRecord record = found;
        m_files
            .run<BlobDigest>(
                [id, busy](BlobStore &blobs) { return blobs.digest(id, media::kSniffBytes); })
            .then(&connection, [this, &connection, record, busy](const Result<BlobDigest> &digest) {
                finishUpload(connection, record, digest, std::move(busy));
            });
    });
}

void MediaApi::finishUpload(HttpConnection &connection, const sql::MediaRecord &record,
                            const Result<BlobDigest> &digest, std::shared_ptr<Claim> busy)
{
    if (!digest) {
        busy->release();
        return fail(connection, digest.error());
    }
    const QString id = record.id;
    if (digest->size != record.size) {
        busy->release();
        return fail(connection,
                    {ErrorCode::Conflict,
                     u"the upload has %1 of %2 bytes"_s.arg(digest->size).arg(record.size)},
                    {{"Upload-Offset", QByteArray::number(digest->size)}});
    }
    if (QString::fromLatin1(digest->sha256) != record.sha256) {
        // The bytes are not the file declared: start again from nothing.
        // Answered once the bytes are gone, so that the upload from 0 finds nothing.
        m_files.run<void>([id](BlobStore &blobs) { return blobs.remove(id); })
            .then(&connection, [&connection, busy](const Result<void> &) {
                busy->release();
                fail(connection,
                     {ErrorCode::Conflict,
                      u"the file's SHA-256 is not the one declared; upload it "
                      "again from offset 0"_s},
                     {{"Upload-Offset", "0"}});
            });
        return;
    }
    busy->release(); // the bytes are read; what follows is the database's
    auto type = media::verifyType(record.type, digest->head);
    if (type && !media::typeAllowed(*type, m_options.allowedTypes))
        type = Error{ErrorCode::Unsupported, u"this relay does not accept %1 files"_s.arg(*type)};
    if (!type) {
        const Error refused = type.error();
        const UserId owner = record.ownerId;
        m_store
            .write<void>([owner, id](QSqlDatabase &db) { return sql::cancelUpload(db, owner, id); })
            .then(&connection,
                  [&connection, refused](const Result<void> &) { fail(connection, refused); });
        return;
    }
    const QString verified = *type;
    m_store
        .write<sql::MediaRecord>(
            [id, verified](QSqlDatabase &db) { return sql::completeUpload(db, id, verified); })
        .then(&connection, [&connection](const Result<sql::MediaRecord> &completed) {
            if (!completed)
                return fail(connection, completed.error());
            ok(connection, 200, describe(*completed).encode());
        });
}

void MediaApi::cancel(HttpConnection &connection, const QString &id)
{
    authorize(connection, id, false, [this, &connection, id](UserId user, qint64) {
        m_store
            .write<void>([user, id](QSqlDatabase &db) { return sql::cancelUpload(db, user, id); })
            .then(&connection, [&connection](const Result<void> &cancelled) {
                if (!cancelled)
                    return fail(connection, cancelled.error());
                connection.respond({204, {}});
            });
    });
}

std::shared_ptr<MediaApi::Claim> MediaApi::claim(const QString &id)
{
    const QMutexLocker lock(&m_busy->mutex);
    if (m_busy->ids.contains(id))
        return {};
    m_busy->ids.insert(id);
    return std::make_shared<Claim>(m_busy, id);
}

} // namespace tidings::relay
