#include "support/s3_standin.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <QXmlStreamWriter>

#include <algorithm>
#include <cstdio>

namespace tidings::test {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxHeadBytes = 64 * 1024;
constexpr auto kIncoming = ".incoming"; ///< where uploads are written before they appear

using Parameters = QList<std::pair<QByteArray, QByteArray>>;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 416:
        return "Range Not Satisfiable";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    default:
        return "Status";
    }
}

QByteArray httpDate(const QDateTime &when)
{
    return QLocale::c().toString(when.toUTC(), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s).toLatin1();
}

QString fileNameOfKey(const QByteArray &key)
{
    // Dots too, so that no name is "." or ".." or starts like the incoming directory.
    return QString::fromLatin1(QUrl::toPercentEncoding(QString::fromUtf8(key), {}, "."));
}

Parameters parseQuery(const QByteArray &rawQuery)
{
    Parameters parameters;
    for (const QByteArray &part : rawQuery.split('&')) {
        if (part.isEmpty())
            continue;
        const qsizetype equals = part.indexOf('=');
        parameters.append(
            {QByteArray::fromPercentEncoding(equals < 0 ? part : part.left(equals)),
             equals < 0 ? QByteArray() : QByteArray::fromPercentEncoding(part.mid(equals + 1))});
    }
    return parameters;
}

QByteArray parameter(const Parameters &parameters, const QByteArray &name, bool *present = nullptr)
{
    for (const auto &[key, value] : parameters) {
        if (key == name) {
            if (present)
                *present = true;
            return value;
        }
    }
    if (present)
        *present = false;
    return {};
}

} // namespace

struct S3StandIn::Reply
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qint64 contentLength = -1; ///< for HEAD: the length announced with no body
    bool close = false;
};

/// Reads requests off one kept-alive connection and writes the answers in order.
class S3StandIn::Connection : public QObject
{
public:
    Connection(S3StandIn &server, QTcpSocket *socket)
        : QObject(socket), m_server(server), m_socket(socket)
    {
        connect(socket, &QTcpSocket::readyRead, this, &Connection::onReadable);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    void onReadable()
    {
        m_buffer += m_socket->readAll();
        while (m_socket->state() == QAbstractSocket::ConnectedState) {
            if (!m_haveHead && !readHead())
                return;
            if (m_buffer.size() < m_length)
                return;
            m_request.body = m_buffer.left(m_length);
            m_buffer.remove(0, m_length);
            m_haveHead = false;
            const bool close = m_request.header("connection").toLower() == "close";
            Reply reply = m_server.handle(m_request);
            reply.close = reply.close || close;
            write(reply);
            m_request = {};
        }
    }

    /// Parses a request's head once it is all there; false when more is needed or the
    /// connection was answered and closed.
    bool readHead()
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_buffer.size() > kMaxHeadBytes)
                refuse(400, "RequestHeaderSectionTooLarge", "the request head is too long");
            return false;
        }
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        const QList<QByteArray> start = lines.first().trimmed().split(' ');
        if (start.size() != 3 || !start[2].startsWith("HTTP/1.") || !start[1].startsWith('/')) {
            refuse(400, "BadRequest", "not an HTTP/1.1 request line with a path");
            return false;
        }
        m_request.method = start[0];
        const qsizetype question = start[1].indexOf('?');
        m_request.path = question < 0 ? start[1] : start[1].left(question);
        m_request.query = question < 0 ? QByteArray() : start[1].mid(question + 1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0) {
                refuse(400, "BadRequest", "a header line without a name");
                return false;
            }
            m_request.headers.append(
                {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
        }
        m_buffer.remove(0, end + 4);
        if (m_request.hasHeader("transfer-encoding")) {
            refuse(501, "NotImplemented", "the stand-in takes bodies with a Content-Length only");
            return false;
        }
        bool ok = true;
        const QByteArray length = m_request.header("content-length");
        m_length = length.isEmpty() ? 0 : length.toLongLong(&ok);
        if (!ok || m_length < 0) {
            refuse(400, "BadRequest", "an unreadable Content-Length");
            return false;
        }
        if (m_length > m_server.m_options.maxBodyBytes) {
            refuse(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
            return false;
        }
        if (m_request.header("expect").toLower() == "100-continue")
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        m_haveHead = true;
        return true;
    }

    void refuse(int status, const QByteArray &code, const QByteArray &message)
    {
        Reply reply;
        reply.status = status;
        reply.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code
            + "</Code><Message>" + message + "</Message></Error>";
        reply.headers.emplaceBack("Content-Type", "application/xml");
        reply.close = true;
        write(reply);
    }

    void write(const Reply &reply)
    {
        const qint64 length = reply.contentLength >= 0 ? reply.contentLength : reply.body.size();
        QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + ' '
            + reasonPhrase(reply.status) + "\r\nDate: " + httpDate(QDateTime::currentDateTimeUtc())
            + "\r\nServer: tidings-s3-standin" + "\r\nContent-Length: " + QByteArray::number(length)
            + (reply.close ? "\r\nConnection: close" : "\r\nConnection: keep-alive") + "\r\n";
        for (const auto &[name, value] : reply.headers)
            head += name + ": " + value + "\r\n";
        m_socket->write(head + "\r\n");
        if (reply.contentLength < 0)
            m_socket->write(reply.body);
        if (reply.close)
            m_socket->disconnectFromHost();
    }

    S3StandIn &m_server;
    QTcpSocket *m_socket;
    QByteArray m_buffer;
    S3HttpRequest m_request;
    bool m_haveHead = false;
    qint64 m_length = 0;
};

namespace {

S3StandIn::Reply xmlReply(int status, const QByteArray &xml)
{
    S3StandIn::Reply reply;
    reply.status = status;
    reply.body = xml;
    reply.headers.emplaceBack("Content-Type", "application/xml");
    return reply;
}

S3StandIn::Reply s3Error(int status, const QByteArray &code, const QString &message,
                         const QByteArray &resource,
                         const QList<std::pair<QString, QString>> &details = {})
{
    QByteArray xml;
    QXmlStreamWriter writer(&xml);
    writer.writeStartDocument();
    writer.writeStartElement(u"Error"_s);
    writer.writeTextElement(u"Code"_s, QString::fromLatin1(code));
    writer.writeTextElement(u"Message"_s, message);
    writer.writeTextElement(u"Resource"_s, QString::fromUtf8(resource));
    for (const auto &[name, value] : details)
        writer.writeTextElement(name, value);
    writer.writeEndElement();
    writer.writeEndDocument();
    return xmlReply(status, xml);
}

QByteArray etagOf(const QByteArray &bytes)
{
    return '"' + QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex() + '"';
}

} // namespace

S3StandIn::S3StandIn(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection())
            new Connection(*this, socket);
    });
}

S3StandIn::~S3StandIn() = default;

bool S3StandIn::listen(quint16 port)
{
    const QDir root(m_options.directory);
    if (!root.mkpath(QString::fromLatin1(kIncoming))) {
        m_error = u"cannot create %1"_s.arg(root.filePath(QString::fromLatin1(kIncoming)));
        return false;
    }
    for (const QString &bucket : m_options.buckets) {
        if (!root.mkpath(bucket)) {
            m_error = u"cannot create the bucket directory %1"_s.arg(root.filePath(bucket));
            return false;
        }
    }
    if (!m_server->listen(QHostAddress::LocalHost, port)) {
        m_error = m_server->errorString();
        return false;
    }
    return true;
}

quint16 S3StandIn::port() const
{
    return m_server->serverPort();
}

QString S3StandIn::keyOfFileName(const QString &fileName)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(fileName.toLatin1()));
}

QString S3StandIn::bucketPath(const QString &bucket) const
{
    return QDir(m_options.directory).filePath(bucket);
}

S3StandIn::Reply S3StandIn::handle(const S3HttpRequest &request)
{
    ++m_requests;
    Reply reply = [&] {
        const S3Verdict verdict
            = verifyS3Signature(request, m_options.credentials, QDateTime::currentDateTimeUtc());
        if (!verdict.ok())
            return s3Error(verdict.status, verdict.code, verdict.message, request.path,
                           {{u"StringToSign"_s, QString::fromUtf8(verdict.stringToSign)},
                            {u"CanonicalRequest"_s, QString::fromUtf8(verdict.canonicalRequest)}});
        const QByteArray decoded = QByteArray::fromPercentEncoding(request.path.mid(1));
        const qsizetype slash = decoded.indexOf('/');
        const QString bucket = QString::fromUtf8(slash < 0 ? decoded : decoded.left(slash));
        const QByteArray key = slash < 0 ? QByteArray() : decoded.mid(slash + 1);
        if (bucket.isEmpty())
            return s3Error(501, "NotImplemented", u"the stand-in does not list buckets"_s,
                           request.path);
        static const QRegularExpression bucketName(u"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"_s);
        if (!bucketName.match(bucket).hasMatch())
            return s3Error(400, "InvalidBucketName", u"The specified bucket is not valid."_s,
                           request.path);
        if (key.isEmpty())
            return bucketRequest(request, bucket, parseQuery(request.query));
        if (!QFileInfo(bucketPath(bucket)).isDir())
            return s3Error(404, "NoSuchBucket", u"The specified bucket does not exist"_s,
                           request.path);
        return objectRequest(request, bucket, key);
    }();
    const QByteArray requestId = QByteArray::number(m_requests, 16).rightJustified(16, '0');
    reply.headers.emplaceBack("x-amz-request-id", requestId);
    if (request.method == "HEAD" && reply.status >= 300) {
        // S3 answers a HEAD's error with its status alone.
        reply.body.clear();
        reply.contentLength = 0;
    }
    if (m_options.log)
        std::fprintf(stderr, "%s %s%s%s -> %d\n", request.method.constData(),
                     request.path.constData(), request.query.isEmpty() ? "" : "?",
                     request.query.constData(), reply.status);
    return reply;
}

S3StandIn::Reply S3StandIn::bucketRequest(const S3HttpRequest &request, const QString &bucket,
                                          const Parameters &query)
{
    const QString path = bucketPath(bucket);
    const bool exists = QFileInfo(path).isDir();
    if (request.method == "PUT" && query.isEmpty()) {
        if (exists)
            return s3Error(409, "BucketAlreadyOwnedByYou",
                           u"Your previous request to create the "
                           "named bucket succeeded."_s,
                           request.path);
        if (!QDir().mkpath(path))
            return s3Error(500, "InternalError", u"cannot create the bucket"_s, request.path);
        Reply reply;
        reply.headers.emplaceBack("Location", '/' + bucket.toUtf8());
        return reply;
    }
    if (!exists)
        return s3Error(404, "NoSuchBucket", u"The specified bucket does not exist"_s, request.path);
    if (request.method == "HEAD" && query.isEmpty())
        return Reply{};
    if (request.method == "DELETE" && query.isEmpty()) {
        if (!QDir(path).isEmpty())
            return s3Error(409, "BucketNotEmpty", u"The bucket you tried to delete is not empty"_s,
                           request.path);
        QDir().rmdir(path);
        Reply reply;
        reply.status = 204;
        return reply;
    }
    if (request.method == "GET" && parameter(query, "list-type") == "2")
        return listObjects(bucket, query);
    return s3Error(
        501, "NotImplemented",
        u"the stand-in serves no %1 on a bucket with this query (only "
        "ListObjectsV2, HEAD, PUT and DELETE)"_s.arg(QString::fromLatin1(request.method)),
        request.path);
}

S3StandIn::Reply S3StandIn::listObjects(const QString &bucket, const Parameters &query)
{
    const QByteArray resource = '/' + bucket.toUtf8();
    static const QList<QByteArray> known{"list-type",   "prefix",      "max-keys",
                                         "start-after", "fetch-owner", "continuation-token"};
    for (const auto &[name, value] : query) {
        if (!known.contains(name))
            return s3Error(
                501, "NotImplemented",
                u"the stand-in's ListObjectsV2 has no \"%1\""_s.arg(QString::fromUtf8(name)),
                resource);
    }
    const QByteArray prefix = parameter(query, "prefix");
    bool present = false;
    const QByteArray maxKeysText = parameter(query, "max-keys", &present);
    bool ok = true;
    const int maxKeys = present ? maxKeysText.toInt(&ok) : 1000;
    if (!ok || maxKeys < 0)
        return s3Error(400, "InvalidArgument", u"max-keys must be a number from 0"_s, resource);
    const QByteArray token = parameter(query, "continuation-token", &present);
    QByteArray after = parameter(query, "start-after");
    if (present) {
        const QByteArray decoded = QByteArray::fromBase64(token);
        if (!decoded.startsWith("v1:"))
            return s3Error(400, "InvalidArgument",
                           u"The continuation token provided is incorrect"_s, resource);
        after = std::max(after, decoded.mid(3));
    }

    QList<QByteArray> keys;
    const QFileInfoList files = QDir(bucketPath(bucket)).entryInfoList(QDir::Files);
    for (const QFileInfo &file : files) {
        const QByteArray key = keyOfFileName(file.fileName()).toUtf8();
        if (key.startsWith(prefix) && key > after)
            keys.append(key);
    }
    std::sort(keys.begin(), keys.end()); // S3 lists by the UTF-8 bytes
    const int page = std::min(maxKeys, m_options.maxKeysPerPage);
    const bool truncated = keys.size() > page;
    if (truncated)
        keys.resize(page);

    QByteArray xml;
    QXmlStreamWriter writer(&xml);
    writer.writeStartDocument();
    writer.writeStartElement(u"ListBucketResult"_s);
    writer.writeDefaultNamespace(u"http://s3.amazonaws.com/doc/2006-03-01/"_s);
    writer.writeTextElement(u"Name"_s, bucket);
    writer.writeTextElement(u"Prefix"_s, QString::fromUtf8(prefix));
    writer.writeTextElement(u"KeyCount"_s, QString::number(keys.size()));
    writer.writeTextElement(u"MaxKeys"_s, QString::number(maxKeys));
    writer.writeTextElement(u"IsTruncated"_s, truncated ? u"true"_s : u"false"_s);
    if (present)
        writer.writeTextElement(u"ContinuationToken"_s, QString::fromLatin1(token));
    if (truncated)
        writer.writeTextElement(u"NextContinuationToken"_s,
                                QString::fromLatin1(QByteArray("v1:" + keys.last()).toBase64()));
    for (const QByteArray &key : keys) {
        QFile file(QDir(bucketPath(bucket)).filePath(fileNameOfKey(key)));
        const QFileInfo info(file);
        writer.writeStartElement(u"Contents"_s);
        writer.writeTextElement(u"Key"_s, QString::fromUtf8(key));
        writer.writeTextElement(u"LastModified"_s,
                                info.lastModified().toUTC().toString(Qt::ISODateWithMs));
        writer.writeTextElement(u"Size"_s, QString::number(info.size()));
        writer.writeTextElement(u"StorageClass"_s, u"STANDARD"_s);
        writer.writeEndElement();
    }
    writer.writeEndElement();
    writer.writeEndDocument();
    return xmlReply(200, xml);
}

S3StandIn::Reply S3StandIn::objectRequest(const S3HttpRequest &request, const QString &bucket,
                                          const QByteArray &key)
{
    const QByteArray resource = request.path;
    if (!request.query.isEmpty())
        return s3Error(501, "NotImplemented",
                       u"the stand-in serves no sub-resources of objects (?%1)"_s.arg(
                           QString::fromUtf8(request.query)),
                       resource);
    if (request.hasHeader("x-amz-copy-source") || request.hasHeader("if-match")
        || request.hasHeader("if-modified-since") || request.hasHeader("if-unmodified-since"))
        return s3Error(501, "NotImplemented", u"the stand-in does not copy nor match"_s, resource);
    const QString fileName = fileNameOfKey(key);
    if (key.size() > 1024 || fileName.size() > 250)
        return s3Error(400, "KeyTooLongError", u"Your key is too long"_s, resource);
    const QString path = QDir(bucketPath(bucket)).filePath(fileName);

    if (request.method == "PUT") {
        const QByteArray ifNoneMatch = request.header("if-none-match");
        if (!ifNoneMatch.isEmpty() && ifNoneMatch != "*")
            return s3Error(501, "NotImplemented", u"If-None-Match takes only *"_s, resource);
        if (ifNoneMatch == "*" && QFileInfo::exists(path))
            return s3Error(412, "PreconditionFailed",
                           u"At least one of the pre-conditions you specified did not hold"_s,
                           resource);
        const QByteArray md5 = request.header("content-md5");
        if (!md5.isEmpty()
            && QByteArray::fromBase64(md5)
                != QCryptographicHash::hash(request.body, QCryptographicHash::Md5))
            return s3Error(400, "BadDigest",
                           u"The Content-MD5 you specified did not match what we received."_s,
                           resource);
        const QString incoming
            = QDir(m_options.directory)
                  .filePath(QString::fromLatin1(kIncoming) + u'/'
                            + QString::number(QRandomGenerator::global()->generate64(), 16));
        QFile file(incoming);
        if (!file.open(QIODevice::WriteOnly) || file.write(request.body) != request.body.size()
            || !file.flush()) {
            file.remove();
            return s3Error(500, "InternalError", u"cannot write the object"_s, resource);
        }
        file.close();
        if (std::rename(QFile::encodeName(incoming).constData(),
                        QFile::encodeName(path).constData())
            != 0) {
            QFile::remove(incoming);
            return s3Error(500, "InternalError", u"cannot store the object"_s, resource);
        }
        Reply reply;
        reply.headers.emplaceBack("ETag", etagOf(request.body));
        return reply;
    }
    if (request.method == "DELETE") {
        QFile::remove(path);
        Reply reply;
        reply.status = 204;
        return reply;
    }
    if (request.method != "GET" && request.method != "HEAD")
        return s3Error(405, "MethodNotAllowed",
                       u"The specified method is not allowed against this resource."_s, resource);

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return s3Error(404, "NoSuchKey", u"The specified key does not exist."_s, resource);
    const QByteArray bytes = file.readAll();
    const qint64 size = bytes.size();
    Reply reply;
    reply.headers.emplaceBack("ETag", etagOf(bytes));
    reply.headers.emplaceBack("Last-Modified", httpDate(QFileInfo(file).lastModified()));
    reply.headers.emplaceBack("Accept-Ranges", "bytes");
    reply.headers.emplaceBack("Content-Type", "application/octet-stream");
    qint64 first = 0;
    qint64 last = size - 1;
    // One range, as S3 takes it; a malformed or multiple one is ignored (the whole object).
    const QByteArray range = request.header("range");
    static const QRegularExpression oneRange(u"^bytes=(\\d*)-(\\d*)$"_s);
    const auto match = oneRange.match(QString::fromLatin1(range));
    const QString from = match.captured(1);
    const QString to = match.captured(2);
    if (match.hasMatch() && !(from.isEmpty() && to.isEmpty())) {
        bool valid = true;
        if (from.isEmpty()) { // the last `to` bytes
            first = size - std::min(size, to.toLongLong());
            if (to.toLongLong() == 0)
                first = size;
        } else {
            first = from.toLongLong();
            if (!to.isEmpty()) {
                valid = to.toLongLong() >= first;
                if (!m_options.ignoreRangeEnds)
                    last = std::min(last, to.toLongLong());
            }
        }
        if (!valid) {
            first = 0;
            last = size - 1;
        } else if (first >= size) {
            Reply refused = s3Error(416, "InvalidRange",
                                    u"The requested range is not satisfiable"_s, resource);
            refused.headers.emplaceBack("Content-Range", "bytes */" + QByteArray::number(size));
            return refused;
        } else {
            reply.status = 206;
            reply.headers.emplaceBack("Content-Range",
                                      "bytes " + QByteArray::number(first) + '-'
                                          + QByteArray::number(last) + '/'
                                          + QByteArray::number(size));
        }
    }
    reply.body = bytes.mid(first, last - first + 1);
    if (request.method == "HEAD") {
        reply.contentLength = reply.body.size();
        reply.body.clear();
    }
    return reply;
}

} // namespace tidings::test
