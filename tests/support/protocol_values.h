#pragma once

// For the tests of common/protocol/messages: JSON written as a literal, and the round trip
// every value type keeps (what it encodes decodes back to the same value).

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
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

/// roundTripError() of `fields` decoded as Message (what its data-driven rows check).
template<class Message> std::optional<Error> roundTrip(const QJsonObject &fields)
{
    return roundTripError(Message::decode(fields));
}

// Binary fields of the e2e requests (key directory, device inbox, device linking): bytes
// made up for a test, their base64, and objects with one field changed.

/// A JSON literal written with single quotes (no raw strings: moc misreads them here).
inline QJsonObject j(const char *text)
{
    QByteArray spelled(text);
    spelled.replace('\'', '"');
    return json(spelled.constData());
}

/// `size` bytes that differ from those of another `seed`.
inline QByteArray bytes(qsizetype size, int seed = 1)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char((i * 7 + seed * 31) & 0xff);
    return data;
}

/// `size` bytes in base64.
inline QString b64(qsizetype size, int seed = 1)
{
    return QString::fromLatin1(bytes(size, seed).toBase64());
}

inline QJsonObject with(QJsonObject fields, const QString &key, const QJsonValue &value)
{
    fields.insert(key, value);
    return fields;
}

inline QJsonObject without(QJsonObject fields, const QString &key)
{
    fields.remove(key);
    return fields;
}

/// The same bytes spelled otherwise: the last character before the padding with stray low
/// bits set (decoders that do not check take it as the same value).
inline QString strayBits(const QString &base64)
{
    static const QString alphabet
        = QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    QString spelled = base64;
    const qsizetype at = spelled.indexOf(u'=') - 1;
    spelled[at] = alphabet.at(alphabet.indexOf(spelled.at(at)) + 1);
    return spelled;
}

} // namespace tidings::test
