#pragma once

#include "protocol/websocket_codec.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

class QTcpSocket;

namespace tidings::bench {

/// A WebSocket client as small as a load generator needs (RFC 6455, client side): the
/// upgrade, masked text frames out, text/ping/close frames in, pongs by itself. No TLS, no
/// extensions. QWebSocket costs ~20 KB and a QString round trip per frame; this keeps one
/// QTcpSocket and a byte buffer, so one process holds thousands.
class LeanWebSocket : public QObject
{
    Q_OBJECT

public:
    explicit LeanWebSocket(QObject *parent = nullptr);
    ~LeanWebSocket() override;

    /// Connects from `source` (any address when null) to ws://host:port/ws.
    void open(const QHostAddress &host, quint16 port, const QHostAddress &source = {});
    void sendText(const QByteArray &utf8);
    void close();
    bool isOpen() const { return m_open; }

Q_SIGNALS:
    void opened();
    void textReceived(const QByteArray &utf8);
    /// The connection ended (refused, dropped, or closed by either side).
    void closed(const QString &why);

private:
    void onReadyRead();
    bool readHandshake();
    void readFrames();
    void sendFrame(websocket::Opcode opcode, QByteArrayView payload);
    void fail(const QString &why);

    QTcpSocket *m_socket;
    QByteArray m_buffer; ///< the upgrade reply, until it is whole
    QByteArray m_key;
    websocket::MessageReader m_reader;
    quint32 m_maskState;
    bool m_open = false;
    bool m_ended = false;
};

} // namespace tidings::bench
