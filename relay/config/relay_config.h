#pragma once

#include "util/result.h"

#include <QHash>
#include <QHostAddress>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;

namespace tidings::relay {

enum class LogFormat { Text, Json };
/// Argon2id cost for new password hashes: libsodium's interactive or moderate level, or
/// the minimum (only for tests: it makes hashes cheap to attack).
/// What the relay takes of end-to-end encryption: `off` refuses its requests and
/// ciphertext, `optional` takes both (but no plaintext into an encrypted conversation),
/// `required` refuses plaintext content.
enum class E2eSetting { Off, Optional, Required };

enum class PasswordCost { Interactive, Moderate, Minimum };

/// One I/O thread per core but one, which the chat core keeps (docs/decisions.md, 27).
int defaultIoThreads();

/// Everything the relay is configured with, resolved and validated.
/// The main thread's event dispatcher: epoll (ours, Linux) or Qt's own.
enum class EventLoop { Epoll, Qt };

struct RelayConfig
{
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8420;
    QString portFile;
    QString dataDirectory;
    QString tlsCertificateFile;
    QString tlsPrivateKeyFile;
    qint64 maxFrameBytes = qint64(256) * 1024;
    int listenBacklog = 4096;
    int ioThreads = defaultIoThreads();
    LogFormat logFormat = LogFormat::Text;
    QString configFile;

    bool registrationOpen = true;
    PasswordCost passwordCost = PasswordCost::Interactive;
    qint64 maxTextBytes = 64 * 1024;
    qint64 maxCiphertextBytes = 160 * 1024; ///< an encrypted message's, decoded
    /// End-to-end encryption (docs/encryption.md, section 9). Unset: the store's own
    /// default, `required` for a store that had no accounts when this version first opened
    /// it, `optional` for one upgraded with accounts in it (RelayServer resolves it).
    std::optional<E2eSetting> e2e;
    int maxGroupMembers = 1000;
    int heartbeatSeconds = 30;
    int signInSeconds = 60; ///< after hello, until signed in
    int maxConnectionsPerAddress = 1024; ///< IPv6: per /64
    int maxPendingPerAddress = 128; ///< of those, before their first request head
    QStringList allowedOrigins;
    double signInsPerMinute = 30;
    double messagesPerSecond = 20;
    double groupChangesPerMinute = 30; ///< group.create and group.add, per user
    double framesPerSecond = 100;
    bool storeSyncFull = true; ///< store-sync: full (default) or normal
    QString store; ///< empty: SQLite in the data directory; else a postgresql:// URL
    QString bus; ///< empty: one node; else a redis:// URL
    QString media; ///< empty: the data directory; else an s3:// URL
    int retentionDays = 0; ///< 0: keep history forever
    int sessionIdleDays = 90; ///< 0: sessions never expire
    int inboxRetentionDays = 30; ///< device inbox rows not acked for this long are deleted
    qint64 mediaMaxBytes = qint64(100) * 1024 * 1024; ///< largest file
    qint64 mediaQuotaBytes = qint64(10) * 1024 * 1024 * 1024; ///< per user; 0: none
    qint64 mediaMaxTotalBytes = 0; ///< all users; 0: none
    qint64 mediaMinFreeBytes = qint64(1) << 30; ///< free disk kept for everything else
    qint64 mediaMaxUnfinished = 32; ///< per user
    qint64 mediaChunkBytes = qint64(8) * 1024 * 1024; ///< largest upload request body
    QStringList mediaTypes{QStringLiteral("*")}; ///< MIME type patterns accepted
    int mediaUnsentSeconds = 24 * 3600; ///< an upload never sent is deleted after this
    int mediaSweepSeconds = 60; ///< how often unreferenced media is collected

    // Push notifications (docs/operations.md, "Push notifications"). Credentials are named
    // by file and read at start; their contents are never logged.
    qint64 pushCoalesceMs = 3000;
    qint64 pushRetryBaseMs = 2000;
    int pushMaxAttempts = 8;
    int pushTimeoutMs = 10000;
    int pushMaxInFlight = 256;
    bool pushShowSender = false;
    QStringList pushUnifiedPushPrefixes{QStringLiteral("https://")}; ///< empty: off
    QString pushWebhookUrl;
    QString pushWebhookSecretFile;
    QString pushFcmCredentialsFile;
    QString pushFcmUrl = QStringLiteral("https://fcm.googleapis.com");
    QString pushApnsKeyFile;
    QString pushApnsKeyId;
    QString pushApnsTeamId;
    QString pushApnsTopic;
    QString pushApnsUrl = QStringLiteral("https://api.push.apple.com");
    /// Ours on Linux: its cost per event does not grow with idle connections
    /// (docs/benchmarks.md); Qt's own elsewhere, and on request.
#ifdef Q_OS_LINUX
    EventLoop eventLoop = EventLoop::Epoll;
#else
    EventLoop eventLoop = EventLoop::Qt;
#endif

    bool tlsEnabled() const
    {
        return !tlsCertificateFile.isEmpty();
    }
};

/// Where resolved settings come from, highest precedence first: command-line flags, then
/// TIDINGS_* environment variables, then the config file, then built-in defaults.
struct ConfigInputs
{
    QHash<QString, QString> flags; ///< option name (without "--") → value
    QProcessEnvironment environment;
};

/// The event loop asked for by --event-loop or TIDINGS_EVENT_LOOP, read from the raw
/// command line: it has to be known before the application object exists. Invalid values
/// are left to the full parse to report.
EventLoop eventLoopBeforeStart(int argc, const char *const *argv);

/// Adds one command-line option per setting (plus --config) to `parser`.
void addRelayOptions(QCommandLineParser &parser);

/// Collects the settings given on the command line of an already processed `parser`.
ConfigInputs configInputsFrom(const QCommandLineParser &parser, QProcessEnvironment environment);

/// Resolves every setting by precedence and validates it. Errors name the setting, the bad
/// value and where it came from, e.g. "invalid port 'x' (from TIDINGS_PORT): …".
Result<RelayConfig> resolveRelayConfig(const ConfigInputs &inputs);

/// The environment variable that carries setting `name`, e.g. "data-dir" → TIDINGS_DATA_DIR.
QString environmentVariableFor(const QString &name);

/// The default data directory: the platform's per-user data location for tidings-relay.
QString defaultDataDirectory();

} // namespace tidings::relay
