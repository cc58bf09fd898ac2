#pragma once
// A VFS over SQLite's default one that counts what reaches the files (the syncs of the
// write-ahead log and of the database file, the writes to the log) and can fail the log's
// writes as a full disk would. It is registered once per process, never as the default, with a
// gathering VFS (engine/store/sqlite/sqlite_wal_vfs.h) over it: a store opened through
// CountingVfs::kGathered is a production store whose files are watched from below.

#include <atomic>
#include <ostream>

namespace consentflow::engine::store_test {

struct SyncCounts {
  int log = 0;       // xSync calls on the write-ahead log ("-wal")
  int database = 0;  // on the main database file
  friend bool operator==(const SyncCounts&, const SyncCounts&) = default;
};

inline void PrintTo(const SyncCounts& counts, std::ostream* out) {
  *out << "{log " << counts.log << ", database " << counts.database << "}";
}

class CountingVfs {
 public:
  // The gathering VFS over this one: what stores are opened with (OpenSqliteStore's `vfs`).
  static constexpr const char* kGathered = "consentflow-gathered-counted";
  // This one alone, with nothing gathered: what SQLite writes by itself.
  static constexpr const char* kUngathered = "consentflow-counting";

  // The one instance, registered (with the gathering VFS over it) on the first call.
  static CountingVfs& Instance();

  CountingVfs(const CountingVfs&) = delete;
  CountingVfs& operator=(const CountingVfs&) = delete;

  // The syncs since the last call.
  SyncCounts TakeSyncs() { return SyncCounts{log_syncs.exchange(0), database_syncs.exchange(0)}; }
  // The writes to write-ahead logs since the last call.
  int TakeLogWrites() { return log_writes.exchange(0); }
  // While set, every write to a log fails with SQLITE_FULL and writes nothing.
  void FailLogWrites(bool fail) { fail_log_writes = fail; }

  // Fed by the VFS's files (counting_vfs.cc).
  std::atomic<int> log_syncs{0};
  std::atomic<int> database_syncs{0};
  std::atomic<int> log_writes{0};
  std::atomic<bool> fail_log_writes{false};

 private:
  CountingVfs() = default;
};

}  // namespace consentflow::engine::store_test
