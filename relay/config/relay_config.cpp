#include "config/relay_config.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

struct SettingSpec
{
    const char *name;
    const char *valueName;
    const char *description;
};

// One row per setting: its flag, its TIDINGS_* variable and its key in the config file
// all derive from `name`. Defaults live in RelayConfig.
constexpr std::array kSettings = {
    SettingSpec{"listen", "address", "Address to listen on (default 127.0.0.1; 0.0.0.0 for all)."},
    SettingSpec{"port", "port",
                "TCP port for HTTP and WebSocket (default 8420; 0 picks a free one)."},
    SettingSpec{"port-file", "path", "Write the port actually listened on to this file."},
    SettingSpec{"data-dir", "path",
                "Directory for the store and media (default: per-user data dir)."},
    SettingSpec{"tls-cert", "path",
                "PEM certificate (chain) file; enables TLS together with --tls-key."},
    SettingSpec{"tls-key", "path", "PEM private key file for --tls-cert."},
    SettingSpec{"max-frame-bytes", "bytes", "Largest WebSocket message accepted (default 262144)."},
    SettingSpec{"listen-backlog", "count", "TCP listen backlog (default 4096)."},
    SettingSpec{"io-threads", "count",
                "Threads that serve WebSocket connections, each with its own event loop "
                "(default: one per core but one; 0 serves them on the main thread)."},
    SettingSpec{"log-format", "text|json", "Log line format on stderr (default text)."},
    SettingSpec{"event-loop", "epoll|qt",
                "Event dispatcher: epoll (Linux, the default there; cost per event independent "
                "of idle connections) or qt (Qt's own). Flag or environment only."},
    SettingSpec{"registration", "open|closed", "Whether anyone may register (default open)."},
    SettingSpec{
        "password-cost", "interactive|moderate|minimum",
        "Argon2id cost of new password hashes (default interactive; minimum is for tests)."},
    SettingSpec{"max-text-bytes", "bytes", "Longest message text in UTF-8 bytes (default 65536)."},
    SettingSpec{"e2e", "required|optional|off",
                "End-to-end encryption: refuse plaintext content, take both, or refuse "
                "encryption (default: required for a new store, optional for one upgraded from a "
                "version before end-to-end encryption that has accounts)."},
    SettingSpec{"max-ciphertext-bytes", "bytes",
                "Largest end-to-end encrypted message, decoded (default 163840)."},
    SettingSpec{"max-group-members", "count", "Most members a group may have (default 1000)."},
    SettingSpec{"heartbeat-seconds", "seconds",
                "Ping a silent connection after this long; drop it after three times as long "
                "(default 30)."},
    SettingSpec{"max-connections-per-address", "count",
                "Connections one client address (IPv6: one /64) may hold (default 1024)."},
    SettingSpec{"max-pending-per-address", "count",
                "Of those, connections that have not sent their first request yet (default "
                "128)."},
    SettingSpec{"sign-in-seconds", "seconds",
                "Close a connection that said hello but has not signed in (register, login or "
                "auth) after this long (default 60)."},
    SettingSpec{
        "store-sync", "full|normal",
        "full: every commit survives power loss (default); normal: faster, may lose the last "
        "commits on power loss."},
    SettingSpec{"store", "url",
                "Where the store is: empty for the embedded SQLite file in the data directory "
                "(the default), or postgresql://user@host:port/database for the cluster store "
                "shared by every node (password: TIDINGS_STORE_PASSWORD or ~/.pgpass)."},
    SettingSpec{"bus", "url",
                "How nodes tell each other what happened: empty for one node (the default), or "
                "redis://host:port for Redis pub/sub (needs the postgresql store)."},
    SettingSpec{"media", "url",
                "Where media bytes are kept: empty for the data directory (the default), or "
                "s3://bucket/prefix?endpoint=https://host&region=r for S3-compatible storage "
                "(keys: TIDINGS_S3_ACCESS_KEY_ID, TIDINGS_S3_SECRET_ACCESS_KEY)."},
    SettingSpec{"session-idle-days", "days",
                "Sign out a session (device) unused for this long; its media links and push "
                "targets go with it (default 90; 0: never)."},
    SettingSpec{"retention-days", "days",
                "Erase message content older than this (default 0: keep forever)."},
    SettingSpec{"inbox-retention-days", "days",
                "Delete end-to-end key messages a device has not fetched for this long "
                "(default 30)."},
    SettingSpec{"sign-in-rate", "per-minute",
                "Sign-in attempts allowed per IP address per minute (default 30)."},
    SettingSpec{"message-rate", "per-second",
                "Messages a user may write per second, bursts of twice that (default 20)."},
    SettingSpec{"group-rate", "per-minute",
                "Groups a user may create or add people to per minute, in bursts of the same "
                "(default 30)."},
    SettingSpec{"frame-rate", "per-second",
                "Frames a connection may send per second, bursts of twice that (default 100)."},
    SettingSpec{"media-max-bytes", "bytes", "Largest file a user may upload (default 104857600)."},
    SettingSpec{"media-quota-bytes", "bytes",
                "Media a user may keep stored, in bytes (default 10737418240; 0: no quota)."},
    SettingSpec{"media-max-total-bytes", "bytes",
                "Media all users together may keep stored (default 0: no limit but the disk's)."},
    SettingSpec{"media-min-free-bytes", "bytes",
                "Refuse new uploads when the media disk would have less free than this "
                "(default 1073741824)."},
    SettingSpec{"media-max-unfinished", "count",
                "Uploads a user may have begun and not finished at once (default 32)."},
    SettingSpec{"media-chunk-bytes", "bytes",
                "Largest body of one upload request (default 8388608)."},
    SettingSpec{"media-types", "list",
                "Comma-separated MIME types accepted for upload, e.g. image/*,video/mp4 "
                "(default *: any)."},
    SettingSpec{"media-unsent-seconds", "seconds",
                "Delete an upload no message refers to after this long (default 86400)."},
    SettingSpec{"media-sweep-seconds", "seconds",
                "How often media no message refers to any more is deleted (default 60)."},
    SettingSpec{"push-coalesce-ms", "ms",
                "A push waits this long for more messages to count into it (default 3000)."},
    SettingSpec{"push-retry-base-ms", "ms",
                "First retry delay of a failed push; doubles with each try (default 2000)."},
    SettingSpec{"push-max-attempts", "count",
                "Tries before a push goes to the dead letters (default 8)."},
    SettingSpec{"push-timeout-ms", "ms",
                "How long a push provider may take to answer (default 10000)."},
    SettingSpec{"push-max-in-flight", "count",
                "Pushes being sent (or waiting for their endpoint) at once (default 256)."},
    SettingSpec{"push-show-sender", "yes|no",
                "Whether a push names the sender to the provider (default no)."},
    SettingSpec{"push-unifiedpush-endpoints", "list",
                "Comma-separated URL prefixes UnifiedPush/ntfy endpoints must start with "
                "(default https://; none: UnifiedPush off)."},
    SettingSpec{"push-webhook-url", "url", "Webhook provider: where signed pushes are POSTed."},
    SettingSpec{"push-webhook-secret-file", "path",
                "Webhook provider: file holding the HMAC-SHA256 signing secret."},
    SettingSpec{"push-fcm-credentials-file", "path",
                "FCM provider: the Firebase service-account JSON key file."},
    SettingSpec{"push-fcm-url", "url", "FCM API base (default https://fcm.googleapis.com)."},
    SettingSpec{"push-apns-key-file", "path", "APNs provider: the .p8 token signing key file."},
    SettingSpec{"push-apns-key-id", "id", "APNs provider: the key's id (10 characters)."},
    SettingSpec{"push-apns-team-id", "id", "APNs provider: the Apple developer team id."},
    SettingSpec{"push-apns-topic", "bundle-id", "APNs provider: the app's bundle id."},
    SettingSpec{"push-apns-url", "url",
                "APNs API base (default https://api.push.apple.com; the sandbox is "
                "https://api.sandbox.push.apple.com)."},
    SettingSpec{"allowed-origins", "list",
                "Comma-separated WebSocket Origins (web pages) allowed; * for any (default: none; "
                "native clients send none and are always allowed)."},
};

constexpr auto kConfigOption = "config";

struct Value
{
    QString text;
    QString origin; // "--port", "TIDINGS_PORT", "relay.conf"
};

Error invalid(const QString &name, const Value &value, const QString &expected)
{
    return Error{ErrorCode::BadRequest,
                 u"invalid %1 '%2' (from %3): %4"_s.arg(name, value.text, value.origin, expected)};
}

Result<QHash<QString, QString>> readConfigFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{ErrorCode::NotFound, u"config file %1 does not exist"_s.arg(path)};
    if (!info.isFile() || !info.isReadable())
        return Error{ErrorCode::Io, u"config file %1 is not a readable file"_s.arg(path)};

    QSettings settings(path, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError)
        return Error{ErrorCode::BadRequest, u"config file %1 has a syntax error"_s.arg(path)};

    QHash<QString, QString> values;
    const QStringList keys = settings.allKeys();
    for (const QString &key : keys) {
        const bool known
            = std::any_of(kSettings.begin(), kSettings.end(),
                          [&](const SettingSpec &s) { return key == QLatin1StringView(s.name); });
        if (!known) {
            return Error{ErrorCode::BadRequest,
                         u"config file %1: unknown setting '%2'"_s.arg(path, key)};
        }
        const QVariant value = settings.value(key);
        // QSettings splits unquoted values at commas; no setting of ours is a list.
        values.insert(key,
                      value.userType() == QMetaType::QStringList ? value.toStringList().join(u',')
                                                                 : value.toString());
    }
    return values;
}

std::optional<qint64> parseInteger(const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    if (!ok || number < min || number > max)
        return std::nullopt;
    return number;
}

} // namespace

QString environmentVariableFor(const QString &name)
{
    return u"TIDINGS_"_s + name.toUpper().replace(u'-', u'_');
}

int defaultIoThreads()
{
    // The main thread — the chat core — keeps a core of its own: on 2 cores a second I/O
    // thread took CPU from it and a reconnect storm timed out (docs/benchmarks.md).
    return std::max(0, QThread::idealThreadCount() - 1);
}

QString defaultDataDirectory()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return base + u"/tidings-relay"_s;
}

void addRelayOptions(QCommandLineParser &parser)
{
    parser.addOption({QString::fromLatin1(kConfigOption),
                      u"Read settings from this INI file (also TIDINGS_CONFIG)."_s, u"path"_s});
    for (const SettingSpec &spec : kSettings) {
        parser.addOption({QString::fromLatin1(spec.name), QString::fromLatin1(spec.description),
                          QString::fromLatin1(spec.valueName)});
    }
}

ConfigInputs configInputsFrom(const QCommandLineParser &parser, QProcessEnvironment environment)
{
    ConfigInputs inputs;
    inputs.environment = std::move(environment);
    if (parser.isSet(QString::fromLatin1(kConfigOption)))
        inputs.flags.insert(QString::fromLatin1(kConfigOption),
                            parser.value(QString::fromLatin1(kConfigOption)));
    for (const SettingSpec &spec : kSettings) {
        const QString name = QString::fromLatin1(spec.name);
        if (parser.isSet(name))
            inputs.flags.insert(name, parser.value(name));
    }
    return inputs;
}

namespace {

/// Where each setting's value comes from, highest precedence first: its flag, its TIDINGS_*
/// environment variable, the config file.
class SettingSource
{
public:
    /// Reads the config file named by --config or TIDINGS_CONFIG, if any.
    static Result<SettingSource> open(const ConfigInputs &inputs)
    {
        const QString configName = QString::fromLatin1(kConfigOption);
        SettingSource source(inputs);
        source.m_configFile = inputs.flags.value(
            configName, inputs.environment.value(environmentVariableFor(configName)));
        if (!source.m_configFile.isEmpty()) {
            auto file = readConfigFile(source.m_configFile);
            if (!file)
                return file.error();
            source.m_fileValues = std::move(file).value();
        }
        return source;
    }

    const QString &configFile() const { return m_configFile; }

    /// The value of setting `name` and where it came from; nothing when it is not given.
    std::optional<Value> lookup(const QString &name) const
    {
        if (m_inputs->flags.contains(name))
            return Value{m_inputs->flags.value(name), u"--"_s + name};
        const QString variable = environmentVariableFor(name);
        if (m_inputs->environment.contains(variable))
            return Value{m_inputs->environment.value(variable), variable};
        if (m_fileValues.contains(name))
            return Value{m_fileValues.value(name), m_configFile};
        return std::nullopt;
    }

private:
    explicit SettingSource(const ConfigInputs &inputs) : m_inputs(&inputs) { }

    const ConfigInputs *m_inputs;
    QString m_configFile;
    QHash<QString, QString> m_fileValues;
};

/// Sets `target` from integer setting `name` when it is given: from `min` to `max`, else an
/// error that says `expected` ("expected <min> to <max>" when empty).
template<typename Number>
Result<void> readInteger(const SettingSource &source, const QString &name, qint64 min, qint64 max,
                         Number &target, const QString &expected = {})
{
    if (const auto value = source.lookup(name)) {
        const auto number = parseInteger(value->text, min, max);
        if (!number)
            return invalid(name, *value,
                           expected.isEmpty() ? u"expected %1 to %2"_s.arg(min).arg(max)
                                              : expected);
        target = static_cast<Number>(*number);
    }
    return {};
}

/// Sets `target` from setting `name` when it is given: one of the words in `choices`, else
/// an error that says `expected`.
template<typename T>
Result<void>
readChoice(const SettingSource &source, const QString &name,
           std::type_identity_t<std::initializer_list<std::pair<QStringView, T>>> choices,
           const QString &expected, T &target)
{
    if (const auto value = source.lookup(name)) {
        const auto chosen = std::find_if(choices.begin(), choices.end(), [&](const auto &choice) {
            return value->text == choice.first;
        });
        if (chosen == choices.end())
            return invalid(name, *value, expected);
        target = chosen->second;
    }
    return {};
}

/// A comma-separated list, each item trimmed, empty ones left out.
QStringList listOf(const QString &text)
{
    QStringList items;
    const auto parts = text.split(u',', Qt::SkipEmptyParts);
    for (const QString &part : parts)
        items.append(part.trimmed());
    return items;
}

/// Where the relay listens and how it serves connections.
Result<void> resolveListener(const SettingSource &source, RelayConfig &config)
{
    if (const auto value = source.lookup(u"listen"_s)) {
        const QString text = value->text.trimmed();
        if (text == u"localhost")
            config.listenAddress = QHostAddress(QHostAddress::LocalHost);
        else if (!config.listenAddress.setAddress(text))
            return invalid(u"listen address"_s, *value, u"expected an IPv4 or IPv6 address"_s);
    }
    if (auto port = readInteger(source, u"port"_s, 0, 65535, config.port,
                                u"expected a number from 0 to 65535"_s);
        !port)
        return port;
    if (const auto value = source.lookup(u"port-file"_s))
        config.portFile = value->text;
    if (const auto value = source.lookup(u"data-dir"_s)) {
        if (value->text.trimmed().isEmpty())
            return invalid(u"data directory"_s, *value, u"expected a path"_s);
        config.dataDirectory = value->text;
    } else {
        config.dataDirectory = defaultDataDirectory();
    }
    if (const auto value = source.lookup(u"tls-cert"_s))
        config.tlsCertificateFile = value->text;
    if (const auto value = source.lookup(u"tls-key"_s))
        config.tlsPrivateKeyFile = value->text;
    if (config.tlsCertificateFile.isEmpty() != config.tlsPrivateKeyFile.isEmpty())
        return Error{ErrorCode::BadRequest, u"TLS needs both tls-cert and tls-key"_s};
    if (auto bytes = readInteger(source, u"max-frame-bytes"_s, 1024, qint64(64) * 1024 * 1024,
                                 config.maxFrameBytes);
        !bytes)
        return bytes;
    if (auto backlog = readInteger(source, u"listen-backlog"_s, 1, 1 << 20, config.listenBacklog);
        !backlog)
        return backlog;
    return readInteger(source, u"io-threads"_s, 0, 64, config.ioThreads);
}

/// The event loop (chosen before the config file is read) and the log format.
Result<void> resolveProcess(const SettingSource &source, RelayConfig &config)
{
    if (const auto value = source.lookup(u"event-loop"_s)) {
        if (value->origin == source.configFile())
            return invalid(u"event-loop"_s, *value,
                           u"set it with --event-loop or TIDINGS_EVENT_LOOP (it is chosen "
                           "before the config file is read)"_s);
        if (value->text == u"qt")
            config.eventLoop = EventLoop::Qt;
#ifdef Q_OS_LINUX
        else if (value->text == u"epoll")
            config.eventLoop = EventLoop::Epoll;
#endif
        else
            return invalid(u"event-loop"_s, *value,
#ifdef Q_OS_LINUX
                           u"expected 'epoll' or 'qt'"_s);
#else
                           u"expected 'qt' (epoll needs Linux)"_s);
#endif
    }
    return readChoice(source, u"log-format"_s,
                      {{u"text", LogFormat::Text}, {u"json", LogFormat::Json}},
                      u"expected 'text' or 'json'"_s, config.logFormat);
}

/// Accounts, and what one user or connection may do.
Result<void> resolveLimits(const SettingSource &source, RelayConfig &config)
{
    if (auto registration
        = readChoice(source, u"registration"_s, {{u"open", true}, {u"closed", false}},
                     u"expected 'open' or 'closed'"_s, config.registrationOpen);
        !registration)
        return registration;
    if (auto cost
        = readChoice(source, u"password-cost"_s,
                     {{u"interactive", PasswordCost::Interactive},
                      {u"moderate", PasswordCost::Moderate},
                      {u"minimum", PasswordCost::Minimum}},
                     u"expected 'interactive', 'moderate' or 'minimum'"_s, config.passwordCost);
        !cost)
        return cost;
    E2eSetting e2e = E2eSetting::Required;
    if (auto read = readChoice(source, u"e2e"_s,
                               {{u"required", E2eSetting::Required},
                                {u"optional", E2eSetting::Optional},
                                {u"off", E2eSetting::Off}},
                               u"expected 'required', 'optional' or 'off'"_s, e2e);
        !read)
        return read;
    if (source.lookup(u"e2e"_s))
        config.e2e = e2e;
    const struct
    {
        const char *name;
        qint64 min;
        qint64 max;
        std::variant<qint64 *, int *> target;
    } integers[] = {
        {"max-text-bytes", 1, qint64(16) * 1024 * 1024, &config.maxTextBytes},
        {"max-ciphertext-bytes", 1024, qint64(16) * 1024 * 1024, &config.maxCiphertextBytes},
        {"max-group-members", 2, 1000000, &config.maxGroupMembers},
        {"heartbeat-seconds", 1, 3600, &config.heartbeatSeconds},
        {"max-connections-per-address", 1, 1'000'000, &config.maxConnectionsPerAddress},
        {"max-pending-per-address", 1, 1'000'000, &config.maxPendingPerAddress},
        {"sign-in-seconds", 1, 3600, &config.signInSeconds},
    };
    for (const auto &setting : integers) {
        auto read = std::visit(
            [&](auto *target) {
                return readInteger(source, QString::fromLatin1(setting.name), setting.min,
                                   setting.max, *target);
            },
            setting.target);
        if (!read)
            return read;
    }
    if (const auto value = source.lookup(u"allowed-origins"_s))
        config.allowedOrigins = listOf(value->text);
    return {};
}

/// Where the store, the bus and media are, and how long what is stored is kept.
Result<void> resolveStorage(const SettingSource &source, RelayConfig &config)
{
    if (auto sync = readChoice(source, u"store-sync"_s, {{u"full", true}, {u"normal", false}},
                               u"expected 'full' or 'normal'"_s, config.storeSyncFull);
        !sync)
        return sync;
    if (const auto value = source.lookup(u"store"_s); value && !value->text.isEmpty()) {
        if (!value->text.startsWith(u"postgresql://") && !value->text.startsWith(u"postgres://"))
            return Error{ErrorCode::BadRequest,
                         u"invalid store (from %1): expected empty (embedded SQLite) or "
                         "postgresql://…"_s.arg(value->origin)}; // the URL may hold a password
        config.store = value->text;
    }
    if (const auto value = source.lookup(u"bus"_s); value && !value->text.isEmpty()) {
        if (!value->text.startsWith(u"redis://"))
            return Error{ErrorCode::BadRequest,
                         u"invalid bus (from %1): expected empty (one node) or "
                         "redis://host:port"_s.arg(value->origin)}; // the URL may hold a password
        config.bus = value->text;
    }
    if (const auto value = source.lookup(u"media"_s); value && !value->text.isEmpty()) {
        if (!value->text.startsWith(u"s3://"))
            return invalid(u"media"_s, *value,
                           u"expected empty (the data directory) or s3://bucket…"_s);
        config.media = value->text;
    }
    if (!config.bus.isEmpty() && config.store.isEmpty())
        return Error{ErrorCode::BadRequest,
                     u"bus is set but store is not: nodes that share a bus must share a "
                     "postgresql store"_s};
    if (auto idle = readInteger(source, u"session-idle-days"_s, 0, 36500, config.sessionIdleDays,
                                u"expected 0 (never) to 36500"_s);
        !idle)
        return idle;
    if (auto inbox = readInteger(source, u"inbox-retention-days"_s, 1, 36500,
                                 config.inboxRetentionDays, u"expected 1 to 36500"_s);
        !inbox)
        return inbox;
    return readInteger(source, u"retention-days"_s, 0, 365 * 100, config.retentionDays,
                       u"expected 0 (forever) to 36500"_s);
}

/// The media API's limits and upkeep.
Result<void> resolveMedia(const SettingSource &source, RelayConfig &config)
{
    const struct
    {
        const char *name;
        qint64 min;
        qint64 max;
        qint64 *target;
    } boundedSettings[] = {
        // bytes, and the one count among them
        {"media-max-bytes", 0, qint64(1) << 40, &config.mediaMaxBytes},
        {"media-quota-bytes", 0, qint64(1) << 50, &config.mediaQuotaBytes},
        {"media-max-total-bytes", 0, qint64(1) << 60, &config.mediaMaxTotalBytes},
        {"media-min-free-bytes", 0, qint64(1) << 60, &config.mediaMinFreeBytes},
        {"media-max-unfinished", 1, 100000, &config.mediaMaxUnfinished},
        {"media-chunk-bytes", 64 * 1024, qint64(256) * 1024 * 1024, &config.mediaChunkBytes},
    };
    for (const auto &setting : boundedSettings) {
        if (auto read = readInteger(source, QString::fromLatin1(setting.name), setting.min,
                                    setting.max, *setting.target);
            !read)
            return read;
    }
    if (const auto value = source.lookup(u"media-types"_s)) {
        config.mediaTypes.clear();
        static const QRegularExpression pattern(u"^(\\*|[a-z0-9.+-]+/(\\*|[a-z0-9.+-]+))$"_s);
        const QStringList types = listOf(value->text);
        for (const QString &item : types) {
            const QString type = item.toLower();
            if (!pattern.match(type).hasMatch())
                return invalid(u"media-types"_s, *value,
                               u"expected MIME types or patterns like image/* or *"_s);
            config.mediaTypes.append(type);
        }
        if (config.mediaTypes.isEmpty())
            return invalid(u"media-types"_s, *value, u"expected at least one type"_s);
    }
    for (const auto &[name, target] :
         {std::pair{"media-unsent-seconds", &config.mediaUnsentSeconds},
          std::pair{"media-sweep-seconds", &config.mediaSweepSeconds}}) {
        if (auto read = readInteger(source, QString::fromLatin1(name), 1, 365 * 24 * 3600, *target);
            !read)
            return read;
    }
    return {};
}

/// Push notifications: timing, bounds, and each provider's settings.
Result<void> resolvePush(const SettingSource &source, RelayConfig &config)
{
    const struct
    {
        const char *name;
        qint64 min;
        qint64 max;
        std::variant<qint64 *, int *> target;
    } integers[] = {
        {"push-coalesce-ms", 0, 3600 * 1000, &config.pushCoalesceMs},
        {"push-retry-base-ms", 10, 3600 * 1000, &config.pushRetryBaseMs},
        {"push-max-attempts", 1, 100, &config.pushMaxAttempts},
        {"push-max-in-flight", 1, 100000, &config.pushMaxInFlight},
        {"push-timeout-ms", 100, 600 * 1000, &config.pushTimeoutMs},
    };
    for (const auto &setting : integers) {
        auto read = std::visit(
            [&](auto *target) {
                return readInteger(source, QString::fromLatin1(setting.name), setting.min,
                                   setting.max, *target);
            },
            setting.target);
        if (!read)
            return read;
    }
    if (auto show = readChoice(source, u"push-show-sender"_s, {{u"yes", true}, {u"no", false}},
                               u"expected 'yes' or 'no'"_s, config.pushShowSender);
        !show)
        return show;
    if (const auto value = source.lookup(u"push-unifiedpush-endpoints"_s)) {
        config.pushUnifiedPushPrefixes.clear();
        if (value->text.trimmed() != u"none") {
            const QStringList prefixes = listOf(value->text);
            for (const QString &prefix : prefixes) {
                if (!prefix.startsWith(u"https://") && !prefix.startsWith(u"http://"))
                    return invalid(u"push-unifiedpush-endpoints"_s, *value,
                                   u"expected URL prefixes starting with https:// or http://, "
                                   "or none"_s);
                config.pushUnifiedPushPrefixes.append(prefix);
            }
        }
    }
    const std::pair<const char *, QString *> pushTexts[]
        = {{"push-webhook-url", &config.pushWebhookUrl},
           {"push-webhook-secret-file", &config.pushWebhookSecretFile},
           {"push-fcm-credentials-file", &config.pushFcmCredentialsFile},
           {"push-fcm-url", &config.pushFcmUrl},
           {"push-apns-key-file", &config.pushApnsKeyFile},
           {"push-apns-key-id", &config.pushApnsKeyId},
           {"push-apns-team-id", &config.pushApnsTeamId},
           {"push-apns-topic", &config.pushApnsTopic},
           {"push-apns-url", &config.pushApnsUrl}};
    for (const auto &[name, target] : pushTexts) {
        if (const auto value = source.lookup(QString::fromLatin1(name))) {
            const QString text = value->text.trimmed();
            if (QByteArrayView(name).endsWith("-url") && !text.isEmpty()
                && !text.startsWith(u"https://") && !text.startsWith(u"http://"))
                return invalid(QString::fromLatin1(name), *value, u"expected an http(s) URL"_s);
            *target = text;
        }
    }
    while (config.pushFcmUrl.endsWith(u'/'))
        config.pushFcmUrl.chop(1);
    while (config.pushApnsUrl.endsWith(u'/'))
        config.pushApnsUrl.chop(1);
    if (config.pushWebhookUrl.isEmpty() != config.pushWebhookSecretFile.isEmpty())
        return Error{ErrorCode::BadRequest,
                     u"push-webhook-url and push-webhook-secret-file go together"_s};
    return {};
}

/// The rate limits: positive numbers, fractions allowed.
Result<void> resolveRates(const SettingSource &source, RelayConfig &config)
{
    const std::pair<const char *, double *> rates[]
        = {{"sign-in-rate", &config.signInsPerMinute},
           {"message-rate", &config.messagesPerSecond},
           {"frame-rate", &config.framesPerSecond},
           {"group-rate", &config.groupChangesPerMinute}};
    for (const auto &[name, target] : rates) {
        if (const auto value = source.lookup(QString::fromLatin1(name))) {
            bool ok = false;
            const double rate = value->text.trimmed().toDouble(&ok);
            if (!ok || !(rate > 0) || rate > 1e9)
                return invalid(QString::fromLatin1(name), *value, u"expected a positive number"_s);
            *target = rate;
        }
    }
    return {};
}

/// Settings that must agree with each other, once each is valid by itself.
Result<void> checkConsistency(const SettingSource &source, RelayConfig &config)
{
    if (config.maxTextBytes + 4096 > config.maxFrameBytes) {
        return Error{ErrorCode::BadRequest,
                     u"max-frame-bytes (%1) must exceed max-text-bytes (%2) by at least 4096"_s
                         .arg(config.maxFrameBytes)
                         .arg(config.maxTextBytes)};
    }
    // An encrypted message travels as base64: 4 characters for every 3 bytes. Unless set,
    // its limit follows smaller frames down.
    if (!source.lookup(u"max-ciphertext-bytes"_s))
        config.maxCiphertextBytes
            = std::min(config.maxCiphertextBytes, (config.maxFrameBytes - 4096) / 4 * 3);
    const qint64 ciphertextChars = (config.maxCiphertextBytes + 2) / 3 * 4;
    if (ciphertextChars + 4096 > config.maxFrameBytes) {
        return Error{ErrorCode::BadRequest,
                     u"max-frame-bytes (%1) must exceed the base64 of max-ciphertext-bytes (%2 "
                     "characters) by at least 4096"_s.arg(config.maxFrameBytes)
                         .arg(ciphertextChars)};
    }
    return {};
}

} // namespace

Result<RelayConfig> resolveRelayConfig(const ConfigInputs &inputs)
{
    const auto source = SettingSource::open(inputs);
    if (!source)
        return source.error();
    RelayConfig config;
    config.configFile = source->configFile();
    // In this order: when several settings are wrong, the first one met is reported.
    using Step = Result<void> (*)(const SettingSource &, RelayConfig &);
    for (const Step step : {resolveListener, resolveProcess, resolveLimits, resolveStorage,
                            resolveMedia, resolvePush, resolveRates, checkConsistency}) {
        if (auto resolved = step(*source, config); !resolved)
            return resolved.error();
    }
    return config;
}

EventLoop eventLoopBeforeStart(int argc, const char *const *argv)
{
    QByteArray chosen = qgetenv("TIDINGS_EVENT_LOOP");
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "--event-loop" && i + 1 < argc)
            chosen = argv[i + 1];
        else if (argument.startsWith("--event-loop="))
            chosen = argument.mid(int(std::strlen("--event-loop=")));
    }
    if (chosen == "qt")
        return EventLoop::Qt;
#ifdef Q_OS_LINUX
    if (chosen == "epoll")
        return EventLoop::Epoll;
#endif
    return RelayConfig().eventLoop;
}

} // namespace tidings::relay
