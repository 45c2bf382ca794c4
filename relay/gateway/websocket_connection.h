#pragma once

#include "protocol/websocket_codec.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

#include <memory>

namespace tidings::relay {

class Transport;

/// The server side of one WebSocket, after the upgrade: reads the client's frames into
/// messages, answers pings and the closing handshake, and writes frames. Ours rather than
/// QWebSocket because that costs ~19.5 KB a connection and reaches the relay through
/// QHttpServer, whose slots look up their sender in a list of every connection
/// (docs/decisions.md, 26).
///
/// It reads a bounded amount per wake-up and holds at most one frame plus one message of
/// what the peer sent; a peer that sends faster than that is slowed by TCP.
class WebSocketConnection : public QObject
{
    Q_OBJECT

public:
    /// Takes `transport` (already upgraded). `received`: bytes that came after the request
    /// head and were read already; more may be waiting.
    WebSocketConnection(std::unique_ptr<Transport> transport, QHostAddress peerAddress,
                        qint64 maxMessageBytes, QString origin, QByteArray received = {},
                        QObject *parent = nullptr);
    ~WebSocketConnection() override;

    /// Reads what arrived before the signals were connected. Call once, after connecting.
    void start();

    /// Sends a text message (UTF-8).
    void sendText(QByteArrayView utf8);
    /// Sends bytes already framed by websocket::encodeFrame (one frame, many sessions).
    void sendFrame(const QByteArray &frame);
    void ping();
    /// Starts the closing handshake; the TCP connection ends when the peer answers, or
    /// after a few seconds.
    void close(quint16 code, const QString &reason);
    /// Closes, and deletes this once the connection is gone (nobody else owns it).
    void closeAndDelete(quint16 code, const QString &reason);
    /// Drops the connection now, without a closing handshake.
    void abort();
    void flush();

    qint64 bytesToWrite() const;
    QHostAddress peerAddress() const { return m_peerAddress; }
    /// The Origin header of the upgrade request (empty when the client sent none).
    const QString &origin() const { return m_origin; }
    bool isClosing() const { return m_closeSent; }

Q_SIGNALS:
    void textReceived(const QByteArray &utf8);
    void binaryReceived();
    void pong();
    /// Once, when the connection is gone (closed either way, dropped or aborted).
    void disconnected();

private:
    void onReadyRead();
    /// Hands out the messages read so far; false once nothing more is to be read.
    bool readMessages();
    void onDisconnected();
    void sendClose(quint16 code, QByteArrayView reason);

    Transport *m_transport; ///< a child
    websocket::MessageReader m_reader;
    QHostAddress m_peerAddress;
    QString m_origin;
    bool m_closeSent = false;
    bool m_gone = false;
    bool m_doneReading = false; ///< the closing handshake is over, or the peer broke the rules
};

} // namespace tidings::relay
