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
#include <optional>

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

Result<RelayConfig> resolveRelayConfig(const ConfigInputs &inputs)
{
    RelayConfig config;

    const QString configName = QString::fromLatin1(kConfigOption);
    config.configFile = inputs.flags.value(
        configName, inputs.environment.value(environmentVariableFor(configName)));
    QHash<QString, QString> fileValues;
    if (!config.configFile.isEmpty()) {
        auto file = readConfigFile(config.configFile);
        if (!file)
            return file.error();
        fileValues = std::move(file).value();
    }

    auto lookup = [&](const QString &name) -> std::optional<Value> {
        if (inputs.flags.contains(name))
            return Value{inputs.flags.value(name), u"--"_s + name};
        const QString variable = environmentVariableFor(name);
        if (inputs.environment.contains(variable))
            return Value{inputs.environment.value(variable), variable};
        if (fileValues.contains(name))
            return Value{fileValues.value(name), config.configFile};
        return std::nullopt;
    };

    if (const auto value = lookup(u"listen"_s)) {
        const QString text = value->text.trimmed();
        if (text == u"localhost")
            config.listenAddress = QHostAddress(QHostAddress::LocalHost);
        else if (!config.listenAddress.setAddress(text))
            return invalid(u"listen address"_s, *value, u"expected an IPv4 or IPv6 address"_s);
    }
    if (const auto value = lookup(u"port"_s)) {
        const auto port = parseInteger(value->text, 0, 65535);
        if (!port)
            return invalid(u"port"_s, *value, u"expected a number from 0 to 65535"_s);
        config.port = static_cast<quint16>(*port);
    }
    if (const auto value = lookup(u"port-file"_s))
        config.portFile = value->text;
    if (const auto value = lookup(u"data-dir"_s)) {
        if (value->text.trimmed().isEmpty())
            return invalid(u"data directory"_s, *value, u"expected a path"_s);
        config.dataDirectory = value->text;
    } else {
        config.dataDirectory = defaultDataDirectory();
    }
    if (const auto value = lookup(u"tls-cert"_s))
        config.tlsCertificateFile = value->text;
    if (const auto value = lookup(u"tls-key"_s))
        config.tlsPrivateKeyFile = value->text;
    if (config.tlsCertificateFile.isEmpty() != config.tlsPrivateKeyFile.isEmpty())
        return Error{ErrorCode::BadRequest, u"TLS needs both tls-cert and tls-key"_s};
    if (const auto value = lookup(u"max-frame-bytes"_s)) {
        const auto bytes = parseInteger(value->text, 1024, qint64(64) * 1024 * 1024);
        if (!bytes)
            return invalid(u"max-frame-bytes"_s, *value, u"expected 1024 to 67108864"_s);
        config.maxFrameBytes = *bytes;
    }
    if (const auto value = lookup(u"listen-backlog"_s)) {
        const auto backlog = parseInteger(value->text, 1, 1 << 20);
        if (!backlog)
            return invalid(u"listen-backlog"_s, *value, u"expected 1 to 1048576"_s);
        config.listenBacklog = static_cast<int>(*backlog);
    }
    if (const auto value = lookup(u"io-threads"_s)) {
        const auto threads = parseInteger(value->text, 0, 64);
        if (!threads)
            return invalid(u"io-threads"_s, *value, u"expected 0 to 64"_s);
        config.ioThreads = static_cast<int>(*threads);
    }
    if (const auto value = lookup(u"event-loop"_s)) {
        if (value->origin == config.configFile)
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
    if (const auto value = lookup(u"log-format"_s)) {
        if (value->text == u"text")
            config.logFormat = LogFormat::Text;
        else if (value->text == u"json")
            config.logFormat = LogFormat::Json;
        else
            return invalid(u"log-format"_s, *value, u"expected 'text' or 'json'"_s);
    }
    if (const auto value = lookup(u"registration"_s)) {
        if (value->text == u"open")
            config.registrationOpen = true;
        else if (value->text == u"closed")
            config.registrationOpen = false;
        else
            return invalid(u"registration"_s, *value, u"expected 'open' or 'closed'"_s);
    }
    if (const auto value = lookup(u"password-cost"_s)) {
        if (value->text == u"interactive")
            config.passwordCost = PasswordCost::Interactive;
        else if (value->text == u"moderate")
            config.passwordCost = PasswordCost::Moderate;
        else if (value->text == u"minimum")
            config.passwordCost = PasswordCost::Minimum;
        else
            return invalid(u"password-cost"_s, *value,
                           u"expected 'interactive', 'moderate' or 'minimum'"_s);
    }
    if (const auto value = lookup(u"max-text-bytes"_s)) {
        const auto bytes = parseInteger(value->text, 1, qint64(16) * 1024 * 1024);
        if (!bytes)
            return invalid(u"max-text-bytes"_s, *value, u"expected 1 to 16777216"_s);
        config.maxTextBytes = *bytes;
    }
    if (const auto value = lookup(u"max-group-members"_s)) {
        const auto count = parseInteger(value->text, 2, 1000000);
        if (!count)
            return invalid(u"max-group-members"_s, *value, u"expected 2 to 1000000"_s);
        config.maxGroupMembers = static_cast<int>(*count);
    }
    if (const auto value = lookup(u"heartbeat-seconds"_s)) {
        const auto seconds = parseInteger(value->text, 1, 3600);
        if (!seconds)
            return invalid(u"heartbeat-seconds"_s, *value, u"expected 1 to 3600"_s);
        config.heartbeatSeconds = static_cast<int>(*seconds);
    }
    if (const auto value = lookup(u"max-connections-per-address"_s)) {
        const auto count = parseInteger(value->text, 1, 1'000'000);
        if (!count)
            return invalid(u"max-connections-per-address"_s, *value, u"expected 1 to 1000000"_s);
        config.maxConnectionsPerAddress = static_cast<int>(*count);
    }
    if (const auto value = lookup(u"max-pending-per-address"_s)) {
        const auto count = parseInteger(value->text, 1, 1'000'000);
        if (!count)
            return invalid(u"max-pending-per-address"_s, *value, u"expected 1 to 1000000"_s);
        config.maxPendingPerAddress = static_cast<int>(*count);
    }
    if (const auto value = lookup(u"sign-in-seconds"_s)) {
        const auto seconds = parseInteger(value->text, 1, 3600);
        if (!seconds)
            return invalid(u"sign-in-seconds"_s, *value, u"expected 1 to 3600"_s);
        config.signInSeconds = static_cast<int>(*seconds);
    }
    if (const auto value = lookup(u"allowed-origins"_s)) {
        config.allowedOrigins.clear();
        const auto origins = value->text.split(u',', Qt::SkipEmptyParts);
        for (const QString &origin : origins)
            config.allowedOrigins.append(origin.trimmed());
    }
    if (const auto value = lookup(u"store-sync"_s)) {
        if (value->text == u"full")
            config.storeSyncFull = true;
        else if (value->text == u"normal")
            config.storeSyncFull = false;
        else
            return invalid(u"store-sync"_s, *value, u"expected 'full' or 'normal'"_s);
    }
    if (const auto value = lookup(u"store"_s); value && !value->text.isEmpty()) {
        if (!value->text.startsWith(u"postgresql://") && !value->text.startsWith(u"postgres://"))
            return Error{ErrorCode::BadRequest,
                         u"invalid store (from %1): expected empty (embedded SQLite) or "
                         "postgresql://…"_s.arg(value->origin)}; // the URL may hold a password
        config.store = value->text;
    }
    if (const auto value = lookup(u"bus"_s); value && !value->text.isEmpty()) {
        if (!value->text.startsWith(u"redis://"))
            return Error{ErrorCode::BadRequest,
                         u"invalid bus (from %1): expected empty (one node) or "
                         "redis://host:port"_s.arg(value->origin)}; // the URL may hold a password
        config.bus = value->text;
    }
    if (const auto value = lookup(u"media"_s); value && !value->text.isEmpty()) {
        if (!value->text.startsWith(u"s3://"))
            return invalid(u"media"_s, *value,
                           u"expected empty (the data directory) or s3://bucket…"_s);
        config.media = value->text;
    }
    if (!config.bus.isEmpty() && config.store.isEmpty())
        return Error{ErrorCode::BadRequest,
                     u"bus is set but store is not: nodes that share a bus must share a "
                     "postgresql store"_s};
    if (const auto value = lookup(u"session-idle-days"_s)) {
        const auto days = parseInteger(value->text, 0, 36500);
        if (!days)
            return invalid(u"session-idle-days"_s, *value, u"expected 0 (never) to 36500"_s);
        config.sessionIdleDays = static_cast<int>(*days);
    }
    if (const auto value = lookup(u"retention-days"_s)) {
        const auto days = parseInteger(value->text, 0, 365 * 100);
        if (!days)
            return invalid(u"retention-days"_s, *value, u"expected 0 (forever) to 36500"_s);
        config.retentionDays = static_cast<int>(*days);
    }
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
        if (const auto value = lookup(QString::fromLatin1(setting.name))) {
            const auto bytes = parseInteger(value->text, setting.min, setting.max);
            if (!bytes)
                return invalid(QString::fromLatin1(setting.name), *value,
                               u"expected %1 to %2"_s.arg(setting.min).arg(setting.max));
            *setting.target = *bytes;
        }
    }
    if (const auto value = lookup(u"media-types"_s)) {
        config.mediaTypes.clear();
        const auto patterns = value->text.split(u',', Qt::SkipEmptyParts);
        static const QRegularExpression pattern(u"^(\\*|[a-z0-9.+-]+/(\\*|[a-z0-9.+-]+))$"_s);
        for (const QString &item : patterns) {
            const QString type = item.trimmed().toLower();
            if (!pattern.match(type).hasMatch())
                return invalid(u"media-types"_s, *value,
                               u"expected MIME types or patterns like image/* or *"_s);
            config.mediaTypes.append(type);
        }
        if (config.mediaTypes.isEmpty())
            return invalid(u"media-types"_s, *value, u"expected at least one type"_s);
    }
    const struct
    {
        const char *name;
        int *target;
    } secondSettings[] = {{"media-unsent-seconds", &config.mediaUnsentSeconds},
                          {"media-sweep-seconds", &config.mediaSweepSeconds}};
    for (const auto &setting : secondSettings) {
        if (const auto value = lookup(QString::fromLatin1(setting.name))) {
            const auto seconds = parseInteger(value->text, 1, 365 * 24 * 3600);
            if (!seconds)
                return invalid(QString::fromLatin1(setting.name), *value,
                               u"expected 1 to 31536000"_s);
            *setting.target = static_cast<int>(*seconds);
        }
    }
    const struct
    {
        const char *name;
        qint64 min;
        qint64 max;
        qint64 *target;
    } msSettings[] = {{"push-coalesce-ms", 0, 3600 * 1000, &config.pushCoalesceMs},
                      {"push-retry-base-ms", 10, 3600 * 1000, &config.pushRetryBaseMs}};
    for (const auto &setting : msSettings) {
        if (const auto value = lookup(QString::fromLatin1(setting.name))) {
            const auto ms = parseInteger(value->text, setting.min, setting.max);
            if (!ms)
                return invalid(QString::fromLatin1(setting.name), *value,
                               u"expected %1 to %2"_s.arg(setting.min).arg(setting.max));
            *setting.target = *ms;
        }
    }
    if (const auto value = lookup(u"push-max-attempts"_s)) {
        const auto attempts = parseInteger(value->text, 1, 100);
        if (!attempts)
            return invalid(u"push-max-attempts"_s, *value, u"expected 1 to 100"_s);
        config.pushMaxAttempts = int(*attempts);
    }
    if (const auto value = lookup(u"push-max-in-flight"_s)) {
        const auto count = parseInteger(value->text, 1, 100000);
        if (!count)
            return invalid(u"push-max-in-flight"_s, *value, u"expected 1 to 100000"_s);
        config.pushMaxInFlight = int(*count);
    }
    if (const auto value = lookup(u"push-timeout-ms"_s)) {
        const auto ms = parseInteger(value->text, 100, 600 * 1000);
        if (!ms)
            return invalid(u"push-timeout-ms"_s, *value, u"expected 100 to 600000"_s);
        config.pushTimeoutMs = int(*ms);
    }
    if (const auto value = lookup(u"push-show-sender"_s)) {
        if (value->text != u"yes" && value->text != u"no")
            return invalid(u"push-show-sender"_s, *value, u"expected 'yes' or 'no'"_s);
        config.pushShowSender = value->text == u"yes";
    }
    if (const auto value = lookup(u"push-unifiedpush-endpoints"_s)) {
        config.pushUnifiedPushPrefixes.clear();
        if (value->text.trimmed() != u"none") {
            const auto prefixes = value->text.split(u',', Qt::SkipEmptyParts);
            for (const QString &item : prefixes) {
                const QString prefix = item.trimmed();
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
        if (const auto value = lookup(QString::fromLatin1(name))) {
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
    const std::pair<const char *, double *> rates[]
        = {{"sign-in-rate", &config.signInsPerMinute},
           {"message-rate", &config.messagesPerSecond},
           {"frame-rate", &config.framesPerSecond},
           {"group-rate", &config.groupChangesPerMinute}};
    for (const auto &[name, target] : rates) {
        if (const auto value = lookup(QString::fromLatin1(name))) {
            bool ok = false;
            const double rate = value->text.trimmed().toDouble(&ok);
            if (!ok || !(rate > 0) || rate > 1e9)
                return invalid(QString::fromLatin1(name), *value, u"expected a positive number"_s);
            *target = rate;
        }
    }
    if (config.maxTextBytes + 4096 > config.maxFrameBytes) {
        return Error{ErrorCode::BadRequest,
                     u"max-frame-bytes (%1) must exceed max-text-bytes (%2) by at least 4096"_s
                         .arg(config.maxFrameBytes)
                         .arg(config.maxTextBytes)};
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
