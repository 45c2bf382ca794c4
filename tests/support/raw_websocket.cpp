#include "support/raw_websocket.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QSignalSpy>

namespace tidings::test {

bool RawWebSocket::open(quint16 port, int timeoutMs, const QString &source)
{
    if (!source.isEmpty() && !m_socket.bind(QHostAddress(source)))
        return false;
    m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!m_socket.waitForConnected(timeoutMs))
        return false;
    m_socket.write(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_buffer.contains("\r\n\r\n")) {
        if (deadline.hasExpired()
            || !m_socket.waitForReadyRead(
                static_cast<int>(std::max<qint64>(1, deadline.remainingTime()))))
            return false;
        m_buffer += m_socket.readAll();
    }
    const bool upgraded = m_buffer.startsWith("HTTP/1.1 101");
    m_buffer.remove(0, m_buffer.indexOf("\r\n\r\n") + 4);
    return upgraded;
}

void RawWebSocket::sendFrame(int opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    const qsizetype size = payload.size();
    if (size < 126) {
        frame.append(char(0x80 | size));
    } else if (size < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char((size >> 8) & 0xff));
        frame.append(char(size & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(size) >> shift) & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    const char maskBytes[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
    frame.append(maskBytes, 4);
    for (qsizetype i = 0; i < size; ++i)
        frame.append(char(payload.at(i) ^ maskBytes[i % 4]));
    m_socket.write(frame);
    m_socket.flush();
}

bool RawWebSocket::takeFrame(int *opcode, QByteArray *payload)
{
    // Server frames are unmasked.
    if (m_buffer.size() < 2)
        return false;
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
    if (m_buffer.size() < header + length)
        return false;
    *opcode = m_buffer.at(0) & 0x0f;
    *payload = m_buffer.mid(header, length);
    m_buffer.remove(0, header + length);
    return true;
}

QByteArray RawWebSocket::nextText(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        int opcode = 0;
        QByteArray payload;
        while (takeFrame(&opcode, &payload)) {
            if (opcode == 1)
                return payload;
        }
        if (deadline.hasExpired() || m_socket.state() != QAbstractSocket::ConnectedState)
            return {};
        m_socket.waitForReadyRead(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
        m_buffer += m_socket.readAll();
    }
}

int RawWebSocket::waitForClose(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        int opcode = 0;
        QByteArray payload;
        while (takeFrame(&opcode, &payload)) {
            if (opcode == 8)
                return payload.size() >= 2 ? (quint8(payload.at(0)) << 8) | quint8(payload.at(1))
                                           : 1005;
        }
        if (m_socket.state() != QAbstractSocket::ConnectedState && m_socket.bytesAvailable() == 0)
            return 0;
        if (deadline.hasExpired())
            return -1;
        m_socket.waitForReadyRead(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
        m_buffer += m_socket.readAll();
    }
}

bool RawWebSocket::waitForDisconnected(int timeoutMs)
{
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        return true;
    return m_socket.waitForDisconnected(timeoutMs);
}

} // namespace tidings::test
