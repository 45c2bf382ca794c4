#include "gateway/request_head.h"

#include <algorithm>
#include <optional>

namespace tidings::relay {

namespace {

constexpr QByteArrayView kLineEnd = "\r\n";
constexpr QByteArrayView kHeadEnd = "\r\n\r\n";

/// RFC 9110's token: what a method and a field name are made of.
bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
    });
}

bool isControl(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

/// Without the optional whitespace (SP, HTAB) around a field value.
QByteArrayView trimmedValue(QByteArrayView value)
{
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!value.isEmpty() && blank(value.front()))
        value = value.sliced(1);
    while (!value.isEmpty() && blank(value.back()))
        value.chop(1);
    return value;
}

QList<QByteArrayView> split(QByteArrayView text, QByteArrayView separator)
{
    QList<QByteArrayView> parts;
    qsizetype start = 0;
    for (qsizetype at; (at = text.indexOf(separator, start)) >= 0; start = at + separator.size())
        parts.append(text.sliced(start, at - start));
    parts.append(text.sliced(start));
    return parts;
}

bool listsToken(QByteArrayView list, QByteArrayView token)
{
    const QList<QByteArrayView> items = split(list, ",");
    return std::any_of(items.begin(), items.end(), [token](QByteArrayView item) {
        return item.trimmed().compare(token, Qt::CaseInsensitive) == 0;
    });
}

ParsedHead refuse(ParsedHead parsed, int status, QByteArray why)
{
    parsed.status = status;
    parsed.why = std::move(why);
    return parsed;
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

bool HttpRequest::headerHasToken(QByteArrayView name, QByteArrayView token) const
{
    return std::any_of(headers.begin(), headers.end(), [&](const auto &field) {
        return field.first == name && listsToken(field.second, token);
    });
}

QByteArray HttpRequest::queryItem(QByteArrayView name) const
{
    for (const QByteArray &pair : query.split('&')) {
        const qsizetype equals = pair.indexOf('=');
        const QByteArray key = equals < 0 ? pair : pair.first(equals);
        if (key == name)
            return QByteArray::fromPercentEncoding(equals < 0 ? QByteArray()
                                                              : pair.sliced(equals + 1));
    }
    return {};
}

HeadScan scanRequestHead(QByteArrayView received, qsizetype maxBytes)
{
    const qsizetype end = received.first(std::min(received.size(), maxBytes)).indexOf(kHeadEnd);
    if (end >= 0)
        return {HeadScan::State::Complete, end + kHeadEnd.size()};
    if (received.size() >= maxBytes)
        return {HeadScan::State::TooLarge, 0};
    return {HeadScan::State::Incomplete, 0};
}

ParsedHead parseRequestHead(QByteArrayView head)
{
    ParsedHead parsed;
    if (!head.endsWith(kHeadEnd))
        return refuse(std::move(parsed), 400, "the head does not end with an empty line");
    const QByteArrayView text = head.chopped(kHeadEnd.size());
    if (text.isEmpty())
        return refuse(std::move(parsed), 400, "empty request");
    const QList<QByteArrayView> lines = split(text, kLineEnd);
    for (const QByteArrayView line : lines) {
        // Lines end with CR LF and nothing else: a lone CR or LF is read differently by
        // different parsers, which is how requests get smuggled past one of them.
        if (line.contains('\r') || line.contains('\n'))
            return refuse(std::move(parsed), 400, "a bare CR or LF in the head");
        if (line.isEmpty())
            return refuse(std::move(parsed), 400, "an empty line inside the head");
    }

    const QList<QByteArrayView> parts = split(lines.first(), " ");
    if (parts.size() != 3 || !isToken(parts[0]) || !parts[1].startsWith('/')
        || std::any_of(parts[1].begin(), parts[1].end(), isControl)) {
        return refuse(std::move(parsed), 400, "malformed request line");
    }
    HttpRequest &request = parsed.request;
    request.method = parts[0].toByteArray();
    if (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0")
        return refuse(std::move(parsed), 505, "only HTTP/1.1 is spoken here");
    request.version = parts[2].toByteArray();
    const QByteArrayView target = parts[1];
    const qsizetype question = target.indexOf('?');
    request.path = (question < 0 ? target : target.first(question)).toByteArray();
    request.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();

    if (lines.size() - 1 > kMaxHeaderFields)
        return refuse(std::move(parsed), 431, "too many header fields");
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return refuse(std::move(parsed), 400, "malformed header field");
        const QByteArrayView value = trimmedValue(line.sliced(colon + 1));
        if (std::any_of(value.begin(), value.end(),
                        [](char c) { return c != '\t' && isControl(c); }))
            return refuse(std::move(parsed), 400, "a control character in a header field");
        request.headers.append({line.first(colon).toByteArray().toLower(), value.toByteArray()});
    }

    if (std::any_of(request.headers.cbegin(), request.headers.cend(),
                    [](const auto &field) { return field.first == "transfer-encoding"; })) {
        return refuse(std::move(parsed), 411, "send the body with a Content-Length, not chunked");
    }
    std::optional<QByteArray> length;
    for (const auto &[name, value] : std::as_const(request.headers)) {
        if (name != "content-length")
            continue;
        if (length && value != *length)
            return refuse(std::move(parsed), 400, "conflicting Content-Length fields");
        length = value;
    }
    if (length) {
        bool ok = false;
        const qint64 contentLength = length->toLongLong(&ok);
        const bool digits = !length->isEmpty()
            && std::all_of(length->begin(), length->end(),
                           [](char c) { return c >= '0' && c <= '9'; });
        if (!ok || !digits || contentLength < 0)
            return refuse(std::move(parsed), 400, "Content-Length is not a number");
        request.contentLength = contentLength;
    }
    request.keepAlive = request.version == "HTTP/1.1"
        ? !request.headerHasToken("connection", "close")
        : request.headerHasToken("connection", "keep-alive");
    return parsed;
}

} // namespace tidings::relay
