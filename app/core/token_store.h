#pragma once

#include "util/result.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>

class QThreadPool;

namespace tidings::app {

/// Where the app keeps session tokens between runs, one per account ("alice@host:port").
///
/// The OS keychain (through QtKeychain) is the place. Where there is none — a headless
/// box, a desktop without a secret service, a locked wallet that never answers — the
/// TokenStore says so (probeKeychain()), and the user chooses: sign in every time
/// (Memory: the token lives only as long as the process) or a plainly-labelled file
/// readable by the user alone (PlainFile). It never falls back by itself.
///
/// Every call returns at once; keychain calls are asynchronous and cut off after a
/// timeout, file I/O runs on a worker thread.
class TokenStore : public QObject
{
    Q_OBJECT

public:
    enum class Backend { Keychain, PlainFile, Memory };
    Q_ENUM(Backend)

    struct Options
    {
        /// The keychain service name the tokens are filed under.
        QString service = QStringLiteral("Tidings");
        /// Where PlainFile keeps its file (made 0700 if missing).
        QString directory;
        /// How long a keychain call may take before it counts as "no keychain".
        std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    };

    explicit TokenStore(Backend backend, Options options, QObject *parent = nullptr);
    ~TokenStore() override;

    Backend backend() const { return m_backend; }
    /// The file PlainFile uses.
    QString plainFilePath() const;

    /// Whether the OS keychain answers: resolves to an error (Unavailable, with a sentence a
    /// user can act on) when there is no secret service, it refuses, or it does not answer
    /// within the timeout. Reads a key that does not exist; changes nothing.
    QFuture<Result<void>> probeKeychain();

    /// The token kept for `account`; an empty string when there is none.
    QFuture<Result<QString>> load(const QString &account);
    QFuture<Result<void>> save(const QString &account, const QString &token);
    /// Forgets the token of `account` (no error when there was none).
    QFuture<Result<void>> remove(const QString &account);

    /// The account key for a user on a server: "alice@chat.example.org:8420".
    static QString accountKey(const QString &username, const QString &server);

private:
    QFuture<Result<QString>> keychainRead(const QString &key);
    QFuture<Result<void>> keychainWrite(const QString &key, const QString &token);
    QFuture<Result<void>> keychainDelete(const QString &key);
    QFuture<Result<void>> fileUpdate(const QString &account, const QString &token);

    Backend m_backend;
    Options m_options;
    QHash<QString, QString> m_memory;
    /// One thread for the file, so read-modify-write never interleaves.
    std::unique_ptr<QThreadPool> m_fileThread;
};

} // namespace tidings::app
