#include "gateway/http_connection.h"

#include <QTcpSocket>

#include <array>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace tidings::relay {

namespace {

constexpr qint64 kReadBufferBytes = 256 * 1024;
constexpr qint64 kSendBufferBytes = 512 * 1024;
constexpr qint64 kKeepAliveMs = 15'000; ///< from one answer to the next whole request head
constexpr int kCheckMs = 5'000;
constexpr qint64 kMinBytesPerSecond = 512; ///< while waiting on the peer mid-request
constexpr qint64 kSlowMs = 30'000; ///< below that rate for this long: closed
// A client learns that the rest of its body is not wanted only when it reads the answer;
// until then it goes on sending, and whatever it sent meanwhile (up to its send buffer,
// the relay's receive buffer, which Linux lets grow to 32 MiB, and what is in flight) still
// arrives. Closing on it resets the connection, and a client whose next write meets the
// reset fails without showing the answer (curl: "Send failure"). So the relay reads and
// throws away that much, for that long, and only a client that keeps sending past both
// is reset.
constexpr int kLingerMs = 5'000;
constexpr qint64 kLingerBytes = 64 * 1024 * 1024;

QByteArray reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, Handler handler, QObject *parent)
    : QObject(parent), m_socket(socket), m_handler(std::move(handler))
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kReadBufferBytes);
    m_stateSince.start();
    m_slowSince.start();
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readIncoming);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this](qint64 written) {
        m_movedBytes += written;
        if (m_responseRemaining > 0 && wantsMore())
            Q_EMIT drained();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    m_timeout.setInterval(kCheckMs);
    connect(&m_timeout, &QTimer::timeout, this, &HttpConnection::checkTimeout);
    m_timeout.start();
    QMetaObject::invokeMethod(this, &HttpConnection::readIncoming, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection() = default;

QHostAddress HttpConnection::peerAddress() const
{
    return m_socket->peerAddress();
}

void HttpConnection::readIncoming()
{
    switch (m_state) {
    case State::Head: {
        const HeadScan scan
            = scanRequestHead(m_socket->peek(kMaxRequestHeadBytes), kMaxRequestHeadBytes);
        switch (scan.state) {
        case HeadScan::State::Incomplete:
            return;
        case HeadScan::State::TooLarge:
            m_closeAfter = true;
            m_unreadable = true;
            m_request = {};
            m_state = State::Handling;
            respond({431, {{"Content-Type", "text/plain"}}}, "request head too large\n");
            return;
        case HeadScan::State::Complete:
            startRequest(m_socket->read(scan.length));
            return;
        }
        return;
    }
    case State::Handling:
        deliverBody();
        return;
    case State::Closing: {
        // Read and dropped, a slice at a time: nothing of it is kept.
        std::array<char, 64 * 1024> scratch;
        for (qint64 got; (got = m_socket->read(scratch.data(), qint64(scratch.size()))) > 0;) {
            m_discarded += got;
            m_movedBytes += got;
        }
        if (m_discarded > kLingerBytes)
            abort();
        return;
    }
    }
}

void HttpConnection::startRequest(QByteArrayView head)
{
    m_state = State::Handling;
    m_continueSent = false;
    ParsedHead parsed = parseRequestHead(head);
    m_request = std::move(parsed.request);
    if (!parsed.ok()) {
        m_closeAfter = true;
        m_unreadable = true; // what follows cannot be told apart from a next request
        m_request.contentLength = 0;
        m_bodyRemaining = 0;
        respond({parsed.status, {{"Content-Type", "text/plain"}}}, parsed.why + '\n');
        return;
    }
    m_bodyRemaining = m_request.contentLength;
    m_handler(*this);
}

void HttpConnection::pullBody(qint64 maxBytes, std::function<void(QByteArray)> receive)
{
    Q_ASSERT(m_state == State::Handling && m_bodyRemaining > 0 && maxBytes > 0);
    if (!m_continueSent
        && m_request.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    m_continueSent = true;
    m_pullMax = maxBytes;
    m_receive = std::move(receive);
    deliverBody();
}

void HttpConnection::deliverBody()
{
    if (!m_receive)
        return;
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    const qint64 take = std::min({available, m_pullMax, m_bodyRemaining});
    QByteArray bytes = m_socket->read(take);
    m_bodyRemaining -= bytes.size();
    m_movedBytes += bytes.size();
    auto receive = std::move(m_receive);
    m_receive = nullptr;
    receive(std::move(bytes));
}

void HttpConnection::sendHead(const HttpResponse &response, qint64 contentLength)
{
    if (m_bodyRemaining > 0 || !m_request.keepAlive)
        m_closeAfter = true;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' '
        + reason(response.status) + "\r\n";
    for (const auto &[name, value] : response.headers)
        head += name + ": " + value + "\r\n";
    head += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    if (m_closeAfter)
        head += "Connection: close\r\n";
    head += "\r\n";
    m_socket->write(head);
}

void HttpConnection::respond(const HttpResponse &response, const QByteArray &body)
{
    sendHead(response, body.size());
    const bool headOnly = m_request.method == "HEAD";
    if (!headOnly)
        m_socket->write(body);
    finishRequest();
}

void HttpConnection::respondJson(int status, const QByteArray &json,
                                 QList<std::pair<QByteArray, QByteArray>> headers)
{
    headers.prepend(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
    headers.append(std::pair<QByteArray, QByteArray>("Cache-Control", "no-store"));
    respond({status, std::move(headers)}, json);
}

void HttpConnection::beginResponse(const HttpResponse &response, qint64 contentLength,
                                   bool headOnly)
{
    sendHead(response, contentLength);
    m_responseRemaining = headOnly ? 0 : contentLength;
    if (m_responseRemaining == 0)
        finishRequest();
}

void HttpConnection::writeBody(const QByteArray &bytes)
{
    Q_ASSERT(m_responseRemaining >= bytes.size());
    m_socket->write(bytes);
    m_responseRemaining -= bytes.size();
    if (m_responseRemaining == 0)
        finishRequest();
}

bool HttpConnection::wantsMore() const
{
    return m_socket->bytesToWrite() < kSendBufferBytes;
}

void HttpConnection::finishRequest()
{
    m_responseRemaining = -1;
    m_receive = nullptr;
    if (m_closeAfter) {
        lingerAndClose();
        return;
    }
    m_state = State::Head;
    m_stateSince.restart();
    QMetaObject::invokeMethod(this, &HttpConnection::readIncoming, Qt::QueuedConnection);
}

// Closing a socket with unread input makes the kernel send a reset, which can destroy the
// response before the client reads it (see kLingerMs). So the sending side is shut once
// the response is out, which tells the client it has everything, and what still arrives is
// thrown away until the client closes too: a lingering close, as web servers do it. Past
// kLingerBytes or kLingerMs the connection is reset all the same.
void HttpConnection::lingerAndClose()
{
    m_state = State::Closing;
    if (m_bodyRemaining == 0 && !m_unreadable) {
        m_socket->disconnectFromHost();
        return;
    }
    QTimer::singleShot(kLingerMs, this, &HttpConnection::abort);
    auto shutdownWhenFlushed = [this] {
        if (m_writeShut || m_socket->bytesToWrite() > 0)
            return;
        m_writeShut = true;
#ifdef Q_OS_UNIX
        if (m_socket->socketDescriptor() >= 0 && !m_socket->inherits("QSslSocket")) {
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
            readIncoming();
            return;
        }
#endif
        m_socket->disconnectFromHost();
    };
    connect(m_socket, &QTcpSocket::bytesWritten, this, shutdownWhenFlushed);
    m_socket->flush();
    shutdownWhenFlushed();
}

HttpConnection *HttpConnection::refuse(QTcpSocket *socket, const QByteArray &response,
                                       QObject *parent)
{
    auto *connection = new HttpConnection(socket, {}, parent);
    connection->m_socket->write(response);
    connection->m_unreadable = true;
    connection->lingerAndClose();
    return connection;
}

void HttpConnection::abort()
{
    m_state = State::Closing;
    m_receive = nullptr;
    m_socket->abort(); // emits disconnected (→ deleteLater) when it was connected
    deleteLater();
}

bool HttpConnection::waitingOnPeer() const
{
    return m_state == State::Handling && (m_receive || (m_responseRemaining > 0 && !wantsMore()));
}

void HttpConnection::checkTimeout()
{
    // Deadlines, not idle timers: a byte now and then does not extend them. (The one for
    // State::Closing is kLingerMs, set by lingerAndClose().)
    if (m_state == State::Head && m_stateSince.elapsed() > kKeepAliveMs)
        return abort();
    const bool keptUp = m_movedBytes >= kMinBytesPerSecond * kCheckMs / 1000;
    m_movedBytes = 0;
    if (!waitingOnPeer() || keptUp)
        m_slowSince.restart();
    else if (m_slowSince.elapsed() > kSlowMs)
        abort();
}

} // namespace tidings::relay
