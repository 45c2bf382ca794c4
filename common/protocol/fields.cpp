#include "protocol/fields.h"

#include <QJsonArray>
#include <QSet>

#include <cmath>

namespace tidings::protocol::fields {

using namespace Qt::StringLiterals;

Error bad(const QString &key, const QString &what)
{
    return Error{ErrorCode::BadRequest, u"field '%1' must be %2"_s.arg(key, what)};
}

namespace {

std::optional<qint64> asInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (!std::isfinite(number) || std::trunc(number) != number
        || std::abs(number) > static_cast<double>(kMaxSafeInteger))
        return std::nullopt;
    return static_cast<qint64>(number);
}

QString rangeText(qint64 min, qint64 max)
{
    return u"an integer from %1 to %2"_s.arg(min).arg(max);
}

} // namespace

Result<std::optional<QString>> optionalString(const QJsonObject &object, const QString &key,
                                              StringRule rule)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::optional<QString>();
    const QString what = rule.minLength > 0
        ? u"a string of %1 to %2 bytes"_s.arg(rule.minLength).arg(rule.maxBytes)
        : u"a string of at most %1 bytes"_s.arg(rule.maxBytes);
    if (!value.isString())
        return bad(key, what);
    QString text = value.toString();
    if (text.size() < rule.minLength || text.toUtf8().size() > rule.maxBytes)
        return bad(key, what);
    return std::optional<QString>(std::move(text));
}

Result<QString> string(const QJsonObject &object, const QString &key, StringRule rule)
{
    auto value = optionalString(object, key, rule);
    if (!value)
        return value.error();
    if (!value->has_value())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    return std::move(**value);
}

Result<std::optional<qint64>> optionalInteger(const QJsonObject &object, const QString &key,
                                              qint64 min, qint64 max)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::optional<qint64>();
    const auto number = asInteger(value);
    if (!number || *number < min || *number > max)
        return bad(key, rangeText(min, max));
    return std::optional<qint64>(*number);
}

Result<qint64> integer(const QJsonObject &object, const QString &key, qint64 min, qint64 max)
{
    auto value = optionalInteger(object, key, min, max);
    if (!value)
        return value.error();
    if (!value->has_value())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    return **value;
}

Result<std::optional<bool>> optionalBoolean(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::optional<bool>();
    if (!value.isBool())
        return bad(key, u"true or false"_s);
    return std::optional<bool>(value.toBool());
}

Result<bool> boolean(const QJsonObject &object, const QString &key)
{
    auto value = optionalBoolean(object, key);
    if (!value)
        return value.error();
    if (!value->has_value())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    return **value;
}

Result<QList<qint64>> integerList(const QJsonObject &object, const QString &key, qsizetype maxItems,
                                  qint64 min, qint64 max)
{
    const QJsonValue value = object.value(key);
    const QString what
        = u"an array of at most %1 distinct integers from %2 to %3"_s.arg(maxItems).arg(min).arg(
            max);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field '%1' is required"_s.arg(key)};
    if (!value.isArray())
        return bad(key, what);
    const QJsonArray array = value.toArray();
    if (array.size() > maxItems)
        return bad(key, what);
    QList<qint64> numbers;
    numbers.reserve(array.size());
    QSet<qint64> seen;
    for (const QJsonValue &item : array) {
        const auto number = asInteger(item);
        if (!number || *number < min || *number > max || seen.contains(*number))
            return bad(key, what);
        seen.insert(*number);
        numbers.append(*number);
    }
    return numbers;
}

bool isMediaId(QStringView id)
{
    if (id.size() != 32)
        return false;
    for (const QChar c : id) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

} // namespace tidings::protocol::fields
