// The gathering VFS (engine/store/sqlite/sqlite_wal_vfs.h), watched from below by the counting
// VFS: a commit reaches the log in a few writes instead of two per page; what a commit wrote is
// in the file before another connection can see the commit, also without a sync; a transaction
// larger than the page cache (pages written early, then again) commits whole; and a failed write
// fails the commit and loses nothing committed before or after it.

#include "engine/store/sqlite/sqlite_wal_vfs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tests/engine/store/counting_vfs.h"
#include "tests/engine/store/store_contract.h"

namespace consentflow::engine::store_test {
namespace {

using sqlite::Db;

constexpr auto kDeferred = Store::Durability::kDeferred;
constexpr auto kNow = Store::Durability::kNow;

class GatheringVfsTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name = "store.db") const {
    return (scratch_.path() / name).string();
  }

  std::unique_ptr<Store> Open(const char* vfs, const std::string& name = "store.db") {
    Result<std::unique_ptr<Store>> store =
        OpenSqliteStore(SqliteOptions{Path(name), 5000, /*durable=*/true}, vfs);
    EXPECT_TRUE(store) << store.error().ToString();
    (void)vfs_.TakeLogWrites();  // the migrations' writes are not what the tests count
    return store ? std::move(*store) : nullptr;
  }

  static std::vector<InboundMessage> Messages(int from, int count, std::size_t size) {
    std::vector<InboundMessage> messages;
    for (int i = from; i < from + count; ++i) {
      messages.push_back(TextMessage("wamid." + std::to_string(i), "contact-" + std::to_string(i), i,
                                     std::string(size, 'x')));
    }
    return messages;
  }

  static std::vector<std::string> PendingIds(Store& store) {
    Result<std::vector<InboundMessage>> claimed = store.ClaimPending(1000, std::chrono::minutes(1));
    EXPECT_TRUE(claimed) << claimed.error().ToString();
    std::vector<std::string> ids;
    if (claimed) {
      for (const InboundMessage& m : *claimed) ids.push_back(m.id);
    }
    return ids;
  }

  CountingVfs& vfs_ = CountingVfs::Instance();
  ScratchDir scratch_;
};

// 300 messages of 2 KB: a few hundred pages, which SQLite writes as two writes each. Gathered,
// the whole commit takes a write per 31 frames (the most the unix VFS takes at once) and two
// for the commit frame.
TEST_F(GatheringVfsTest, ACommitReachesTheLogInAFewWritesInsteadOfTwoPerPage) {
  std::unique_ptr<Store> plain = Open(CountingVfs::kUngathered, "plain.db");
  ASSERT_TRUE(plain);
  ASSERT_TRUE(plain->EnqueueAll(Messages(0, 300, 2000), kNow));
  const int ungathered = vfs_.TakeLogWrites();

  std::unique_ptr<Store> gathered = Open(CountingVfs::kGathered);
  ASSERT_TRUE(gathered);
  ASSERT_TRUE(gathered->EnqueueAll(Messages(0, 300, 2000), kNow));
  const int writes = vfs_.TakeLogWrites();

  EXPECT_GT(ungathered, 400);  // two per frame
  EXPECT_GT(writes, 0);
  EXPECT_LE(writes, ungathered / 2 / 31 + 3);
  EXPECT_EQ(PendingIds(*gathered).size(), 300u);
}

// A deferred commit is not synced, so only the commit frame's own write puts it in the file:
// another connection must read every message of every commit at once, and the database must be
// whole.
TEST_F(GatheringVfsTest, AnotherConnectionReadsEachUnsyncedCommitAtOnce) {
  std::unique_ptr<Store> writer = Open(CountingVfs::kGathered);
  ASSERT_TRUE(writer);
  Result<Db> reader = Db::Open(Path());  // its own connection, through the same VFS
  ASSERT_TRUE(reader) << reader.error().ToString();
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(writer->EnqueueAll(Messages(round * 10, 10, 700), kDeferred));
    Result<std::string> count = reader->QueryText("SELECT count(*) FROM inbox");
    ASSERT_TRUE(count) << count.error().ToString();
    EXPECT_EQ(*count, std::to_string((round + 1) * 10)) << "after round " << round;
  }
  EXPECT_EQ(reader->QueryText("PRAGMA integrity_check").value(), "ok");
}

// A page cache of a few pages makes SQLite write pages to the log before the commit, read them
// back, write some again in place and rewrite the frame headers' checksums at the commit: the
// commit must still hold every row, as another connection without this VFS reads it.
TEST_F(GatheringVfsTest, ATransactionLargerThanThePageCacheCommitsWhole) {
  {
    Result<Db> db = Db::Open(Path(), CountingVfs::kGathered);
    ASSERT_TRUE(db) << db.error().ToString();
    ASSERT_EQ(db->QueryText("PRAGMA journal_mode = WAL").value(), "wal");
    ASSERT_TRUE(db->Exec("PRAGMA cache_size = 8").ok());
    ASSERT_TRUE(db->Exec("PRAGMA synchronous = NORMAL").ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)").ok());
    ASSERT_TRUE(db->Exec("BEGIN").ok());
    ASSERT_TRUE(db->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                         "INSERT INTO t SELECT i, printf('%.600c', 'a') FROM n").ok());
    ASSERT_TRUE(db->Exec("UPDATE t SET body = printf('%.600c', 'b') WHERE id % 2 = 0").ok());
    ASSERT_TRUE(db->Exec("COMMIT").ok());
    EXPECT_GT(vfs_.TakeLogWrites(), 0);
  }
  Result<Db> other = Db::Open(Path(), CountingVfs::kUngathered);
  ASSERT_TRUE(other) << other.error().ToString();
  EXPECT_EQ(other->QueryText("SELECT count(*) FROM t WHERE body = printf('%.600c', 'a')").value(), "1500");
  EXPECT_EQ(other->QueryText("SELECT count(*) FROM t WHERE body = printf('%.600c', 'b')").value(), "1500");
  EXPECT_EQ(other->QueryText("PRAGMA integrity_check").value(), "ok");
}

// A full disk: the commit whose write fails reports it, and is not there afterwards; what was
// committed before stays, and the store takes the next commit once the disk has room again.
TEST_F(GatheringVfsTest, AFailedWriteFailsTheCommitAndLosesNothingCommitted) {
  {
    std::unique_ptr<Store> store = Open(CountingVfs::kGathered);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->EnqueueAll(Messages(0, 5, 100), kDeferred));
    vfs_.FailLogWrites(true);
    Result<std::vector<bool>> failed = store->EnqueueAll(Messages(100, 50, 2000), kDeferred);
    vfs_.FailLogWrites(false);
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message().find("full"), std::string::npos) << failed.error().ToString();
    ASSERT_TRUE(store->EnqueueAll(Messages(200, 5, 100), kNow));
  }
  std::unique_ptr<Store> reopened = Open(CountingVfs::kGathered);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(PendingIds(*reopened),
            (std::vector<std::string>{"wamid.0", "wamid.1", "wamid.2", "wamid.3", "wamid.4", "wamid.200",
                                      "wamid.201", "wamid.202", "wamid.203", "wamid.204"}));
}

}  // namespace
}  // namespace consentflow::engine::store_test
