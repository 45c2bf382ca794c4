#include "store/store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace tidings::relay {

Store::~Store()
{
    close();
}

int Store::backlog() const
{
    return (m_writer ? m_writer->pendingJobs() : 0) + (m_reader ? m_reader->pendingJobs() : 0);
}

void Store::close()
{
    // Readers first: nothing may read after the writer's last commit is gone.
    if (m_reader)
        m_reader->stop();
    if (m_writer)
        m_writer->stop();
    m_reader.reset();
    m_writer.reset();
}

Result<std::pair<std::unique_ptr<Store>, StoreInfo>> openStore(const StoreLocation &location)
{
    if (location.url.isEmpty()) {
        auto store = std::make_unique<SqliteStore>(
            location.sqlitePath, location.syncFull ? SyncPolicy::Full : SyncPolicy::Normal);
        auto opened = store->open();
        if (!opened)
            return opened.error();
        return std::pair<std::unique_ptr<Store>, StoreInfo>(std::move(store), *opened);
    }
    auto parsed = parsePostgresUrl(location.url);
    if (!parsed)
        return Error{ErrorCode::BadRequest,
                     QStringLiteral("invalid store: ") + parsed.error().message};
    auto store = std::make_unique<PostgresStore>(*parsed);
    auto opened = store->open(location.migrate);
    if (!opened)
        return opened.error();
    return std::pair<std::unique_ptr<Store>, StoreInfo>(std::move(store), *opened);
}

} // namespace tidings::relay
