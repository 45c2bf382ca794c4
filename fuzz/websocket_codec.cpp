// Fuzzes RFC 6455 framing (common/protocol/websocket_codec.h): the MessageReader of either
// role fed in pieces of one size, and the encoder on every message it read.
//
// Input: byte 0 picks the role and the piece size, byte 1 the message limit; the rest is
// the byte stream from the peer.
#include "fuzz_check.h"

#include "protocol/websocket_codec.h"

#include <QList>
#include <QUtf8StringView>

#include <array>
#include <cstdint>

using namespace tidings::websocket;
using Message = MessageReader::Message;
using Kind = Message::Kind;
using Role = MessageReader::Role;

namespace {

constexpr std::size_t kMaxInputBytes = 128 * 1024;
constexpr std::array<qsizetype, 8> kPieces{1, 2, 3, 7, 64, 1000, 4096, 0}; // 0: all at once
constexpr std::array<qint64, 8> kLimits{0, 1, 125, 126, 1024, 65535, 65536, 1 << 20};

QList<Message> readAll(Role role, qint64 limit, QByteArrayView stream, qsizetype piece)
{
    MessageReader reader(role, limit);
    QList<Message> messages;
    bool ended = false;
    if (piece <= 0)
        piece = std::max<qsizetype>(stream.size(), 1);
    for (qsizetype at = 0; at < stream.size(); at += piece) {
        reader.append(stream.sliced(at, std::min(piece, stream.size() - at)));
        while (auto message = reader.next()) {
            FUZZ_CHECK(!ended); // nothing after a Close or a Violation
            switch (message->kind) {
            case Kind::Text:
                FUZZ_CHECK(QUtf8StringView(message->payload).isValidUtf8());
                [[fallthrough]];
            case Kind::Binary:
                FUZZ_CHECK(message->payload.size() <= limit);
                break;
            case Kind::Ping:
            case Kind::Pong:
                FUZZ_CHECK(message->payload.size() <= 125);
                break;
            case Kind::Close:
                FUZZ_CHECK(message->payload.size() <= 123);
                FUZZ_CHECK(QUtf8StringView(message->payload).isValidUtf8());
                FUZZ_CHECK(message->closeCode >= 1000 && message->closeCode <= 4999);
                ended = true;
                break;
            case Kind::Violation:
                // Refused with a reason and one of our codes, never silently.
                FUZZ_CHECK(!message->payload.isEmpty());
                FUZZ_CHECK(message->closeCode == close::kProtocolError
                           || message->closeCode == close::kBadPayload
                           || message->closeCode == close::kTooBig);
                ended = true;
                break;
            }
            messages.append(*message);
        }
        // It holds no more than it was given.
        FUZZ_CHECK(reader.buffered() <= at + piece);
    }
    return messages;
}

bool same(const QList<Message> &a, const QList<Message> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].payload != b[i].payload
            || a[i].closeCode != b[i].closeCode)
            return false;
    }
    return true;
}

/// What the peer would send for `message`, as one frame.
QByteArray reencode(const Message &message, Role readerRole)
{
    const std::optional<quint32> mask
        = readerRole == Role::Server ? std::optional<quint32>(0x5a17c3e9) : std::nullopt;
    switch (message.kind) {
    case Kind::Text:
        return encodeFrame(Opcode::Text, message.payload, mask);
    case Kind::Binary:
        return encodeFrame(Opcode::Binary, message.payload, mask);
    case Kind::Ping:
        return encodeFrame(Opcode::Ping, message.payload, mask);
    case Kind::Pong:
        return encodeFrame(Opcode::Pong, message.payload, mask);
    case Kind::Close:
        if (message.closeCode == close::kNoStatus)
            return encodeFrame(Opcode::Close, {}, mask);
        return encodeFrame(Opcode::Close, closePayload(message.closeCode, message.payload), mask);
    case Kind::Violation:
        break;
    }
    return {};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    const Role role = data[0] & 1 ? Role::Client : Role::Server;
    const qsizetype piece = kPieces[(data[0] >> 1) % kPieces.size()];
    const qint64 limit = kLimits[data[1] % kLimits.size()];
    const QByteArrayView stream(reinterpret_cast<const char *>(data) + 2,
                                qsizetype(std::min(size, kMaxInputBytes) - 2));

    const QList<Message> messages = readAll(role, limit, stream, piece);
    // However the bytes arrive, the same messages come out.
    if (piece != 0)
        FUZZ_CHECK(same(messages, readAll(role, limit, stream, 0)));

    // Every message read, encoded again, reads back as itself.
    for (const Message &message : messages) {
        if (message.kind == Kind::Violation)
            continue;
        const QList<Message> again = readAll(role, limit, reencode(message, role), 0);
        FUZZ_CHECK(again.size() == 1 && same(again, {message}));
    }
    return 0;
}
