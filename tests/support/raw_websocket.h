#pragma once

#include <QByteArray>
#include <QTcpSocket>

#include <optional>

namespace tidings::test {

/// One client frame as it goes on the wire, including what a conforming client never sends:
/// any opcode, FIN clear on any frame, reserved bits, no mask, a length that promises more
/// than follows.
struct RawFrame
{
    int opcode = 1; ///< 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong; any 0–15
    QByteArray payload;
    bool final = true;
    int reservedBits = 0; ///< RSV1–RSV3 as one number (Autobahn's "RSV = n"): 4 is RSV1, 1 RSV3
    bool masked = true;
    /// The length the header states, if not the payload's.
    std::optional<quint64> declaredLength = std::nullopt;

    QByteArray encode() const;
};

/// A WebSocket client written by hand on a QTcpSocket, for what a real library refuses to
/// do: send invalid UTF-8 or broken frames, and never read what the relay sends.
class RawWebSocket
{
public:
    /// A frame the relay sent.
    struct Frame
    {
        int opcode = 0;
        QByteArray payload;
        quint8 firstByte = 0; ///< FIN, RSV1–3 and the opcode, as received
        bool masked = false; ///< a server must not mask (RFC 6455 5.1)
    };

    /// Connects and upgrades at ws://127.0.0.1:<port>/ws, from `source` if given (any
    /// 127.0.0.x: to look like another machine).
    bool open(quint16 port, int timeoutMs = 10000, const QString &source = {});
    /// The payload of the next text frame, or a null array after the timeout.
    QByteArray nextText(int timeoutMs = 10000);
    /// The next frame of any kind; nothing after the timeout, or once the connection has
    /// ended and every frame that came before its end was taken.
    std::optional<Frame> nextFrame(int timeoutMs = 10000);
    /// Sends one masked frame (opcode 1 text, 2 binary, 8 close, 9 ping).
    void sendFrame(int opcode, const QByteArray &payload);
    void sendText(const QByteArray &utf8) { sendFrame(1, utf8); }
    /// Writes `bytes` (whole frames or pieces of them, e.g. RawFrame::encode()) and waits
    /// until the kernel has taken them, so that each call is a write of its own.
    void write(const QByteArray &bytes, int timeoutMs = 10000);
    /// Reads frames until a close frame (returns its code) or the connection ends
    /// (returns 0), or the timeout passes (returns -1).
    int waitForClose(int timeoutMs = 10000);
    /// Waits until the relay has closed the TCP connection.
    bool waitForDisconnected(int timeoutMs = 10000);
    QTcpSocket &socket() { return m_socket; }

private:
    /// Takes one whole frame from the buffer; false if incomplete.
    bool takeFrame(Frame *frame);

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace tidings::test
