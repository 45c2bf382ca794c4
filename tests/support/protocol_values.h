#pragma once

// For the tests of common/protocol/messages: JSON written as a literal, and the round trip
// every value type keeps (what it encodes decodes back to the same value).

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace tidings::test {

/// The object a JSON literal spells. A literal that does not parse is the test's mistake:
/// it stops the test binary (Q_ASSERT) rather than testing something else.
inline QJsonObject json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(text), &error);
    Q_ASSERT_X(error.error == QJsonParseError::NoError, "json", text);
    return document.object();
}

/// The error `decoded` carries; or, when it decoded, an Internal error if its encoding does
/// not decode back to the same value. Nothing when both hold. A request decodes again under
/// `limits`; what the relay says (objects, results, events, HTTP answers) has none.
template<class Message>
std::optional<Error> roundTripError(const Result<Message> &decoded,
                                    const protocol::messages::Limits &limits = {})
{
    using namespace Qt::StringLiterals;
    if (!decoded)
        return decoded.error();
    const Result<Message> again = [&] {
        if constexpr (requires { Message::decode(QJsonObject(), limits); })
            return Message::decode(decoded->encode(), limits);
        else
            return Message::decode(decoded->encode());
    }();
    if (!again)
        return Error{ErrorCode::Internal,
                     u"its encoding does not decode: "_s + again.error().message};
    if (!(*again == *decoded))
        return Error{ErrorCode::Internal, u"its encoding decodes to another value"_s};
    return std::nullopt;
}

} // namespace tidings::test
