#pragma once

#include <QByteArray>
#include <QObject>

#include <atomic>
#include <memory>

class QTcpSocket;

namespace tidings::relay {

/// The bytes under one WebSocket: a QTcpSocket (TLS, and where there is no POSIX), or on
/// Unix the plain TCP descriptor itself. QAbstractSocket keeps a 32 KiB write buffer and a
/// read buffer per socket once they were used (QRingBuffer keeps its last chunk), which
/// was most of what an idle connection cost (docs/decisions.md, 26); the descriptor
/// transport holds bytes only while the kernel will not take them.
class Transport : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    /// Reads up to `size` bytes: how many were read, 0 if none are waiting, or -1 once the
    /// connection is gone (closed() has been emitted then).
    virtual qint64 read(char *data, qint64 size) = 0;
    /// Queues `bytes`; they go out in order, as fast as the peer takes them.
    virtual void write(const QByteArray &bytes) = 0;
    /// Bytes written but not yet taken by the kernel.
    virtual qint64 bytesToWrite() const = 0;
    /// Where bytesToWrite() is also published, for threads other than this one's.
    void publishUnsentTo(std::atomic<qint64> *counter) { m_unsentCounter = counter; }
    /// Hands the kernel what it will take now.
    virtual void flush() = 0;
    /// Ends the connection once what was written has gone out. What the peer still sends
    /// should be read (and may be dropped) until closed(): a descriptor then half-closes
    /// and waits for the peer's end, so that unread input does not turn the close into a
    /// reset that could drop our last frames.
    virtual void closeWhenWritten() = 0;
    /// Stops or resumes readable() (the peer is then slowed by TCP). A socket transport
    /// stops by itself once its bounded read buffer is full.
    virtual void setReading(bool on) { Q_UNUSED(on); }
    /// Ends the connection now; unwritten bytes are dropped.
    virtual void abort() = 0;

Q_SIGNALS:
    void readable();
    /// Once, when the connection has ended, whichever side ended it.
    void closed();

protected:
    void publishUnsent()
    {
        if (m_unsentCounter)
            m_unsentCounter->store(bytesToWrite(), std::memory_order_relaxed);
    }

private:
    std::atomic<qint64> *m_unsentCounter = nullptr;
};

/// What a transport is made of: a connected QTcpSocket (taken; no parent, moved to the
/// thread that will make the transport), or on Unix a connected TCP descriptor (closed
/// when done).
struct TransportSource
{
    QTcpSocket *socket = nullptr;
    int descriptor = -1;
};

/// Makes the transport on the calling thread, which then serves it.
std::unique_ptr<Transport> makeTransport(TransportSource source);

} // namespace tidings::relay
