// The four push providers: webhook, UnifiedPush (ntfy), FCM HTTP v1 and APNs.
#include "crypto/sealed_box.h"
#include "push/jwt.h"
#include "push/push_http.h"
#include "push/push_provider.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>
#include <QUuid>

#include <deque>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

using Kind = PushOutcome::Kind;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

PushOutcome outcome(Kind kind, const QByteArray &reason, const QString &detail)
{
    return PushOutcome{kind, reason, detail, -1};
}

/// Answers `done` from the event loop, never from within send().
void later(QObject *context, std::function<void(const PushOutcome &)> done, PushOutcome result)
{
    QMetaObject::invokeMethod(
        context, [done = std::move(done), result = std::move(result)] { done(result); },
        Qt::QueuedConnection);
}

/// A device token: printable ASCII without spaces, 1 to 4096 characters.
Result<void> checkToken(const QString &address, const QString &what)
{
    if (address.isEmpty() || address.size() > 4096)
        return Error{ErrorCode::BadRequest, u"%1 has 1 to 4096 characters"_s.arg(what)};
    for (const QChar c : address) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return Error{ErrorCode::BadRequest,
                         u"%1 is printable ASCII without spaces"_s.arg(what)};
    }
    return {};
}

/// The webhook: a JSON POST to the admin's URL, signed with HMAC-SHA-256 so the receiver
/// knows it comes from this relay (docs/operations.md shows how to check it).
class WebhookProvider final : public PushProvider
{
public:
    WebhookProvider(const PushOptions &options, PushHttp &http, QObject *context)
        : m_url(options.webhookUrl), m_secret(options.webhookSecret),
          m_timeoutMs(options.timeoutMs), m_http(http), m_context(context)
    { }

    QString name() const override { return u"webhook"_s; }

    Result<void> checkAddress(const QString &address) const override
    {
        return checkToken(address, u"a webhook target"_s);
    }

    void send(const PushNotice &notice, std::function<void(const PushOutcome &)> done) override
    {
        const QByteArray body = compact({{u"id"_s, notice.key},
                                         {u"target"_s, notice.address},
                                         {u"notification"_s, notice.notification}});
        const QByteArray timestamp = QByteArray::number(nowMs() / 1000);
        const QByteArray signature = crypto::hmacSha256(m_secret, timestamp + '.' + body).toHex();
        PushHttpRequest request;
        request.url = m_url;
        request.body = body;
        request.timeoutMs = m_timeoutMs;
        request.headers
            = {"Content-Type: application/json", "Idempotency-Key: " + notice.key.toLatin1(),
               "Tidings-Signature: t=" + timestamp + ",v1=" + signature};
        m_http.send(std::move(request), m_context,
                    [done = std::move(done)](const PushHttpResponse &response) {
                        PushOutcome result = classifyResponse(response);
                        if (response.status == 410)
                            result = outcome(Kind::InvalidTarget, "invalid_target",
                                             u"the webhook says the target is gone (410)"_s);
                        done(result);
                    });
    }

private:
    QByteArray m_url;
    QByteArray m_secret;
    int m_timeoutMs;
    PushHttp &m_http;
    QObject *m_context;
};

/// UnifiedPush (ntfy and other distributors): the notification as the body of a POST to the
/// device's own endpoint URL (RFC 8030 headers).
class UnifiedPushProvider final : public PushProvider
{
public:
    UnifiedPushProvider(const PushOptions &options, PushHttp &http, QObject *context)
        : m_prefixes(options.unifiedPushPrefixes), m_timeoutMs(options.timeoutMs), m_http(http),
          m_context(context)
    { }

    QString name() const override { return u"unifiedpush"_s; }

    QString endpointOf(const QString &address) const override
    {
        const QUrl url(address);
        return url.host() + u':' + QString::number(url.port(url.scheme() == u"https" ? 443 : 80));
    }

    Result<void> checkAddress(const QString &address) const override
    {
        const QUrl url(address, QUrl::StrictMode);
        if (address.size() > 4096 || !url.isValid() || url.host().isEmpty()
            || (url.scheme() != u"https" && url.scheme() != u"http") || !url.userInfo().isEmpty())
            return Error{ErrorCode::BadRequest, u"a UnifiedPush target is an http(s) URL"_s};
        if (allowedBy(url) != Allowed::No)
            return {};
        return Error{ErrorCode::Forbidden,
                     u"this relay does not send pushes to that endpoint: it accepts %1"_s.arg(
                         m_prefixes.join(u", "_s))};
    }

    void send(const PushNotice &notice, std::function<void(const PushOutcome &)> done) override
    {
        PushHttpRequest request;
        request.url = notice.address.toUtf8();
        // A device's own URL: unless the admin named its host, public addresses only.
        request.publicOnly = allowedBy(QUrl(notice.address)) != Allowed::ByHost;
        request.body = compact(notice.notification);
        request.timeoutMs = m_timeoutMs;
        request.headers = {"Content-Type: application/json", "TTL: 86400", "Urgency: high"};
        m_http.send(std::move(request), m_context,
                    [done = std::move(done)](const PushHttpResponse &response) {
                        PushOutcome result = classifyResponse(response);
                        if (response.status == 404 || response.status == 410)
                            result
                                = outcome(Kind::InvalidTarget, "invalid_target",
                                          u"the endpoint is gone (HTTP %1)"_s.arg(response.status));
                        done(result);
                    });
    }

private:
    enum class Allowed { No, ByScheme, ByHost };

    /// Which prefix allows `url`: a bare "https://" any host (public ones, when sending);
    /// "https://ntfy.example.org/up" that host — any port unless the prefix names one —
    /// and the paths under /up.
    Allowed allowedBy(const QUrl &url) const
    {
        // Dot segments would let "/up/../admin" pass as under "/up" (libcurl, like any
        // client, resolves them before sending): such a URL is allowed by nothing.
        const QStringList segments = url.path(QUrl::FullyDecoded).split(u'/');
        if (segments.contains(u"."_s) || segments.contains(u".."_s))
            return Allowed::No;
        Allowed best = Allowed::No;
        for (const QString &text : m_prefixes) {
            const QUrl prefix(text);
            if (prefix.scheme() != url.scheme())
                continue;
            if (prefix.host().isEmpty()) {
                best = Allowed::ByScheme;
                continue;
            }
            const int defaultPort = url.scheme() == u"https" ? 443 : 80;
            if (prefix.host() == url.host()
                && (prefix.port() == -1 || prefix.port() == url.port(defaultPort))
                && underPath(url.path(QUrl::FullyDecoded), prefix.path(QUrl::FullyDecoded)))
                return Allowed::ByHost;
        }
        return best;
    }

    /// "/up" holds "/up" and "/up/…", not "/upload".
    static bool underPath(const QString &path, const QString &prefix)
    {
        if (prefix.isEmpty() || prefix.endsWith(u'/'))
            return path.startsWith(prefix) || (prefix == u"/" && path.isEmpty());
        return path == prefix || path.startsWith(prefix + u'/');
    }

    QStringList m_prefixes;
    int m_timeoutMs;
    PushHttp &m_http;
    QObject *m_context;
};

/// A cached bearer token and the sends waiting for a fresh one.
struct TokenCache
{
    QByteArray token;
    qint64 expiresAt = 0;
    bool fetching = false;
    std::deque<std::pair<PushNotice, std::function<void(const PushOutcome &)>>> waiting;

    bool valid() const { return !token.isEmpty() && nowMs() < expiresAt; }
};

/// FCM HTTP v1: an OAuth2 access token, got from a JWT (RS256) signed with the service
/// account's key, authorizes each message; data-only messages, so the app words the
/// notification itself.
class FcmProvider final : public PushProvider
{
public:
    static Result<std::unique_ptr<PushProvider>> make(const PushOptions &options, PushHttp &http,
                                                      QObject *context)
    {
        QJsonParseError parseError{};
        const QJsonObject account
            = QJsonDocument::fromJson(options.fcmCredentials, &parseError).object();
        const QString email = account.value(u"client_email"_s).toString();
        const QString project = account.value(u"project_id"_s).toString();
        const QString tokenUri = account.value(u"token_uri"_s).toString();
        if (parseError.error != QJsonParseError::NoError || email.isEmpty() || project.isEmpty()
            || !tokenUri.startsWith(u"http"_s))
            return Error{ErrorCode::BadRequest,
                         u"the FCM credentials are not a service-account JSON file (need "
                         "client_email, project_id, token_uri and private_key)"_s};
        auto signer = JwtSigner::fromPem(JwtAlgorithm::RS256,
                                         account.value(u"private_key"_s).toString().toUtf8());
        if (!signer)
            return Error{ErrorCode::BadRequest,
                         u"the FCM credentials' private_key: %1"_s.arg(signer.error().message)};
        return std::unique_ptr<PushProvider>(
            new FcmProvider(options, http, context, std::move(signer).value(), email,
                            account.value(u"private_key_id"_s).toString(), project, tokenUri));
    }

    QString name() const override { return u"fcm"_s; }
    int maxInFlightPerEndpoint() const override { return 128; }

    Result<void> checkAddress(const QString &address) const override
    {
        return checkToken(address, u"an FCM registration token"_s);
    }

    void send(const PushNotice &notice, std::function<void(const PushOutcome &)> done) override
    {
        if (m_token.valid())
            return post(notice, std::move(done));
        m_token.waiting.emplace_back(notice, std::move(done));
        fetchToken();
    }

private:
    FcmProvider(const PushOptions &options, PushHttp &http, QObject *context, JwtSigner signer,
                QString email, QString keyId, QString project, QString tokenUri)
        : m_signer(std::move(signer)), m_email(std::move(email)), m_keyId(std::move(keyId)),
          m_tokenUri(std::move(tokenUri)),
          m_sendUrl(options.fcmUrl + "/v1/projects/" + QUrl::toPercentEncoding(project)
                    + "/messages:send"),
          m_timeoutMs(options.timeoutMs), m_http(http), m_context(context)
    { }

    void fetchToken()
    {
        if (m_token.fetching)
            return;
        const qint64 now = nowMs() / 1000;
        QJsonObject header;
        if (!m_keyId.isEmpty())
            header.insert(u"kid"_s, m_keyId);
        const auto assertion = m_signer.sign(header,
                                             {{u"iss"_s, m_email},
                                              {u"scope"_s,
                                               u"https://www.googleapis.com/auth/"
                                               "firebase.messaging"_s},
                                              {u"aud"_s, m_tokenUri},
                                              {u"iat"_s, now},
                                              {u"exp"_s, now + 3600}});
        if (!assertion) {
            const PushOutcome failed
                = outcome(Kind::Retry, "unauthorized", assertion.error().message);
            QMetaObject::invokeMethod(
                m_context, [this, failed] { failWaiting(failed); }, Qt::QueuedConnection);
            return;
        }
        m_token.fetching = true;
        PushHttpRequest request;
        request.url = m_tokenUri.toUtf8();
        request.timeoutMs = m_timeoutMs;
        request.headers = {"Content-Type: application/x-www-form-urlencoded"};
        request.body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                       "&assertion="
            + *assertion;
        m_http.send(std::move(request), m_context, [this](const PushHttpResponse &response) {
            m_token.fetching = false;
            const QJsonObject answer = QJsonDocument::fromJson(response.body).object();
            const QByteArray token = answer.value(u"access_token"_s).toString().toLatin1();
            if (response.status != 200 || token.isEmpty()) {
                PushOutcome failed = classifyResponse(response);
                failed.kind = Kind::Retry;
                failed.reason = response.status == 0 ? failed.reason : "unauthorized";
                failed.detail = u"FCM access token: "_s + failed.detail;
                return failWaiting(failed);
            }
            const qint64 lifetime = answer.value(u"expires_in"_s).toInteger(3600);
            m_token.token = token;
            // Renewed a minute early, so no request goes out with a token about to expire.
            m_token.expiresAt = nowMs() + std::max<qint64>(lifetime - 60, 30) * 1000;
            auto waiting = std::move(m_token.waiting);
            m_token.waiting.clear();
            for (auto &[notice, done] : waiting)
                post(notice, std::move(done));
        });
    }

    void failWaiting(const PushOutcome &failed)
    {
        auto waiting = std::move(m_token.waiting);
        m_token.waiting.clear();
        for (auto &[notice, done] : waiting)
            done(failed);
    }

    void post(const PushNotice &notice, std::function<void(const PushOutcome &)> done)
    {
        // Data values are strings in FCM.
        QJsonObject data;
        for (auto it = notice.notification.begin(); it != notice.notification.end(); ++it)
            data.insert(it.key(),
                        it->isString() ? it->toString() : QString::number(it->toInteger()));
        const QJsonObject message{{u"token"_s, notice.address},
                                  {u"data"_s, data},
                                  {u"android"_s,
                                   QJsonObject{{u"priority"_s, u"high"_s},
                                               {u"collapse_key"_s, notice.collapseId},
                                               {u"ttl"_s, u"86400s"_s}}}};
        PushHttpRequest request;
        request.url = m_sendUrl;
        request.timeoutMs = m_timeoutMs;
        request.body = compact({{u"message"_s, message}});
        request.headers
            = {"Content-Type: application/json", "Authorization: Bearer " + m_token.token};
        m_http.send(std::move(request), m_context,
                    [this, token = m_token.token, done = std::move(done)](
                        const PushHttpResponse &response) { done(read(response, token)); });
    }

    PushOutcome read(const PushHttpResponse &response, const QByteArray &token)
    {
        const QJsonObject error
            = QJsonDocument::fromJson(response.body).object().value(u"error"_s).toObject();
        QString code;
        const QJsonArray details = error.value(u"details"_s).toArray();
        for (const QJsonValue &detail : details) {
            if (detail.toObject().contains(u"errorCode"_s))
                code = detail.toObject().value(u"errorCode"_s).toString();
        }
        if (response.status == 401) {
            if (m_token.token == token)
                m_token.token.clear(); // fetched again before the retry
            return PushOutcome{Kind::Retry, "unauthorized", u"FCM refused the access token"_s, 0};
        }
        if (code == u"UNREGISTERED" || code == u"SENDER_ID_MISMATCH" || response.status == 404)
            return outcome(Kind::InvalidTarget, "invalid_target",
                           u"FCM: %1"_s.arg(code.isEmpty() ? u"not found"_s : code));
        PushOutcome result = classifyResponse(response);
        if (!code.isEmpty())
            result.detail += u" ("_s + code + u')';
        return result;
    }

    JwtSigner m_signer;
    QString m_email;
    QString m_keyId;
    QString m_tokenUri;
    QByteArray m_sendUrl;
    int m_timeoutMs;
    PushHttp &m_http;
    QObject *m_context;
    TokenCache m_token;
};

/// APNs: HTTP/2, a provider token (JWT, ES256) renewed every 40 minutes (Apple refuses
/// tokens older than an hour and renewing more often than every 20), an alert the app's
/// notification extension may rewrite (mutable-content).
class ApnsProvider final : public PushProvider
{
public:
    static Result<std::unique_ptr<PushProvider>> make(const PushOptions &options, PushHttp &http,
                                                      QObject *context)
    {
        if (options.apnsKeyId.isEmpty() || options.apnsTeamId.isEmpty()
            || options.apnsTopic.isEmpty())
            return Error{ErrorCode::BadRequest,
                         u"APNs needs push-apns-key-id, push-apns-team-id and push-apns-topic "
                         "besides the key file"_s};
        auto signer = JwtSigner::fromPem(JwtAlgorithm::ES256, options.apnsKey);
        if (!signer)
            return Error{ErrorCode::BadRequest,
                         u"the APNs key file: %1"_s.arg(signer.error().message)};
        return std::unique_ptr<PushProvider>(
            new ApnsProvider(options, http, context, std::move(signer).value()));
    }

    QString name() const override { return u"apns"_s; }

    QString normalized(const QString &address) const override { return address.toLower(); }
    int maxInFlightPerEndpoint() const override { return 128; }

    Result<void> checkAddress(const QString &address) const override
    {
        static const QRegularExpression hex(u"^[0-9a-f]{64,200}$"_s);
        if (!hex.match(address).hasMatch())
            return Error{ErrorCode::BadRequest,
                         u"an APNs device token is 64 to 200 lower-case hexadecimal digits"_s};
        return {};
    }

    void send(const PushNotice &notice, std::function<void(const PushOutcome &)> done) override
    {
        if (m_token.token.isEmpty() || nowMs() >= m_token.expiresAt) {
            auto token = m_signer.sign({{u"kid"_s, m_keyId}},
                                       {{u"iss"_s, m_teamId}, {u"iat"_s, nowMs() / 1000}});
            if (!token)
                return later(m_context, std::move(done),
                             outcome(Kind::Retry, "unauthorized", token.error().message));
            m_token.token = *token;
            m_token.expiresAt = nowMs() + 40 * 60 * 1000;
        }
        QJsonObject aps{{u"alert"_s,
                         QJsonObject{{u"loc-key"_s, u"TIDINGS_NEW_MESSAGES"_s},
                                     {u"loc-args"_s,
                                      QJsonArray{QString::number(
                                          notice.notification.value(u"count"_s).toInt(1))}}}},
                        {u"sound"_s, u"default"_s},
                        {u"mutable-content"_s, 1},
                        {u"thread-id"_s, notice.collapseId}};
        if (!notice.sealed)
            aps.insert(u"badge"_s, notice.unread);
        PushHttpRequest request;
        request.url = m_url + "/3/device/" + notice.address.toLatin1();
        request.http2 = true;
        request.timeoutMs = m_timeoutMs;
        request.body = compact({{u"aps"_s, aps}, {u"tidings"_s, notice.notification}});
        request.headers = {
            "Content-Type: application/json",
            "authorization: bearer " + m_token.token,
            "apns-topic: " + m_topic,
            "apns-push-type: alert",
            "apns-priority: 10",
            "apns-expiration: " + QByteArray::number(nowMs() / 1000 + 86400),
            "apns-collapse-id: " + notice.collapseId.toLatin1(),
            "apns-id: " + apnsId(notice.key),
        };
        m_http.send(std::move(request), m_context,
                    [this, token = m_token.token, done = std::move(done)](
                        const PushHttpResponse &response) { done(read(response, token)); });
    }

private:
    ApnsProvider(const PushOptions &options, PushHttp &http, QObject *context, JwtSigner signer)
        : m_signer(std::move(signer)), m_keyId(options.apnsKeyId), m_teamId(options.apnsTeamId),
          m_topic(options.apnsTopic.toUtf8()), m_url(options.apnsUrl),
          m_timeoutMs(options.timeoutMs), m_http(http), m_context(context)
    { }

    /// The job key (32 hex digits) as the UUID APNs wants, so a retry carries the same id.
    static QByteArray apnsId(const QString &key)
    {
        const QUuid uuid = QUuid::fromString(u"%1-%2-%3-%4-%5"_s.arg(
            key.mid(0, 8), key.mid(8, 4), key.mid(12, 4), key.mid(16, 4), key.mid(20, 12)));
        return uuid.toByteArray(QUuid::WithoutBraces).toUpper();
    }

    PushOutcome read(const PushHttpResponse &response, const QByteArray &token)
    {
        const QString reason
            = QJsonDocument::fromJson(response.body).object().value(u"reason"_s).toString();
        if (response.status == 410 || reason == u"BadDeviceToken" || reason == u"Unregistered"
            || reason == u"DeviceTokenNotForTopic")
            return outcome(Kind::InvalidTarget, "invalid_target", u"APNs: %1"_s.arg(reason));
        if (reason == u"ExpiredProviderToken" || reason == u"InvalidProviderToken") {
            if (m_token.token == token)
                m_token.token.clear(); // signed again for the retry, once
            return PushOutcome{Kind::Retry, "unauthorized", u"APNs: %1"_s.arg(reason), 0};
        }
        PushOutcome result = classifyResponse(response);
        if (!reason.isEmpty())
            result.detail += u" ("_s + reason + u')';
        return result;
    }

    JwtSigner m_signer;
    QString m_keyId;
    QString m_teamId;
    QByteArray m_topic;
    QByteArray m_url;
    int m_timeoutMs;
    PushHttp &m_http;
    QObject *m_context;
    TokenCache m_token;
};

/// A Retry-After value (seconds, or an HTTP date) in ms from now; -1 if unreadable.
qint64 retryAfterMs(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return -1;
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? -1 : std::min<qint64>(seconds, 24 * 3600) * 1000;
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(trimmed), Qt::RFC2822Date);
    if (!at.isValid())
        return -1;
    return std::clamp<qint64>(at.toMSecsSinceEpoch() - nowMs(), 0, 24 * 3600 * 1000);
}

} // namespace

PushOutcome classifyResponse(const PushHttpResponse &response)
{
    const int status = response.status;
    if (status == 0)
        return outcome(Kind::Retry, response.timedOut ? "timeout" : "network", response.error);
    if (status >= 200 && status < 300)
        return outcome(Kind::Accepted, {}, {});
    const QString detail = u"HTTP %1"_s.arg(status);
    if (status == 429) {
        PushOutcome result = outcome(Kind::Retry, "rate_limited", detail);
        result.retryAfterMs = retryAfterMs(response.header("retry-after"));
        return result;
    }
    if (status >= 500 || status == 408) {
        PushOutcome result = outcome(Kind::Retry, "http_5xx", detail);
        result.retryAfterMs = retryAfterMs(response.header("retry-after"));
        return result;
    }
    if (status == 401 || status == 403)
        return outcome(Kind::Failed, "unauthorized", detail);
    return outcome(Kind::Failed, "rejected", detail);
}

Result<std::vector<std::unique_ptr<PushProvider>>>
makePushProviders(const PushOptions &options, PushHttp &http, QObject *context)
{
    std::vector<std::unique_ptr<PushProvider>> providers;
    if (!options.unifiedPushPrefixes.isEmpty())
        providers.push_back(std::make_unique<UnifiedPushProvider>(options, http, context));
    if (!options.webhookUrl.isEmpty())
        providers.push_back(std::make_unique<WebhookProvider>(options, http, context));
    if (!options.fcmCredentials.isEmpty()) {
        auto fcm = FcmProvider::make(options, http, context);
        if (!fcm)
            return fcm.error();
        providers.push_back(std::move(fcm).value());
    }
    if (!options.apnsKey.isEmpty()) {
        auto apns = ApnsProvider::make(options, http, context);
        if (!apns)
            return apns.error();
        providers.push_back(std::move(apns).value());
    }
    return providers;
}

} // namespace tidings::relay
