// Fuzzes protocol frames (common/protocol/frame.h, fields.h): decodeFrame() on a text
// message as the relay's gateway gets it, the typed field reads every handler does on the
// result, and encodeFrame() on what was decoded.
//
// Input: the bytes of one WebSocket text message.
#include "fuzz_check.h"

#include "protocol/fields.h"
#include "protocol/frame.h"

#include <QJsonArray>
#include <QSet>

#include <cstdint>
#include <limits>

using namespace tidings;
using namespace tidings::protocol;

namespace {

constexpr std::size_t kMaxInputBytes = 64 * 1024;
/// The relay's limit for a frame before sign-in (docs/protocol.md, Limits): small enough
/// for TooLarge to be reached.
constexpr qsizetype kMaxFrameBytes = 16 * 1024;
constexpr qsizetype kMaxFieldsRead = 32;

bool isRefusal(const Error &error)
{
    return (error.code == ErrorCode::BadRequest || error.code == ErrorCode::TooLarge)
        && !error.message.isEmpty();
}

/// Every typed read of `key`, as handlers do them, with the limits they use.
void readField(const QJsonObject &fields, const QString &key)
{
    const auto text = fields::string(fields, key, {1, 64});
    if (text)
        FUZZ_CHECK(text->size() >= 1 && text->toUtf8().size() <= 64);
    else
        FUZZ_CHECK(isRefusal(text.error()) && text.error().message.contains(key));
    const auto optionalText = fields::optionalString(fields, key);
    FUZZ_CHECK(optionalText || isRefusal(optionalText.error()));

    const auto number = fields::integer(fields, key, -5, 1'000'000);
    if (number)
        FUZZ_CHECK(*number >= -5 && *number <= 1'000'000);
    else
        FUZZ_CHECK(isRefusal(number.error()));
    const auto wide = fields::optionalInteger(fields, key, std::numeric_limits<qint64>::min(),
                                              std::numeric_limits<qint64>::max());
    if (wide && wide->has_value())
        FUZZ_CHECK(std::abs(**wide) <= fields::kMaxSafeInteger);

    const auto flag = fields::boolean(fields, key);
    FUZZ_CHECK(flag || isRefusal(flag.error()));
    const auto optionalFlag = fields::optionalBoolean(fields, key);
    FUZZ_CHECK(optionalFlag || isRefusal(optionalFlag.error()));

    const auto list = fields::integerList(fields, key, 16, 1, 1000);
    if (list) {
        FUZZ_CHECK(list->size() <= 16);
        FUZZ_CHECK(QSet<qint64>(list->begin(), list->end()).size() == list->size());
        for (const qint64 item : *list)
            FUZZ_CHECK(item >= 1 && item <= 1000);
    } else {
        FUZZ_CHECK(isRefusal(list.error()));
    }
}

/// What a string becomes on its way through UTF-8: Qt writes an unpaired surrogate as '?'.
QString throughUtf8(QString text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            ++i;
        else if (text[i].isSurrogate())
            text[i] = u'?';
    }
    return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data),
                               qsizetype(std::min(size, kMaxInputBytes)));
    QString requestId;
    const Result<Frame> frame = decodeFrame(bytes, kMaxFrameBytes, &requestId);
    FUZZ_CHECK(requestId.size() <= kMaxRequestIdLength);
    if (!frame) {
        FUZZ_CHECK(isRefusal(frame.error()));
        return 0;
    }
    FUZZ_CHECK(!frame->type.isEmpty() && frame->type.size() <= kMaxTypeLength);
    FUZZ_CHECK(frame->id.size() <= kMaxRequestIdLength && frame->id == requestId);
    FUZZ_CHECK(!frame->fields.contains(u"type") && !frame->fields.contains(u"id"));

    // The handlers' reads: every field present (up to a bound), and ones that are absent.
    qsizetype read = 0;
    for (auto it = frame->fields.constBegin(); it != frame->fields.constEnd(); ++it) {
        if (++read > kMaxFieldsRead)
            break;
        readField(frame->fields, it.key());
    }
    readField(frame->fields, QStringLiteral("absent"));

    // What was decoded encodes to a frame with the same type and id (an unpaired surrogate,
    // which a JSON escape can make and UTF-8 cannot carry, becomes '?'), and a frame of
    // valid Unicode comes back exactly as it went: decodeFrame(encodeFrame(f)) == f.
    const Result<Frame> again
        = decodeFrame(encodeFrame(*frame), std::numeric_limits<qsizetype>::max(), nullptr);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->type == frame->type);
    FUZZ_CHECK(again->id == throughUtf8(frame->id));
    const Result<Frame> roundTrip
        = decodeFrame(encodeFrame(*again), std::numeric_limits<qsizetype>::max(), nullptr);
    FUZZ_CHECK(roundTrip.ok() && *roundTrip == *again);
    return 0;
}
