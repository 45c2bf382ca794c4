#include "bench/lean_websocket.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace tidings::bench {

namespace {

constexpr quint8 kText = 0x1;
constexpr quint8 kContinuation = 0x0;
constexpr quint8 kClose = 0x8;
constexpr quint8 kPing = 0x9;
constexpr quint8 kPong = 0xA;
constexpr qint64 kMaxMessage = 16 * 1024 * 1024;

} // namespace

LeanWebSocket::LeanWebSocket(QObject *parent)
    : QObject(parent), m_socket(new QTcpSocket(this)),
      m_maskState(QRandomGenerator::global()->generate() | 1u)
{
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
    if (!source.isNull() && !m_socket->bind(source)) {
        fail(u"cannot bind to %1: %2"_s.arg(source.toString(), m_socket->errorString()));
        return;
    }
    m_socket->connectToHost(host, port);
}

void LeanWebSocket::close()
{
    if (m_open)
        sendFrame(kClose, QByteArray("\x03\xe8", 2)); // 1000
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
    m_buffer += m_socket->readAll();
    if (!m_open && !readHandshake())
        return;
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
    m_buffer.remove(0, end + 4);
    const QByteArray accept
        = QCryptographicHash::hash(QByteArray(m_key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                   QCryptographicHash::Sha1)
              .toBase64();
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
    while (m_open && m_buffer.size() >= 2) {
        const auto *bytes = reinterpret_cast<const quint8 *>(m_buffer.constData());
        const bool final = bytes[0] & 0x80;
        const quint8 opcode = bytes[0] & 0x0F;
        qint64 length = bytes[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = (qint64(bytes[2]) << 8) | bytes[3];
            header = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | bytes[i];
            header = 10;
        }
        if (bytes[1] & 0x80 || length > kMaxMessage) {
            fail(u"a frame a server must not send"_s);
            m_socket->abort();
            return;
        }
        if (m_buffer.size() < header + length)
            return;
        const QByteArray payload = m_buffer.mid(header, length);
        m_buffer.remove(0, header + length);
        switch (opcode) {
        case kText:
        case kContinuation:
            m_fragments += payload;
            if (final) {
                const QByteArray message = std::move(m_fragments);
                m_fragments.clear();
                Q_EMIT textReceived(message);
            }
            break;
        case kPing:
            sendFrame(kPong, payload);
            break;
        case kClose: {
            const int code
                = payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : 1005;
            sendFrame(kClose, payload.left(2));
            m_socket->disconnectFromHost();
            fail(u"closed by the relay with %1 %2"_s.arg(code).arg(
                QString::fromUtf8(payload.mid(2))));
            return;
        }
        default:
            break; // pong, binary: nothing to do here
        }
    }
}

void LeanWebSocket::sendFrame(quint8 opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.reserve(payload.size() + 14);
    frame.append(char(0x80 | opcode));
    const qsizetype length = payload.size();
    if (length < 126) {
        frame.append(char(0x80 | length));
    } else if (length < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(length >> 8));
        frame.append(char(length & 0xFF));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(length) >> shift) & 0xFF));
    }
    // A cheap per-frame mask (xorshift): enough for a load generator on loopback.
    m_maskState ^= m_maskState << 13;
    m_maskState ^= m_maskState >> 17;
    m_maskState ^= m_maskState << 5;
    const char mask[4] = {char(m_maskState), char(m_maskState >> 8), char(m_maskState >> 16),
                          char(m_maskState >> 24)};
    frame.append(mask, 4);
    const qsizetype start = frame.size();
    frame.append(payload);
    char *data = frame.data() + start;
    for (qsizetype i = 0; i < length; ++i)
        data[i] ^= mask[i & 3];
    m_socket->write(frame);
}

void LeanWebSocket::sendText(const QByteArray &utf8)
{
    if (m_open)
        sendFrame(kText, utf8);
}

} // namespace tidings::bench
