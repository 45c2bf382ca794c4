#pragma once

#include "store/store.h"

#include <span>

namespace tidings {
struct Migration;
}

namespace tidings::relay {

/// The SQLite schema, oldest migration first (sqlite_schema.cpp).
std::span<const Migration> sqliteMigrations();

/// How hard a commit insists on reaching the disk.
enum class SyncPolicy {
    Full, ///< synchronous=FULL: a commit survives power loss (the default)
    Normal, ///< synchronous=NORMAL: faster; the last commits can be lost on power loss
            ///< (never on a process crash)
};

/// The embedded store: one SQLite file in WAL mode with synchronous=FULL. open() checks the
/// file before touching it: a file that is not SQLite, belongs to another application or
/// has a newer schema is refused and left exactly as it was.
class SqliteStore final : public Store
{
public:
    explicit SqliteStore(QString path, SyncPolicy sync = SyncPolicy::Full);
    ~SqliteStore() override;

    /// Opens, checks and migrates the file (on the writer thread), then opens the reader
    /// connection. Waits for that work: call it at startup, before serving.
    Result<StoreInfo> open();

    /// The SQLite `application_id` that marks a Tidings relay store.
    static constexpr int kApplicationId = 0x54444753; // "TDGS"

private:
    QString m_path;
    SyncPolicy m_sync;
};

} // namespace tidings::relay
