#include "media/media_api.h"

#include "crypto/message_auth.h"
#include "crypto/session_token.h"
#include "gateway/http_connection.h"
#include "media/content_type.h"
#include "media/media_api_p.h"
#include "media/media_files.h"
#include "protocol/fields.h"
#include "protocol/file_names.h"
#include "protocol/messages/http_messages.h"
#include "store/account_queries.h"
#include "store/media_queries.h"
#include "store/store.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QUrl>

namespace tidings::relay {

Q_LOGGING_CATEGORY(lcMedia, "tidings.relay.media")

using namespace Qt::StringLiterals;

using namespace media;

namespace {

constexpr int kSweepBatch = 200;
const QByteArray kPrefixSlash = "/v1/media/";

/// What a signed link's signature covers: the media, the session that made it, its expiry.
QByteArray linkPayload(const QString &mediaId, qint64 session, qint64 expires)
{
    return "link\n" + mediaId.toLatin1() + '\n' + QByteArray::number(session) + '\n'
        + QByteArray::number(expires);
}

void methodNotAllowed(HttpConnection &connection, const QByteArray &allow)
{
    fail(connection,
         {ErrorCode::BadRequest,
          u"method %1 is not allowed here (allowed: %2)"_s.arg(
              QString::fromLatin1(connection.request().method), QString::fromLatin1(allow))},
         {{"Allow", allow}});
}

QByteArray contentDisposition(const sql::MediaRecord &record)
{
    const QByteArray kind = media::servedInline(record.type) ? "inline" : "attachment";
    // RFC 6266 / 8187: a plain ASCII fallback and the UTF-8 name percent-encoded.
    QByteArray ascii;
    for (const QChar c : record.name)
        ascii += (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'"' && c != u'\\')
            ? char(c.unicode())
            : '_';
    return kind + "; filename=\"" + ascii + "\"; filename*=UTF-8''"
        + QUrl::toPercentEncoding(record.name);
}

/// Streams a byte range of a blob to the connection, a piece at a time, as fast as the
/// client takes it.
class Streamer : public QObject
{
public:
    Streamer(HttpConnection &connection, MediaFiles &files, QString id, qint64 from, qint64 end)
        : QObject(&connection), m_connection(connection), m_files(files), m_id(std::move(id)),
          m_next(from), m_end(end)
    {
        connect(&connection, &HttpConnection::drained, this, &Streamer::pump);
    }

    void pump()
    {
        if (m_reading || m_next >= m_end || !m_connection.wantsMore())
            return;
        m_reading = true;
        const qint64 length = std::min(kPieceBytes, m_end - m_next);
        m_files
            .run<QByteArray>([id = m_id, at = m_next, length](BlobStore &blobs) {
                return blobs.read(id, at, length);
            })
            .then(this, [this](const Result<QByteArray> &bytes) {
                m_reading = false;
                if (!bytes || bytes->isEmpty() || bytes->size() > m_end - m_next) {
                    qCWarning(lcMedia).noquote()
                        << "cannot read media" << m_id << "at" << m_next << ":"
                        << (bytes ? u"it is shorter than recorded"_s : bytes.error().message);
                    m_connection.abort();
                    return;
                }
                m_next += bytes->size();
                const bool done = m_next >= m_end;
                m_connection.writeBody(*bytes);
                if (done)
                    deleteLater();
                else
                    pump();
            });
    }

private:
    HttpConnection &m_connection;
    MediaFiles &m_files;
    const QString m_id;
    qint64 m_next;
    const qint64 m_end;
    bool m_reading = false;
};

} // namespace

namespace media {

void fail(HttpConnection &connection, const Error &error, Headers headers)
{
    const int status = protocol::messages::httpStatusOf(error.code);
    if (status >= 500)
        qCWarning(lcMedia).noquote() << connection.request().method << connection.request().path
                                     << "failed:" << error.message;
    if (status == 401)
        headers.append(
            std::pair<QByteArray, QByteArray>("WWW-Authenticate", "Bearer realm=\"tidings\""));
    connection.respondJson(
        status,
        QJsonDocument(protocol::messages::encodeHttpError(error)).toJson(QJsonDocument::Compact),
        std::move(headers));
}

void ok(HttpConnection &connection, int status, const QJsonObject &body, Headers headers)
{
    connection.respondJson(status, QJsonDocument(body).toJson(QJsonDocument::Compact),
                           std::move(headers));
}

protocol::messages::MediaObject describe(const sql::MediaRecord &record)
{
    using protocol::messages::MediaObject;
    return MediaObject{record.id,
                       record.size,
                       record.type,
                       record.sha256,
                       record.name,
                       (record.state == sql::MediaState::Complete ? MediaObject::kComplete
                                                                  : MediaObject::kUploading)
                           .toString(),
                       std::nullopt,
                       std::nullopt};
}

} // namespace media

ByteRange byteRange(const QByteArray &range, qint64 size)
{
    qint64 first = 0;
    qint64 last = size - 1;
    int status = 200;
    // One range of bytes (what players and resuming downloads ask for); anything else is
    // answered with the whole file, as RFC 9110 allows.
    if (range.startsWith("bytes=") && !range.contains(',')) {
        const QByteArray spec = range.sliced(6).trimmed();
        const qsizetype dash = spec.indexOf('-');
        bool firstOk = false;
        bool lastOk = false;
        const qint64 from = spec.first(std::max<qsizetype>(dash, 0)).toLongLong(&firstOk);
        const qint64 to = spec.sliced(dash + 1).toLongLong(&lastOk);
        bool satisfiable = true;
        if (dash < 0) {
            satisfiable = true; // not a range we understand: the whole file
        } else if (dash == 0 && lastOk) {
            status = 206;
            satisfiable = to > 0 && size > 0;
            first = satisfiable ? std::max<qint64>(0, size - to) : 0; // no overflow at to < 0
        } else if (firstOk && (lastOk || dash == spec.size() - 1)) {
            status = 206;
            first = from;
            if (lastOk)
                last = std::min(to, size - 1);
            satisfiable = from >= 0 && from < size && from <= last;
        }
        if (!satisfiable)
            return {416, 0, -1};
    }
    return {status, first, last};
}

MediaApi::MediaApi(Store &store, MediaFiles &files, MediaOptions options, QByteArray linkKey,
                   QObject *parent)
    : QObject(parent), m_store(store), m_files(files), m_options(std::move(options)),
      m_linkKey(std::move(linkKey)), m_busy(std::make_shared<Busy>())
{ }

MediaApi::~MediaApi() = default;

QByteArray MediaApi::path()
{
    return kPrefix;
}

void MediaApi::handle(HttpConnection &connection)
{
    const HttpRequest &request = connection.request();
    const QByteArray &method = request.method;
    if (request.path == kPrefix || request.path == kPrefixSlash) {
        if (method == "POST")
            return create(connection);
        return methodNotAllowed(connection, "POST");
    }
    const QList<QByteArray> parts = request.path.sliced(kPrefixSlash.size()).split('/');
    const QString id = QString::fromLatin1(parts.first());
    if (parts.size() > 2 || !sql::isMediaId(id))
        return fail(connection, {ErrorCode::NotFound, u"no such media"_s});
    if (parts.size() == 1) {
        if (method == "GET" || method == "HEAD")
            return download(connection, id);
        if (method == "PATCH")
            return append(connection, id);
        if (method == "DELETE")
            return cancel(connection, id);
        return methodNotAllowed(connection, "GET, HEAD, PATCH, DELETE");
    }
    const QByteArray &action = parts.at(1);
    if (action == "upload") {
        if (method == "GET" || method == "HEAD")
            return status(connection, id);
        return methodNotAllowed(connection, "GET, HEAD");
    }
    if (action == "complete" || action == "link") {
        if (method != "POST")
            return methodNotAllowed(connection, "POST");
        return action == "complete" ? complete(connection, id) : link(connection, id);
    }
    fail(connection, {ErrorCode::NotFound, u"no such media"_s});
}

void MediaApi::authorize(HttpConnection &connection, const QString &mediaId, bool linkAllowed,
                         Next next)
{
    const HttpRequest &request = connection.request();
    const qint64 unusedSince = m_options.sessionIdleMs > 0
        ? QDateTime::currentMSecsSinceEpoch() - m_options.sessionIdleMs
        : 0;
    const auto proceed
        = [&connection, next = std::move(next)](const Result<sql::LiveSession> &caller) {
              if (!caller)
                  return fail(connection, caller.error());
              next(caller->user, caller->session);
          };
    const QByteArray authorization = request.header("authorization");
    if (authorization.startsWith("Bearer ")) {
        const QByteArray digest = crypto::sessionTokenDigest(authorization.sliced(7).trimmed());
        m_store
            .read<sql::LiveSession>([digest, unusedSince](QSqlDatabase &db) {
                return sql::sessionUser(db, digest, unusedSince);
            })
            .then(&connection, proceed);
        return;
    }
    // A signed link works while the session that made it does: signing out, a revoked or
    // expired session, a disabled account end its links too.
    const QByteArray signature = request.queryItem("sig");
    if (linkAllowed && !signature.isEmpty()) {
        bool sessionOk = false;
        bool expiresOk = false;
        const qint64 session = request.queryItem("session").toLongLong(&sessionOk);
        const qint64 expires = request.queryItem("expires").toLongLong(&expiresOk);
        if (!sessionOk || !expiresOk
            || !crypto::verifyMessageTag(m_linkKey, linkPayload(mediaId, session, expires),
                                         signature))
            return fail(connection, {ErrorCode::Forbidden, u"this link is not valid"_s});
        if (expires < QDateTime::currentMSecsSinceEpoch())
            return fail(connection, {ErrorCode::Forbidden, u"this link has expired"_s});
        m_store
            .read<sql::LiveSession>([session, unusedSince](QSqlDatabase &db) {
                return sql::sessionOwner(db, session, unusedSince);
            })
            .then(&connection, [proceed](const Result<sql::LiveSession> &caller) {
                if (!caller)
                    return proceed(Error{ErrorCode::Forbidden,
                                         u"this link ended with the session that made it"_s});
                proceed(caller);
            });
        return;
    }
    fail(connection, {ErrorCode::Unauthorized, u"send 'Authorization: Bearer <session token>'"_s});
}

void MediaApi::download(HttpConnection &connection, const QString &id)
{
    authorize(connection, id, true, [this, &connection, id](UserId user, qint64) {
        m_store
            .read<sql::MediaRecord>(
                [id, user](QSqlDatabase &db) { return sql::readableMedia(db, user, id); })
            .then(&connection, [this, &connection](const Result<sql::MediaRecord> &record) {
                if (!record)
                    return fail(connection, record.error());
                if (record->state != sql::MediaState::Complete)
                    return fail(connection,
                                {ErrorCode::NotFound, u"this upload is not complete yet"_s});
                serve(connection, *record);
            });
    });
}

void MediaApi::serve(HttpConnection &connection, const sql::MediaRecord &record)
{
    const qint64 size = record.size;
    const ByteRange range = byteRange(connection.request().header("range"), size);
    if (range.status == 416)
        return connection.respond(
            {416, {{"Content-Range", "bytes */" + QByteArray::number(size)}}});
    const int status = range.status;
    const qint64 first = range.first;
    const qint64 last = range.last;
    HttpResponse response{status,
                          {{"Content-Type", record.type.toLatin1()},
                           {"Accept-Ranges", "bytes"},
                           {"ETag", '"' + record.sha256.toLatin1() + '"'},
                           {"Cache-Control", "private, max-age=31536000, immutable"},
                           {"X-Content-Type-Options", "nosniff"},
                           {"Content-Security-Policy", "sandbox; default-src 'none'"},
                           {"Content-Disposition", contentDisposition(record)}}};
    if (status == 206) {
        response.headers.append({"Content-Range",
                                 "bytes " + QByteArray::number(first) + '-'
                                     + QByteArray::number(last) + '/' + QByteArray::number(size)});
    }
    const qint64 length = size == 0 ? 0 : last - first + 1;
    const bool headOnly = connection.request().method == "HEAD";
    if (headOnly || length == 0)
        return connection.beginResponse(response, length, true);
    connection.beginResponse(response, length);
    auto *streamer = new Streamer(connection, m_files, record.id, first, first + length);
    streamer->pump();
}

void MediaApi::link(HttpConnection &connection, const QString &id)
{
    authorize(connection, id, false, [this, &connection, id](UserId user, qint64 session) {
        m_store
            .read<sql::MediaRecord>(
                [id, user](QSqlDatabase &db) { return sql::readableMedia(db, user, id); })
            .then(&connection,
                  [this, &connection, id, session](const Result<sql::MediaRecord> &record) {
                      if (!record)
                          return fail(connection, record.error());
                      const qint64 expires
                          = QDateTime::currentMSecsSinceEpoch() + m_options.linkLifetimeMs;
                      const QByteArray url = kPrefix + '/' + id.toLatin1() + "?session="
                          + QByteArray::number(session) + "&expires=" + QByteArray::number(expires)
                          + "&sig=" + signLink(id, session, expires);
                      ok(connection, 200,
                         protocol::messages::MediaLink{QString::fromLatin1(url), expires}.encode());
                  });
    });
}

QByteArray MediaApi::signLink(const QString &id, qint64 session, qint64 expiresAt) const
{
    return crypto::messageTag(m_linkKey, linkPayload(id, session, expiresAt));
}

void MediaApi::sweep(std::function<void()> done)
{
    if (m_sweeping) {
        if (done)
            done();
        return;
    }
    m_sweeping = true;
    sweepBatch(std::make_shared<std::function<void()>>(std::move(done)));
}

void MediaApi::sweepBatch(std::shared_ptr<std::function<void()>> done)
{
    const auto finish = [this, done] {
        m_sweeping = false;
        if (*done)
            (*done)();
    };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 expiry = m_options.unsentExpiryMs;
    m_store
        .write<QStringList>([now, expiry](QSqlDatabase &db) -> Result<QStringList> {
            if (auto marked = sql::collectMedia(db, now, expiry, kSweepBatch); !marked)
                return marked.error();
            return sql::mediaBeingDeleted(db, kSweepBatch);
        })
        .then(this, [this, done, finish](const Result<QStringList> &marked) {
            if (!marked) {
                qCWarning(lcMedia).noquote() << "media sweep:" << marked.error().message;
                return finish();
            }
            QStringList ids = *marked;
            {
                auto busy = m_busy;
                const QMutexLocker lock(&busy->mutex);
                ids.removeIf([&](const QString &id) { return busy->ids.contains(id); });
            }
            if (ids.isEmpty())
                return finish();
            const bool more = marked->size() == kSweepBatch && ids.size() == marked->size();
            m_files
                .run<QStringList>([ids](BlobStore &blobs) -> Result<QStringList> {
                    QStringList removed;
                    for (const QString &id : ids) {
                        if (auto gone = blobs.remove(id); gone)
                            removed.append(id);
                        else
                            qCWarning(lcMedia).noquote() << gone.error().message;
                    }
                    return removed;
                })
                .then(this, [this, done, finish, more](const Result<QStringList> &removed) {
                    if (!removed || removed->isEmpty())
                        return finish();
                    const QStringList forgotten = *removed;
                    qCInfo(lcMedia)
                        << "deleted" << forgotten.size() << "media no message refers to";
                    m_store
                        .write<void>([forgotten](QSqlDatabase &db) {
                            return sql::forgetMedia(db, forgotten);
                        })
                        .then(this, [this, done, finish, more](const Result<void> &) {
                            if (more)
                                sweepBatch(done);
                            else
                                finish();
                        });
                });
        });
}

} // namespace tidings::relay
