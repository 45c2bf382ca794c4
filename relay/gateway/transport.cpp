#include "gateway/transport.h"

#include <QSocketNotifier>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace tidings::relay {

namespace {

class SocketTransport final : public Transport
{
public:
    explicit SocketTransport(QTcpSocket *socket) : m_socket(socket)
    {
        m_socket->setParent(this);
        // As much as WebSocketConnection reads per wake-up: readyRead is not emitted
        // again for bytes already buffered.
        m_socket->setReadBufferSize(64 * 1024);
        connect(m_socket, &QTcpSocket::readyRead, this, &Transport::readable);
        connect(m_socket, &QTcpSocket::disconnected, this, &SocketTransport::finish);
        connect(m_socket, &QTcpSocket::bytesWritten, this, [this] { publishUnsent(); });
    }
    ~SocketTransport() override { m_socket->disconnect(this); }

    qint64 read(char *data, qint64 size) override
    {
        const qint64 read = m_socket->read(data, size);
        if (read > 0)
            return read;
        if (read < 0 || m_socket->state() != QAbstractSocket::ConnectedState) {
            finish();
            return -1;
        }
        return 0;
    }
    void write(const QByteArray &bytes) override
    {
        m_socket->write(bytes);
        publishUnsent();
    }
    qint64 bytesToWrite() const override { return m_socket->bytesToWrite(); }
    void flush() override { m_socket->flush(); }
    void closeWhenWritten() override { m_socket->disconnectFromHost(); }
    void abort() override { m_socket->abort(); }

private:
    void finish()
    {
        if (std::exchange(m_closed, true))
            return;
        Q_EMIT closed();
    }

    QTcpSocket *m_socket;
    bool m_closed = false;
};

#ifdef Q_OS_UNIX

class DescriptorTransport final : public Transport
{
public:
    explicit DescriptorTransport(int descriptor)
        : m_descriptor(descriptor),
          m_readNotifier(new QSocketNotifier(descriptor, QSocketNotifier::Read, this))
    {
        ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK);
#ifndef MSG_NOSIGNAL
        int on = 1; // a peer gone mid-write must not raise SIGPIPE
        ::setsockopt(m_descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
        connect(m_readNotifier, &QSocketNotifier::activated, this, &Transport::readable);
    }

    ~DescriptorTransport() override
    {
        if (m_descriptor < 0)
            return;
        delete m_readNotifier; // unregistered while the descriptor is still open
        delete m_writeNotifier;
        ::close(m_descriptor);
    }

    qint64 read(char *data, qint64 size) override
    {
        if (m_descriptor < 0)
            return -1;
        for (;;) {
            const ssize_t read = ::recv(m_descriptor, data, size_t(size), 0);
            if (read > 0)
                return read;
            if (read < 0 && errno == EINTR)
                continue;
            if (read < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return 0;
            finish(); // 0: the peer ended the connection; or an error (reset)
            return -1;
        }
    }

    void write(const QByteArray &bytes) override
    {
        if (m_descriptor < 0 || m_failed || bytes.isEmpty())
            return;
        if (pending() > 0) {
            m_pending.append(bytes);
            publishUnsent();
            return;
        }
        const qint64 sent = send(bytes.constData(), bytes.size());
        if (sent < 0)
            return;
        if (sent < bytes.size()) {
            m_pending = bytes.sliced(sent);
            m_sent = 0;
            watchWritable(true);
            publishUnsent();
        }
    }

    qint64 bytesToWrite() const override
    {
        return pending();
    }

    void flush() override
    {
        if (m_descriptor < 0 || pending() == 0)
            return;
        const qint64 sent = send(m_pending.constData() + m_sent, pending());
        if (sent < 0)
            return;
        m_sent += sent;
        publishUnsent();
        if (pending() > 0) {
            if (m_sent > m_pending.size() / 2) { // keep the held bytes proportionate
                m_pending.remove(0, m_sent);
                m_sent = 0;
            }
            return;
        }
        m_pending = QByteArray(); // give the memory back: an idle connection holds none
        m_sent = 0;
        watchWritable(false);
        if (m_closing)
            shutdownWrite();
    }

    void closeWhenWritten() override
    {
        m_closing = true;
        if (pending() == 0)
            shutdownWrite();
    }

    void setReading(bool on) override
    {
        if (m_readNotifier)
            m_readNotifier->setEnabled(on);
    }

    void abort() override
    {
        finish();
    }

private:
    qint64 pending() const
    {
        return m_pending.size() - m_sent;
    }

    /// Our side is done: the peer sees the end after our last bytes, and read() reports
    /// its end, which closes the descriptor.
    void shutdownWrite()
    {
        if (m_descriptor >= 0 && !std::exchange(m_writeShut, true))
            ::shutdown(m_descriptor, SHUT_WR);
    }

    /// send() that never raises SIGPIPE; -1 after a failure, which ends the connection
    /// from the event loop (the caller may be in the middle of a fan-out).
    qint64 send(const char *data, qint64 size)
    {
#ifdef MSG_NOSIGNAL
        constexpr int kFlags = MSG_NOSIGNAL;
#else
        constexpr int kFlags = 0;
#endif
        for (;;) {
            const ssize_t sent = ::send(m_descriptor, data, size_t(size), kFlags);
            if (sent >= 0)
                return sent;
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            m_failed = true;
            m_pending = QByteArray();
            m_sent = 0;
            QMetaObject::invokeMethod(this, &DescriptorTransport::finish, Qt::QueuedConnection);
            return -1;
        }
    }

    void watchWritable(bool on)
    {
        if (on && !m_writeNotifier) {
            m_writeNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Write, this);
            connect(m_writeNotifier, &QSocketNotifier::activated, this,
                    &DescriptorTransport::flush);
        }
        if (m_writeNotifier)
            m_writeNotifier->setEnabled(on);
    }

    void finish()
    {
        if (m_descriptor < 0)
            return;
        // Unregistered before the descriptor closes; deleted later, as this may run
        // inside their own signal.
        for (QSocketNotifier *notifier : {m_readNotifier, m_writeNotifier}) {
            if (notifier) {
                notifier->setEnabled(false);
                notifier->deleteLater();
            }
        }
        m_readNotifier = m_writeNotifier = nullptr;
        ::close(m_descriptor);
        m_descriptor = -1;
        m_pending = QByteArray();
        m_sent = 0;
        publishUnsent();
        Q_EMIT closed();
    }

    int m_descriptor;
    QSocketNotifier *m_readNotifier;
    QSocketNotifier *m_writeNotifier = nullptr; ///< only while the kernel's buffer is full
    QByteArray m_pending;
    qsizetype m_sent = 0; ///< how much of m_pending has gone out
    bool m_closing = false;
    bool m_writeShut = false;
    bool m_failed = false;
};

#endif

} // namespace

std::unique_ptr<Transport> makeTransport(TransportSource source)
{
#ifdef Q_OS_UNIX
    if (!source.socket)
        return std::make_unique<DescriptorTransport>(source.descriptor);
#endif
    return std::make_unique<SocketTransport>(source.socket);
}

} // namespace tidings::relay
