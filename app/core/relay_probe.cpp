#include "core/relay_probe.h"

#include "protocol/messages/http_messages.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace tidings::app {

using namespace Qt::StringLiterals;

RelayProbe::RelayProbe(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_network(network)
{ }

RelayProbe::~RelayProbe()
{
    if (m_reply)
        m_reply->abort();
}

void RelayProbe::probe(const ServerAddress &address, int timeoutMs)
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    QNetworkRequest request(address.endpoint(u"/healthz"_s));
    request.setTransferTimeout(timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    QNetworkReply *reply = m_network->get(request);
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { finish(reply); });
}

void RelayProbe::finish(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return;
    m_reply = nullptr;

    if (reply->error() != QNetworkReply::NoError) {
        Q_EMIT unreachable(tr("The server could not be reached: %1").arg(reply->errorString()));
        return;
    }
    // A bounded read: a health answer is tiny, whatever the other side sends.
    const auto health = protocol::messages::decodeBody<protocol::messages::Health>(
        reply->read(qint64(64) * 1024));
    if (!health || health->status != u"ok") {
        Q_EMIT unreachable(tr("The server answered, but it is not a Tidings relay."));
        return;
    }
    Q_EMIT reachable(health->version);
}

} // namespace tidings::app
