// SqliteStore's syncs: which commits are durable, and one sync for several commits.
//
// In WAL mode a commit appends its pages to the log. At synchronous=FULL it then syncs the log,
// which makes it durable, and every earlier commit with it (the log is written in order). At
// NORMAL (RelaxedSync) it does not: it survives a crash of the process, not a power cut, until
// a later sync. The store learns of every commit that wrote to the log from SQLite's WAL hook:
// it counts them (`commits_`) and remembers up to which one they are durable (`synced_upto_`:
// moved by a synced commit, or by Sync()). So Sync(upto) after a synced commit that came later
// costs nothing, even when another thread's relaxed commits came since (the outbox sender's
// records), and after only relaxed commits it syncs the log once.
//
// The WAL hook is also what runs automatic checkpoints; installing ours replaces SQLite's, so
// OnWalCommit checkpoints at the threshold the connection was configured with.

#include <sqlite3.h>

#include <string>

#include "engine/store/sqlite/sqlite_store_impl.h"

namespace consentflow::engine::sqlite {

SqliteStore::SqliteStore(Db db, bool durable) : durable_(durable), db_(std::move(db)) {
  // ConfigureConnection set it; 0 would mean no automatic checkpoint at all.
  const Result<std::string> frames = db_.QueryText("PRAGMA wal_autocheckpoint");
  checkpoint_frames_ = frames ? std::stoi(*frames) : 1000;
  sqlite3_wal_hook(db_.get(), &SqliteStore::OnWalCommit, this);
}

// After each commit that wrote to the log, on the committing thread (so mu_ is held), once the
// commit's own sync, if any, is done.
int SqliteStore::OnWalCommit(void* store, sqlite3* db, const char* schema, int pages) {
  auto* self = static_cast<SqliteStore*>(store);
  ++self->commits_;
  if (!self->relaxed_) self->synced_upto_ = self->commits_;
  if (self->checkpoint_frames_ > 0 && pages >= self->checkpoint_frames_) {
    // PASSIVE, as SQLite's own hook does: never waits for readers; a checkpoint that cannot
    // finish now is simply tried again at the next commit.
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

// Db::Run, not Exec: the two PRAGMAs are prepared once and reused, as they run around every
// deferred commit.
SqliteStore::RelaxedSync::RelaxedSync(SqliteStore& store, Durability durability) : store_(store) {
  if (!store_.durable_ || durability != Durability::kDeferred) return;
  status_ = store_.db_.Run("PRAGMA synchronous = NORMAL");
  store_.relaxed_ = status_.ok();
}

SqliteStore::RelaxedSync::~RelaxedSync() {
  if (!store_.relaxed_) return;
  // Should it fail, the connection stays at NORMAL: commits are still counted as unsynced
  // (relaxed_ stays set), so nothing is taken for durable that is not.
  if (store_.db_.Run("PRAGMA synchronous = FULL").ok()) store_.relaxed_ = false;
}

uint64_t SqliteStore::Commits() {
  std::lock_guard lock(mu_);
  return commits_;
}

Status SqliteStore::Sync(uint64_t upto) {
  std::lock_guard lock(mu_);
  if (!durable_ || upto <= synced_upto_) return Status::Ok();
  // The log file itself, through SQLite's own file object: its xSync is what a synced commit
  // calls (and it also syncs the directory the first time, should the log be new).
  sqlite3_file* log = nullptr;
  const int rc = sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &log);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "finding the write-ahead log");
  if (log != nullptr && log->pMethods != nullptr) {
    if (const int synced = log->pMethods->xSync(log, SQLITE_SYNC_NORMAL); synced != SQLITE_OK) {
      return Status::Unavailable("sqlite: syncing the write-ahead log failed (error " +
                                 std::to_string(synced) + ")");
    }
  }
  synced_upto_ = commits_;
  return Status::Ok();
}

}  // namespace consentflow::engine::sqlite
