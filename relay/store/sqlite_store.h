#pragma once

#include "store/sql_thread.h"
#include "util/result.h"

#include <QFuture>
#include <QString>

#include <memory>

namespace tidings::relay {

/// What an opened store reports about itself (shown by /readyz).
struct StoreInfo
{
    QString path;
    int schemaVersion = 0;
    QString instanceId; ///< random id made when the store was created; survives restarts
};

/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, written from its
/// own thread. open() checks the file before touching it: a file that is not SQLite, belongs
/// to another application or has a newer schema is refused and left exactly as it was.
class SqliteStore
{
public:
    explicit SqliteStore(QString path);
    ~SqliteStore();

    SqliteStore(const SqliteStore &) = delete;
    SqliteStore &operator=(const SqliteStore &) = delete;

    QFuture<Result<StoreInfo>> open();
    /// Finishes queued work and closes the file.
    void close();

    /// The SQLite `application_id` that marks a Tidings relay store.
    static constexpr int kApplicationId = 0x54444753; // "TDGS"

private:
    QString m_path;
    std::unique_ptr<SqlThread> m_writer;
};

} // namespace tidings::relay
