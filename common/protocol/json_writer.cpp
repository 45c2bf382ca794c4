#include "protocol/json_writer.h"

#include <QJsonArray>
#include <QLocale>

#include <cmath>
#include <limits>

namespace tidings::protocol::json {

namespace {

bool needsEscape(char16_t c)
{
    // U+FEFF too: Qt's parser drops it, unescaped, at the start of a string.
    return c < 0x20 || c == u'"' || c == u'\\' || c == 0xFEFF;
}

void appendEscaped(QByteArray &out, char16_t c)
{
    switch (c) {
    case u'"':
        out.append("\\\"");
        return;
    case u'\\':
        out.append("\\\\");
        return;
    case u'\b':
        out.append("\\b");
        return;
    case u'\f':
        out.append("\\f");
        return;
    case u'\n':
        out.append("\\n");
        return;
    case u'\r':
        out.append("\\r");
        return;
    case u'\t':
        out.append("\\t");
        return;
    default:
        break;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    char escaped[] = {'\\', 'u', '0', '0', '0', '0'};
    for (int digit = 0; digit < 4; ++digit)
        escaped[5 - digit] = kHex[(c >> (4 * digit)) & 0xf];
    out.append(escaped, sizeof escaped);
}

void appendNumber(QByteArray &out, double number, qint64 integer, bool isInteger)
{
    if (isInteger) {
        char digits[24];
        char *end = digits + sizeof digits;
        char *p = end;
        quint64 magnitude = integer < 0 ? 0 - quint64(integer) : quint64(integer);
        do {
            *--p = char('0' + magnitude % 10);
            magnitude /= 10;
        } while (magnitude != 0);
        if (integer < 0)
            *--p = '-';
        out.append(p, end - p);
        return;
    }
    if (!std::isfinite(number)) {
        out.append("null");
        return;
    }
    out.append(QByteArray::number(number, 'g', QLocale::FloatingPointShortest));
}

} // namespace

void appendString(QByteArray &out, QStringView text)
{
    out.append('"');
    qsizetype start = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (!needsEscape(c))
            continue;
        if (i > start)
            out.append(text.sliced(start, i - start).toUtf8());
        appendEscaped(out, c);
        start = i + 1;
    }
    if (start < text.size()) {
        const QStringView rest = text.sliced(start);
        bool ascii = true;
        for (const QChar c : rest) {
            if (c.unicode() >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            const qsizetype at = out.size();
            out.resize(at + rest.size());
            char *to = out.data() + at;
            for (const QChar c : rest)
                *to++ = char(c.unicode());
        } else {
            out.append(rest.toUtf8());
        }
    }
    out.append('"');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        return;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        return;
    case QJsonValue::Double: {
        constexpr qint64 kNone = std::numeric_limits<qint64>::min();
        const qint64 integer = value.toInteger(kNone);
        appendNumber(out, value.toDouble(), integer, integer != kNone);
        return;
    }
    case QJsonValue::String:
        appendString(out, value.toString());
        return;
    case QJsonValue::Array: {
        out.append('[');
        bool first = true;
        for (const QJsonValue &element : value.toArray()) {
            if (!first)
                out.append(',');
            first = false;
            appendValue(out, element);
        }
        out.append(']');
        return;
    }
    case QJsonValue::Object:
        out.append('{');
        appendMembers(out, value.toObject());
        out.append('}');
        return;
    }
}

void appendMembers(QByteArray &out, const QJsonObject &object, bool (*skip)(QStringView key))
{
    bool first = true;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString key = it.key();
        if (skip && skip(key))
            continue;
        if (!first)
            out.append(',');
        first = false;
        appendString(out, key);
        out.append(':');
        appendValue(out, it.value());
    }
}

QByteArray encode(const QJsonObject &object)
{
    QByteArray out;
    out.reserve(128);
    out.append('{');
    appendMembers(out, object);
    out.append('}');
    return out;
}

} // namespace tidings::protocol::json
