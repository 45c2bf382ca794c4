#pragma once

#include "gateway/io_threads.h"
#include "gateway/transport.h"
#include "gateway/websocket_wire.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

#include <memory>
#include <optional>

class QThread;

namespace tidings::relay {

/// The server side of one WebSocket, after the upgrade, as the chat core sees it: on the
/// core's thread, it queues frames and reports messages. Its socket is served on an I/O
/// thread (or on this one), by a WebSocketWire that reads frames into messages, answers
/// pings and the closing handshake, and writes the queued frames in batches. Ours rather
/// than QWebSocket because that costs ~19.5 KB a connection and reached the relay through
/// QHttpServer, whose slots looked up their sender in a list of every connection
/// (docs/decisions.md, 26 and 27).
///
/// What the peer sent is held up to one frame plus one message on the wire, and up to
/// about 1 MiB handed to the core and not yet handled; past that the wire stops reading
/// and the peer is slowed by TCP.
class WebSocketConnection : public QObject
{
    Q_OBJECT

public:
    struct Upgrade
    {
        TransportSource source;
        QHostAddress peerAddress;
        QString origin; ///< the request's Origin header (empty when none was sent)
        QByteArray response; ///< the 101 to send first
        QByteArray received; ///< bytes that came right behind the request head
        std::shared_ptr<void> addressSlot; ///< held while the connection lives
    };

    /// The socket is served on `ioThread` (this thread if none) once start() is called.
    WebSocketConnection(Upgrade upgrade, IoThread ioThread, qint64 maxMessageBytes,
                        QObject *parent = nullptr);
    ~WebSocketConnection() override;

    /// Starts serving the socket. Call once, after connecting to the signals.
    void start();

    /// Sends a text message (UTF-8).
    void sendText(QByteArrayView utf8);
    /// Sends bytes already framed by websocket::encodeFrame (one frame, many sessions).
    void sendFrame(const QByteArray &frame);
    void ping();
    /// Starts the closing handshake: what was sent before goes first; the TCP connection
    /// ends when the peer answers, or after a few seconds.
    void close(quint16 code, const QString &reason);
    /// Closes, and deletes this once the connection is gone (nobody else owns it).
    void closeAndDelete(quint16 code, const QString &reason);
    /// Drops the connection without a closing handshake.
    void abort();
    /// Hands the kernel what it will take now.
    void flush();
    /// Takes messages of at most `bytes` from now on (never more than the limit it was made
    /// with); a bigger one closes the connection with 1009.
    void limitMessages(qint64 bytes);

    /// Bytes queued or written but not yet taken by the kernel.
    qint64 bytesToWrite() const;
    QHostAddress peerAddress() const { return m_peerAddress; }
    const QString &origin() const { return m_origin; }
    bool isClosing() const { return m_closing || m_gone; }

Q_SIGNALS:
    void textReceived(const QByteArray &utf8);
    void binaryReceived();
    void pong();
    /// Once, when the connection is gone (closed either way, dropped or aborted).
    void disconnected();

private:
    void onDisconnected();
    /// The core is done with `bytes` of what the wire handed over.
    void handled(qint64 bytes);

    std::shared_ptr<WebSocketWire::Shared> m_shared;
    WebSocketWire *m_wire; ///< on its thread; deleted there
    WireFlusher *m_flusher; ///< of the wire's I/O thread; null: a posted call per flush
    std::optional<Upgrade> m_unstarted;
    QHostAddress m_peerAddress;
    QString m_origin;
    std::shared_ptr<void> m_addressSlot;
    qint64 m_maxMessageBytes; ///< what it was made with
    std::optional<std::pair<quint16, QByteArray>> m_closeBeforeStart;
    bool m_abortBeforeStart = false;
    bool m_closing = false;
    bool m_gone = false;
};

} // namespace tidings::relay
