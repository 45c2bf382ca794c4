#include "support/raw_tcp_client.h"

#include <QDeadlineTimer>
#include <QHostAddress>

#include <algorithm>
#include <utility>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tidings::test {

RawTcpClient::~RawTcpClient()
{
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

bool RawTcpClient::connectTo(quint16 port, const QString &source)
{
    m_descriptor = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_descriptor < 0)
        return false;
    if (!source.isEmpty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(QHostAddress(source).toIPv4Address());
        if (::bind(m_descriptor, reinterpret_cast<const sockaddr *>(&local), sizeof local) != 0)
            return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(m_descriptor, reinterpret_cast<const sockaddr *>(&address), sizeof address)
        == 0
        && ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK) == 0;
}

bool RawTcpClient::send(QByteArrayView bytes)
{
    QDeadlineTimer deadline(kWaitMs);
    while (!bytes.isEmpty() && m_end == End::Open && !deadline.hasExpired()) {
        if (!wait(POLLOUT))
            continue;
        const ssize_t sent = ::send(m_descriptor, bytes.data(),
                                    size_t(std::min(bytes.size(), kSlice)), MSG_NOSIGNAL);
        if (sent > 0)
            bytes = bytes.sliced(sent);
        else if (sent < 0 && errno != EAGAIN && errno != EINTR)
            return false; // the relay's reset; what came before it is still to be read
    }
    return bytes.isEmpty();
}

QByteArray RawTcpClient::floodUntilAnswered(const QByteArray &bytes, int times)
{
    QDeadlineTimer deadline(kWaitMs);
    qsizetype at = 0;
    while (times > 0 && m_received.isEmpty() && m_end == End::Open && !deadline.hasExpired()) {
        const short events = wait(POLLIN | POLLOUT);
        if (events & (POLLIN | POLLHUP | POLLERR)) {
            receive();
            continue;
        }
        if (!(events & POLLOUT))
            continue;
        const ssize_t sent = ::send(m_descriptor, bytes.constData() + at,
                                    size_t(std::min(bytes.size() - at, kSlice)), MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EINTR)
            break; // the relay's reset: the answer it sent before is read below
        at += std::max<qsizetype>(sent, 0);
        if (at == bytes.size()) {
            at = 0;
            --times;
        }
    }
    return readUntil([](const QByteArray &) { return false; });
}

RawTcpClient::End RawTcpClient::trickle(QByteArrayView bytes, int intervalMs, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!bytes.isEmpty() && m_end == End::Open && !deadline.hasExpired()) {
        const ssize_t sent = ::send(m_descriptor, bytes.data(), 1, MSG_NOSIGNAL);
        if (sent == 1)
            bytes = bytes.sliced(1);
        else if (sent < 0 && errno != EAGAIN && errno != EINTR)
            m_end = End::Reset;
        // The pause between two bytes, cut short when the relay answers or ends it.
        if (m_end == End::Open && wait(POLLIN, intervalMs) != 0)
            receive();
    }
    return m_end;
}

QByteArray RawTcpClient::readUntil(const std::function<bool(const QByteArray &)> &enough,
                                   int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!enough(m_received) && m_end == End::Open && !deadline.hasExpired()) {
        if (wait(POLLIN) != 0)
            receive();
    }
    return std::exchange(m_received, {});
}

QByteArray RawTcpClient::readResponse()
{
    QByteArray received = readUntil([](const QByteArray &bytes) {
        const qsizetype length = responseLength(bytes);
        return length >= 0 && bytes.size() >= length;
    });
    const qsizetype length = std::clamp<qsizetype>(responseLength(received), 0, received.size());
    m_received = received.sliced(length);
    return received.first(length);
}

qsizetype RawTcpClient::responseLength(const QByteArray &bytes)
{
    const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return -1;
    qint64 body = 0;
    for (const QByteArray &line : bytes.first(headEnd).split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            body = line.sliced(15).trimmed().toLongLong();
    }
    return headEnd + 4 + body;
}

short RawTcpClient::wait(short events, int timeoutMs)
{
    pollfd entry{m_descriptor, events, 0};
    return ::poll(&entry, 1, timeoutMs) > 0 ? entry.revents : short(0);
}

void RawTcpClient::receive()
{
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t got = ::recv(m_descriptor, buffer, sizeof buffer, 0);
        if (got > 0) {
            m_received.append(buffer, got);
            continue;
        }
        if (got == 0)
            m_end = End::Closed;
        else if (errno != EAGAIN && errno != EINTR)
            m_end = End::Reset;
        return;
    }
}

} // namespace tidings::test
