#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkReply>
#include <QUrl>

namespace tidings::test {

struct HttpResult
{
    QNetworkReply::NetworkError error = QNetworkReply::UnknownNetworkError;
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;

    QJsonObject json() const;
    QByteArray header(const QByteArray &name) const;
};

/// GET `url` and wait for the whole answer (waits on signals; no sleeping).
HttpResult httpGet(const QUrl &url, int timeoutMs = 10000, bool ignoreTlsErrors = false);

/// Any request, with `headers` and `body`, waiting for the whole answer.
HttpResult httpRequest(const QByteArray &method, const QUrl &url,
                       const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                       const QByteArray &body = {}, int timeoutMs = 30000);

} // namespace tidings::test
