#include "tests/engine/store/counting_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include "engine/store/sqlite/sqlite_wal_vfs.h"

namespace consentflow::engine::store_test {
namespace {

// The VFS below: SQLite's default when this one was registered.
sqlite3_vfs* real_vfs = nullptr;

// Its files wrap the real file, which lives right behind the wrapper in the memory SQLite
// allocates (szOsFile). `kind` says which counters the file feeds.
struct File {
  enum class Kind : int64_t { kOther, kLog, kDatabase };
  sqlite3_file base;
  Kind kind;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
// SQLite allocates szOsFile bytes 8-byte aligned: so is the real file behind ours.
static_assert(sizeof(File) % 8 == 0);

// Vfs<&sqlite3_vfs::xM>::Call forwards xM to the real VFS; Io<&sqlite3_io_methods::xM>::Call
// forwards xM to the real file.
template <auto Method>
struct Vfs;
template <typename R, typename... Args, R (*sqlite3_vfs::*Method)(sqlite3_vfs*, Args...)>
struct Vfs<Method> {
  static R Call(sqlite3_vfs*, Args... args) { return (real_vfs->*Method)(real_vfs, args...); }
};
template <auto Method>
struct Io;
template <typename R, typename... Args, R (*sqlite3_io_methods::*Method)(sqlite3_file*, Args...)>
struct Io<Method> {
  static R Call(sqlite3_file* file, Args... args) {
    sqlite3_file* real = reinterpret_cast<File*>(file)->real();
    return (real->pMethods->*Method)(real, args...);
  }
};

int Sync(sqlite3_file* file, int flags) {
  CountingVfs& counts = CountingVfs::Instance();
  switch (reinterpret_cast<File*>(file)->kind) {
    case File::Kind::kLog: ++counts.log_syncs; break;
    case File::Kind::kDatabase: ++counts.database_syncs; break;
    case File::Kind::kOther: break;
  }
  return Io<&sqlite3_io_methods::xSync>::Call(file, flags);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  if (reinterpret_cast<File*>(file)->kind == File::Kind::kLog) {
    CountingVfs& counts = CountingVfs::Instance();
    if (counts.fail_log_writes) return SQLITE_FULL;
    ++counts.log_writes;
  }
  return Io<&sqlite3_io_methods::xWrite>::Call(file, data, amount, offset);
}

// Our methods at `version`: a version-1 file has no xShm* (no WAL), a version-2 one no xFetch.
sqlite3_io_methods Methods(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = &Io<&sqlite3_io_methods::xClose>::Call;
  m.xRead = &Io<&sqlite3_io_methods::xRead>::Call;
  m.xWrite = &Write;
  m.xTruncate = &Io<&sqlite3_io_methods::xTruncate>::Call;
  m.xSync = &Sync;
  m.xFileSize = &Io<&sqlite3_io_methods::xFileSize>::Call;
  m.xLock = &Io<&sqlite3_io_methods::xLock>::Call;
  m.xUnlock = &Io<&sqlite3_io_methods::xUnlock>::Call;
  m.xCheckReservedLock = &Io<&sqlite3_io_methods::xCheckReservedLock>::Call;
  m.xFileControl = &Io<&sqlite3_io_methods::xFileControl>::Call;
  m.xSectorSize = &Io<&sqlite3_io_methods::xSectorSize>::Call;
  m.xDeviceCharacteristics = &Io<&sqlite3_io_methods::xDeviceCharacteristics>::Call;
  if (version >= 2) {
    m.xShmMap = &Io<&sqlite3_io_methods::xShmMap>::Call;
    m.xShmLock = &Io<&sqlite3_io_methods::xShmLock>::Call;
    m.xShmBarrier = &Io<&sqlite3_io_methods::xShmBarrier>::Call;
    m.xShmUnmap = &Io<&sqlite3_io_methods::xShmUnmap>::Call;
  }
  if (version >= 3) {
    m.xFetch = &Io<&sqlite3_io_methods::xFetch>::Call;
    m.xUnfetch = &Io<&sqlite3_io_methods::xUnfetch>::Call;
  }
  return m;
}

const sqlite3_io_methods* MethodsFor(const sqlite3_file* real) {
  static const sqlite3_io_methods methods[3] = {Methods(1), Methods(2), Methods(3)};
  return &methods[std::clamp(real->pMethods->iVersion, 1, 3) - 1];
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* wrapper = reinterpret_cast<File*>(file);
  wrapper->base.pMethods = nullptr;
  wrapper->kind = (flags & SQLITE_OPEN_WAL) != 0       ? File::Kind::kLog
                  : (flags & SQLITE_OPEN_MAIN_DB) != 0 ? File::Kind::kDatabase
                                                       : File::Kind::kOther;
  sqlite3_file* real = wrapper->real();
  real->pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, real, flags, out_flags);
  if (real->pMethods == nullptr) return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
  if (rc != SQLITE_OK) {
    // SQLite closes only what it gets methods for: on failure, none.
    real->pMethods->xClose(real);
    return rc;
  }
  wrapper->base.pMethods = MethodsFor(real);
  return SQLITE_OK;
}

}  // namespace

CountingVfs& CountingVfs::Instance() {
  static CountingVfs counts;
  static const bool registered = [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs shim = *real_vfs;  // iVersion, mxPathname; every method is replaced below
    shim.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
    shim.pNext = nullptr;
    shim.zName = CountingVfs::kUngathered;
    shim.pAppData = &counts;
    shim.xOpen = &Open;
    shim.xDelete = &Vfs<&sqlite3_vfs::xDelete>::Call;
    shim.xAccess = &Vfs<&sqlite3_vfs::xAccess>::Call;
    shim.xFullPathname = &Vfs<&sqlite3_vfs::xFullPathname>::Call;
    shim.xDlOpen = &Vfs<&sqlite3_vfs::xDlOpen>::Call;
    shim.xDlError = &Vfs<&sqlite3_vfs::xDlError>::Call;
    shim.xDlSym = &Vfs<&sqlite3_vfs::xDlSym>::Call;
    shim.xDlClose = &Vfs<&sqlite3_vfs::xDlClose>::Call;
    shim.xRandomness = &Vfs<&sqlite3_vfs::xRandomness>::Call;
    shim.xSleep = &Vfs<&sqlite3_vfs::xSleep>::Call;
    shim.xCurrentTime = &Vfs<&sqlite3_vfs::xCurrentTime>::Call;
    shim.xGetLastError = &Vfs<&sqlite3_vfs::xGetLastError>::Call;
    shim.xCurrentTimeInt64 = &Vfs<&sqlite3_vfs::xCurrentTimeInt64>::Call;
    shim.xSetSystemCall = &Vfs<&sqlite3_vfs::xSetSystemCall>::Call;
    shim.xGetSystemCall = &Vfs<&sqlite3_vfs::xGetSystemCall>::Call;
    shim.xNextSystemCall = &Vfs<&sqlite3_vfs::xNextSystemCall>::Call;
    EXPECT_EQ(sqlite3_vfs_register(&shim, /*makeDflt=*/0), SQLITE_OK);
    EXPECT_EQ(sqlite::RegisterGatheringVfs(kGathered, &shim), SQLITE_OK);
    return true;
  }();
  (void)registered;
  return counts;
}

}  // namespace consentflow::engine::store_test
