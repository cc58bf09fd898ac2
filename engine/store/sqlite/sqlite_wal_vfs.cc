#include "engine/store/sqlite/sqlite_wal_vfs.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <new>
#include <string>

namespace consentflow::engine::sqlite {
namespace {

constexpr std::size_t kFrameHeaderSize = 24;  // SQLite's WAL_FRAME_HDRSIZE
// The most the unix VFS writes in one call: it masks the length with 0x1ffff (os_unix.c,
// seekAndWriteFd) and reports a shorter write as a full disk. 31 frames of 4 KiB pages.
constexpr std::size_t kLargestWrite = 0x1ffff;

std::atomic<uint64_t> received_writes{0};
std::atomic<uint64_t> passed_down_writes{0};

struct Log {
  sqlite3_file* lower = nullptr;  // the VFS below's file
  std::string gathered;
  sqlite3_int64 gathered_at = 0;  // the file offset of gathered[0]
  bool pass_next = false;         // the page of a commit frame whose header just went down
};

// A log file as SQLite sees it (a plain C struct, so SQLite's pointer to `base` is a pointer to
// it); the VFS below's own file object follows it in the same block.
struct LogFile {
  sqlite3_file base;
  Log* log;
};

constexpr std::size_t LowerOffset() { return (sizeof(LogFile) + 7) & ~std::size_t{7}; }

Log* AsLog(sqlite3_file* file) { return reinterpret_cast<LogFile*>(file)->log; }
const sqlite3_io_methods& Lower(const Log* log) { return *log->lower->pMethods; }

int PassDown(Log* log) {
  if (log->gathered.empty()) return SQLITE_OK;
  passed_down_writes.fetch_add(1, std::memory_order_relaxed);
  const int rc = Lower(log).xWrite(log->lower, log->gathered.data(),
                                   static_cast<int>(log->gathered.size()), log->gathered_at);
  // Written or not, the bytes are done with: after a failure SQLite abandons the transaction.
  log->gathered.clear();
  return rc;
}

// A frame header that ends a commit: "database size in pages after the commit" (bytes 4 to 7,
// big-endian) is not zero. Only frame headers are 24 bytes long: the log's own header is 32,
// a page at least 512.
bool IsCommitFrameHeader(const void* data, int amount) {
  if (static_cast<std::size_t>(amount) != kFrameHeaderSize) return false;
  const auto* bytes = static_cast<const unsigned char*>(data);
  return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

int LogClose(sqlite3_file* file) {
  Log* log = AsLog(file);
  const int flushed = PassDown(log);
  const int closed = Lower(log).xClose(log->lower);
  delete log;
  file->pMethods = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int LogRead(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  Log* log = AsLog(file);
  if (const int rc = PassDown(log); rc != SQLITE_OK) return rc;
  return Lower(log).xRead(log->lower, data, amount, offset);
}

int LogWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  Log* log = AsLog(file);
  received_writes.fetch_add(1, std::memory_order_relaxed);
  const bool follows =
      offset == log->gathered_at + static_cast<sqlite3_int64>(log->gathered.size());
  if (!log->gathered.empty() &&
      (!follows || log->gathered.size() + static_cast<std::size_t>(amount) > kLargestWrite)) {
    if (const int rc = PassDown(log); rc != SQLITE_OK) return rc;
  }
  if (log->gathered.empty()) log->gathered_at = offset;
  log->gathered.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  // A commit goes down with its frame header, whose write call then reports a failure; its page
  // follows at once. A rewritten header (SQLite recomputing checksums) has no page after it.
  bool pass = log->pass_next;
  log->pass_next = false;
  if (IsCommitFrameHeader(data, amount)) pass = log->pass_next = true;
  if (pass) return PassDown(log);
  return SQLITE_OK;
}

int LogTruncate(sqlite3_file* file, sqlite3_int64 size) {
  Log* log = AsLog(file);
  if (const int rc = PassDown(log); rc != SQLITE_OK) return rc;
  return Lower(log).xTruncate(log->lower, size);
}

int LogSync(sqlite3_file* file, int flags) {
  Log* log = AsLog(file);
  if (const int rc = PassDown(log); rc != SQLITE_OK) return rc;
  return Lower(log).xSync(log->lower, flags);
}

int LogFileSize(sqlite3_file* file, sqlite3_int64* size) {
  Log* log = AsLog(file);
  if (const int rc = PassDown(log); rc != SQLITE_OK) return rc;
  return Lower(log).xFileSize(log->lower, size);
}

int LogLock(sqlite3_file* file, int level) {
  Log* log = AsLog(file);
  return Lower(log).xLock(log->lower, level);
}

int LogUnlock(sqlite3_file* file, int level) {
  Log* log = AsLog(file);
  return Lower(log).xUnlock(log->lower, level);
}

int LogCheckReservedLock(sqlite3_file* file, int* reserved) {
  Log* log = AsLog(file);
  return Lower(log).xCheckReservedLock(log->lower, reserved);
}

int LogFileControl(sqlite3_file* file, int op, void* arg) {
  Log* log = AsLog(file);
  if (const int rc = PassDown(log); rc != SQLITE_OK) return rc;
  return Lower(log).xFileControl(log->lower, op, arg);
}

int LogSectorSize(sqlite3_file* file) {
  Log* log = AsLog(file);
  return Lower(log).xSectorSize(log->lower);
}

int LogDeviceCharacteristics(sqlite3_file* file) {
  Log* log = AsLog(file);
  return Lower(log).xDeviceCharacteristics(log->lower);
}

// Version 1: shared memory and memory mapping belong to the database file, never to the log,
// so SQLite asks the log for neither.
constexpr sqlite3_io_methods kLogMethods = {
    1,
    LogClose,
    LogRead,
    LogWrite,
    LogTruncate,
    LogSync,
    LogFileSize,
    LogLock,
    LogUnlock,
    LogCheckReservedLock,
    LogFileControl,
    LogSectorSize,
    LogDeviceCharacteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

sqlite3_vfs* LowerVfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// The log gets a LogFile with the VFS below's file after it; every other file is the VFS below's
// own, opened in place, so nothing stands between SQLite and it.
int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* lower = LowerVfs(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) return lower->xOpen(lower, name, file, flags, out_flags);
  auto* outer = reinterpret_cast<LogFile*>(file);
  outer->base.pMethods = nullptr;
  auto* below = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + LowerOffset());
  below->pMethods = nullptr;
  const int rc = lower->xOpen(lower, name, below, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite's rule: a file whose methods are set is closed even when its open failed.
    if (below->pMethods != nullptr) below->pMethods->xClose(below);
    return rc;
  }
  outer->log = new (std::nothrow) Log();
  if (outer->log == nullptr) {
    below->pMethods->xClose(below);
    return SQLITE_NOMEM;
  }
  outer->log->lower = below;
  outer->base.pMethods = &kLogMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return LowerVfs(vfs)->xDelete(LowerVfs(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* result) {
  return LowerVfs(vfs)->xAccess(LowerVfs(vfs), name, flags, result);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return LowerVfs(vfs)->xFullPathname(LowerVfs(vfs), name, size, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return LowerVfs(vfs)->xDlOpen(LowerVfs(vfs), name); }
void DlError(sqlite3_vfs* vfs, int size, char* out) { LowerVfs(vfs)->xDlError(LowerVfs(vfs), size, out); }
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return LowerVfs(vfs)->xDlSym(LowerVfs(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { LowerVfs(vfs)->xDlClose(LowerVfs(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int size, char* out) {
  return LowerVfs(vfs)->xRandomness(LowerVfs(vfs), size, out);
}
int Sleep(sqlite3_vfs* vfs, int microseconds) { return LowerVfs(vfs)->xSleep(LowerVfs(vfs), microseconds); }
int CurrentTime(sqlite3_vfs* vfs, double* now) { return LowerVfs(vfs)->xCurrentTime(LowerVfs(vfs), now); }
int GetLastError(sqlite3_vfs* vfs, int size, char* out) {
  sqlite3_vfs* lower = LowerVfs(vfs);
  return lower->xGetLastError != nullptr ? lower->xGetLastError(lower, size, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* now) {
  return LowerVfs(vfs)->xCurrentTimeInt64(LowerVfs(vfs), now);
}
int SetSystemCall(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
  return LowerVfs(vfs)->xSetSystemCall(LowerVfs(vfs), name, call);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs* vfs, const char* name) {
  return LowerVfs(vfs)->xGetSystemCall(LowerVfs(vfs), name);
}
const char* NextSystemCall(sqlite3_vfs* vfs, const char* name) {
  return LowerVfs(vfs)->xNextSystemCall(LowerVfs(vfs), name);
}

}  // namespace

int RegisterGatheringVfs(const char* name, sqlite3_vfs* lower) {
  if (name == nullptr || lower == nullptr) return SQLITE_MISUSE;
  // Registered VFSes live as long as the process; SQLite keeps the pointer.
  auto* vfs = new sqlite3_vfs{};
  vfs->iVersion = std::min(lower->iVersion, 3);
  vfs->szOsFile = std::max(lower->szOsFile, static_cast<int>(LowerOffset()) + lower->szOsFile);
  vfs->mxPathname = lower->mxPathname;
  vfs->zName = name;
  vfs->pAppData = lower;
  vfs->xOpen = Open;
  vfs->xDelete = Delete;
  vfs->xAccess = Access;
  vfs->xFullPathname = FullPathname;
  vfs->xDlOpen = DlOpen;
  vfs->xDlError = DlError;
  vfs->xDlSym = DlSym;
  vfs->xDlClose = DlClose;
  vfs->xRandomness = Randomness;
  vfs->xSleep = Sleep;
  vfs->xCurrentTime = CurrentTime;
  vfs->xGetLastError = GetLastError;
  if (vfs->iVersion >= 2) vfs->xCurrentTimeInt64 = CurrentTimeInt64;
  if (vfs->iVersion >= 3) {
    vfs->xSetSystemCall = SetSystemCall;
    vfs->xGetSystemCall = GetSystemCall;
    vfs->xNextSystemCall = NextSystemCall;
  }
  const int rc = sqlite3_vfs_register(vfs, 0);
  if (rc != SQLITE_OK) delete vfs;
  return rc;
}

const char* GatheringVfsName() {
  static const char* const registered = []() -> const char* {
    static constexpr char kName[] = "consentflow-gather";
    sqlite3_vfs* lower = sqlite3_vfs_find(nullptr);
    if (lower == nullptr || RegisterGatheringVfs(kName, lower) != SQLITE_OK) return nullptr;
    return kName;
  }();
  return registered;
}

GatherCounts GatheringCounts() {
  return GatherCounts{received_writes.load(std::memory_order_relaxed),
                      passed_down_writes.load(std::memory_order_relaxed)};
}

}  // namespace consentflow::engine::sqlite
