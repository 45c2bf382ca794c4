#include "push_fixture.h"

#include "support/file_helpers.h"
#include "support/http_helpers.h"
#include "support/protocol_replies.h"

#include <QDebug>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace tidings::test {

QJsonObject json(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

double metric(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

QByteArray metrics(RelayProcess &relay)
{
    return httpGet(relay.httpUrl(u"/metrics"_s)).body;
}

QJsonObject webhookTarget(const QString &token)
{
    return {{u"provider"_s, u"webhook"_s}, {u"address"_s, token}};
}

qint64 createGroup(ProtocolClient &client, const QString &title, const QJsonArray &members)
{
    return client.request(u"group.create"_s, {{u"title"_s, title}, {u"members"_s, members}})
        .value(u"conversation"_s)
        .toObject()
        .value(u"id"_s)
        .toInteger();
}

bool send(ProtocolClient &client, qint64 conversation, const QString &text)
{
    static int counter = 0;
    const QJsonObject reply
        = client.sendMessage(conversation, u"push-test-%1"_s.arg(++counter), text);
    if (!ok(reply))
        qWarning() << "message.send:" << reply;
    return ok(reply);
}

QString PushFixture::writeFile(const QString &name, const QByteArray &contents)
{
    return tidings::test::writeFile(m_files.filePath(name), contents);
}

QStringList PushFixture::relayArguments(const QStringList &more)
{
    QStringList arguments{u"--push-webhook-url"_s,
                          QString::fromLatin1(m_hook.url("/hook")),
                          u"--push-webhook-secret-file"_s,
                          writeFile(u"secret"_s, QByteArray(kSecret) + '\n'),
                          u"--push-unifiedpush-endpoints"_s,
                          u"http://127.0.0.1:"_s,
                          u"--push-coalesce-ms"_s,
                          u"200"_s,
                          u"--push-retry-base-ms"_s,
                          u"200"_s,
                          u"--push-timeout-ms"_s,
                          u"2000"_s};
    return arguments + more;
}

User PushFixture::userWithTarget(RelayProcess &relay, const QString &name,
                                 const QJsonObject &target, bool stay)
{
    User user;
    user.id = user.client->signUp(relay.webSocketUrl(), name);
    const QJsonObject registered = user.client->request(u"push.register"_s, target);
    if (!ok(registered))
        qWarning() << "push.register:" << registered;
    if (!ok(registered))
        user.id = 0;
    if (!stay)
        user.client->close();
    return user;
}

User PushFixture::signedUp(RelayProcess &relay, const QString &name)
{
    User user;
    user.id = user.client->signUp(relay.webSocketUrl(), name);
    return user;
}

QJsonArray PushFixture::offlineUsers(RelayProcess &relay, int count, const QString &prefix,
                                     const std::function<QJsonObject(int)> &targetFor)
{
    QJsonArray ids;
    for (int i = 0; i < count; ++i) {
        const User user = userWithTarget(relay, prefix + QString::number(i), targetFor(i));
        if (!user.id)
            break;
        ids.append(user.id);
    }
    return ids;
}

void PushFixture::reset()
{
    m_hook.setResponder([](const ReceivedRequest &) { return StandInReply{}; });
    m_hook.dropConnections();
    m_hook.clearReceived();
}

} // namespace tidings::test
