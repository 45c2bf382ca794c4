#include "support/provider_server.h"

#include <QDateTime>
#include <QEventLoop>
#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <map>

#ifdef TIDINGS_TEST_HTTP2
#include <nghttp2/nghttp2.h>
#endif

namespace tidings::test {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 410:
        return "Gone";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace

QByteArray ReceivedRequest::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

class ProviderServer::Connection : public QObject
{
public:
    Connection(ProviderServer &server, QTcpSocket *socket)
        : QObject(socket), m_server(server), m_socket(socket)
    { }
    virtual void onReadable() = 0;

protected:
    ProviderServer &m_server;
    QTcpSocket *m_socket;
};

/// HTTP/1.1: requests one after another on a kept-alive connection, bodies by
/// Content-Length.
class ProviderServer::Http1Connection final : public Connection
{
public:
    using Connection::Connection;

    void onReadable() override
    {
        m_buffer += m_socket->readAll();
        for (;;) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = m_buffer.left(end).split('\n');
            ReceivedRequest request;
            const QList<QByteArray> start = lines.first().trimmed().split(' ');
            request.method = start.value(0);
            request.path = start.value(1);
            qsizetype length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                request.headers.append({name, value});
                if (name == "content-length")
                    length = value.toLongLong();
            }
            if (m_buffer.size() < end + 4 + length)
                return;
            request.body = m_buffer.mid(end + 4, length);
            m_buffer.remove(0, end + 4 + length);
            QPointer<QTcpSocket> socket = m_socket;
            m_server.complete(std::move(request), [socket](const StandInReply &reply) {
                if (!socket)
                    return;
                QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + ' '
                    + reasonPhrase(reply.status)
                    + "\r\nContent-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
                for (const auto &[name, value] : reply.headers)
                    head += name + ": " + value + "\r\n";
                socket->write(head + "\r\n" + reply.body);
            });
        }
    }

private:
    QByteArray m_buffer;
};

#ifdef TIDINGS_TEST_HTTP2
/// HTTP/2 with prior knowledge, on libnghttp2's server session.
class ProviderServer::Http2Connection final : public Connection
{
public:
    Http2Connection(ProviderServer &server, QTcpSocket *socket) : Connection(server, socket)
    {
        nghttp2_session_callbacks *callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_send_callback(callbacks, &Http2Connection::onSend);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, &Http2Connection::onHeader);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                                  &Http2Connection::onData);
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Http2Connection::onFrame);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                               &Http2Connection::onStreamClose);
        nghttp2_session_server_new(&m_session, callbacks, this);
        nghttp2_session_callbacks_del(callbacks);
        const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000}};
        nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, 1);
        flush();
    }

    ~Http2Connection() override { nghttp2_session_del(m_session); }

    void onReadable() override
    {
        const QByteArray data = m_socket->readAll();
        m_receiving = true;
        const auto read = nghttp2_session_mem_recv(
            m_session, reinterpret_cast<const uint8_t *>(data.constData()), size_t(data.size()));
        m_receiving = false;
        if (read < 0) {
            m_socket->abort();
            return;
        }
        flush();
    }

private:
    struct Stream
    {
        ReceivedRequest request;
        QByteArray response;
        qsizetype sent = 0;
    };

    /// Not from within nghttp2's callbacks: onReadable() flushes after them.
    void flush()
    {
        if (!m_receiving)
            nghttp2_session_send(m_session);
    }

    static ssize_t onSend(nghttp2_session *, const uint8_t *data, size_t length, int, void *user)
    {
        auto *self = static_cast<Http2Connection *>(user);
        self->m_socket->write(reinterpret_cast<const char *>(data), qint64(length));
        return ssize_t(length);
    }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t,
                        void *user)
    {
        auto *self = static_cast<Http2Connection *>(user);
        Stream &stream = self->m_streams[frame->hd.stream_id];
        const QByteArray key(reinterpret_cast<const char *>(name), qsizetype(nameLength));
        const QByteArray text(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        if (key == ":method")
            stream.request.method = text;
        else if (key == ":path")
            stream.request.path = text;
        else if (!key.startsWith(':'))
            stream.request.headers.append({key, text});
        return 0;
    }

    static int onData(nghttp2_session *, uint8_t, int32_t streamId, const uint8_t *data,
                      size_t length, void *user)
    {
        auto *self = static_cast<Http2Connection *>(user);
        self->m_streams[streamId].request.body.append(reinterpret_cast<const char *>(data),
                                                      qsizetype(length));
        return 0;
    }

    static int onFrame(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        auto *self = static_cast<Http2Connection *>(user);
        if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA)
            && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
            const int32_t id = frame->hd.stream_id;
            ReceivedRequest request = self->m_streams[id].request;
            request.http2 = true;
            QPointer<Http2Connection> guard(self);
            self->m_server.complete(std::move(request), [guard, id](const StandInReply &reply) {
                if (guard)
                    guard->respond(id, reply);
            });
        }
        return 0;
    }

    static int onStreamClose(nghttp2_session *, int32_t streamId, uint32_t, void *user)
    {
        static_cast<Http2Connection *>(user)->m_streams.erase(streamId);
        return 0;
    }

    static ssize_t readBody(nghttp2_session *, int32_t streamId, uint8_t *buffer, size_t length,
                            uint32_t *flags, nghttp2_data_source *, void *user)
    {
        auto *self = static_cast<Http2Connection *>(user);
        Stream &stream = self->m_streams[streamId];
        const qsizetype n
            = std::min<qsizetype>(qsizetype(length), stream.response.size() - stream.sent);
        memcpy(buffer, stream.response.constData() + stream.sent, size_t(n));
        stream.sent += n;
        if (stream.sent == stream.response.size())
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return ssize_t(n);
    }

    void respond(int32_t id, const StandInReply &reply)
    {
        m_streams[id].response = reply.body;
        QList<QByteArray> storage{QByteArray::number(reply.status)};
        for (const auto &[name, value] : reply.headers) {
            storage.append(name.toLower());
            storage.append(value);
        }
        std::vector<nghttp2_nv> headers;
        auto add = [&headers](const QByteArray &name, const QByteArray &value) {
            headers.push_back(nghttp2_nv{
                const_cast<uint8_t *>(reinterpret_cast<const uint8_t *>(name.constData())),
                const_cast<uint8_t *>(reinterpret_cast<const uint8_t *>(value.constData())),
                size_t(name.size()), size_t(value.size()), NGHTTP2_NV_FLAG_NONE});
        };
        static const QByteArray status(":status");
        add(status, storage[0]);
        for (qsizetype i = 1; i + 1 < storage.size(); i += 2)
            add(storage[i], storage[i + 1]);
        nghttp2_data_provider provider{};
        provider.read_callback = &Http2Connection::readBody;
        nghttp2_submit_response(m_session, id, headers.data(), headers.size(),
                                reply.body.isEmpty() ? nullptr : &provider);
        flush();
    }

    nghttp2_session *m_session = nullptr;
    std::map<int32_t, Stream> m_streams;
    bool m_receiving = false;
};
#endif

ProviderServer::ProviderServer(Protocol protocol, QObject *parent)
    : QObject(parent), m_protocol(protocol), m_server(new QTcpServer(this))
{
    m_responder = [](const ReceivedRequest &) { return StandInReply{200, {}, "{}", false}; };
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            Connection *connection = nullptr;
#ifdef TIDINGS_TEST_HTTP2
            if (m_protocol == Protocol::Http2)
                connection = new Http2Connection(*this, socket);
#endif
            if (!connection)
                connection = new Http1Connection(*this, socket);
            connect(socket, &QTcpSocket::readyRead, connection,
                    [connection] { connection->onReadable(); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            if (socket->bytesAvailable() > 0)
                connection->onReadable();
        }
    });
}

ProviderServer::~ProviderServer() = default;

bool ProviderServer::http2Available()
{
#ifdef TIDINGS_TEST_HTTP2
    return true;
#else
    return false;
#endif
}

bool ProviderServer::listen()
{
    m_server->setListenBacklogSize(1024);
    m_server->setMaxPendingConnections(1024);
    return m_server->listen(QHostAddress::LocalHost, 0);
}

quint16 ProviderServer::port() const
{
    return m_server->serverPort();
}

QByteArray ProviderServer::url(const QByteArray &path) const
{
    return "http://127.0.0.1:" + QByteArray::number(port()) + path;
}

void ProviderServer::setResponder(std::function<StandInReply(const ReceivedRequest &)> responder)
{
    m_responder = std::move(responder);
}

bool ProviderServer::waitForRequests(qsizetype count, int timeoutMs)
{
    // An event loop, not QTest::qWait(): that sleeps in 10 ms steps, which would show in
    // the push benchmark's latencies.
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &ProviderServer::requestReceived, &loop, [this, &loop, count] {
        if (m_received.size() >= count)
            loop.quit();
    });
    if (m_received.size() < count) {
        timeout.start(timeoutMs);
        loop.exec();
    }
    return m_received.size() >= count;
}

void ProviderServer::dropConnections()
{
    const auto sockets = m_server->findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets)
        socket->abort();
}

void ProviderServer::complete(ReceivedRequest request,
                              std::function<void(const StandInReply &)> answer)
{
    request.atMs = QDateTime::currentMSecsSinceEpoch();
    const StandInReply reply = m_responder(request);
    m_received.append(std::move(request));
    Q_EMIT requestReceived();
    if (!reply.hang)
        answer(reply);
}

} // namespace tidings::test
