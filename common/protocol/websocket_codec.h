#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

/// RFC 6455 framing, without sockets: the relay's server side and the load generator's
/// client side read and write frames through this. Extensions and subprotocols are not
/// negotiated, so the reserved bits must be zero.
namespace tidings::websocket {

enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

/// Close codes (RFC 6455 section 7.4.1) this code sends itself.
namespace close {
inline constexpr quint16 kNormal = 1000;
inline constexpr quint16 kGoingAway = 1001;
inline constexpr quint16 kProtocolError = 1002;
inline constexpr quint16 kNoStatus = 1005; ///< received without a code; never sent
inline constexpr quint16 kBadPayload = 1007; ///< text that is not UTF-8
inline constexpr quint16 kPolicy = 1008;
inline constexpr quint16 kTooBig = 1009;
} // namespace close

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
QByteArray acceptKey(QByteArrayView key);

/// One final frame. Servers send unmasked frames; clients pass a mask.
QByteArray encodeFrame(Opcode opcode, QByteArrayView payload, std::optional<quint32> mask = {});
/// The payload of a close frame: the code, then the reason cut to fit 125 bytes.
QByteArray closePayload(quint16 code, QByteArrayView reasonUtf8);

/// Turns a byte stream into whole messages: fragments joined, text checked as UTF-8,
/// control frames handed out between fragments, every size bounded. Holds at most one
/// frame's bytes plus one message.
class MessageReader
{
public:
    enum class Role {
        Server, ///< reads a client's frames: they must be masked
        Client, ///< reads a server's frames: they must not be
    };

    struct Message
    {
        enum class Kind { Text, Binary, Ping, Pong, Close, Violation };
        Kind kind = Kind::Text;
        QByteArray payload; ///< the message; for Close and Violation, the reason
        quint16 closeCode = 0; ///< Close: the peer's code (kNoStatus if none); Violation: ours
    };

    MessageReader(Role role, qint64 maxMessageBytes);

    /// Changes the limit for frames not read yet (a message under way keeps what it has).
    void setMaxMessageBytes(qint64 maxMessageBytes) { m_maxMessageBytes = maxMessageBytes; }

    void append(QByteArrayView bytes);
    /// The next message, or nothing until more bytes come. After a Close or a Violation
    /// there is nothing more.
    std::optional<Message> next();
    /// Bytes held: unread frames and an unfinished message.
    qsizetype buffered() const { return m_buffer.size() - m_offset + m_message.size(); }

private:
    std::optional<Message> fail(quint16 code, QByteArray why);

    const Role m_role;
    qint64 m_maxMessageBytes;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    QByteArray m_message;
    Opcode m_messageOpcode = Opcode::Continuation; ///< Continuation: no message under way
    bool m_ended = false;
};

} // namespace tidings::websocket
