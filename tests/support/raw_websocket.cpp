#include "support/raw_websocket.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QSignalSpy>

namespace tidings::test {

namespace {

int remainingMs(const QDeadlineTimer &deadline)
{
    return static_cast<int>(std::max<qint64>(1, deadline.remainingTime()));
}

} // namespace

QByteArray RawFrame::encode() const
{
    QByteArray frame;
    frame.append(char((final ? 0x80 : 0) | ((reservedBits & 7) << 4) | (opcode & 0x0f)));
    const char maskBit = masked ? char(0x80) : char(0);
    const quint64 length = declaredLength.value_or(quint64(payload.size()));
    if (length < 126) {
        frame.append(char(maskBit | char(length)));
    } else if (length < 65536) {
        frame.append(char(maskBit | 126));
        frame.append(char((length >> 8) & 0xff));
        frame.append(char(length & 0xff));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((length >> shift) & 0xff));
    }
    if (!masked)
        return frame + payload;
    const quint32 mask = QRandomGenerator::global()->generate();
    const char maskBytes[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(maskBytes, 4);
    const qsizetype start = frame.size();
    frame.append(payload);
    char *data = frame.data() + start;
    for (qsizetype i = 0; i < payload.size(); ++i)
        data[i] = char(data[i] ^ maskBytes[i % 4]);
    return frame;
}

bool RawWebSocket::open(quint16 port, int timeoutMs, const QString &source)
{
    if (!source.isEmpty() && !m_socket.bind(QHostAddress(source)))
        return false;
    m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!m_socket.waitForConnected(timeoutMs))
        return false;
    // Each write goes out as it is, at once: frame by frame means frame by frame.
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket.write(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_buffer.contains("\r\n\r\n")) {
        if (deadline.hasExpired() || !m_socket.waitForReadyRead(remainingMs(deadline)))
            return false;
        m_buffer += m_socket.readAll();
    }
    const bool upgraded = m_buffer.startsWith("HTTP/1.1 101");
    m_buffer.remove(0, m_buffer.indexOf("\r\n\r\n") + 4);
    return upgraded;
}

void RawWebSocket::sendFrame(int opcode, const QByteArray &payload)
{
    write(RawFrame{opcode, payload}.encode());
}

void RawWebSocket::write(const QByteArray &bytes, int timeoutMs)
{
    m_socket.write(bytes);
    m_socket.flush();
    const QDeadlineTimer deadline(timeoutMs);
    while (m_socket.bytesToWrite() > 0 && m_socket.state() == QAbstractSocket::ConnectedState
           && !deadline.hasExpired())
        m_socket.waitForBytesWritten(remainingMs(deadline));
}

bool RawWebSocket::takeFrame(Frame *frame)
{
    if (m_buffer.size() < 2)
        return false;
    const bool masked = m_buffer.at(1) & 0x80;
    qint64 length = m_buffer.at(1) & 0x7f;
    qsizetype header = 2;
    if (length == 126) {
        if (m_buffer.size() < 4)
            return false;
        length = (quint8(m_buffer.at(2)) << 8) | quint8(m_buffer.at(3));
        header = 4;
    } else if (length == 127) {
        if (m_buffer.size() < 10)
            return false;
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | quint8(m_buffer.at(2 + i));
        header = 10;
    }
    if (masked) // a server must not mask; taken anyway, so that the stream stays in step
        header += 4;
    if (m_buffer.size() < header + length)
        return false;
    frame->firstByte = quint8(m_buffer.at(0));
    frame->opcode = frame->firstByte & 0x0f;
    frame->masked = masked;
    frame->payload = m_buffer.mid(header, length);
    m_buffer.remove(0, header + length);
    return true;
}

std::optional<RawWebSocket::Frame> RawWebSocket::nextFrame(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        Frame frame;
        if (takeFrame(&frame))
            return frame;
        if (m_socket.bytesAvailable() > 0) {
            m_buffer += m_socket.readAll();
            continue;
        }
        if (deadline.hasExpired() || m_socket.state() != QAbstractSocket::ConnectedState)
            return std::nullopt;
        m_socket.waitForReadyRead(remainingMs(deadline));
        m_buffer += m_socket.readAll();
    }
}

QByteArray RawWebSocket::nextText(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (const auto frame = nextFrame(remainingMs(deadline))) {
        if (frame->opcode == 1)
            return frame->payload;
    }
    return {};
}

int RawWebSocket::waitForClose(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (const auto frame = nextFrame(remainingMs(deadline))) {
        if (frame->opcode == 8)
            return frame->payload.size() >= 2
                ? (quint8(frame->payload.at(0)) << 8) | quint8(frame->payload.at(1))
                : 1005;
    }
    return m_socket.state() == QAbstractSocket::ConnectedState ? -1 : 0;
}

bool RawWebSocket::waitForDisconnected(int timeoutMs)
{
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        return true;
    return m_socket.waitForDisconnected(timeoutMs);
}

} // namespace tidings::test
