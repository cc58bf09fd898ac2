#pragma once

// The SQLite backend of Store (engine/store/store.h): one database file, for one engine process.
//
// Threads: the store holds one connection behind a mutex, so every method is thread-safe and
// calls are serialised. That suits SQLite, which has a single writer anyway.
//
// Claims (ClaimPending) are kept in the store object's memory, not in the database: a process
// that dies loses its claims with it, so after a restart every pending message can be claimed
// again at once, and claiming costs no write. A claim lasts at most 24 hours. Consequently only one
// process should run the engine on a given file; several engine processes sharing a database is
// what the PostgreSQL backend is for.
//
// Privacy: the connection runs with secure_delete=ON, so an erased inbox text or field value is
// overwritten with zeros in the database file rather than left in a free page. Until the next
// checkpoint the write-ahead log can still hold the old page; EraseExpiredFields() (the periodic
// retention sweep) therefore always ends with a truncating checkpoint, and closing the store
// checkpoints and deletes the log.
//
// Time: Store's methods take no clock for the times the store itself stamps (outbox `queued`,
// `sent`, the time of an incident the store detects); those come from the system clock.

#include <memory>
#include <string>

#include "engine/base/result.h"
#include "engine/store/store.h"

namespace consentflow::engine {

struct SqliteOptions {
  // The database file, created if missing; ":memory:" for a private in-memory database (tests).
  std::string path;
  // How long a statement waits for a lock held by another connection before failing with
  // kUnavailable. 5 s rides out a checkpoint or a backup without stalling a worker for long.
  int busy_timeout_ms = 5000;
  // true: synchronous=FULL, every commit is on disk when Commit() returns (what exactly-once
  // needs). false: synchronous=NORMAL, a power cut may lose the last commits (tests, `chat`).
  bool durable = true;
};

// Opens the database, sets the connection up (WAL, synchronous, foreign keys, secure_delete,
// busy timeout) and applies any migration the file lacks, each in its own transaction.
// Errors: kUnavailable (the file is locked), kFailedPrecondition (the file was written by a
// newer version of this program, or WAL/secure_delete cannot be enabled), kInternal (cannot
// open or corrupt).
// The connection goes through SQLite's default VFS with the write-ahead log's writes gathered
// into one per commit (sqlite_wal_vfs.h).
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);
// The same through the VFS registered as `vfs` (tests: one that counts or fails what reaches the
// files, under a gathering one of their own).
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options, const std::string& vfs);

}  // namespace consentflow::engine
