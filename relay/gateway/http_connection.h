#pragma once

#include "gateway/request_head.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

#include <functional>
#include <utility>

class QTcpSocket;

namespace tidings::relay {

/// An HTTP response head.
struct HttpResponse
{
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
};

/// A connection that speaks HTTP/1.1 (every HTTP request the relay serves): request heads
/// of at most kMaxRequestHeadBytes (16 KiB), read by parseRequestHead(); bodies of a
/// declared length read on demand (never buffered whole), responses streamed with
/// backpressure, keep-alive. It answers one request at a time and owns its socket; it
/// deletes itself when the socket closes. The handler it calls for each request head uses
/// pullBody() and respond()/beginResponse()+writeBody(); a body the handler does not read
/// is thrown away and the connection closed after the answer, lingering so that the client
/// can read it (see lingerAndClose()).
///
/// Time limits no trickle of bytes extends: the next request's head must be whole within
/// 15 s of the last answer; a request that waits on its peer (a body to read, a response
/// the peer does not take) must move 512 bytes a second, averaged over 30 s.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(HttpConnection &)>;

    /// Takes over `socket` (already connected; anything unread is the first request).
    HttpConnection(QTcpSocket *socket, Handler handler, QObject *parent = nullptr);
    ~HttpConnection() override;

    const HttpRequest &request() const { return m_request; }
    QHostAddress peerAddress() const;

    /// Body bytes of the current request not read yet.
    qint64 bodyRemaining() const { return m_bodyRemaining; }
    /// Calls `receive` once with the next 1 to `maxBytes` body bytes as soon as some have
    /// arrived. Nothing more is read from the socket until the next pull, which is how a
    /// slow disk slows the sender down.
    void pullBody(qint64 maxBytes, std::function<void(QByteArray)> receive);

    /// A whole response with a small body. Ends the request.
    void respond(const HttpResponse &response, const QByteArray &body = {});
    /// A JSON response.
    void respondJson(int status, const QByteArray &json,
                     QList<std::pair<QByteArray, QByteArray>> headers = {});

    /// A streamed response of `contentLength` body bytes, written with writeBody(); the
    /// request ends with its last byte. `headOnly` (HEAD): the head alone ends it.
    void beginResponse(const HttpResponse &response, qint64 contentLength, bool headOnly = false);
    void writeBody(const QByteArray &bytes);
    /// Whether the socket takes more now; else wait for drained().
    bool wantsMore() const;

    /// Closes now (the client gets no answer to the current request).
    void abort();

    /// Writes `response` (a whole one, which closes the connection) on `socket` and closes
    /// it as HttpConnection closes after an answer whose request was not read to its end:
    /// for requests refused before any HttpConnection took them (a first head too large, a
    /// WebSocket upgrade refused). Deletes itself when done.
    static HttpConnection *refuse(QTcpSocket *socket, const QByteArray &response, QObject *parent);

Q_SIGNALS:
    /// The socket's send buffer went low again during a streamed response.
    void drained();

private:
    void readIncoming();
    void startRequest(QByteArrayView head);
    void finishRequest();
    void deliverBody();
    void sendHead(const HttpResponse &response, qint64 contentLength);
    void checkTimeout();
    void lingerAndClose();
    bool waitingOnPeer() const;

    QTcpSocket *m_socket;
    Handler m_handler;
    HttpRequest m_request;
    enum class State { Head, Handling, Closing } m_state = State::Head;
    qint64 m_bodyRemaining = 0;
    qint64 m_pullMax = 0;
    std::function<void(QByteArray)> m_receive;
    qint64 m_responseRemaining = -1; ///< body bytes still to write; -1 when no response
    bool m_closeAfter = false;
    bool m_continueSent = false;
    bool m_unreadable = false; ///< input came that was not understood: linger before closing
    bool m_writeShut = false; ///< closing: the sending side is shut
    qint64 m_discarded = 0; ///< bytes thrown away while closing
    QTimer m_timeout;
    QElapsedTimer m_stateSince; ///< since the head was awaited
    QElapsedTimer m_slowSince; ///< since the peer last kept up the minimum rate
    qint64 m_movedBytes = 0; ///< read or written since the last check
};

} // namespace tidings::relay
