// SqliteStore's durability, counted at the file system: a VFS over SQLite's default one counts
// the fsyncs (xSync) of the write-ahead log and of the database file. It proves that
// EnqueueAll(kDeferred) and MarkSentAll commit without syncing the log (and what they wrote is
// still there), that Sync() then syncs the log exactly once and a second Sync() not at all, that
// a synced commit (EnqueueAll(kNow), Commit) syncs once and leaves Sync() nothing to do, that a
// non-durable store never syncs on Sync(), and that the WAL hook still checkpoints.
//
// A few small writes never reach the checkpoint threshold, so the database file is never synced
// in those tests; the log's counts are exact. They hold while the log has frames: the first
// commit after a complete checkpoint (or after reopening) restarts the log, and SQLite syncs the
// new log header even at synchronous=NORMAL. Here every store is new, so its migrations' frames
// are in the log and the tests' commits append to it.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_store.h"
#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

// ---- the counting VFS

struct SyncCounts {
  int log = 0;       // xSync calls on the write-ahead log ("-wal")
  int database = 0;  // on the main database file
  friend bool operator==(const SyncCounts&, const SyncCounts&) = default;
};

void PrintTo(const SyncCounts& counts, std::ostream* out) {
  *out << "{log " << counts.log << ", database " << counts.database << "}";
}

// Registered as the default VFS for its lifetime (so every store opened meanwhile uses it);
// everything but xOpen goes straight to the VFS that was the default before. Its files wrap the
// real file, which lives right behind the wrapper in the memory SQLite allocates (szOsFile).
// Must outlive every connection opened through it.
class CountingVfs {
 public:
  CountingVfs() : real_(sqlite3_vfs_find(nullptr)) {
    shim_ = *real_;  // iVersion, mxPathname; every method is replaced below
    shim_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    shim_.pNext = nullptr;
    shim_.zName = "consentflow-counting";
    shim_.pAppData = this;
    shim_.xOpen = &Open;
    shim_.xDelete = &Vfs<&sqlite3_vfs::xDelete>::Call;
    shim_.xAccess = &Vfs<&sqlite3_vfs::xAccess>::Call;
    shim_.xFullPathname = &Vfs<&sqlite3_vfs::xFullPathname>::Call;
    shim_.xDlOpen = &Vfs<&sqlite3_vfs::xDlOpen>::Call;
    shim_.xDlError = &Vfs<&sqlite3_vfs::xDlError>::Call;
    shim_.xDlSym = &Vfs<&sqlite3_vfs::xDlSym>::Call;
    shim_.xDlClose = &Vfs<&sqlite3_vfs::xDlClose>::Call;
    shim_.xRandomness = &Vfs<&sqlite3_vfs::xRandomness>::Call;
    shim_.xSleep = &Vfs<&sqlite3_vfs::xSleep>::Call;
    shim_.xCurrentTime = &Vfs<&sqlite3_vfs::xCurrentTime>::Call;
    shim_.xGetLastError = &Vfs<&sqlite3_vfs::xGetLastError>::Call;
    shim_.xCurrentTimeInt64 = &Vfs<&sqlite3_vfs::xCurrentTimeInt64>::Call;
    shim_.xSetSystemCall = &Vfs<&sqlite3_vfs::xSetSystemCall>::Call;
    shim_.xGetSystemCall = &Vfs<&sqlite3_vfs::xGetSystemCall>::Call;
    shim_.xNextSystemCall = &Vfs<&sqlite3_vfs::xNextSystemCall>::Call;
    EXPECT_EQ(sqlite3_vfs_register(&shim_, /*makeDflt=*/1), SQLITE_OK);
  }
  ~CountingVfs() {
    sqlite3_vfs_unregister(&shim_);
    sqlite3_vfs_register(real_, /*makeDflt=*/1);
  }
  CountingVfs(const CountingVfs&) = delete;
  CountingVfs& operator=(const CountingVfs&) = delete;

  // The syncs since the last call.
  SyncCounts Take() { return SyncCounts{log_syncs_.exchange(0), database_syncs_.exchange(0)}; }

 private:
  struct File {
    sqlite3_file base;
    std::atomic<int>* syncs;  // the counter of its kind; null for other files (temporary ones)
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };
  // SQLite allocates szOsFile bytes 8-byte aligned: so is the real file behind ours.
  static_assert(sizeof(File) % 8 == 0);

  static CountingVfs& Self(sqlite3_vfs* vfs) { return *static_cast<CountingVfs*>(vfs->pAppData); }
  static sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<File*>(file)->real(); }

  // Vfs<&sqlite3_vfs::xM>::Call forwards xM to the real VFS; Io<&sqlite3_io_methods::xM>::Call
  // forwards xM to the real file.
  template <auto Method>
  struct Vfs;
  template <typename R, typename... Args, R (*sqlite3_vfs::*Method)(sqlite3_vfs*, Args...)>
  struct Vfs<Method> {
    static R Call(sqlite3_vfs* vfs, Args... args) {
      sqlite3_vfs* real = Self(vfs).real_;
      return (real->*Method)(real, args...);
    }
  };
  template <auto Method>
  struct Io;
  template <typename R, typename... Args, R (*sqlite3_io_methods::*Method)(sqlite3_file*, Args...)>
  struct Io<Method> {
    static R Call(sqlite3_file* file, Args... args) {
      sqlite3_file* real = Real(file);
      return (real->pMethods->*Method)(real, args...);
    }
  };

  static int Sync(sqlite3_file* file, int flags) {
    if (std::atomic<int>* syncs = reinterpret_cast<File*>(file)->syncs) ++*syncs;
    return Io<&sqlite3_io_methods::xSync>::Call(file, flags);
  }

  // Our methods at `version`: a version-1 file has no xShm* (no WAL), a version-2 one no xFetch.
  static sqlite3_io_methods Methods(int version) {
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = &Io<&sqlite3_io_methods::xClose>::Call;
    m.xRead = &Io<&sqlite3_io_methods::xRead>::Call;
    m.xWrite = &Io<&sqlite3_io_methods::xWrite>::Call;
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
  static const sqlite3_io_methods* MethodsFor(const sqlite3_file* real) {
    static const sqlite3_io_methods methods[3] = {Methods(1), Methods(2), Methods(3)};
    return &methods[std::clamp(real->pMethods->iVersion, 1, 3) - 1];
  }

  static int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                  int* out_flags) {
    CountingVfs& self = Self(vfs);
    auto* wrapper = reinterpret_cast<File*>(file);
    wrapper->base.pMethods = nullptr;
    wrapper->syncs = (flags & SQLITE_OPEN_WAL) != 0       ? &self.log_syncs_
                     : (flags & SQLITE_OPEN_MAIN_DB) != 0 ? &self.database_syncs_
                                                          : nullptr;
    sqlite3_file* real = wrapper->real();
    real->pMethods = nullptr;
    const int rc = self.real_->xOpen(self.real_, name, real, flags, out_flags);
    if (real->pMethods == nullptr) return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
    if (rc != SQLITE_OK) {
      // SQLite closes only what it gets methods for: on failure, none.
      real->pMethods->xClose(real);
      return rc;
    }
    wrapper->base.pMethods = MethodsFor(real);
    return SQLITE_OK;
  }

  sqlite3_vfs* const real_;
  sqlite3_vfs shim_;
  std::atomic<int> log_syncs_{0};
  std::atomic<int> database_syncs_{0};
};

// ---- the tests

class SqliteSyncTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(bool durable = true) {
    Result<std::unique_ptr<Store>> store =
        OpenSqliteStore(SqliteOptions{(scratch_.path() / "store.db").string(), 5000, durable});
    EXPECT_TRUE(store) << store.error().ToString();
    if (!store) return nullptr;
    vfs_.Take();  // opening's own syncs (migrations) are not what the tests count
    return std::move(*store);
  }

  // The syncs since the last call (or since Open).
  SyncCounts Syncs() { return vfs_.Take(); }

  static std::vector<std::string> Ids(const std::vector<InboundMessage>& messages) {
    std::vector<std::string> ids;
    for (const InboundMessage& m : messages) ids.push_back(m.id);
    return ids;
  }

  CountingVfs vfs_;  // first: it outlives every store
  ScratchDir scratch_;
};

constexpr auto kDeferred = Store::Durability::kDeferred;
constexpr auto kNow = Store::Durability::kNow;
constexpr SyncCounts kNoSync{0, 0};
constexpr SyncCounts kOneLogSync{1, 0};

TEST_F(SqliteSyncTest, ADeferredEnqueueDoesNotSyncTheLogAndKeepsTheMessages) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_TRUE(store);
    Result<std::vector<bool>> fresh = store->EnqueueAll(
        {TextMessage("wamid.1", "A", 1), TextMessage("wamid.2", "B", 2)}, kDeferred);
    ASSERT_TRUE(fresh) << fresh.error().ToString();
    EXPECT_EQ(*fresh, (std::vector<bool>{true, true}));
    EXPECT_EQ(Syncs(), kNoSync);
    EXPECT_EQ(Ids(store->ClaimPending(10, std::chrono::minutes(1)).value()),
              (std::vector<std::string>{"wamid.1", "wamid.2"}));
    EXPECT_EQ(Syncs(), kNoSync);
  }
  // Committed, not just buffered: another connection (the reopened store) reads them, and the
  // claims went with the store that made them.
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(Ids(store->ClaimPending(10, std::chrono::minutes(1)).value()),
            (std::vector<std::string>{"wamid.1", "wamid.2"}));
}

TEST_F(SqliteSyncTest, SyncSyncsTheLogOnceForAllDeferredCommitsAndThenNoMore) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Sync().ok());  // nothing committed since opening
  EXPECT_EQ(Syncs(), kNoSync);

  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "B", 2)}, kDeferred));
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);

  // And again after the next deferred commit.
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.3", "C", 3)}, kDeferred));
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);
}

TEST_F(SqliteSyncTest, ASyncedEnqueueAfterADeferredOneLeavesSyncNothingToDo) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "B", 2)}, kNow));
  EXPECT_EQ(Syncs(), kOneLogSync);  // which covers wamid.1 too: the log is synced as a whole
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

// A server's engine round: the webhook's messages go in deferred, the engine commits its outcome
// (synced), and the Sync() before the webhook is answered costs nothing.
TEST_F(SqliteSyncTest, TheEnginesCommitAfterADeferredEnqueueLeavesSyncNothingToDo) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  ASSERT_EQ(store->ClaimPending(10, std::chrono::minutes(1)).value().size(), 1u);
  EXPECT_EQ(Syncs(), kNoSync);

  Result<std::vector<Status>> committed = store->Commit({Outcome(NewConversation("A"), "wamid.1")});
  ASSERT_TRUE(committed) << committed.error().ToString();
  ASSERT_EQ(committed->size(), 1u);
  ASSERT_TRUE((*committed)[0].ok()) << (*committed)[0].ToString();
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

// The round's inbox write is covered by the engine's synced commit even when the outbox
// sender's relaxed records land in between: Sync(upto) looks only as far as the round's write.
TEST_F(SqliteSyncTest, SyncUpToAPointIgnoresRelaxedCommitsAfterALaterSyncedOne) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EventOutcome outcome = Outcome(NewConversation("A"));
  outcome.outbound = {OutboundMessage{"A", OutboundMessage::Kind::kText, "one", {}, ""}};
  ASSERT_TRUE(store->Commit({outcome}));
  const uint64_t queued = store->PendingOutbox(10).value().at(0).id;
  (void)Syncs();

  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "B", 1)}, kDeferred));
  const uint64_t round = store->Commits();
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "C", 2)}, kNow));  // a synced commit
  ASSERT_TRUE(store->MarkSentAll({{queued, "wamid.out.1"}}));            // then a relaxed one
  EXPECT_EQ(Syncs(), kOneLogSync);
  EXPECT_GT(store->Commits(), round);
  ASSERT_TRUE(store->Sync(round).ok());
  EXPECT_EQ(Syncs(), kNoSync);  // the round's write was synced by the later commit
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);  // the relaxed record was not
}

TEST_F(SqliteSyncTest, AnEnqueueNowSyncsTheLogOnceByItself) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  Result<std::vector<bool>> fresh =
      store->EnqueueAll({TextMessage("wamid.1", "A", 1), TextMessage("wamid.2", "B", 2)}, kNow);
  ASSERT_TRUE(fresh) << fresh.error().ToString();
  EXPECT_EQ(*fresh, (std::vector<bool>{true, true}));
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

TEST_F(SqliteSyncTest, MarkSentAllLeavesTheLogUnsyncedUntilSync) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  EventOutcome outcome = Outcome(NewConversation("A"));
  outcome.outbound = {OutboundMessage{"A", OutboundMessage::Kind::kText, "one", {}, ""},
                      OutboundMessage{"A", OutboundMessage::Kind::kText, "two", {}, ""}};
  Result<std::vector<Status>> committed = store->Commit({outcome});
  ASSERT_TRUE(committed) << committed.error().ToString();
  ASSERT_TRUE((*committed)[0].ok()) << (*committed)[0].ToString();
  std::vector<OutboxEntry> pending = store->PendingOutbox(10).value();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(Syncs(), kOneLogSync);  // the commit that queued them

  Result<std::vector<Status>> marked =
      store->MarkSentAll({{pending[0].id, "wamid.out.1"}, {pending[1].id, "wamid.out.2"}});
  ASSERT_TRUE(marked) << marked.error().ToString();
  for (const Status& status : *marked) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Syncs(), kNoSync);
  EXPECT_EQ(store->LookupOutbox(pending[1].id).value().state, OutboxState::kAccepted);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kOneLogSync);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
}

// synchronous=NORMAL throughout: nothing is durable before a checkpoint, and Sync() does not
// pretend otherwise (it has nothing to do).
TEST_F(SqliteSyncTest, ANonDurableStoreNeverSyncsTheLog) {
  std::unique_ptr<Store> store = Open(/*durable=*/false);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.1", "A", 1)}, kDeferred));
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
  ASSERT_TRUE(store->EnqueueAll({TextMessage("wamid.2", "B", 2)}, kNow));
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(Syncs(), kNoSync);
  EXPECT_EQ(store->ClaimPending(10, std::chrono::minutes(1)).value().size(), 2u);
}

// The store's WAL hook replaces SQLite's, which is what ran automatic checkpoints: it must run
// them itself once the log reaches wal_autocheckpoint (8,192 frames). A checkpoint copies the
// log into the database file and syncs that file; nothing else syncs it.
TEST_F(SqliteSyncTest, TheWalHookStillCheckpointsALongLog) {
  std::unique_ptr<Store> store = Open();
  ASSERT_TRUE(store);
  // Each message fills most of a 4 KiB page, so this one commit writes over 8,192 frames.
  std::vector<InboundMessage> messages;
  for (int i = 0; i < 9000; ++i) {
    messages.push_back(TextMessage("wamid." + std::to_string(i), "A", i, std::string(3000, 'x')));
  }
  ASSERT_TRUE(store->EnqueueAll(messages, kDeferred));
  EXPECT_GE(Syncs().database, 1);
}

}  // namespace
}  // namespace consentflow::engine::store_test
