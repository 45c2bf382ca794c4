#include "bench/lean_websocket.h"

#include <QNetworkProxy>
#include <QRandomGenerator>
#include <QTcpSocket>

#ifdef Q_OS_LINUX
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace tidings::bench {

using websocket::Opcode;

namespace {

constexpr qint64 kMaxMessage = 16 * 1024 * 1024;

#ifdef Q_OS_LINUX
/// A TCP socket bound to `source` whose port is chosen at connect() rather than at bind():
/// with tens of thousands of connections per address (and as many just closed, in
/// TIME_WAIT), the kernel's search for a free port at bind() took most of the loader's core
/// in a storm, and the relay saw the request heads too late. -1 if that is not possible.
int socketBoundWithoutPort(const QHostAddress &source)
{
    if (source.protocol() != QAbstractSocket::IPv4Protocol)
        return -1;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(source.toIPv4Address());
    if (::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) != 0
        || ::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}
#endif

} // namespace

LeanWebSocket::LeanWebSocket(QObject *parent)
    : QObject(parent), m_socket(new QTcpSocket(this)),
      m_reader(websocket::MessageReader::Role::Client, kMaxMessage),
      m_maskState(QRandomGenerator::global()->generate() | 1u)
{
    // Straight to the relay: the system proxy lookup (libproxy, which reads /etc/services
    // each time) cost more than the rest of a connection in a storm.
    m_socket->setProxy(QNetworkProxy::NoProxy);
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        QByteArray nonce(16, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(nonce.data()), 4);
        m_key = nonce.toBase64();
        m_socket->write("GET /ws HTTP/1.1\r\nHost: " + m_socket->peerName().toLatin1() + ':'
                        + QByteArray::number(m_socket->peerPort())
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                        + m_key + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &LeanWebSocket::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this,
            [this] { fail(u"the connection was closed"_s); });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] { fail(m_socket->errorString()); });
}

LeanWebSocket::~LeanWebSocket()
{
    m_socket->disconnect(this);
}

void LeanWebSocket::open(const QHostAddress &host, quint16 port, const QHostAddress &source)
{
    if (!source.isNull()) {
        bool bound = false;
#ifdef Q_OS_LINUX
        if (const int fd = socketBoundWithoutPort(source); fd >= 0) {
            bound = m_socket->setSocketDescriptor(fd, QAbstractSocket::BoundState);
            if (!bound)
                ::close(fd);
        }
#endif
        if (!bound && !m_socket->bind(source)) {
            fail(u"cannot bind to %1: %2"_s.arg(source.toString(), m_socket->errorString()));
            return;
        }
    }
    m_socket->connectToHost(host, port);
}

void LeanWebSocket::close()
{
    if (m_open)
        sendFrame(Opcode::Close, websocket::closePayload(websocket::close::kNormal, {}));
    m_socket->disconnectFromHost();
}

void LeanWebSocket::fail(const QString &why)
{
    if (m_ended)
        return;
    m_ended = true;
    m_open = false;
    Q_EMIT closed(why);
}

void LeanWebSocket::onReadyRead()
{
    if (m_open) {
        m_reader.append(m_socket->readAll());
    } else {
        m_buffer += m_socket->readAll();
        if (!readHandshake())
            return;
    }
    readFrames();
}

bool LeanWebSocket::readHandshake()
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_buffer.size() > 16384)
            fail(u"an endless handshake reply"_s);
        return false;
    }
    const QByteArray head = m_buffer.left(end);
    m_reader.append(QByteArrayView(m_buffer).sliced(end + 4)); // frames right behind it
    m_buffer = QByteArray();
    const QByteArray accept = websocket::acceptKey(m_key);
    if (!head.startsWith("HTTP/1.1 101") || !head.contains(accept)) {
        fail(u"refused: "_s + QString::fromLatin1(head.left(head.indexOf('\r'))));
        m_socket->abort();
        return false;
    }
    m_open = true;
    Q_EMIT opened();
    return true;
}

void LeanWebSocket::readFrames()
{
    while (m_open) {
        const auto message = m_reader.next();
        if (!message)
            return;
        using Kind = websocket::MessageReader::Message::Kind;
        switch (message->kind) {
        case Kind::Text:
            Q_EMIT textReceived(message->payload);
            break;
        case Kind::Ping:
            sendFrame(Opcode::Pong, message->payload);
            break;
        case Kind::Close:
            // Their code echoed; none (1005) is never sent back.
            sendFrame(Opcode::Close,
                      message->closeCode == websocket::close::kNoStatus
                          ? QByteArray()
                          : websocket::closePayload(message->closeCode, {}));
            m_socket->disconnectFromHost();
            fail(u"closed by the relay with %1 %2"_s.arg(message->closeCode)
                     .arg(QString::fromUtf8(message->payload)));
            return;
        case Kind::Violation:
            fail(u"a frame a server must not send: "_s + QString::fromUtf8(message->payload));
            m_socket->abort();
            return;
        case Kind::Binary:
        case Kind::Pong:
            break; // nothing to do here
        }
    }
}

void LeanWebSocket::sendFrame(Opcode opcode, QByteArrayView payload)
{
    // A cheap per-frame mask (xorshift): enough for a load generator on loopback.
    m_maskState ^= m_maskState << 13;
    m_maskState ^= m_maskState >> 17;
    m_maskState ^= m_maskState << 5;
    m_socket->write(websocket::encodeFrame(opcode, payload, m_maskState));
}

void LeanWebSocket::sendText(const QByteArray &utf8)
{
    if (m_open)
        sendFrame(Opcode::Text, utf8);
}

} // namespace tidings::bench
