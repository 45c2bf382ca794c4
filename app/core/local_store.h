#pragma once

#include "sql/sql_thread.h"
#include "util/futures.h"
#include "util/result.h"

#include <QFuture>
#include <QObject>
#include <QString>

#include <memory>

namespace tidings::e2e {
class StoreKey;
class StoreSearchTokenizer;
class StoreValueCipher;
} // namespace tidings::e2e

namespace tidings::app {

/// The app's own SQLite database: everything the app knows, so it shows history at once
/// and offline. All I/O runs on one worker thread (never the UI thread), through jobs
/// composed of the functions in local_queries.h; results come back as WorkerFutures to continue
/// with `.then(context, …)`. Writes waiting together share a transaction (group commit).
class LocalStore : public QObject
{
    Q_OBJECT

public:
    explicit LocalStore(QString path, QObject *parent = nullptr);
    ~LocalStore() override;

    /// Seals sensitive values with this store key, and indexes keyed search tokens instead
    /// of words (store_cipher.h): set before open(), and the same one at every open of the
    /// file (docs/encryption.md, section 8). open() seals in place what an earlier run kept
    /// in plaintext (an older app, or one without a key), once; the file then runs with
    /// secure_delete.
    void setStoreKey(const e2e::StoreKey &key);
    bool hasStoreKey() const { return m_cipher != nullptr; }
    /// Opens (creating if needed) and migrates the file, on the worker thread.
    WorkerFuture<Result<int>> open();
    /// open() has been called: jobs submitted from now on run after its migrations.
    bool isOpen() const { return m_thread != nullptr; }

    template<typename T> WorkerFuture<Result<T>> write(std::function<Result<T>(QSqlDatabase &)> job)
    {
        if (!m_thread)
            return closed<T>();
        return m_thread->submitWrite<T>(std::move(job));
    }
    template<typename T> WorkerFuture<Result<T>> read(std::function<Result<T>(QSqlDatabase &)> job)
    {
        if (!m_thread)
            return closed<T>();
        return m_thread->submit<T>(std::move(job));
    }

    /// Finishes queued work and closes the file.
    void close();
    QString path() const { return m_path; }

Q_SIGNALS:
    /// open() was called (emitted before it returns): whether the store has a key is
    /// settled, and jobs submitted from now on run after its migrations.
    void opening();

private:
    template<typename T> static WorkerFuture<Result<T>> closed()
    {
        return WorkerFuture(readyFuture(
            Result<T>(ErrorCode::Unavailable, QStringLiteral("the local store is closed"))));
    }

    QString m_path;
    std::shared_ptr<const e2e::StoreValueCipher> m_cipher;
    std::shared_ptr<const e2e::StoreSearchTokenizer> m_tokenizer;
    std::shared_ptr<QString> m_connection; ///< the worker's connection name, once open
    std::unique_ptr<SqlThread> m_thread;
};

/// The LocalStore as those that only show what it holds see it (the models): read jobs,
/// and nothing that writes. What they show changes through the Outbox and the SyncEngine.
class LocalReader
{
public:
    explicit LocalReader(LocalStore &store) : m_store(store) { }

    template<typename T>
    WorkerFuture<Result<T>> read(std::function<Result<T>(QSqlDatabase &)> job) const
    {
        return m_store.read<T>(std::move(job));
    }

private:
    LocalStore &m_store;
};

} // namespace tidings::app
