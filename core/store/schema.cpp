#include "core/store/schema.h"

namespace orrery::store {

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> all = {
        {1, "workspace metadata",
         R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
        {2, "audit log",
         // Append-only, hash-chained: hash = SHA-256 over the previous hash and this entry's fields
         // (core/audit). audit_head keeps the last sequence number and hash, so removing the newest
         // entries is detected too.
         R"sql(
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  time      TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT NOT NULL,
  reason    TEXT NOT NULL,
  details   TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"},
        {3, "data: stat cache and cache references",
         // stat_cache lets `data status` skip reading unchanged files: a file whose inode, size and
         // mtime (ns) match its row has the recorded md5. cache_refs lists cache objects that runs
         // and registered models use, so `data gc` never frees them.
         R"sql(
CREATE TABLE stat_cache (
  path     TEXT PRIMARY KEY,
  inode    INTEGER NOT NULL,
  size     INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  md5      TEXT NOT NULL
);
CREATE TABLE cache_refs (
  md5   TEXT NOT NULL,
  owner TEXT NOT NULL,
  PRIMARY KEY (md5, owner)
);
)sql"},
    };
    return all;
}

int latestSchemaVersion()
{
    return migrations().back().version;
}

} // namespace orrery::store
