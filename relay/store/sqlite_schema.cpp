// The relay's SQLite schema, one migration per version. Never edit a released migration:
// add a new one.
#include "store/migrations.h"

#include <array>

namespace tidings::relay {

namespace {

constexpr std::array kVersion1 = {
    "CREATE TABLE relay_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
};

constexpr std::array kMigrations = {
    Migration{1, "relay metadata", kVersion1},
};

} // namespace

std::span<const Migration> sqliteMigrations()
{
    return kMigrations;
}

} // namespace tidings::relay
