#pragma once

#include "util/result.h"

#include <QLockFile>
#include <QString>

#include <memory>

namespace tidings::relay {

/// The relay's data directory, created if missing and locked for this process: a second
/// relay on the same directory is refused instead of sharing the store.
class DataDirectory
{
public:
    /// The store's file in the directory (SQLite adds "-wal" and "-shm" beside it).
    static constexpr char kStoreFile[] = "tidings.db";

    static Result<DataDirectory> open(const QString &path);

    QString path() const { return m_path; }
    QString filePath(const QString &name) const { return m_path + u'/' + name; }

private:
    DataDirectory(QString path, std::unique_ptr<QLockFile> lock);

    QString m_path;
    std::shared_ptr<QLockFile> m_lock; // shared: Result<T> needs a copyable T
};

} // namespace tidings::relay
