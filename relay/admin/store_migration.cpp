#include "admin/store_migration.h"

#include "admin/media_copy.h"
#include "media/s3_blob_store.h"
#include "server/data_directory.h"
#include "sql/migrations.h"
#include "store/sqlite_source.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/store_copy.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

/// Refuses a target that holds anything but its own settings: never merge, never overwrite.
Result<void> checkEmpty(const QList<CopyTable> &tables, const QString &where)
{
    QStringList occupied;
    for (const CopyTable &table : tables) {
        if (!StoreCopy::isSettingsTable(table.name) && table.targetRows > 0)
            occupied.append(u"%1: %2 rows"_s.arg(table.name).arg(table.targetRows));
    }
    if (occupied.isEmpty())
        return {};
    return Error{ErrorCode::Conflict,
                 u"%1 already holds data (%2); migrate-store copies only into a store that "
                 "holds none, and never merges: give it a new database"_s.arg(
                     where, occupied.join(u", "_s))};
}

} // namespace

StoreMigration::StoreMigration(StoreMigrationOptions options, FILE *out)
    : m_options(std::move(options)), m_out(out)
{ }

void StoreMigration::say(const QString &line) const
{
    std::fprintf(m_out, "%s\n", qPrintable(line));
    std::fflush(m_out);
}

Result<void> StoreMigration::run()
{
    const QString directory
        = QDir::cleanPath(QFileInfo(m_options.dataDirectory).absoluteFilePath());
    const QString storePath = directory + u'/' + QLatin1StringView(DataDirectory::kStoreFile);
    const QString mediaDirectory = directory + u"/media"_s;
    if (!m_options.targetStore.startsWith(u"postgresql://")
        && !m_options.targetStore.startsWith(u"postgres://"))
        return Error{ErrorCode::BadRequest,
                     u"--to must name a PostgreSQL store: postgresql://user@host:port/database"_s};
    // Checked before locking, which would make the directory.
    if (!QFileInfo(directory).isDir())
        return Error{ErrorCode::NotFound, u"there is no data directory %1"_s.arg(directory)};
    if (!QFileInfo(storePath).isFile())
        return Error{ErrorCode::NotFound,
                     u"data directory %1 holds no embedded store (%2): nothing to migrate"_s.arg(
                         directory, QLatin1StringView(DataDirectory::kStoreFile))};

    // The lock a relay takes: refused while one runs, and none can start until we are done.
    const auto locked = DataDirectory::open(directory);
    if (!locked) {
        if (locked.error().code == ErrorCode::Conflict)
            return Error{ErrorCode::Conflict,
                         locked.error().message
                             + u"; stop it first: migrate-store moves a stopped relay"_s};
        return locked.error();
    }

    // The source must be at this relay's schema version. Migrating it here would change
    // the data directory, which migrate-store only reads (decision 46).
    const int current = sqliteMigrations().back().version;
    {
        const auto source = SqliteSource::open(storePath);
        if (!source)
            return source.error();
        const int version = (*source)->schemaVersion();
        if (version < current)
            return Error{ErrorCode::Incompatible,
                         u"%1 has schema version %2, older than this relay's (%3): bring it up to "
                         "date first with `tidings-relay --data-dir %4 migrate` (what the relay "
                         "does at start), then run migrate-store again"_s.arg(storePath)
                             .arg(version)
                             .arg(current)
                             .arg(directory)};
        if (version > current)
            return Error{ErrorCode::Incompatible,
                         u"%1 has schema version %2, newer than this relay supports (%3); run a "
                         "newer tidings-relay"_s.arg(storePath)
                             .arg(version)
                             .arg(current)};
    }
    say(u"source: %1 (SQLite, schema version %2)"_s.arg(storePath).arg(current));

    const QList<LocalBlob> blobs = MediaCopy::list(mediaDirectory);
    qint64 blobBytes = 0;
    for (const LocalBlob &blob : blobs)
        blobBytes += blob.size;
    std::unique_ptr<S3BlobStore> media;
    if (!blobs.isEmpty()) {
        if (m_options.targetMedia.isEmpty())
            return Error{ErrorCode::BadRequest,
                         u"%1 holds %2 media files (%3 bytes) and no media target is given: add "
                         "--media s3://bucket/prefix?endpoint=…&region=… (the cluster's `media` "
                         "setting)"_s.arg(mediaDirectory)
                             .arg(blobs.size())
                             .arg(blobBytes)};
        const auto location
            = parseS3Location(m_options.targetMedia, QProcessEnvironment::systemEnvironment());
        if (!location)
            return Error{location.error().code, u"invalid media: "_s + location.error().message};
        auto opened = S3BlobStore::open(*location);
        if (!opened)
            return opened.error();
        if (auto checked = (*opened)->check(); !checked)
            return Error{checked.error().code,
                         u"media storage is not usable: "_s + checked.error().message};
        media = std::move(opened).value();
        say(u"media: %1 files (%2 bytes) to S3 bucket %3%4"_s.arg(blobs.size())
                .arg(blobBytes)
                .arg(location->bucket,
                     location->prefix.isEmpty() ? QString() : u" under "_s + location->prefix));
    } else {
        say(u"media: no files in %1"_s.arg(mediaDirectory));
    }

    // The target's schema is made or brought up to date, as `tidings-relay migrate` does.
    StoreLocation location;
    location.url = m_options.targetStore;
    auto opened = openStore(location);
    if (!opened)
        return opened.error();
    Store &store = *opened->first;
    const StoreInfo info = opened->second;
    if (info.schemaVersion != current)
        return Error{ErrorCode::Incompatible,
                     u"%1 is at schema version %2, the source at %3"_s.arg(info.location)
                         .arg(info.schemaVersion)
                         .arg(current)};
    say(u"target: %1 (PostgreSQL, schema version %2)"_s.arg(info.location).arg(info.schemaVersion));

    // Both schemas read and the target found empty before a single blob is sent.
    const auto planned = waitFor(
        store.read<QList<CopyTable>>([storePath](QSqlDatabase &db) -> Result<QList<CopyTable>> {
            const auto source = SqliteSource::open(storePath);
            if (!source)
                return source.error();
            if (auto began = (*source)->beginSnapshot(); !began)
                return began.error();
            return StoreCopy(**source, db).plan();
        }));
    if (!planned)
        return planned.error();
    if (auto empty = checkEmpty(*planned, info.location); !empty)
        return empty.error();

    // Blobs first: a blob no row names yet is harmless (and sent again by the next run);
    // a row whose blob is missing is not.
    const auto progress = [out = m_out](const QString &line) {
        std::fprintf(out, "%s\n", qPrintable(line));
        std::fflush(out);
    };
    if (media) {
        say(u"copying media:"_s);
        if (auto copied
            = MediaCopy(mediaDirectory, *media, m_options.pieceBytes, progress).copy(blobs);
            !copied)
            return Error{copied.error().code,
                         u"copying media failed, no rows were copied: "_s + copied.error().message};
    }

    // Every row in one transaction (one store write job): a failure leaves no row behind.
    say(u"copying rows in one transaction:"_s);
    const QString where = info.location;
    const auto copied = waitFor(store.write<QList<CopyTable>>(
        [storePath, where, progress](QSqlDatabase &db) -> Result<QList<CopyTable>> {
            const auto source = SqliteSource::open(storePath);
            if (!source)
                return source.error();
            if (auto began = (*source)->beginSnapshot(); !began)
                return began.error();
            StoreCopy copy(**source, db, progress);
            const auto tables = copy.plan();
            if (!tables)
                return tables.error();
            if (auto empty = checkEmpty(*tables, where); !empty)
                return empty.error();
            return copy.copy(*tables);
        }));
    store.close();
    if (!copied)
        return Error{copied.error().code,
                     u"copying rows failed and was rolled back, the target holds none of them: "_s
                         + copied.error().message};

    say(u"committed. Summary:"_s);
    std::fprintf(m_out, "  %-16s %12s\n", "table", "rows");
    for (const CopyTable &table : *copied)
        std::fprintf(m_out, "  %-16s %12lld\n", qPrintable(table.name), table.copiedRows);
    std::fprintf(m_out, "  %-16s %12lld (%lld bytes)\n", "media files",
                 static_cast<long long>(blobs.size()), blobBytes);
    say(u"done: start the cluster's nodes on %1, each with a data directory of its own"_s.arg(
        info.location));
    return {};
}

} // namespace tidings::relay
