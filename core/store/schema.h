#pragma once
// The ordered migrations that build orrery.db's schema. Each module's tables arrive as new
// migrations appended at the end; a migration is never edited once released. The database records
// the version it reached in schema_version; a database with a higher version than this build
// knows was written by a newer Orrery and is refused.

#include <QString>
#include <vector>

namespace orrery::store {

struct Migration {
    int version;
    const char *name;
    const char *sql;
};

const std::vector<Migration> &migrations();
int latestSchemaVersion();

} // namespace orrery::store
