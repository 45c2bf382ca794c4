#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace tidings::relay {

/// The most a request head may take, its blank line included. The first head on a
/// connection is read by the gateway's listener, from anyone who can reach the port,
/// before the connection is anything: it gets the smaller limit. Every later head on an
/// HTTP connection may take the larger (docs/protocol.md, docs/operations.md).
inline constexpr qsizetype kMaxFirstRequestHeadBytes = 8 * 1024;
inline constexpr qsizetype kMaxRequestHeadBytes = 16 * 1024;
/// The most header fields one head may carry.
inline constexpr int kMaxHeaderFields = 100;

/// One HTTP/1.1 request head.
struct HttpRequest
{
    QByteArray method;
    QByteArray version; ///< HTTP/1.1 or HTTP/1.0
    QByteArray path; ///< the target without its query
    QByteArray query;
    QList<std::pair<QByteArray, QByteArray>> headers; ///< names in lower case
    qint64 contentLength = 0;
    bool keepAlive = true;

    /// The value of the first field named `name` (lower case); empty when absent.
    QByteArray header(QByteArrayView name) const;
    /// Whether any field named `name` (lower case) lists `token` (comma-separated, any case).
    bool headerHasToken(QByteArrayView name, QByteArrayView token) const;
    /// The value of `name` in the query string, percent-decoded; empty when absent.
    QByteArray queryItem(QByteArrayView name) const;
};

/// Where a request head ends among the bytes received so far.
struct HeadScan
{
    enum class State {
        Incomplete, ///< no blank line yet: wait for more
        Complete, ///< `length` bytes, through the blank line, are the head
        TooLarge, ///< no blank line within the limit: answer 431
    };
    State state = State::Incomplete;
    qsizetype length = 0;
};

/// Looks for the end of the head (CR LF CR LF) at the start of `received`, which holds a
/// connection's unread bytes from the first byte of a request. A head longer than
/// `maxBytes` is TooLarge as soon as `maxBytes` bytes have come without its end, so a
/// caller never needs to look at (or hold) more than `maxBytes` bytes.
HeadScan scanRequestHead(QByteArrayView received, qsizetype maxBytes);

/// A parsed request head, or why it is refused.
struct ParsedHead
{
    /// What was read: all of it when ok(); else as far as the parser got (its method says
    /// whether the refusal may carry a body).
    HttpRequest request;
    int status = 0; ///< 0: parsed; else what to answer: 400, 411, 431 or 505
    QByteArray why; ///< for the answer's body, when refused

    bool ok() const { return status == 0; }
};

/// The one parser of request heads, for the WebSocket upgrade and for every HTTP request
/// alike. `head` is what scanRequestHead() found: the request line and header fields, each
/// ended by CR LF, then the empty line. Refused (each with its reason):
/// - a bare CR or LF, an empty line before the end, a control character in a field value
///   or in the target: 400;
/// - a request line that is not `method SP /target SP version` (a token method, an
///   origin-form target): 400; a version other than HTTP/1.1 or HTTP/1.0: 505;
/// - more than kMaxHeaderFields fields: 431;
/// - a field name that is not a token directly followed by ':' (so no whitespace before the
///   colon and no obsolete line folding): 400;
/// - a Transfer-Encoding field (bodies come with a Content-Length): 411;
/// - a Content-Length that is not digits, or several that differ: 400.
ParsedHead parseRequestHead(QByteArrayView head);

} // namespace tidings::relay
