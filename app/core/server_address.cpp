#include "core/server_address.h"

#include <QCoreApplication>
#include <QHostAddress>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr int kDefaultRelayPort = 8420;

bool isLoopbackHost(const QString &host)
{
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

Error invalid(const char *why, const QString &argument = QString())
{
    QString message = QCoreApplication::translate("ServerAddress", why);
    if (!argument.isNull())
        message = message.arg(argument);
    return Error{ErrorCode::BadRequest, message};
}

} // namespace

Result<ServerAddress> ServerAddress::parse(const QString &input)
{
    QString text = input.trimmed();
    if (text.isEmpty())
        return invalid(
            QT_TRANSLATE_NOOP("ServerAddress", "Enter the address of a Tidings server."));

    const bool hasScheme = text.contains(u"://"_s);
    if (!hasScheme) {
        // Decide the scheme from the host part alone.
        const QUrl probe = QUrl::fromUserInput(u"http://"_s + text);
        text.prepend(isLoopbackHost(probe.host()) ? u"http://"_s : u"https://"_s);
    }

    QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return invalid(QT_TRANSLATE_NOOP("ServerAddress", "“%1” is not a server address."),
                       input.trimmed());

    const QString scheme = url.scheme().toLower();
    if (scheme == u"ws")
        url.setScheme(u"http"_s);
    else if (scheme == u"wss")
        url.setScheme(u"https"_s);
    else if (scheme == u"http" || scheme == u"https")
        url.setScheme(scheme);
    else
        return invalid(
            QT_TRANSLATE_NOOP("ServerAddress",
                              "Server addresses start with https:// or http://, not %1://."),
            scheme);

    if (!url.userInfo().isEmpty())
        return invalid(QT_TRANSLATE_NOOP(
            "ServerAddress", "A server address must not contain a user name or password."));
    if (!hasScheme && url.port() == -1 && isLoopbackHost(url.host()))
        url.setPort(kDefaultRelayPort);

    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    if (path.endsWith(u"/ws"))
        path.chop(3);
    url.setPath(path);
    url.setQuery(QString());
    url.setFragment(QString());
    url.setHost(url.host().toLower());

    ServerAddress address;
    address.m_http = url;
    return address;
}

QUrl ServerAddress::webSocketUrl() const
{
    QUrl url = endpoint(u"/ws"_s);
    url.setScheme(m_http.scheme() == u"https" ? u"wss"_s : u"ws"_s);
    return url;
}

QUrl ServerAddress::endpoint(const QString &path) const
{
    QUrl url = m_http;
    url.setPath(m_http.path() + path);
    return url;
}

} // namespace tidings::app
