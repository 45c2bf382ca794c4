// Fuzzes the relay's HTTP request heads (relay/gateway): parseRequestHead(), what every
// HTTP request goes through, and inspectRequest(), which decides whether the first request
// of a connection is a WebSocket upgrade.
//
// Input: a request head, as the gateway hands it over (it reads at most 16 KiB + 4).
#include "fuzz_check.h"

#include "gateway/request_head.h"
#include "gateway/websocket_upgrade.h"

#include <cstdint>

using namespace tidings::relay;

namespace {

constexpr std::size_t kMaxHeadBytes = 16 * 1024 + 4;

void checkRequestHead(QByteArrayView head)
{
    const ParsedHead parsed = parseRequestHead(head);
    if (!parsed.ok()) {
        FUZZ_CHECK(parsed.status == 400 || parsed.status == 411 || parsed.status == 431
                   || parsed.status == 501 || parsed.status == 505);
        FUZZ_CHECK(!parsed.why.isEmpty());
        return;
    }
    FUZZ_CHECK(parsed.why.isEmpty());
    const HttpRequest &request = parsed.request;
    FUZZ_CHECK(!request.method.isEmpty());
    FUZZ_CHECK(request.path.startsWith('/'));
    FUZZ_CHECK(!request.path.contains('?'));
    FUZZ_CHECK(request.contentLength >= 0);
    FUZZ_CHECK(request.headers.size() <= 100);
    for (const auto &[name, value] : std::as_const(request.headers)) {
        FUZZ_CHECK(!name.isEmpty() && name == name.toLower());
        FUZZ_CHECK(value == value.trimmed());
    }
    // What the handlers read from it.
    for (const char *name : {"content-length", "authorization", "range", "upload-offset", "expect",
                             "connection", "origin"})
        request.header(name);
    for (const char *item : {"sig", "user", "expires", ""})
        request.queryItem(item);
}

void checkUpgrade(QByteArrayView head)
{
    const UpgradeRequest upgrade = inspectRequest(head, "/ws");
    switch (upgrade.kind) {
    case UpgradeRequest::Kind::Http:
        FUZZ_CHECK(upgrade.response.isEmpty());
        break;
    case UpgradeRequest::Kind::WebSocket:
        FUZZ_CHECK(upgrade.response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
        FUZZ_CHECK(upgrade.response.endsWith("\r\n\r\n"));
        FUZZ_CHECK(upgrade.response.count("\r\n\r\n") == 1);
        break;
    case UpgradeRequest::Kind::Refused: {
        // A whole response whose Content-Length is its body's.
        FUZZ_CHECK(upgrade.response.startsWith("HTTP/1.1 4"));
        const qsizetype end = upgrade.response.indexOf("\r\n\r\n");
        FUZZ_CHECK(end > 0);
        const qsizetype length = upgrade.response.indexOf("Content-Length: ");
        FUZZ_CHECK(length > 0 && length < end);
        const qsizetype lineEnd = upgrade.response.indexOf("\r\n", length);
        const qsizetype declared
            = upgrade.response.sliced(length + 16, lineEnd - length - 16).toLongLong();
        FUZZ_CHECK(declared == upgrade.response.size() - end - 4);
        break;
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView head(reinterpret_cast<const char *>(data),
                              qsizetype(std::min(size, kMaxHeadBytes)));
    checkRequestHead(head);
    checkUpgrade(head);
    return 0;
}
