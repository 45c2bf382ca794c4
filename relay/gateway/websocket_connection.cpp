#include "gateway/websocket_connection.h"

#include <QTcpSocket>
#include <QThread>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace tidings::relay {

using websocket::Opcode;

WebSocketConnection::WebSocketConnection(Upgrade upgrade, IoThread io, qint64 maxMessageBytes,
                                         QObject *parent)
    : QObject(parent), m_shared(std::make_shared<WebSocketWire::Shared>()),
      m_wire(new WebSocketWire(m_shared, maxMessageBytes)), m_flusher(io.flusher),
      m_peerAddress(upgrade.peerAddress), m_origin(upgrade.origin),
      m_addressSlot(std::move(upgrade.addressSlot)), m_maxMessageBytes(maxMessageBytes)
{
    if (QThread *ioThread = io.thread; ioThread && ioThread != thread()) {
        m_wire->moveToThread(ioThread);
        if (upgrade.source.socket)
            upgrade.source.socket->moveToThread(ioThread);
    }
    m_unstarted = std::move(upgrade);
    // Queued when the wire is on another thread, direct when on this one.
    connect(m_wire, &WebSocketWire::textReceived, this, [this](const QByteArray &text) {
        Q_EMIT textReceived(text);
        handled(text.size() + WebSocketWire::kMessageOverhead);
    });
    connect(m_wire, &WebSocketWire::binaryReceived, this, [this] {
        Q_EMIT binaryReceived();
        handled(WebSocketWire::kMessageOverhead);
    });
    connect(m_wire, &WebSocketWire::pong, this, [this] {
        Q_EMIT pong();
        handled(WebSocketWire::kMessageOverhead);
    });
    connect(m_wire, &WebSocketWire::disconnected, this, &WebSocketConnection::onDisconnected);
}

void WebSocketConnection::handled(qint64 bytes)
{
    const qint64 left = m_shared->unhandledBytes.fetch_sub(bytes) - bytes;
    // The wire stopped reading: the first side to clear the flag resumes it.
    if (left < WebSocketWire::kMaxUnhandledBytes / 2 && m_shared->paused.load()
        && m_shared->paused.exchange(false))
        QMetaObject::invokeMethod(m_wire, &WebSocketWire::resumeReading, Qt::QueuedConnection);
}

WebSocketConnection::~WebSocketConnection()
{
    m_wire->disconnect(this);
    if (const QThread *thread = m_wire->thread(); thread && thread->isRunning())
        m_wire->deleteLater(); // on its own thread, after what was queued for it
    else
        delete m_wire; // its thread has ended (shutdown): nobody else uses it
    if (m_unstarted) { // never served: let the socket go
        if (QTcpSocket *socket = m_unstarted->source.socket)
            socket->deleteLater();
#ifdef Q_OS_UNIX
        else if (m_unstarted->source.descriptor >= 0)
            ::close(m_unstarted->source.descriptor);
#endif
    }
}

void WebSocketConnection::start()
{
    if (!m_unstarted)
        return;
    Upgrade upgrade = std::move(*m_unstarted);
    m_unstarted.reset();
    WebSocketWire *wire = m_wire;
    QMetaObject::invokeMethod(
        wire,
        [wire, source = upgrade.source, response = upgrade.response, received = upgrade.received] {
            wire->open(source, response, received);
        });
    if (m_abortBeforeStart)
        QMetaObject::invokeMethod(wire, &WebSocketWire::abort);
    else if (m_closeBeforeStart)
        QMetaObject::invokeMethod(
            wire, [wire, close = *m_closeBeforeStart] { wire->close(close.first, close.second); });
}

void WebSocketConnection::sendText(QByteArrayView utf8)
{
    if (!isClosing())
        sendFrame(websocket::encodeFrame(Opcode::Text, utf8));
}

void WebSocketConnection::sendFrame(const QByteArray &frame)
{
    if (isClosing())
        return;
    bool queueFlush = false;
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->outbox.append(frame);
        queueFlush = !std::exchange(m_shared->flushQueued, true);
    }
    // One flush for every frame queued until the wire gets to it, and one posted call for
    // every connection queued until the I/O thread gets to them: writes go in batches.
    if (queueFlush && !m_unstarted) {
        if (m_flusher)
            m_flusher->add(m_shared);
        else
            QMetaObject::invokeMethod(m_wire, &WebSocketWire::flushOutbox, Qt::QueuedConnection);
    }
}

void WebSocketConnection::ping()
{
    sendFrame(websocket::encodeFrame(Opcode::Ping, {}));
}

void WebSocketConnection::close(quint16 code, const QString &reason)
{
    if (isClosing())
        return;
    m_closing = true;
    if (m_unstarted) {
        m_closeBeforeStart = {code, reason.toUtf8()};
        return;
    }
    WebSocketWire *wire = m_wire;
    QMetaObject::invokeMethod(
        wire, [wire, code, reason = reason.toUtf8()] { wire->close(code, reason); });
}

void WebSocketConnection::closeAndDelete(quint16 code, const QString &reason)
{
    if (m_gone) {
        deleteLater();
        return;
    }
    connect(this, &WebSocketConnection::disconnected, this, &QObject::deleteLater);
    close(code, reason);
}

void WebSocketConnection::abort()
{
    if (m_gone)
        return;
    m_closing = true;
    if (m_unstarted) {
        m_abortBeforeStart = true;
        return;
    }
    QMetaObject::invokeMethod(m_wire, &WebSocketWire::abort);
}

void WebSocketConnection::flush()
{
    if (!m_gone && !m_unstarted)
        QMetaObject::invokeMethod(m_wire, &WebSocketWire::flush);
}

qint64 WebSocketConnection::bytesToWrite() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->outbox.size() + m_shared->unsentInTransport.load(std::memory_order_relaxed);
}

void WebSocketConnection::onDisconnected()
{
    if (std::exchange(m_gone, true))
        return;
    m_closing = true;
    Q_EMIT disconnected();
}

void WebSocketConnection::limitMessages(qint64 bytes)
{
    m_shared->maxMessageBytes.store(std::min(bytes, m_maxMessageBytes), std::memory_order_relaxed);
}

} // namespace tidings::relay
