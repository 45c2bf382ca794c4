#include "push/push_http.h"

#include "net/curl_loop.h"

#include <curl/curl.h>

#ifdef Q_OS_WIN
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <algorithm>
#include <cstring>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kMaxResponseBytes = 64 * 1024;
constexpr int kMaxConnectionsPerHost = 16;

bool isPublicIpv4(quint32 v4)
{
    const auto in = [v4](quint32 network, int bits) {
        return (v4 >> (32 - bits)) == (network >> (32 - bits));
    };
    return !(in(0x00000000, 8) || in(0x0a000000, 8) || in(0x64400000, 10) || in(0x7f000000, 8)
             || in(0xa9fe0000, 16) || in(0xac100000, 12) || in(0xc0000000, 24) || in(0xc0a80000, 16)
             || in(0xc6120000, 15) || in(0xc0000200, 24) || in(0xc6336400, 24) || in(0xcb007100, 24)
             || in(0xe0000000, 4) || in(0xf0000000, 4));
}

quint32 ipv4At(const unsigned char *b)
{
    return (quint32(b[0]) << 24) | (quint32(b[1]) << 16) | (quint32(b[2]) << 8) | b[3];
}

curl_socket_t openPublicSocket(void *, curlsocktype, curl_sockaddr *address)
{
    if (!isPublicAddress(&address->addr))
        return CURL_SOCKET_BAD;
    return ::socket(address->family, address->socktype, address->protocol);
}

} // namespace

bool isPublicAddress(const sockaddr *address)
{
    if (address->sa_family == AF_INET)
        return isPublicIpv4(ntohl(reinterpret_cast<const sockaddr_in *>(address)->sin_addr.s_addr));
    if (address->sa_family != AF_INET6)
        return false;
    const unsigned char *b = reinterpret_cast<const sockaddr_in6 *>(address)->sin6_addr.s6_addr;
    static const unsigned char zero[12] = {};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    // Forms that carry an IPv4 address are judged by it: IPv4-compatible (::a.b.c.d, and
    // so :: and ::1), IPv4-mapped, NAT64's well-known prefix (64:ff9b::/96), 6to4 (2002::/16).
    if (std::memcmp(b, zero, 12) == 0 || std::memcmp(b, mapped, 12) == 0
        || std::memcmp(b, nat64, 12) == 0)
        return isPublicIpv4(ipv4At(b + 12));
    if (b[0] == 0x20 && b[1] == 0x02)
        return isPublicIpv4(ipv4At(b + 2));
    // Otherwise only global unicast (2000::/3), less 2001::/23, the IETF's protocol
    // assignments: Teredo (it tunnels to an IPv4 address), benchmarking, ORCHID, AMT,
    // AS112 — no push endpoint lives there — and documentation 2001:db8::/32. Everything
    // outside 2000::/3 (unique local, link-local, site-local fec0::/10, multicast,
    // 64:ff9b:1::/48, discard 100::/64) is not public.
    if ((b[0] & 0xe0) != 0x20)
        return false;
    if (b[0] == 0x20 && b[1] == 0x01 && (b[2] <= 0x01 || (b[2] == 0x0d && b[3] == 0xb8)))
        return false;
    return true;
}

QByteArray PushHttpResponse::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

namespace {

/// One request on its way: what curl reads from and writes into, until its answer is
/// handed over (the loop cleans up the easy handle before this goes).
struct Call
{
    PushHttpRequest request;
    curl_slist *headers = nullptr;
    PushHttpResponse response;

    Call() = default;
    Call(const Call &) = delete;
    Call &operator=(const Call &) = delete;
    ~Call() { curl_slist_free_all(headers); }

    static size_t onBody(char *data, size_t size, size_t count, void *user)
    {
        auto *call = static_cast<Call *>(user);
        const size_t bytes = size * count;
        const qsizetype room = kMaxResponseBytes - call->response.body.size();
        if (room > 0)
            call->response.body.append(data, std::min<qsizetype>(room, qsizetype(bytes)));
        return bytes;
    }

    static size_t onHeader(char *data, size_t size, size_t count, void *user)
    {
        auto *call = static_cast<Call *>(user);
        const size_t bytes = size * count;
        const QByteArray line = QByteArray(data, qsizetype(bytes)).trimmed();
        if (line.startsWith("HTTP/"))
            call->response.headers.clear(); // a new response (after a 100 Continue)
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && call->response.headers.size() < 100)
            call->response.headers.append(
                {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
        return bytes;
    }

    /// An easy handle for the request, writing into this call.
    CURL *makeHandle()
    {
        CURL *easy = curl_easy_init();
        for (const QByteArray &header : request.headers)
            headers = curl_slist_append(headers, header.constData());
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(easy, CURLOPT_URL, request.url.constData());
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.constData());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(request.timeoutMs));
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(std::min(request.timeoutMs, 10000)));
        // Over TLS, HTTP/2 where the server offers it (ALPN); in clear, HTTP/1.1 unless the
        // provider speaks only HTTP/2.
        const bool plain = request.url.startsWith("http://");
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                         !plain              ? long(CURL_HTTP_VERSION_2TLS)
                             : request.http2 ? long(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
                                             : long(CURL_HTTP_VERSION_1_1));
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
        if (request.http2 && plain) {
            // Cleartext HTTP/2 (prior knowledge) is only for stand-ins of APNs in tests; libcurl
            // 7.88 sends nothing on such a connection once reused (docs/decisions.md, 34).
            curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
            curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
        }
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Call::onBody);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Call::onHeader);
        curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
        curl_easy_setopt(easy, CURLOPT_USERAGENT, "tidings-relay");
        if (request.publicOnly)
            curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &openPublicSocket);
        return easy;
    }

    const PushHttpResponse &finish(const net::CurlOutcome &outcome)
    {
        response.status = outcome.result == CURLE_OK ? int(outcome.status) : 0;
        response.timedOut = outcome.result == CURLE_OPERATION_TIMEDOUT;
        response.error = outcome.error();
        response.elapsedMs = outcome.elapsedMs;
        return response;
    }
};

net::CurlLoop::Options loopOptions(int maxInFlight)
{
    net::CurlLoop::Options options;
    options.maxInFlight = std::max(1, maxInFlight);
    options.maxQueued = options.maxInFlight;
    options.multiplex = true;
    // HTTP/1.1 endpoints (webhooks, UnifiedPush servers) get a few kept-alive connections,
    // not one per request in flight; HTTP/2 ones multiplex on one.
    options.maxHostConnections = kMaxConnectionsPerHost;
    options.threadName = u"push-http"_s;
    return options;
}

} // namespace

PushHttp::PushHttp(int maxInFlight)
    : m_loop(std::make_unique<net::CurlLoop>(loopOptions(maxInFlight)))
{ }

PushHttp::~PushHttp() = default;

void PushHttp::send(PushHttpRequest request, QObject *context,
                    std::function<void(const PushHttpResponse &)> done)
{
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    CURL *easy = call->makeHandle();
    m_loop->add(easy, context, [call, done = std::move(done)](const net::CurlOutcome &outcome) {
        done(call->finish(outcome));
    });
}

int PushHttp::pending() const
{
    return m_loop->pending();
}

} // namespace tidings::relay
