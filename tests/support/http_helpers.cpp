#include "support/http_helpers.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSignalSpy>

namespace tidings::test {

namespace {

/// Waits for `reply` to finish and takes what it brought.
HttpResult collect(QNetworkReply &reply, int timeoutMs)
{
    QSignalSpy finished(&reply, &QNetworkReply::finished);
    if (!reply.isFinished() && !finished.wait(timeoutMs + 1000))
        return {};
    HttpResult result;
    result.error = reply.error();
    result.status = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply.isOpen()) // not after a HEAD
        result.body = reply.readAll();
    result.headers = reply.rawHeaderPairs();
    return result;
}

} // namespace

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray HttpResult::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpResult httpGet(const QUrl &url, int timeoutMs, bool ignoreTlsErrors)
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    if (ignoreTlsErrors)
        QObject::connect(reply.get(), &QNetworkReply::sslErrors, reply.get(),
                         [reply = reply.get()] { reply->ignoreSslErrors(); });
    return collect(*reply, timeoutMs);
}

HttpResult httpRequest(const QByteArray &method, const QUrl &url,
                       const QList<std::pair<QByteArray, QByteArray>> &headers,
                       const QByteArray &body, int timeoutMs)
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    std::unique_ptr<QNetworkReply> reply(network.sendCustomRequest(request, method, body));
    return collect(*reply, timeoutMs);
}

} // namespace tidings::test
