#include "core/token_store.h"

#include "core/core_logging.h"
#include "util/futures.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QPromise>
#include <qt6keychain/keychain.h>
#include <QtConcurrent/QtConcurrentRun>
#include <QThreadPool>
#include <QTimer>

#include <cstdio>
#include <memory>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace tidings::app {

namespace {

constexpr auto kProbeKey = "tidings-keychain-probe";
constexpr auto kFileName = "session-tokens-NOT-ENCRYPTED.json";
constexpr auto kWarning
    = "Tidings session tokens, kept in plain text because no keychain was available and you "
      "chose to store them in a file. Anyone who can read this file can use these accounts. "
      "Delete it to be signed out on this computer.";
constexpr QFile::Permissions kOwnerOnly = QFile::ReadOwner | QFile::WriteOwner;

/// One answer that may come from a keychain job or from its timeout, whichever is first.
template<typename T> struct Pending
{
    QPromise<Result<T>> promise;
    bool done = false;

    void resolve(Result<T> result)
    {
        if (done)
            return;
        done = true;
        promise.addResult(std::move(result));
        promise.finish();
    }
};

Error keychainError(QKeychain::Error code, const QString &detail)
{
    switch (code) {
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return {ErrorCode::Forbidden, u"The keychain refused access: %1"_s.arg(detail)};
    case QKeychain::NoBackendAvailable:
    case QKeychain::OtherError:
        // Most often: no Secret Service / wallet running, or no session bus at all.
        return {ErrorCode::Unavailable,
                u"No keychain is available on this computer (%1)."_s.arg(detail)};
    default:
        return {ErrorCode::Unavailable, u"The keychain failed: %1"_s.arg(detail)};
    }
}

/// Runs `job`, resolving with `onFinished(job)` or with a timeout error. The job deletes
/// itself when it finishes; one that never finishes is abandoned, not waited for.
template<typename T, typename J, typename F>
QFuture<Result<T>> runJob(QObject *context, J *job, std::chrono::milliseconds timeout, F onFinished)
{
    auto pending = std::make_shared<Pending<T>>();
    pending->promise.start();
    QFuture<Result<T>> future = pending->promise.future();
    QObject::connect(job, &QKeychain::Job::finished, job,
                     [pending, onFinished](QKeychain::Job *finished) {
                         pending->resolve(onFinished(static_cast<J *>(finished)));
                     });
    QTimer::singleShot(timeout, context, [pending, timeout] {
        if (!pending->done)
            qCWarning(lcAccount) << "keychain did not answer within" << timeout.count() << "ms";
        pending->resolve(
            Error{ErrorCode::Unavailable,
                  u"The keychain did not answer within %1 s; it may be locked or hung."_s.arg(
                      std::max<qint64>(
                          1, std::chrono::duration_cast<std::chrono::seconds>(timeout).count()))});
    });
    job->start();
    return future;
}

/// The plain token file: {"warning": …, "tokens": {account key: token}}.
struct TokenFile
{
    QMap<QString, QString> tokens; ///< account key → session token

    /// The file's content; nullopt when it is not a token file. An entry that is not a
    /// string is no token (its account signs in again), as it always was.
    static std::optional<TokenFile> decode(const QJsonDocument &document)
    {
        const QJsonObject file = document.object();
        const auto found = file.constFind(u"tokens"_s);
        if (found == file.constEnd() || !found.value().isObject())
            return std::nullopt;
        TokenFile content;
        const QJsonObject tokens = found.value().toObject();
        for (auto it = tokens.constBegin(); it != tokens.constEnd(); ++it) {
            if (it.value().isString())
                content.tokens.insert(it.key(), it.value().toString());
        }
        return content;
    }
    QJsonDocument encode() const
    {
        QJsonObject byAccount;
        for (auto it = tokens.constBegin(); it != tokens.constEnd(); ++it)
            byAccount.insert(it.key(), it.value());
        return QJsonDocument(
            QJsonObject{{u"warning"_s, QString::fromLatin1(kWarning)}, {u"tokens"_s, byAccount}});
    }
};

/// Runs `job` on `pool` and delivers its result on `context`'s thread, where the caller
/// continues it with QFuture::then (see WorkerFuture and decision 23).
template<typename F> auto onFileThread(QThreadPool *pool, QObject *context, F job)
{
    return WorkerFuture(QtConcurrent::run(pool, std::move(job))).deliveredTo(context);
}

/// Reads the plain token file; a missing file is an empty one.
Result<TokenFile> readTokenFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return TokenFile{};
    if (info.isSymLink() || !info.isFile())
        return Error{ErrorCode::Corrupt, u"%1 is not a regular file; not reading it."_s.arg(path)};
    if ((info.permissions() & ~(kOwnerOnly | QFile::ReadUser | QFile::WriteUser)) != 0) {
        // Someone (a copy, a restore) opened it up: close it again before reading.
        qCWarning(lcAccount) << "token file was readable by others; made it owner-only" << path;
        QFile::setPermissions(path, kOwnerOnly);
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Io, u"Cannot read %1: %2"_s.arg(path, file.errorString())};
    constexpr qint64 kMaxSize = 1 << 20;
    if (file.size() > kMaxSize)
        return Error{ErrorCode::Corrupt, u"%1 is too large to be a token file."_s.arg(path)};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    std::optional<TokenFile> content
        = parseError.error == QJsonParseError::NoError ? TokenFile::decode(document) : std::nullopt;
    if (!content)
        return Error{ErrorCode::Corrupt,
                     u"%1 is damaged; sign in again to replace it."_s.arg(path)};
    return std::move(*content);
}

/// Replaces the token file atomically with one only the owner can read, written to a new
/// file created with those permissions (never a moment when others could read it).
Result<void> writeTokenFile(const QString &path, const TokenFile &content)
{
    const QString directory = QFileInfo(path).absolutePath();
    if (!QFileInfo::exists(directory)) {
        if (!QDir().mkpath(directory))
            return Error{ErrorCode::Io, u"Cannot create %1."_s.arg(directory)};
        QFile::setPermissions(directory, kOwnerOnly | QFile::ExeOwner);
    }
    if (content.tokens.isEmpty()) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return Error{ErrorCode::Io, u"Cannot remove %1."_s.arg(path)};
        return {};
    }
    const QString temporary = path + u".new"_s;
    QFile::remove(temporary);
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly))
        return Error{ErrorCode::Io, u"Cannot write %1: %2"_s.arg(temporary, file.errorString())};
    const QByteArray bytes = content.encode().toJson();
    bool written = file.write(bytes) == bytes.size() && file.flush();
#ifdef Q_OS_UNIX
    written = written && ::fsync(file.handle()) == 0;
#endif
    file.close();
    if (!written) {
        QFile::remove(temporary);
        return Error{ErrorCode::Io, u"Cannot write %1."_s.arg(temporary)};
    }
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData())
        != 0) {
        // Windows does not replace on rename.
        QFile::remove(path);
        if (!QFile::rename(temporary, path)) {
            QFile::remove(temporary);
            return Error{ErrorCode::Io, u"Cannot replace %1."_s.arg(path)};
        }
    }
    return {};
}

} // namespace

TokenStore::TokenStore(Backend backend, Options options, QObject *parent)
    : QObject(parent), m_backend(backend), m_options(std::move(options)),
      m_fileThread(std::make_unique<QThreadPool>())
{
    m_fileThread->setMaxThreadCount(1);
}

TokenStore::~TokenStore()
{
    // A save must reach the disk before the app exits.
    m_fileThread->waitForDone();
}

QString TokenStore::plainFilePath() const
{
    return QDir(m_options.directory).filePath(QString::fromLatin1(kFileName));
}

QString TokenStore::accountKey(const QString &username, const QString &server)
{
    return username + u'@' + server;
}

QFuture<Result<void>> TokenStore::probeKeychain()
{
    return whenReady(keychainRead(QString::fromLatin1(kProbeKey)), this,
                     [](const Result<QString> &read) -> Result<void> {
                         if (!read)
                             return read.error();
                         return {};
                     });
}

QFuture<Result<QString>> TokenStore::load(const QString &account)
{
    switch (m_backend) {
    case Backend::Keychain:
        return keychainRead(account);
    case Backend::PlainFile:
        return onFileThread(m_fileThread.get(), this, [path = plainFilePath(), account] {
            const Result<TokenFile> file = readTokenFile(path);
            if (!file)
                return Result<QString>(file.error());
            return Result<QString>(file->tokens.value(account));
        });
    case Backend::Memory:
        break;
    }
    return readyFuture(Result<QString>(m_memory.value(account)));
}

QFuture<Result<void>> TokenStore::save(const QString &account, const QString &token)
{
    if (token.isEmpty())
        return remove(account);
    switch (m_backend) {
    case Backend::Keychain:
        return keychainWrite(account, token);
    case Backend::PlainFile:
        return fileUpdate(account, token);
    case Backend::Memory:
        break;
    }
    m_memory.insert(account, token);
    return readyFuture(Result<void>());
}

QFuture<Result<void>> TokenStore::remove(const QString &account)
{
    switch (m_backend) {
    case Backend::Keychain:
        return keychainDelete(account);
    case Backend::PlainFile:
        return fileUpdate(account, QString());
    case Backend::Memory:
        break;
    }
    m_memory.remove(account);
    return readyFuture(Result<void>());
}

QFuture<Result<void>> TokenStore::fileUpdate(const QString &account, const QString &token)
{
    return onFileThread(m_fileThread.get(), this, [path = plainFilePath(), account, token] {
        Result<TokenFile> file = readTokenFile(path);
        // A damaged file holds nothing usable: replace it rather than refuse to sign in.
        TokenFile content = file ? *file : TokenFile{};
        if (!file && file.error().code != ErrorCode::Corrupt)
            return Result<void>(file.error());
        if (token.isEmpty())
            content.tokens.remove(account);
        else
            content.tokens.insert(account, token);
        return writeTokenFile(path, content);
    });
}

QFuture<Result<QString>> TokenStore::keychainRead(const QString &key)
{
    auto *job = new QKeychain::ReadPasswordJob(m_options.service);
    job->setKey(key);
    return runJob<QString>(this, job, m_options.timeout,
                           [](QKeychain::ReadPasswordJob *done) -> Result<QString> {
                               if (done->error() == QKeychain::NoError)
                                   return done->textData();
                               if (done->error() == QKeychain::EntryNotFound)
                                   return QString();
                               return keychainError(done->error(), done->errorString());
                           });
}

QFuture<Result<void>> TokenStore::keychainWrite(const QString &key, const QString &token)
{
    auto *job = new QKeychain::WritePasswordJob(m_options.service);
    job->setKey(key);
    job->setTextData(token);
    return runJob<void>(this, job, m_options.timeout,
                        [](QKeychain::WritePasswordJob *done) -> Result<void> {
                            if (done->error() == QKeychain::NoError)
                                return {};
                            return keychainError(done->error(), done->errorString());
                        });
}

QFuture<Result<void>> TokenStore::keychainDelete(const QString &key)
{
    auto *job = new QKeychain::DeletePasswordJob(m_options.service);
    job->setKey(key);
    return runJob<void>(
        this, job, m_options.timeout, [](QKeychain::DeletePasswordJob *done) -> Result<void> {
            if (done->error() == QKeychain::NoError || done->error() == QKeychain::EntryNotFound)
                return {};
            return keychainError(done->error(), done->errorString());
        });
}

} // namespace tidings::app
