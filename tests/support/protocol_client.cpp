#include "support/protocol_client.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>

namespace tidings::test {

using namespace Qt::StringLiterals;

ProtocolClient::ProtocolClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ProtocolClient::onText);
}

ProtocolClient::~ProtocolClient()
{
    m_socket.abort();
}

bool ProtocolClient::open(const QUrl &url, int timeoutMs, const QString &origin)
{
    QNetworkRequest request(url);
    if (!origin.isEmpty())
        request.setRawHeader("Origin", origin.toUtf8());
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(request);
    return connected.wait(timeoutMs);
}

void ProtocolClient::close()
{
    m_socket.close();
}

bool ProtocolClient::isConnected() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

int ProtocolClient::waitForClose(int timeoutMs)
{
    if (m_socket.state() != QAbstractSocket::UnconnectedState) {
        QSignalSpy disconnected(&m_socket, &QWebSocket::disconnected);
        if (!disconnected.wait(timeoutMs))
            return -1;
    }
    return m_socket.closeCode();
}

void ProtocolClient::onText(const QString &text)
{
    const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString id = frame.value(u"id"_s).toString();
    if (!id.isEmpty() && id.startsWith(u"t-"_s))
        m_replies.insert(id, frame);
    else
        m_events.append(frame);
}

QString ProtocolClient::post(const QString &type, const QJsonObject &fields)
{
    const QString id = u"t-%1"_s.arg(m_nextId++);
    QJsonObject frame = fields;
    frame.insert(u"type"_s, type);
    frame.insert(u"id"_s, id);
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    return id;
}

QJsonObject ProtocolClient::request(const QString &type, const QJsonObject &fields, int timeoutMs)
{
    return reply(post(type, fields), timeoutMs);
}

QJsonObject ProtocolClient::reply(const QString &id, int timeoutMs)
{
    QSignalSpy messages(&m_socket, &QWebSocket::textMessageReceived);
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_replies.contains(id)) {
        if (deadline.hasExpired() || m_socket.state() == QAbstractSocket::UnconnectedState)
            return {};
        messages.wait(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    }
    return m_replies.take(id);
}

void ProtocolClient::sendText(const QString &text)
{
    m_socket.sendTextMessage(text);
}

void ProtocolClient::sendEvent(const QString &type, const QJsonObject &fields)
{
    QJsonObject frame = fields;
    frame.insert(u"type"_s, type);
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

QJsonObject ProtocolClient::next(const QString &type, int timeoutMs)
{
    QSignalSpy messages(&m_socket, &QWebSocket::textMessageReceived);
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        for (qsizetype i = 0; i < m_events.size(); ++i) {
            if (type.isEmpty() || m_events.at(i).value(u"type"_s).toString() == type)
                return m_events.takeAt(i);
        }
        if (deadline.hasExpired() || m_socket.state() == QAbstractSocket::UnconnectedState)
            return {};
        messages.wait(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    }
}

bool ProtocolClient::receives(const QString &type, int timeoutMs)
{
    return !next(type, timeoutMs).isEmpty();
}

QList<QJsonObject> ProtocolClient::takeEvents()
{
    if (m_socket.state() == QAbstractSocket::ConnectedState)
        request(u"ping"_s);
    return std::exchange(m_events, {});
}

bool ProtocolClient::hello()
{
    return isOk(
        request(u"hello"_s, {{u"versions"_s, QJsonArray{1}}, {u"client"_s, u"tidings-tests"_s}}));
}

QJsonObject ProtocolClient::registerUser(const QString &username, const QString &password,
                                         const QString &device)
{
    if (!hello())
        return {};
    QJsonObject fields{{u"username"_s, username}, {u"password"_s, password}};
    if (!device.isEmpty())
        fields.insert(u"device"_s, device);
    return request(u"register"_s, fields);
}

qint64 ProtocolClient::signUp(const QUrl &url, const QString &username, const QString &device)
{
    if (!open(url))
        return 0;
    const QJsonObject reply = registerUser(username, u"correct horse"_s, device);
    m_userId = isOk(reply) ? reply.value(u"user"_s).toObject().value(u"id"_s).toInteger() : 0;
    m_token = reply.value(u"token"_s).toString();
    return m_userId;
}

qint64 ProtocolClient::signIn(const QUrl &url, const QString &username, const QString &password)
{
    if (!open(url) || !hello())
        return 0;
    const QJsonObject reply
        = request(u"login"_s, {{u"username"_s, username}, {u"password"_s, password}});
    m_userId = isOk(reply) ? reply.value(u"user"_s).toObject().value(u"id"_s).toInteger() : 0;
    m_token = reply.value(u"token"_s).toString();
    return m_userId;
}

qint64 ProtocolClient::resume(const QUrl &url, const QString &token)
{
    if (!open(url) || !hello())
        return 0;
    const QJsonObject reply = request(u"auth"_s, {{u"token"_s, token}});
    m_userId = isOk(reply) ? reply.value(u"user"_s).toObject().value(u"id"_s).toInteger() : 0;
    m_token = m_userId ? token : QString();
    return m_userId;
}

QJsonObject ProtocolClient::sendMessage(qint64 conversation, const QString &clientId,
                                        const QString &text, const QJsonObject &more)
{
    QJsonObject fields = more;
    fields.insert(u"conversation"_s, conversation);
    fields.insert(u"client_id"_s, clientId);
    fields.insert(u"text"_s, text);
    return request(u"message.send"_s, fields);
}

qint64 ProtocolClient::openDirect(qint64 other)
{
    return request(u"direct.open"_s, {{u"user"_s, other}})
        .value(u"conversation"_s)
        .toObject()
        .value(u"id"_s)
        .toInteger();
}

QList<QJsonObject> ProtocolClient::wholeHistory(qint64 conversation)
{
    QList<QJsonObject> log;
    qint64 after = 0;
    while (true) {
        const QJsonObject page
            = request(u"history"_s,
                      {{u"conversation"_s, conversation}, {u"after"_s, after}, {u"limit"_s, 500}});
        const QJsonArray events = page.value(u"events"_s).toArray();
        for (const QJsonValue &event : events) {
            log.append(event.toObject());
            after = event.toObject().value(u"seq"_s).toInteger();
        }
        if (!page.value(u"more"_s).toBool())
            return log;
    }
}

} // namespace tidings::test
