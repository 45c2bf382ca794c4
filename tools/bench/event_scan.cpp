#include "bench/event_scan.h"

#include "bench/ciphertext_payload.h"

namespace tidings::bench {

namespace {

/// The digits at `at` in `text` (at most 18, so no overflow), and where they end; nullopt
/// if there are none.
std::optional<std::pair<qint64, qsizetype>> digitsAt(QByteArrayView text, qsizetype at)
{
    qint64 value = 0;
    qsizetype end = at;
    while (end < text.size() && end - at < 18 && text[end] >= '0' && text[end] <= '9')
        value = value * 10 + (text[end++] - '0');
    if (end == at)
        return std::nullopt;
    return std::pair{value, end};
}

} // namespace

std::optional<ScannedEvent> scanEvent(QByteArrayView frame)
{
    constexpr QByteArrayView kStart = R"({"type":"event",)";
    constexpr QByteArrayView kKind = R"(,"kind":")";
    constexpr QByteArrayView kSender = R"(,"sender":)";
    constexpr QByteArrayView kText = R"(,"text":")";
    constexpr QByteArrayView kCiphertext = R"(,"ciphertext":")";
    if (!frame.startsWith(kStart))
        return std::nullopt;
    // `kind` comes before the body's members, so its first match is the event's own.
    const qsizetype kind = frame.indexOf(kKind);
    if (kind < 0)
        return std::nullopt;
    ScannedEvent event;
    const QByteArrayView kindValue = frame.sliced(kind + kKind.size());
    event.message = kindValue.startsWith(QByteArrayView(R"(message")"));
    event.encrypted = !event.message && kindValue.startsWith(QByteArrayView(R"(encrypted")"));
    event.message = event.message || event.encrypted;
    if (!event.message)
        return event;
    const qsizetype sender = frame.indexOf(kSender, kind);
    if (sender < 0)
        return std::nullopt;
    const auto senderId = digitsAt(frame, sender + kSender.size());
    if (!senderId)
        return std::nullopt;
    event.sender = senderId->first;
    if (event.encrypted) {
        // The body's members follow in key order (ciphertext, device, media…); the
        // ciphertext's first characters hold the send time.
        const qsizetype ciphertext = frame.indexOf(kCiphertext, senderId->second);
        if (ciphertext < 0)
            return std::nullopt;
        const auto sentAt = sentAtOfCiphertext(frame.sliced(ciphertext + kCiphertext.size()));
        if (!sentAt)
            return std::nullopt;
        event.sentAt = *sentAt;
        return event;
    }
    const qsizetype text = frame.indexOf(kText, senderId->second);
    if (text < 0)
        return std::nullopt;
    const auto sentAt = digitsAt(frame, text + kText.size());
    if (!sentAt || sentAt->second >= frame.size() || frame[sentAt->second] != '"')
        return std::nullopt;
    event.sentAt = sentAt->first;
    return event;
}

} // namespace tidings::bench
