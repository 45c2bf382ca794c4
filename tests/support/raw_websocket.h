#pragma once

#include <QByteArray>
#include <QTcpSocket>

namespace tidings::test {

/// A WebSocket client written by hand on a QTcpSocket, for what a real library refuses to
/// do: send invalid UTF-8 or broken frames, and never read what the relay sends.
class RawWebSocket
{
public:
    /// Connects and upgrades at ws://127.0.0.1:<port>/ws, from `source` if given (any
    /// 127.0.0.x: to look like another machine).
    bool open(quint16 port, int timeoutMs = 10000, const QString &source = {});
    /// The payload of the next text frame, or a null array after the timeout.
    QByteArray nextText(int timeoutMs = 10000);
    /// Sends one masked frame (opcode 1 text, 2 binary, 8 close, 9 ping).
    void sendFrame(int opcode, const QByteArray &payload);
    void sendText(const QByteArray &utf8) { sendFrame(1, utf8); }
    /// Reads frames until a close frame (returns its code) or the connection ends
    /// (returns 0), or the timeout passes (returns -1).
    int waitForClose(int timeoutMs = 10000);
    /// Waits until the relay has closed the TCP connection.
    bool waitForDisconnected(int timeoutMs = 10000);
    QTcpSocket &socket() { return m_socket; }

private:
    /// Takes one whole frame from the buffer: its opcode and payload; false if incomplete.
    bool takeFrame(int *opcode, QByteArray *payload);

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace tidings::test
