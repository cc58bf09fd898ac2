#pragma once

// Internal to engine/store/sqlite/: the connection settings and the versioned schema.
//
// The schema is a numbered list of migrations (in sqlite_schema.cc); the `schema_version` table
// records which ones a database has, one row per migration. Migrations only ever get appended:
// a released migration is never edited, a change is a new migration.

#include <cstdint>

#include "engine/base/result.h"
#include "engine/base/status.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace consentflow::engine::sqlite {

// Sets the per-connection PRAGMAs: busy_timeout, journal_mode=WAL, synchronous=FULL (NORMAL
// when !options.durable), foreign_keys=ON, secure_delete=ON, journal_size_limit. Checks that
// each one took; kFailedPrecondition when WAL or secure_delete cannot be had.
// REQUIRES: no transaction is open on `db`.
Status ConfigureConnection(Db& db, const SqliteOptions& options);

// The schema version this program writes: the number of its last migration.
int64_t LatestSchemaVersion();

// The version recorded in `db`: 0 for a database that has never been migrated.
Result<int64_t> SchemaVersion(Db& db);

// Applies every migration newer than the database, in order, each in its own transaction.
// kFailedPrecondition when the database is newer than this program.
Status Migrate(Db& db);
// The same, stopping after migration `version`: tests build a database as an older program
// left it, to check what the later migrations do with it.
Status MigrateTo(Db& db, int64_t version);

}  // namespace consentflow::engine::sqlite
