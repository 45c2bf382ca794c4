#include "protocol/websocket_codec.h"

#include <QCryptographicHash>
#include <QUtf8StringView>

namespace tidings::websocket {

namespace {

constexpr qsizetype kMaxControlPayload = 125;

bool isControl(Opcode opcode)
{
    return quint8(opcode) & 0x8;
}

bool isKnown(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

/// Codes a peer may send (RFC 6455 7.4): the defined ones, and 3000–4999.
bool isValidReceivedCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

} // namespace

QByteArray acceptKey(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64();
}

QByteArray encodeFrame(Opcode opcode, QByteArrayView payload, std::optional<quint32> mask)
{
    const qsizetype length = payload.size();
    QByteArray frame;
    frame.reserve(length + 14);
    frame.append(char(0x80 | quint8(opcode)));
    const char maskBit = mask ? char(0x80) : char(0);
    if (length < 126) {
        frame.append(char(maskBit | char(length)));
    } else if (length < 65536) {
        frame.append(char(maskBit | 126));
        frame.append(char(length >> 8));
        frame.append(char(length & 0xFF));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(length) >> shift) & 0xFF));
    }
    if (!mask) {
        frame.append(payload);
        return frame;
    }
    const char key[4] = {char(*mask >> 24), char(*mask >> 16), char(*mask >> 8), char(*mask)};
    frame.append(key, 4);
    const qsizetype start = frame.size();
    frame.append(payload);
    char *data = frame.data() + start;
    for (qsizetype i = 0; i < length; ++i)
        data[i] ^= key[i & 3];
    return frame;
}

QByteArray closePayload(quint16 code, QByteArrayView reasonUtf8)
{
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xFF));
    QByteArrayView reason = reasonUtf8.first(std::min(reasonUtf8.size(), kMaxControlPayload - 2));
    // Never cut a character in half: drop continuation bytes left at the end.
    if (reason.size() < reasonUtf8.size()) {
        while (!reason.isEmpty() && (quint8(reasonUtf8[reason.size()]) & 0xC0) == 0x80)
            reason.chop(1);
    }
    payload.append(reason);
    return payload;
}

MessageReader::MessageReader(Role role, qint64 maxMessageBytes)
    : m_role(role), m_maxMessageBytes(maxMessageBytes)
{ }

void MessageReader::append(QByteArrayView bytes)
{
    if (m_ended)
        return;
    if (m_offset > 0) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

std::optional<MessageReader::Message> MessageReader::fail(quint16 code, QByteArray why)
{
    m_ended = true;
    m_buffer.clear();
    m_offset = 0;
    m_message.clear();
    return Message{Message::Kind::Violation, std::move(why), code};
}

std::optional<MessageReader::Message> MessageReader::next()
{
    while (!m_ended) {
        const qsizetype available = m_buffer.size() - m_offset;
        if (available < 2)
            return std::nullopt;
        const auto *bytes = reinterpret_cast<const quint8 *>(m_buffer.constData() + m_offset);
        const bool final = bytes[0] & 0x80;
        const quint8 opcodeBits = bytes[0] & 0x0F;
        const bool masked = bytes[1] & 0x80;
        if (bytes[0] & 0x70)
            return fail(close::kProtocolError, "reserved bits set (no extension was agreed)");
        if (!isKnown(opcodeBits))
            return fail(close::kProtocolError, "unknown opcode");
        if (masked != (m_role == Role::Server))
            return fail(close::kProtocolError,
                        m_role == Role::Server ? "client frames must be masked"
                                               : "server frames must not be masked");
        const Opcode opcode = Opcode(opcodeBits);
        quint64 length = bytes[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (available < 4)
                return std::nullopt;
            length = (quint64(bytes[2]) << 8) | bytes[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                return std::nullopt;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | bytes[i];
            header = 10;
            if (length >> 63)
                return fail(close::kProtocolError, "a frame length with its top bit set");
        }
        if (isControl(opcode)) {
            if (!final)
                return fail(close::kProtocolError, "a fragmented control frame");
            if (length > kMaxControlPayload)
                return fail(close::kProtocolError, "a control frame over 125 bytes");
        } else {
            const bool continuation = opcode == Opcode::Continuation;
            if (continuation && m_messageOpcode == Opcode::Continuation)
                return fail(close::kProtocolError, "a continuation with no message under way");
            if (!continuation && m_messageOpcode != Opcode::Continuation)
                return fail(close::kProtocolError, "a new message inside a fragmented one");
            if (m_message.size() > m_maxMessageBytes
                || length > quint64(m_maxMessageBytes - m_message.size()))
                return fail(close::kTooBig, "message too big");
        }
        if (masked)
            header += 4;
        if (available < header || quint64(available - header) < length)
            return std::nullopt; // the rest of the frame is still on its way

        QByteArray payload = m_buffer.mid(m_offset + header, qsizetype(length));
        if (masked) {
            const quint8 *key = bytes + header - 4;
            char *data = payload.data();
            for (qsizetype i = 0; i < payload.size(); ++i)
                data[i] = char(quint8(data[i]) ^ key[i & 3]);
        }
        m_offset += header + qsizetype(length);
        if (m_offset == m_buffer.size()) {
            m_buffer.clear();
            m_offset = 0;
        }

        switch (opcode) {
        case Opcode::Ping:
            return Message{Message::Kind::Ping, std::move(payload)};
        case Opcode::Pong:
            return Message{Message::Kind::Pong, std::move(payload)};
        case Opcode::Close: {
            if (payload.size() == 1)
                return fail(close::kProtocolError, "a close frame with a one-byte code");
            quint16 code = close::kNoStatus;
            if (payload.size() >= 2) {
                code = quint16((quint8(payload[0]) << 8) | quint8(payload[1]));
                if (!isValidReceivedCode(code))
                    return fail(close::kProtocolError, "an invalid close code");
            }
            QByteArray reason = payload.mid(2);
            if (!QUtf8StringView(reason).isValidUtf8())
                return fail(close::kBadPayload, "a close reason that is not UTF-8");
            m_ended = true;
            m_buffer.clear();
            m_offset = 0;
            m_message.clear();
            return Message{Message::Kind::Close, std::move(reason), code};
        }
        case Opcode::Text:
        case Opcode::Binary:
            m_messageOpcode = opcode;
            [[fallthrough]];
        case Opcode::Continuation:
            if (m_message.isEmpty())
                m_message = std::move(payload);
            else
                m_message.append(payload);
            if (!final)
                continue;
            break;
        }

        const Opcode kind = std::exchange(m_messageOpcode, Opcode::Continuation);
        QByteArray message = std::exchange(m_message, {});
        if (kind == Opcode::Binary)
            return Message{Message::Kind::Binary, std::move(message)};
        if (!QUtf8StringView(message).isValidUtf8())
            return fail(close::kBadPayload, "a text message that is not UTF-8");
        return Message{Message::Kind::Text, std::move(message)};
    }
    return std::nullopt;
}

} // namespace tidings::websocket
