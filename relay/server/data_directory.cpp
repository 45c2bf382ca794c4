#include "server/data_directory.h"

#include <QDir>
#include <QFileInfo>

#include <filesystem>
#include <string>
#include <system_error>

namespace tidings::relay {

using namespace Qt::StringLiterals;

DataDirectory::DataDirectory(QString path, std::unique_ptr<QLockFile> lock)
    : m_path(std::move(path)), m_lock(std::move(lock))
{ }

Result<DataDirectory> DataDirectory::open(const QString &path)
{
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    std::error_code error;
    std::filesystem::create_directories(absolute.toStdString(), error);
    if (error) {
        return Error{ErrorCode::Io,
                     u"cannot create data directory %1: %2"_s.arg(
                         absolute, QString::fromStdString(error.message()))};
    }
    if (!QFileInfo(absolute).isDir())
        return Error{ErrorCode::Io, u"data directory %1 is not a directory"_s.arg(absolute)};
    // Only the relay's user may look inside (the store holds password hashes and the key
    // that signs media links); a store made by an older relay is closed up too. Access is
    // only ever taken away from others, never given to the owner.
    namespace fs = std::filesystem;
    const fs::path directory = absolute.toStdString();
    fs::permissions(directory, fs::perms::group_all | fs::perms::others_all,
                    fs::perm_options::remove, error);
    if (error) {
        return Error{ErrorCode::Io,
                     u"cannot make data directory %1 private: %2"_s.arg(
                         absolute, QString::fromStdString(error.message()))};
    }
    for (const char *suffix : {"", "-wal", "-shm"}) {
        const fs::path file = directory / (std::string(kStoreFile) + suffix);
        if (fs::exists(file, error))
            fs::permissions(file, fs::perms::group_all | fs::perms::others_all,
                            fs::perm_options::remove, error);
    }

    auto lock = std::make_unique<QLockFile>(absolute + u"/relay.lock"_s);
    lock->setStaleLockTime(0); // a lock whose process is gone is stale at once
    if (!lock->tryLock(0)) {
        switch (lock->error()) {
        case QLockFile::LockFailedError: {
            qint64 pid = 0;
            QString host, application;
            lock->getLockInfo(&pid, &host, &application);
            return Error{
                ErrorCode::Conflict,
                u"data directory %1 is in use by another relay (pid %2)"_s.arg(absolute).arg(pid)};
        }
        case QLockFile::PermissionError:
            return Error{ErrorCode::Io, u"data directory %1 is not writable"_s.arg(absolute)};
        default:
            return Error{ErrorCode::Io, u"cannot lock data directory %1"_s.arg(absolute)};
        }
    }
    return DataDirectory(absolute, std::move(lock));
}

} // namespace tidings::relay
