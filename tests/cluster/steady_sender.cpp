#include "steady_sender.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>

namespace tidings::test {

using namespace Qt::StringLiterals;

namespace {

/// A new attempt this long after a failed one: quick, as the app's first retry is.
constexpr int kReconnectDelayMs = 100;

} // namespace

SteadySender::SteadySender(QUrl url, QString token, qint64 conversation, QString tag,
                           QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_token(std::move(token)),
      m_conversation(conversation), m_tag(std::move(tag))
{
    connect(&m_socket, &QWebSocket::connected, this, &SteadySender::onConnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &SteadySender::onText);
    // A refused connection, a failed handshake and a dropped session all end here.
    connect(&m_socket, &QWebSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState)
            onLost();
    });
}

SteadySender::~SteadySender()
{
    m_closing = true;
    m_socket.abort();
}

QString SteadySender::clientId(int n) const
{
    return m_tag + u'-' + QString::number(n);
}

QString SteadySender::text(int n) const
{
    return m_tag + u" #"_s + QString::number(n);
}

void SteadySender::connectToRelay()
{
    m_reconnectPending = false;
    if (m_closing)
        return;
    ++m_attempts;
    m_socket.open(m_url);
}

void SteadySender::close()
{
    m_closing = true;
    m_signedIn = false;
    m_socket.close();
}

void SteadySender::send(const QString &id, const QString &type, QJsonObject fields)
{
    fields.insert(u"type"_s, type);
    fields.insert(u"id"_s, id);
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(fields).toJson(QJsonDocument::Compact)));
}

void SteadySender::onConnected()
{
    m_lastOpened = Clock::now();
    send(u"hello"_s, u"hello"_s,
         {{u"versions"_s, QJsonArray{1}}, {u"client"_s, u"tidings-tests steady sender"_s}});
}

void SteadySender::onText(const QString &text)
{
    const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString id = frame.value(u"id"_s).toString();
    if (id.isEmpty())
        return; // an event: what the other member sent, a resync, …
    const bool ok = frame.value(u"type"_s).toString() == u"result";
    const QString code = frame.value(u"code"_s).toString();
    if (id == u"hello" || id == u"auth") {
        if (!ok) {
            // The node may be going away under us: try again from the start.
            m_problems.append(
                u"%1 failed: %2 %3"_s.arg(id, code, frame.value(u"message"_s).toString()));
            m_socket.abort();
        } else if (id == u"hello") {
            send(u"auth"_s, u"auth"_s, {{u"token"_s, m_token}});
        } else {
            m_signedIn = true;
            m_signIns.append(Clock::now());
            flush();
        }
        return;
    }
    const auto sent = m_inFlight.constFind(id);
    if (sent == m_inFlight.cend()) {
        m_problems.append(u"a reply to no request of ours: "_s + text.left(200));
        return;
    }
    const int n = sent.value();
    m_inFlight.erase(sent);
    if (ok) {
        const QJsonObject event = frame.value(u"event"_s).toObject();
        const QString clientId = event.value(u"client_id"_s).toString();
        const qint64 seq = event.value(u"seq"_s).toInteger();
        if (clientId != this->clientId(n))
            m_problems.append(u"the ack of %1 names %2"_s.arg(this->clientId(n), clientId));
        else if (m_acked.contains(clientId) && m_acked.value(clientId) != seq)
            m_problems.append(u"%1 acked with seq %2, then %3"_s.arg(clientId)
                                  .arg(m_acked.value(clientId))
                                  .arg(seq));
        m_acked.insert(this->clientId(n), seq);
    } else if (code == u"rate_limited" || code == u"unavailable") {
        ++m_retriedErrors[code];
        m_waiting.push_front(n);
    } else {
        m_problems.append(
            u"%1: %2 %3"_s.arg(clientId(n), code, frame.value(u"message"_s).toString()));
    }
    flush();
}

void SteadySender::onLost()
{
    if (m_closing || m_reconnectPending)
        return;
    if (m_signedIn) {
        ++m_connectionsLost;
        m_lastLoss = Clock::now();
    }
    m_signedIn = false;
    // Whatever was in flight may or may not have been stored: send it again, same client_id.
    QList<int> unanswered = m_inFlight.values();
    m_inFlight.clear();
    std::sort(unanswered.begin(), unanswered.end(), std::greater<>());
    for (const int n : std::as_const(unanswered))
        m_waiting.push_front(n);
    m_reconnectPending = true;
    QTimer::singleShot(kReconnectDelayMs, this, &SteadySender::connectToRelay);
}

void SteadySender::add(int count)
{
    for (int i = 0; i < count; ++i)
        m_waiting.push_back(m_created++);
    flush();
}

void SteadySender::flush()
{
    if (!m_signedIn)
        return;
    while (!m_waiting.empty() && m_inFlight.size() < m_window) {
        const int n = m_waiting.front();
        m_waiting.pop_front();
        const QString id = u"m"_s + QString::number(m_nextRequest++);
        m_inFlight.insert(id, n);
        send(id, u"message.send"_s,
             {{u"conversation"_s, m_conversation},
              {u"client_id"_s, clientId(n)},
              {u"text"_s, text(n)}});
    }
}

} // namespace tidings::test
