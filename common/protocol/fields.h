#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

/// Typed, bounded reads of a frame's fields. Every failure is a BadRequest Error naming the
/// field and what it must be, e.g. "field 'text' must be a string of at most 65536 bytes".
namespace tidings::protocol::fields {

/// The largest integer every JSON implementation holds exactly (2^53 - 1).
inline constexpr qint64 kMaxSafeInteger = (qint64(1) << 53) - 1;

struct StringRule
{
    qsizetype minLength = 0; ///< in UTF-16 code units
    qsizetype maxBytes = 1024; ///< in UTF-8 bytes
};

/// A client's id for a request it may send again (`client_id` of message.send, inbox.send):
/// the relay answers a repeat by what the first did.
inline constexpr StringRule kClientId{1, 64};

/// The error for field `key` that is not `what`: "field 'key' must be what".
Error bad(const QString &key, const QString &what);

/// A required string.
Result<QString> string(const QJsonObject &object, const QString &key, StringRule rule = {});
/// A string that may be absent (or null): nothing then.
Result<std::optional<QString>> optionalString(const QJsonObject &object, const QString &key,
                                              StringRule rule = {});

/// A required integer in [min, max] (JSON numbers with no fraction, at most kMaxSafeInteger).
Result<qint64> integer(const QJsonObject &object, const QString &key, qint64 min = 0,
                       qint64 max = kMaxSafeInteger);
Result<std::optional<qint64>> optionalInteger(const QJsonObject &object, const QString &key,
                                              qint64 min = 0, qint64 max = kMaxSafeInteger);

Result<bool> boolean(const QJsonObject &object, const QString &key);
Result<std::optional<bool>> optionalBoolean(const QJsonObject &object, const QString &key);

/// A required array of at most `maxItems` distinct integers in [min, max].
Result<QList<qint64>> integerList(const QJsonObject &object, const QString &key, qsizetype maxItems,
                                  qint64 min = 1, qint64 max = kMaxSafeInteger);

/// A media id as the relay makes them: 32 lower-case hex digits (128 random bits).
bool isMediaId(QStringView id);

} // namespace tidings::protocol::fields
