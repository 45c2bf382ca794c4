#include "bus/redis_address.h"

#include <QHostAddress>
#include <QUrl>

#include <limits>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

Error invalid(const QString &why)
{
    return Error{ErrorCode::BadRequest, u"invalid Redis URL: "_s + why};
}

} // namespace

Result<RedisAddress> RedisAddress::fromUrl(const QString &text, const QByteArray &fallbackPassword)
{
    // QUrl's errorString() quotes the input, which may hold a password: say why ourselves.
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid())
        return invalid(u"not a URL of the form redis://[:password@]host:port[/db]"_s);
    if (url.scheme() == u"rediss")
        return Error{ErrorCode::Unsupported, u"Redis over TLS (rediss://) is not supported"_s};
    if (url.scheme() != u"redis")
        return invalid(u"the scheme must be redis://"_s);
    if (url.hasQuery() || url.hasFragment())
        return invalid(u"no query or fragment is understood"_s);

    RedisAddress address;
    const QString host = url.host();
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0) {
        address.host = u"127.0.0.1"_s;
    } else {
        const QHostAddress numeric(host);
        if (numeric.isNull())
            return invalid(u"the host must be a numeric address or localhost, since a DNS "
                           "lookup would block the event loop"_s);
        address.host = numeric.toString();
    }

    const int port = url.port(6379);
    if (port <= 0)
        return invalid(u"the port must be 1 to 65535"_s);
    address.port = static_cast<quint16>(port);

    const QString path = url.path();
    if (!path.isEmpty() && path != u"/") {
        bool ok = false;
        const qlonglong database = path.mid(1).toLongLong(&ok);
        if (!ok || database < 0 || database > std::numeric_limits<int>::max())
            return invalid(u"the path must be a database number, such as /0"_s);
        address.database = static_cast<int>(database);
    }

    address.username = url.userName(QUrl::FullyDecoded).toUtf8();
    address.password = url.password(QUrl::FullyDecoded).toUtf8();
    if (address.password.isEmpty())
        address.password = fallbackPassword;
    if (!address.username.isEmpty() && address.password.isEmpty())
        return invalid(u"a user name needs a password"_s);
    return address;
}

QString RedisAddress::displayString() const
{
    const QString shownHost = host.contains(u':') ? u'[' + host + u']' : host;
    return u"redis://%1:%2/%3"_s.arg(shownHost).arg(port).arg(database);
}

} // namespace tidings::relay
